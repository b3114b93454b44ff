import FluentKit
import Foundation
import MallVIPCore
import SQLKit

extension Store {
    public func messageTemplates() async throws -> [MessageTemplate] {
        try await sql.rows("SELECT * FROM message_templates ORDER BY purpose, code").map(Self.templateFrom)
    }

    public func messageTemplate(code: String) async throws -> MessageTemplate? {
        try await sql.row("SELECT * FROM message_templates WHERE code = \(bind: code)").map(Self.templateFrom)
    }

    /// Everything wrong with a template before it is saved, all at once (a form lists them): the code and name,
    /// `MessageTemplate.check` for its own purpose, and for the purpose of each journey that uses it (a care journey
    /// may not be handed a promotional text by changing its template's purpose).
    public func templateProblems(_ t: MessageTemplate, creating: Bool) async throws -> [DomainError] {
        let (_, programme) = try await self.programme()
        var errors: [DomainError] = []
        if !Self.isTemplateCode(t.code) {
            errors.append(.invalid("code", "template.code.format", zh: "模板代码只能用字母、数字、- 和 _（至多 40 位）",
                                   en: "The code may use letters, digits, - and _ (at most 40)"))
        }
        if t.name.trimmingCharacters(in: .whitespaces).isEmpty {
            errors.append(.invalid("name", "template.name.required", zh: "请填写模板名称", en: "The name is required"))
        }
        errors += t.check(policy: programme.messaging)
        if !creating {
            let purposes = Set(try await journeys().filter { $0.templateCodes.contains(t.code) }.map(\.purpose)).subtracting([t.purpose])
            for p in purposes.sorted(by: { $0.rawValue < $1.rawValue }) {
                errors += t.check(purpose: p, policy: programme.messaging).filter { e in !errors.contains(e) }
            }
        }
        return errors
    }

    /// Creates (`creating`) or updates a template; refused with the first of `templateProblems`, nothing written.
    public func saveMessageTemplate(_ t: MessageTemplate, creating: Bool, actor: String) async throws {
        if let first = try await templateProblems(t, creating: creating).first { throw first }
        let nowMs = epochMillis(now)
        try await write { tx in
            let sql = tx.sql
            if creating {
                if try await sql.row("SELECT id FROM message_templates WHERE code = \(bind: t.code)") != nil {
                    throw DomainError(.conflict, field: "code", rule: "template.code.unique", zh: "模板代码 \(t.code) 已存在",
                                      en: "A template with code \(t.code) exists")
                }
                try await sql.exec("""
                    INSERT INTO message_templates (code, name, purpose, channel, subject, body, active, created_at_ms, updated_at_ms)
                    VALUES (\(bind: t.code), \(bind: t.name), \(bind: t.purpose.rawValue), \(bind: t.channel.rawValue), \(bind: t.subject),
                            \(bind: t.body), \(bind: t.active), \(bind: nowMs), \(bind: nowMs))
                    """)
            } else {
                guard try await sql.row("SELECT id FROM message_templates WHERE code = \(bind: t.code)") != nil else {
                    throw DomainError(.notFound, field: "code", rule: "template.exists", zh: "模板不存在", en: "Template not found")
                }
                try await sql.exec("""
                    UPDATE message_templates SET name = \(bind: t.name), purpose = \(bind: t.purpose.rawValue), channel = \(bind: t.channel.rawValue),
                      subject = \(bind: t.subject), body = \(bind: t.body), active = \(bind: t.active), updated_at_ms = \(bind: nowMs)
                    WHERE code = \(bind: t.code)
                    """)
            }
            try await self.audit(tx, actor: actor, action: creating ? "template.create" : "template.update", subject: "template:\(t.code)",
                                 detail: t.body)
        }
    }

    /// The placeholders' values for one member on `day` (default today): name, 先生/女士, effective tier, points,
    /// the next points to lapse and when, the store, and the sender (the member's active account manager, else the
    /// programme's default sender). nil when there is no such member.
    public func templateContext(memberId: Int64, programme: Programme, on day: LocalDate? = nil) async throws -> TemplateContext? {
        let today = day ?? LocalDate.of(now, in: programme.timeZone)
        guard var context = try await templateContexts(sql, memberIds: [memberId], programme: programme, on: today)[memberId] else { return nil }
        if let next = try await pointsExpiring(withinDays: 3660, on: today, memberId: memberId).first(where: { $0.expiresOn >= today }) {
            context.expiringPoints = next.points
            context.expiryDate = next.expiresOn
        }
        return context
    }

    /// `templateContext` with the rest filled as a preview needs it: the next active holiday's name and the
    /// member's soonest-expiring usable coupon, so that every placeholder shows something real.
    public func templatePreviewContext(memberId: Int64, programme: Programme, on day: LocalDate? = nil) async throws -> TemplateContext? {
        let today = day ?? LocalDate.of(now, in: programme.timeZone)
        guard var context = try await templateContext(memberId: memberId, programme: programme, on: today) else { return nil }
        if let h = try await sql.row("""
            SELECT name FROM holidays WHERE active = \(bind: true) AND day >= \(bind: today.dayNumber) ORDER BY day LIMIT 1
            """) {
            context.holiday = try h.string("name")
        }
        if let c = try await sql.row("""
            SELECT name_zh, valid_to_day FROM coupons WHERE member_id = \(bind: memberId) AND status = 'issued'
              AND valid_to_day >= \(bind: today.dayNumber) ORDER BY valid_to_day, id LIMIT 1
            """) {
            context.couponName = try c.string("name_zh")
            context.couponExpiry = LocalDate(dayNumber: try c.int("valid_to_day"))
        }
        return context
    }

    /// Contexts of many members at once (journeys render thousands); expiring points, coupons and holidays are
    /// left for the caller, who knows which ones a message is about.
    func templateContexts(_ sql: any SQLDatabase, memberIds: [Int64], programme: Programme, on day: LocalDate) async throws -> [Int64: TemplateContext] {
        var out: [Int64: TemplateContext] = [:]
        for chunk in memberIds.chunked(500) {
            for r in try await sql.rows("""
                SELECT m.id, m.name, m.gender, m.earned_tier, m.manual_tier, m.manual_until_day, m.points_balance,
                       s.display_name AS sender, s.active AS sender_active
                FROM members m LEFT JOIN staff_users s ON s.id = m.account_manager_id WHERE m.id IN \(list: Array(chunk))
                """) {
                let tier = programme.effectiveTier(earned: try r.string("earned_tier"), manual: try r.optString("manual_tier"),
                                                   manualUntil: try r.optInt("manual_until_day").map(LocalDate.init(dayNumber:)), on: day)
                let sender = try r.optString("sender").flatMap { name in (try? r.decode(column: "sender_active", as: Bool?.self)) == true ? name : nil }
                out[try r.int64("id")] = TemplateContext(
                    name: try r.string("name"), title: (Gender(rawValue: try r.string("gender")) ?? .unknown).title.zh,
                    tier: programme.tier(tier)?.name.zh ?? tier, points: try r.int64("points_balance"),
                    store: programme.messaging.storeName, sender: sender.flatMap { $0.isEmpty ? nil : $0 } ?? programme.messaging.defaultSender)
            }
        }
        return out
    }

    static func templateFrom(_ r: any SQLRow) throws -> MessageTemplate {
        MessageTemplate(code: try r.string("code"), name: try r.string("name"),
                        purpose: MessagePurpose(rawValue: try r.string("purpose")) ?? .service,
                        channel: MessageChannel(rawValue: try r.string("channel")) ?? .sms,
                        subject: try r.optString("subject"), body: try r.string("body"), active: try r.bool("active"))
    }

    static func isTemplateCode(_ s: String) -> Bool {
        !s.isEmpty && s.count <= 40 && s.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }
    }
}

/// A text refused for one or more reasons, carrying all of them so that a form can list every problem at once;
/// `first` is what an API answers with.
public struct TemplateCheckError: Error, Sendable {
    public var first: DomainError
    public var all: [DomainError]
    public init(first: DomainError, all: [DomainError]) {
        self.first = first
        self.all = all
    }
}
