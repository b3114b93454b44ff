import FluentKit
import Foundation
import MallVIPCore
import SQLKit

/// What to issue: the template's value and minimum spend, to whom, and why.
public struct CouponIssue: Sendable {
    public var template: CouponTemplate
    /// nil: a bearer coupon anyone may present.
    public var memberId: Int64?
    /// redemption | birthday | campaign | manager | referral | journey
    public var source: String
    /// What issued it, e.g. "redemption:42": voiding that voids the coupon.
    public var sourceRef: String?
    /// Accepting counters; empty = every counter that participates in discounts.
    public var counterCodes: [String]
    public var validFrom: LocalDate
    /// Overrides `template.validDays` and `programme.coupons.defaultValidDays` (year-labelled vouchers).
    public var validTo: LocalDate?
    /// Why, for the audit trail (a manager's hand-issued coupon).
    public var note: String?

    public init(template: CouponTemplate, memberId: Int64?, source: String, sourceRef: String? = nil,
                counterCodes: [String] = [], validFrom: LocalDate, validTo: LocalDate? = nil, note: String? = nil) {
        self.template = template
        self.memberId = memberId
        self.source = source
        self.sourceRef = sourceRef
        self.counterCodes = counterCodes
        self.validFrom = validFrom
        self.validTo = validTo
        self.note = note
    }

    public static let sources: Set<String> = ["redemption", "birthday", "campaign", "manager", "referral", "journey"]
}

public struct IssuedCoupon: Sendable, Codable, Equatable {
    public var code: String
    public var memberId: Int64?
    public var nameZh: String
    public var nameEn: String
    public var faceFen: Int64?
    public var discountPermille: Int?
    public var minSpendFen: Int64
    public var validFrom: LocalDate
    public var validTo: LocalDate
    public var counterCodes: [String]
    /// issued | used | void
    public var status: String
    public var source: String
    public var sourceRef: String?

    public var value: CouponValue { CouponValue(faceFen: faceFen, discountPermille: discountPermille) }
}

extension Store {
    /// Issues a coupon inside the caller's write transaction, so a redemption or a referral reward and its coupon
    /// commit or fail together. Checks the template and counters; the code is unique (a collision draws again).
    func issueCoupon(_ tx: any Database, _ issue: CouponIssue, policy: CouponPolicy, nowMs: Int64,
                     actor: String) async throws -> IssuedCoupon {
        let sql = tx.sql
        try validate(issue)
        let validTo = issue.validTo ?? issue.validFrom.adding(days: max(1, issue.template.validDays ?? policy.defaultValidDays) - 1)
        guard validTo >= issue.validFrom else {
            throw DomainError.invalid("validTo", "coupon.validity", zh: "有效期结束日早于开始日", en: "validTo is before validFrom")
        }
        let counters = Array(Set(issue.counterCodes)).sorted()
        if !counters.isEmpty {
            let known = Set(try await sql.rows("SELECT code FROM counters WHERE code IN \(list: counters)").map { try $0.string("code") })
            if let missing = counters.first(where: { !known.contains($0) }) {
                throw DomainError(.notFound, field: "counterCodes", rule: "counter.exists",
                                  zh: "店柜不存在：\(missing)", en: "unknown counter \(missing)")
            }
        }
        if let memberId = issue.memberId,
           try await sql.row("SELECT id FROM members WHERE id = \(bind: memberId)") == nil {
            throw DomainError(.notFound, field: "memberId", rule: "member.exists", zh: "会员不存在", en: "member not found")
        }
        var coupon = IssuedCoupon(code: "", memberId: issue.memberId, nameZh: issue.template.name.zh, nameEn: issue.template.name.en,
                                  faceFen: issue.template.faceFen, discountPermille: issue.template.discountPermille,
                                  minSpendFen: issue.template.minSpendFen, validFrom: issue.validFrom, validTo: validTo,
                                  counterCodes: counters, status: "issued", source: issue.source, sourceRef: issue.sourceRef)
        var rng = SystemRandomNumberGenerator()
        // ON CONFLICT DO NOTHING instead of catching the violation: on PostgreSQL a failed statement would abort the
        // caller's whole transaction.
        for _ in 0..<8 {
            let code = CouponCode.generate(policy, using: &rng)
            let inserted = try await sql.row("""
                INSERT INTO coupons (code, member_id, name_zh, name_en, face_fen, discount_permille, min_spend_fen, valid_from_day,
                                     valid_to_day, counter_codes, status, source, source_ref, issued_by, issued_at_ms)
                VALUES (\(bind: code), \(bind: issue.memberId), \(bind: coupon.nameZh), \(bind: coupon.nameEn), \(bind: coupon.faceFen),
                        \(bind: coupon.discountPermille), \(bind: coupon.minSpendFen), \(bind: issue.validFrom.dayNumber),
                        \(bind: validTo.dayNumber), \(bind: counters.joined(separator: ",")), 'issued', \(bind: issue.source),
                        \(bind: issue.sourceRef), \(bind: actor), \(bind: nowMs))
                ON CONFLICT (code) DO NOTHING RETURNING id
                """)
            if inserted != nil {
                coupon.code = code
                try await audit(tx, actor: actor, action: "coupon.issue", subject: "coupon:\(code)",
                                detail: [issue.source, issue.sourceRef, issue.memberId.map { "member:\($0)" }, issue.note]
                                    .compactMap { $0 }.joined(separator: " "))
                return coupon
            }
        }
        throw DomainError(.conflict, field: "code", rule: "coupon.code", zh: "券号生成冲突，请加长券号", en: "could not draw an unused coupon code; lengthen coupons.codeLength")
    }

    /// Issues a coupon in a transaction of its own (a manager's hand-issued coupon, a campaign).
    public func issueCoupon(_ issue: CouponIssue, actor: String) async throws -> IssuedCoupon {
        let (_, programme) = try await self.programme()
        let nowMs = epochMillis(now)
        return try await write { tx in
            try await self.issueCoupon(tx, issue, policy: programme.coupons, nowMs: nowMs, actor: actor)
        }
    }

    /// Voids the unused coupons issued under `sourceRef` (a voided redemption, a reversed referral). A coupon already
    /// used cannot be taken back: the whole void is refused and nothing is written.
    func voidCoupons(_ tx: any Database, sourceRef: String, reason: String, actor: String, nowMs: Int64) async throws {
        let sql = tx.sql
        let lock = sql.storeDialect.forUpdate
        let rows = try await sql.rows("""
            SELECT id, code, status, used_receipt_no FROM coupons WHERE source_ref = \(bind: sourceRef) ORDER BY id\(unsafeRaw: lock)
            """)
        if let used = try rows.first(where: { try $0.string("status") == "used" }) {
            let code = try used.string("code"), receipt = try used.optString("used_receipt_no") ?? ""
            throw DomainError(.conflict, field: "coupon", rule: "coupon.used",
                              zh: "优惠券 \(code) 已在小票 \(receipt) 使用，不能作废", en: "coupon \(code) was already used on receipt \(receipt); it cannot be voided")
        }
        for r in rows where try r.string("status") == "issued" {
            let code = try r.string("code")
            try await sql.exec("""
                UPDATE coupons SET status = 'void', voided_at_ms = \(bind: nowMs), void_reason = \(bind: reason), voided_by = \(bind: actor)
                WHERE id = \(bind: try r.int64("id")) AND status = 'issued'
                """)
            try await audit(tx, actor: actor, action: "coupon.void", subject: "coupon:\(code)", detail: "\(sourceRef): \(reason)")
        }
    }

    private func validate(_ issue: CouponIssue) throws {
        let t = issue.template
        guard IssuedCoupon.sourceIsKnown(issue.source) else {
            throw DomainError.invalid("source", "coupon.source", zh: "未知的发券来源：\(issue.source)", en: "unknown coupon source \(issue.source)")
        }
        guard !t.name.zh.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw DomainError.invalid("name", "coupon.name", zh: "请填写券名称", en: "a coupon needs a name")
        }
        switch (t.faceFen, t.discountPermille) {
        case let (face?, nil):
            guard face > 0, face <= 100_000_000_00 else {
                throw DomainError.invalid("faceFen", "coupon.value", zh: "面值必须大于0", en: "the face value must be positive")
            }
        case let (nil, p?):
            guard (1...999).contains(p) else {
                throw DomainError.invalid("discountPermille", "coupon.value", zh: "折扣须在0.01折到9.99折之间", en: "the discount must be between 0.01 and 9.99 折")
            }
        default:
            throw DomainError.invalid("faceFen", "coupon.value", zh: "请填写面值或折扣（二选一）", en: "give either a face value or a discount, not both")
        }
        guard t.minSpendFen >= 0 else {
            throw DomainError.invalid("minSpendFen", "coupon.minSpend", zh: "最低消费不能为负", en: "the minimum spend cannot be negative")
        }
        if let days = t.validDays, days < 1 {
            throw DomainError.invalid("validDays", "coupon.validity", zh: "有效天数至少为1天", en: "validDays must be at least 1")
        }
    }
}

extension IssuedCoupon {
    static func sourceIsKnown(_ source: String) -> Bool { CouponIssue.sources.contains(source) }
}
