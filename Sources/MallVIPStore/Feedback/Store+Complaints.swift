import FluentKit
import Foundation
import MallVIPCore
import SQLKit

/// Complaints and service requests: opened from any channel, first response and resolution stamped with the
/// store's clock (the SLA report measures them), the outcome told to the member, and a survey after closing.
extension Store {
    static let complaintColumns = """
        c.id, c.member_id, c.kind, c.channel, c.category, c.counter_id, co.name AS counter_name, c.owner, c.status,
        c.description, c.created_at_ms, c.first_response_at_ms, c.resolved_at_ms, c.outcome, c.outcome_told
        """

    public func openComplaint(_ n: NewComplaint, actor: String) async throws -> Complaint {
        let category = n.category.trimmingCharacters(in: .whitespaces)
        let description = n.description.trimmingCharacters(in: .whitespacesAndNewlines)
        let owner = n.owner.trimmingCharacters(in: .whitespaces)
        guard !category.isEmpty else {
            throw DomainError.invalid("category", "complaint.category.required", zh: "请填写类别", en: "category is required")
        }
        guard !description.isEmpty else {
            throw DomainError.invalid("description", "complaint.description.required", zh: "请填写内容", en: "description is required")
        }
        guard !owner.isEmpty else {
            throw DomainError.invalid("owner", "complaint.owner.required", zh: "请指定负责人", en: "owner is required")
        }
        let nowMs = epochMillis(now)
        let id: Int64 = try await write { tx in
            if let m = n.memberId, try await tx.sql.row("SELECT id FROM members WHERE id = \(bind: m)") == nil {
                throw DomainError(.notFound, field: "memberId", rule: "member.exists", zh: "会员不存在", en: "member not found")
            }
            if let c = n.counterId, try await tx.sql.row("SELECT id FROM counters WHERE id = \(bind: c)") == nil {
                throw DomainError(.notFound, field: "counterId", rule: "counter.exists", zh: "专柜不存在", en: "counter not found")
            }
            let r = try await tx.sql.row("""
                INSERT INTO complaints (member_id, kind, channel, category, counter_id, owner, status, description, created_by,
                  created_at_ms, outcome_told)
                VALUES (\(bind: n.memberId), \(bind: n.kind.rawValue), \(bind: n.channel.rawValue), \(bind: category),
                        \(bind: n.counterId), \(bind: owner), 'open', \(bind: description), \(bind: actor), \(bind: nowMs), \(bind: false))
                RETURNING id
                """)!
            let id = try r.int64("id")
            try await self.audit(tx, actor: actor, action: "complaint.open", subject: "complaint:\(id)", detail: n.channel.rawValue)
            return id
        }
        return try await complaint(id: id)!
    }

    public func complaint(id: Int64) async throws -> Complaint? {
        try await sql.row("""
            SELECT \(unsafeRaw: Store.complaintColumns) FROM complaints c LEFT JOIN counters co ON co.id = c.counter_id
            WHERE c.id = \(bind: id)
            """).map(Store.complaint)
    }

    /// `managedBy`: only complaints of that account manager's members (issue 14: an account manager's list shows
    /// nothing of another manager's members, nor complaints that name no member). `mallScope`: only complaints of
    /// members of those malls, plus those that name no member (issue 17); nil: every member's.
    public func complaints(status: ComplaintStatus? = nil, limit: Int = 200, managedBy: Int64? = nil,
                           mallScope: MallScope? = nil) async throws -> [Complaint] {
        var scope: SQLQueryString = ""
        if let managedBy { scope = " AND c.member_id IN (SELECT id FROM members WHERE account_manager_id = \(bind: managedBy))" }
        if let mallScope { scope.appendInterpolation(mallScope.membersOrNone(idColumn: "c.member_id")) }
        return try await sql.rows("""
            SELECT \(unsafeRaw: Store.complaintColumns) FROM complaints c LEFT JOIN counters co ON co.id = c.counter_id
            WHERE (\(bind: status?.rawValue) IS NULL OR c.status = \(bind: status?.rawValue))\(scope)
            ORDER BY c.id DESC LIMIT \(bind: limit)
            """).map(Store.complaint)
    }

    /// The first response is stamped once; later calls keep the first time.
    public func respondToComplaint(id: Int64, actor: String) async throws -> Complaint {
        let nowMs = epochMillis(now)
        try await write { tx in
            let c = try await Store.lockComplaint(tx.sql, id)
            guard c.status == .open else { return }
            try await tx.sql.exec("""
                UPDATE complaints SET status = 'responded', first_response_at_ms = \(bind: nowMs) WHERE id = \(bind: id)
                """)
            try await self.audit(tx, actor: actor, action: "complaint.respond", subject: "complaint:\(id)")
        }
        return try await complaint(id: id)!
    }

    /// Closes with the outcome (a first response not yet stamped is stamped now too). `told`: the member was told the
    /// outcome. A member's closed complaint gets a satisfaction survey.
    public func resolveComplaint(id: Int64, outcome: String, told: Bool, actor: String, programme: Programme,
                                 linkBase: String) async throws -> Complaint {
        let outcome = outcome.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !outcome.isEmpty else {
            throw DomainError.invalid("outcome", "complaint.outcome.required", zh: "请填写处理结果", en: "outcome is required")
        }
        let nowMs = epochMillis(now)
        try await write { tx in
            let c = try await Store.lockComplaint(tx.sql, id)
            guard c.status != .resolved else {
                throw DomainError(.conflict, field: "status", rule: "complaint.resolved", zh: "已结案", en: "already resolved")
            }
            try await tx.sql.exec("""
                UPDATE complaints SET status = 'resolved', resolved_at_ms = \(bind: nowMs), outcome = \(bind: outcome),
                  outcome_told = \(bind: told), first_response_at_ms = COALESCE(first_response_at_ms, \(bind: nowMs))
                WHERE id = \(bind: id)
                """)
            try await self.audit(tx, actor: actor, action: "complaint.resolve", subject: "complaint:\(id)")
        }
        let c = try await complaint(id: id)!
        if let m = c.memberId {
            try await sendSurveys(memberIds: [m], reason: .complaint, ref: String(id), programme: programme, linkBase: linkBase)
        }
        return c
    }

    static func lockComplaint(_ sql: any SQLDatabase, _ id: Int64) async throws -> Complaint {
        let lock = sql.storeDialect.forUpdate(of: "c")
        guard let r = try await sql.row("""
            SELECT \(unsafeRaw: complaintColumns) FROM complaints c LEFT JOIN counters co ON co.id = c.counter_id
            WHERE c.id = \(bind: id)\(unsafeRaw: lock)
            """) else {
            throw DomainError(.notFound, field: "id", rule: "complaint.exists", zh: "记录不存在", en: "complaint not found")
        }
        return try complaint(r)
    }

    static func complaint(_ r: any SQLRow) throws -> Complaint {
        Complaint(id: try r.int64("id"), memberId: try r.optInt64("member_id"),
                  kind: ComplaintKind(rawValue: try r.string("kind")) ?? .complaint,
                  channel: FeedbackChannel(rawValue: try r.string("channel")) ?? .desk, category: try r.string("category"),
                  counterId: try r.optInt64("counter_id"), counterName: try r.optString("counter_name"),
                  owner: try r.string("owner"), status: ComplaintStatus(rawValue: try r.string("status")) ?? .open,
                  description: try r.string("description"), createdAtMs: try r.int64("created_at_ms"),
                  firstResponseAtMs: try r.optInt64("first_response_at_ms"), resolvedAtMs: try r.optInt64("resolved_at_ms"),
                  outcome: try r.optString("outcome"), outcomeTold: try r.bool("outcome_told"))
    }
}
