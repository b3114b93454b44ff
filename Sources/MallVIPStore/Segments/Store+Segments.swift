import FluentKit
import Foundation
import MallVIPCore
import SQLKit

/// A saved segment. `lastCount`: members that matched when it was last saved or exported (the live count is
/// `segmentCount`).
public struct Segment: Sendable, Equatable {
    public var id: Int64
    public var name: String
    public var description: String
    public var conditions: SegmentConditions
    public var createdBy: String
    public var createdAt: Date
    public var updatedAt: Date
    public var lastCount: Int?
}

/// One matching member as previews and exports show it; callers mask name and phone for roles that need no more.
public struct SegmentMember: Sendable, Equatable {
    public var id: Int64
    public var name: String
    public var phone: String
    public var email: String?
    public var cardNo: String?
    public var tier: String
    public var enrolled: LocalDate
    public var consentSMS: Bool
    public var consentEmail: Bool
    public var consentPhone: Bool
}

public struct SegmentPreview: Sendable, Equatable {
    public var count: Int
    public var sample: [SegmentMember]
}

extension Store {
    // MARK: Evaluation (reads the pool: never call inside a `write {}` closure)

    /// Member ids matching a saved segment on `day` (active members only), ascending.
    public func segmentMemberIds(segmentId: Int64, on day: LocalDate) async throws -> [Int64] {
        guard let s = try await segment(id: segmentId) else {
            throw DomainError(.notFound, field: "segmentId", rule: "segment.exists", zh: "没有这个分群", en: "no such segment")
        }
        return try await segmentMemberIds(s.conditions, on: day)
    }

    /// Member ids matching `conditions` on `day`, ascending; one SQL statement.
    public func segmentMemberIds(_ conditions: SegmentConditions, on day: LocalDate) async throws -> [Int64] {
        let from = try await segmentFrom(conditions, on: day)
        return try await sql.rows("SELECT m.id \(from) ORDER BY m.id").map { try $0.int64("id") }
    }

    public func segmentCount(_ conditions: SegmentConditions, on day: LocalDate) async throws -> Int {
        let from = try await segmentFrom(conditions, on: day)
        return try await sql.row("SELECT COUNT(*) AS n \(from)")!.int("n")
    }

    /// The live count and the first `sample` members (by id): two statements from one compiled condition.
    /// `managedBy`: only that account manager's members in it (`SegmentConditions.scoped`).
    public func segmentPreview(_ raw: SegmentConditions, on day: LocalDate, sample: Int = 20, managedBy: Int64? = nil) async throws -> SegmentPreview {
        let (_, programme) = try await self.programme()
        try await validateSegment(raw, programme: programme)
        guard let conditions = managedBy.map({ raw.scoped(toManager: $0) }) ?? raw else { return SegmentPreview(count: 0, sample: []) }
        let from = try await segmentSQL(conditions, programme: programme, on: day)
        let count = try await sql.row("SELECT COUNT(*) AS n \(from)")!.int("n")
        let rows = try await sql.rows("SELECT \(unsafeRaw: Self.segmentMemberColumns) \(from) ORDER BY m.id LIMIT \(literal: max(0, sample))")
        return SegmentPreview(count: count, sample: try rows.map { try segmentMember($0, programme, day) })
    }

    /// Every matching member for a CSV export, audited with the count (who took which list, and how big).
    /// `managedBy`: only that account manager's members in it (`SegmentConditions.scoped`); the segment's stored
    /// count is then left as it is, since it is not the whole segment's.
    public func exportSegment(id: Int64, on day: LocalDate, unmasked: Bool, actor: String, managedBy: Int64? = nil) async throws -> [SegmentMember] {
        guard let s = try await segment(id: id) else {
            throw DomainError(.notFound, field: "segmentId", rule: "segment.exists", zh: "没有这个分群", en: "no such segment")
        }
        let (_, programme) = try await self.programme()
        let conditions: SegmentConditions? = managedBy.map { s.conditions.scoped(toManager: $0) } ?? s.conditions
        var found: [SegmentMember] = []
        if let conditions {
            let from = try await segmentSQL(conditions, programme: programme, on: day)
            let rows = try await sql.rows("SELECT \(unsafeRaw: Self.segmentMemberColumns) \(from) ORDER BY m.id")
            found = try rows.map { try segmentMember($0, programme, day) }
        }
        let members = found
        try await write { tx in
            if managedBy == nil {
                try await tx.sql.exec("UPDATE segments SET last_count = \(bind: members.count) WHERE id = \(bind: id)")
            }
            try await self.audit(tx, actor: actor, action: "segment.export", subject: "segment:\(id)",
                                 detail: "count=\(members.count) unmasked=\(unmasked) name=\(s.name)" + (managedBy.map { " managedBy=\($0)" } ?? ""))
        }
        return members
    }

    /// Checks the conditions' own numbers (no query: a saved segment's references were checked when it was saved).
    func segmentFrom(_ conditions: SegmentConditions, on day: LocalDate) async throws -> SQLQueryString {
        let (_, programme) = try await self.programme()
        try conditions.normalized().validate(tierCodes: programme.tiers.map(\.code))
        return try await segmentSQL(conditions, programme: programme, on: day)
    }

    static let segmentMemberColumns = """
        m.id, m.name, m.phone, m.email, m.earned_tier, m.manual_tier, m.manual_until_day, m.enrolled_day,
        m.consent_sms, m.consent_email, m.consent_phone,
        (SELECT c.card_no FROM cards c WHERE c.member_id = m.id ORDER BY (c.state = 'active') DESC, c.id DESC LIMIT 1) AS card_no
        """

    func segmentMember(_ r: any SQLRow, _ programme: Programme, _ day: LocalDate) throws -> SegmentMember {
        SegmentMember(id: try r.int64("id"), name: try r.string("name"), phone: try r.string("phone"), email: try r.optString("email"),
                      cardNo: try r.optString("card_no"),
                      tier: programme.effectiveTier(earned: try r.string("earned_tier"), manual: try r.optString("manual_tier"),
                                                    manualUntil: try r.optInt("manual_until_day").map { LocalDate(dayNumber: $0) }, on: day),
                      enrolled: LocalDate(dayNumber: try r.int("enrolled_day")), consentSMS: try r.bool("consent_sms"),
                      consentEmail: try r.bool("consent_email"), consentPhone: try r.bool("consent_phone"))
    }

    /// The pure checks plus the references only the database knows: departments and account managers must exist.
    public func validateSegment(_ conditions: SegmentConditions, programme: Programme) async throws {
        let c = conditions.normalized()
        try c.validate(tierCodes: programme.tiers.map(\.code))
        if let ids = c.bought?.departmentIds, !ids.isEmpty {
            let found = Set(try await sql.rows("SELECT id FROM departments WHERE id IN (\(binds: ids))").map { try $0.int64("id") })
            if let missing = ids.first(where: { !found.contains($0) }) {
                throw DomainError.invalid("bought.departmentIds", "department.exists", zh: "没有编号为 \(missing) 的课", en: "there is no department \(missing)")
            }
        }
        let staff: [Int64] = c.accountManagers?.compactMap { if case .staff(let id) = $0 { id } else { nil } } ?? []
        if !staff.isEmpty {
            let found = Set(try await sql.rows("SELECT id FROM staff_users WHERE id IN (\(binds: staff))").map { try $0.int64("id") })
            if let missing = staff.first(where: { !found.contains($0) }) {
                throw DomainError.invalid("accountManagers", "staff.exists", zh: "没有编号为 \(missing) 的员工", en: "there is no staff user \(missing)")
            }
        }
    }

    // MARK: Saved segments

    public func segments() async throws -> [Segment] {
        try await sql.rows("SELECT * FROM segments ORDER BY name").map(segmentRow)
    }

    public func segment(id: Int64) async throws -> Segment? {
        try await sql.row("SELECT * FROM segments WHERE id = \(bind: id)").map(segmentRow)
    }

    /// Creates (`id` nil) or updates a segment after validating it; stores the live count as `last_count`.
    @discardableResult
    public func saveSegment(id: Int64?, name: String, description: String, conditions: SegmentConditions, on day: LocalDate,
                            actor: String) async throws -> Segment {
        let name = name.trimmingCharacters(in: .whitespacesAndNewlines)
        let description = description.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !name.isEmpty, name.count <= 60 else {
            throw DomainError.invalid("name", "name.length", zh: "名称须为 1–60 字", en: "the name must have 1–60 characters")
        }
        guard description.count <= 500 else {
            throw DomainError.invalid("description", "text.length", zh: "说明最长 500 字", en: "the description has at most 500 characters")
        }
        let (_, programme) = try await self.programme()
        try await validateSegment(conditions, programme: programme)
        let normal = conditions.normalized()
        let json = try encodeJSON(normal)
        let count = try await segmentCount(normal, on: day)
        let nowMs = epochMillis(now)
        let savedId: Int64
        do {
            savedId = try await write { tx in
                if let id {
                    guard try await tx.sql.row("SELECT id FROM segments WHERE id = \(bind: id)") != nil else {
                        throw DomainError(.notFound, field: "segmentId", rule: "segment.exists", zh: "没有这个分群", en: "no such segment")
                    }
                    try await tx.sql.exec("""
                        UPDATE segments SET name = \(bind: name), description = \(bind: description), conditions_json = \(bind: json),
                          updated_at_ms = \(bind: nowMs), last_count = \(bind: count) WHERE id = \(bind: id)
                        """)
                    try await self.audit(tx, actor: actor, action: "segment.update", subject: "segment:\(id)", detail: json)
                    return id
                }
                let newId = try await tx.sql.row("""
                    INSERT INTO segments (name, description, conditions_json, created_by, created_at_ms, updated_at_ms, last_count)
                    VALUES (\(bind: name), \(bind: description), \(bind: json), \(bind: actor), \(bind: nowMs), \(bind: nowMs), \(bind: count))
                    RETURNING id
                    """)!.int64("id")
                try await self.audit(tx, actor: actor, action: "segment.create", subject: "segment:\(newId)", detail: json)
                return newId
            }
        } catch where isUniqueViolation(error) {
            throw DomainError(.conflict, field: "name", rule: "segment.nameUnique", zh: "已有同名分群：\(name)", en: "a segment named \(name) already exists")
        }
        return try await segment(id: savedId)!
    }

    public func deleteSegment(id: Int64, actor: String) async throws {
        try await write { tx in
            guard let row = try await tx.sql.row("SELECT name FROM segments WHERE id = \(bind: id)") else {
                throw DomainError(.notFound, field: "segmentId", rule: "segment.exists", zh: "没有这个分群", en: "no such segment")
            }
            // A campaign not yet sent still needs its segment; a sent one froze its audience and shows "(deleted)".
            let used = try await tx.sql.rows("""
                SELECT name FROM campaigns WHERE segment_id = \(bind: id) AND status IN ('draft', 'scheduled', 'sending') ORDER BY id LIMIT 3
                """)
            if !used.isEmpty {
                let names = try used.map { try $0.string("name") }.joined(separator: ", ")
                throw DomainError(.conflict, field: "segmentId", rule: "segment.usedByCampaign",
                                  zh: "分群已被未发送的活动使用，不能删除：\(names)", en: "the segment is used by campaigns not yet sent and cannot be deleted: \(names)")
            }
            try await tx.sql.exec("DELETE FROM segments WHERE id = \(bind: id)")
            try await self.audit(tx, actor: actor, action: "segment.delete", subject: "segment:\(id)", detail: try row.string("name"))
        }
    }

    func segmentRow(_ r: any SQLRow) throws -> Segment {
        let conditions = try JSONDecoder().decode(SegmentConditions.self, from: Data(try r.string("conditions_json").utf8))
        return Segment(id: try r.int64("id"), name: try r.string("name"), description: try r.string("description"), conditions: conditions,
                       createdBy: try r.string("created_by"), createdAt: dateFromMillis(try r.int64("created_at_ms")),
                       updatedAt: dateFromMillis(try r.int64("updated_at_ms")), lastCount: try r.optInt("last_count"))
    }
}
