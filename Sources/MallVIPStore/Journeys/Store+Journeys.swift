import FluentKit
import Foundation
import MallVIPCore
import SQLKit

/// A day of the editable holiday calendar.
public struct Holiday: Sendable, Equatable {
    public var id: Int64
    public var name: String
    public var day: LocalDate
    public var active: Bool
}

/// A journey's last finished daily run (job_runs).
public struct JourneyLastRun: Sendable, Equatable {
    public var day: LocalDate
    public var finishedAt: Date
    public var summary: String
}

extension Store {
    /// The journeys in `JourneyKind` order.
    public func journeys() async throws -> [Journey] {
        let rows = try await sql.rows("SELECT * FROM journeys")
        let all = try rows.compactMap(Self.journeyFrom)
        return JourneyKind.allCases.compactMap { k in all.first { $0.kind == k } }
    }

    public func journey(_ kind: JourneyKind) async throws -> Journey? {
        try await sql.row("SELECT * FROM journeys WHERE code = \(bind: kind.rawValue)").flatMap(Self.journeyFrom)
    }

    /// Everything wrong with a journey's settings: the holdout range, its numbers, and each template it sends
    /// (must exist, be active, and pass `check` for the journey's purpose, e.g. no promotion in a care journey).
    public func journeyProblems(_ j: Journey) async throws -> [DomainError] {
        let (_, programme) = try await self.programme()
        var errors: [DomainError] = []
        if !(0...1000).contains(j.holdoutPermille) {
            errors.append(.invalid("holdout", "journey.holdout.range", zh: "对照组比例须在 0% 到 100% 之间", en: "The holdout must be between 0% and 100%"))
        }
        errors += j.params.check(j.kind)
        var sent: [MessageTemplate] = []
        for code in Array(Set(j.templateCodes)).sorted() {
            guard let t = try await messageTemplate(code: code), t.active else {
                errors.append(.invalid("templateCode", "journey.template.exists", zh: "模板 \(code) 不存在或已停用",
                                       en: "Template \(code) does not exist or is inactive"))
                continue
            }
            errors += t.check(purpose: j.purpose, policy: programme.messaging).map { e in
                var e = e
                e.field = "templateCode"
                e.zh = "模板 \(code)：" + e.zh
                e.en = "Template \(code): " + e.en
                return e
            }
            sent.append(t)
        }
        return errors + journeyCouponErrors(j, templates: sent)   // Store+JourneyCoupons.swift (issue 18)
    }

    /// Saves a journey's switch, channel, template, holdout and numbers; refused with the first of `journeyProblems`
    /// when it is (or stays) switched on. A switched-off journey may be saved half-configured.
    public func saveJourney(_ j: Journey, actor: String) async throws {
        if j.enabled, let first = try await journeyProblems(j).first { throw first }
        if let first = j.params.check(j.kind).first { throw first }
        // A switched-off journey may lack {couponCode} in its template, but not carry a malformed or forbidden coupon.
        if let first = journeyCouponErrors(j, templates: []).first(where: { !$0.rule.hasSuffix(".placeholder") }) { throw first }
        let params = try encodeJSON(j.params)
        let nowMs = epochMillis(now)
        try await write { tx in
            guard try await tx.sql.row("SELECT id FROM journeys WHERE code = \(bind: j.code)") != nil else {
                throw DomainError(.notFound, field: "code", rule: "journey.exists", zh: "旅程不存在", en: "Journey not found")
            }
            try await tx.sql.exec("""
                UPDATE journeys SET name_zh = \(bind: j.name.zh), name_en = \(bind: j.name.en), enabled = \(bind: j.enabled),
                  channel = \(bind: j.channel.rawValue), template_code = \(bind: j.templateCode), holdout_permille = \(bind: j.holdoutPermille),
                  params_json = \(bind: params), updated_at_ms = \(bind: nowMs),
                  coupon_name = \(bind: j.coupon?.name.zh), coupon_face_fen = \(bind: j.coupon?.faceFen),
                  coupon_discount_permille = \(bind: j.coupon?.discountPermille), coupon_min_spend_fen = \(bind: j.coupon?.minSpendFen),
                  coupon_valid_days = \(bind: j.coupon?.validDays)
                WHERE code = \(bind: j.code)
                """)
            try await self.audit(tx, actor: actor, action: "journey.update", subject: "journey:\(j.code)",
                                 detail: "enabled=\(j.enabled) channel=\(j.channel.rawValue) template=\(j.templateCode) holdout=\(j.holdoutPermille)‰ params=\(params)"
                                    + (j.coupon.map { " coupon=\($0.name.zh)" } ?? ""))
        }
    }

    /// Switches a journey on or off (switching on checks it as `saveJourney` does).
    public func setJourneyEnabled(_ kind: JourneyKind, _ enabled: Bool, actor: String) async throws {
        guard var j = try await journey(kind) else {
            throw DomainError(.notFound, field: "code", rule: "journey.exists", zh: "旅程不存在", en: "Journey not found")
        }
        j.enabled = enabled
        try await saveJourney(j, actor: actor)
    }

    /// The last finished run of each journey.
    public func journeyLastRuns() async throws -> [JourneyKind: JourneyLastRun] {
        var out: [JourneyKind: JourneyLastRun] = [:]
        for r in try await sql.rows("SELECT job, day, finished_at_ms, summary FROM job_runs WHERE job LIKE 'journey:%' ORDER BY day") {
            guard let kind = JourneyKind(rawValue: String(try r.string("job").dropFirst("journey:".count))) else { continue }
            out[kind] = JourneyLastRun(day: LocalDate(dayNumber: try r.int("day")), finishedAt: dateFromMillis(try r.int64("finished_at_ms")),
                                       summary: try r.string("summary"))
        }
        return out
    }

    // MARK: Holidays

    public func holidays() async throws -> [Holiday] {
        try await sql.rows("SELECT * FROM holidays ORDER BY day, id").map {
            Holiday(id: try $0.int64("id"), name: try $0.string("name"), day: LocalDate(dayNumber: try $0.int("day")), active: try $0.bool("active"))
        }
    }

    /// Adds (`id` nil) or changes a holiday. Two active holidays on one day would greet members twice: refused.
    @discardableResult
    public func saveHoliday(id: Int64?, name: String, day: LocalDate, active: Bool, actor: String) async throws -> Int64 {
        let name = name.trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty, name.count <= 20 else {
            throw DomainError.invalid("name", "holiday.name", zh: "请填写节日名称（至多 20 字）", en: "Give the holiday a name (at most 20 characters)")
        }
        return try await write { tx in
            let sql = tx.sql
            if active, try await sql.row("""
                SELECT id FROM holidays WHERE day = \(bind: day.dayNumber) AND active = \(bind: true) AND id <> \(bind: id ?? 0)
                """) != nil {
                throw DomainError(.conflict, field: "day", rule: "holiday.day.unique", zh: "\(day) 已有一个节日", en: "\(day) already has a holiday")
            }
            let saved: Int64
            if let id {
                guard try await sql.row("SELECT id FROM holidays WHERE id = \(bind: id)") != nil else {
                    throw DomainError(.notFound, field: "id", rule: "holiday.exists", zh: "节日不存在", en: "Holiday not found")
                }
                try await sql.exec("UPDATE holidays SET name = \(bind: name), day = \(bind: day.dayNumber), active = \(bind: active) WHERE id = \(bind: id)")
                saved = id
            } else {
                saved = try await sql.row("""
                    INSERT INTO holidays (name, day, active) VALUES (\(bind: name), \(bind: day.dayNumber), \(bind: active)) RETURNING id
                    """)!.int64("id")
            }
            try await self.audit(tx, actor: actor, action: id == nil ? "holiday.create" : "holiday.update", subject: "holiday:\(saved)",
                                 detail: "\(name) \(day) active=\(active)")
            return saved
        }
    }

    public func deleteHoliday(id: Int64, actor: String) async throws {
        try await write { tx in
            try await tx.sql.exec("DELETE FROM holidays WHERE id = \(bind: id)")
            try await self.audit(tx, actor: actor, action: "holiday.delete", subject: "holiday:\(id)")
        }
    }

    static func journeyFrom(_ r: any SQLRow) throws -> Journey? {
        guard let kind = JourneyKind(rawValue: try r.string("code")) else { return nil }
        let params = (try? JSONDecoder().decode(JourneyParams.self, from: Data(try r.string("params_json").utf8))) ?? JourneyParams.defaults(kind)
        var j = Journey(kind: kind, name: LocalizedName(zh: try r.string("name_zh"), en: try r.string("name_en")), enabled: try r.bool("enabled"),
                        channel: MessageChannel(rawValue: try r.string("channel")) ?? .sms, templateCode: try r.string("template_code"),
                        holdoutPermille: try r.int("holdout_permille"), params: params)
        j.coupon = try offerCouponFrom(r)
        return j
    }
}
