import FluentKit
import Foundation
import MallVIPCore
import SQLKit

extension Store {
    public func partners() async throws -> [Partner] {
        try await sql.rows("SELECT * FROM partners ORDER BY active DESC, code").map(partnerFrom)
    }

    public func partner(id: Int64) async throws -> Partner? {
        try await sql.row("SELECT * FROM partners WHERE id = \(bind: id)").map(partnerFrom)
    }

    public func partner(code: String) async throws -> Partner? {
        try await sql.row("SELECT * FROM partners WHERE code = \(bind: code)").map(partnerFrom)
    }

    /// Creates a partner, or updates the one with `id`. Overrides name tiers of the active programme, each a
    /// discount between 0.01 and 10 折.
    @discardableResult
    public func savePartner(id: Int64?, _ p: PartnerInput, actor: String) async throws -> Int64 {
        try validateCode(p.code, field: "code")
        let name = p.name.trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty, name.count <= 100 else {
            throw DomainError.invalid("name", "required", zh: "请填写商家名称（最多100字）", en: "name is required (at most 100 characters)")
        }
        let (_, programme) = try await self.programme()
        for (tier, permille) in p.overrides.sorted(by: { $0.key < $1.key }) {
            guard programme.tier(tier) != nil else {
                throw DomainError.invalid("discount.\(tier)", "tier.exists", zh: "章程中没有等级 \(tier)", en: "the programme has no tier \(tier)")
            }
            guard (1...1000).contains(permille) else {
                throw DomainError.invalid("discount.\(tier)", "permille.range", zh: "折扣须在0.01–10折之间", en: "the discount must be between 0.01 and 10 折")
            }
        }
        let overrides = try encodeJSON(p.overrides)
        let nowMs = epochMillis(now)
        return try await write { tx in
            do {
                if let id {
                    try await tx.sql.exec("""
                        UPDATE partners SET code = \(bind: p.code), name = \(bind: name), category = \(bind: p.category), contact = \(bind: p.contact),
                          active = \(bind: p.active), discounts_json = \(bind: overrides), updated_at_ms = \(bind: nowMs)
                        WHERE id = \(bind: id)
                        """)
                    try await self.audit(tx, actor: actor, action: "partner.update", subject: p.code, detail: "active=\(p.active) \(overrides)")
                    return id
                }
                let row = try await tx.sql.row("""
                    INSERT INTO partners (code, name, category, contact, active, discounts_json, created_at_ms, updated_at_ms)
                    VALUES (\(bind: p.code), \(bind: name), \(bind: p.category), \(bind: p.contact), \(bind: p.active), \(bind: overrides),
                            \(bind: nowMs), \(bind: nowMs)) RETURNING id
                    """)!
                try await self.audit(tx, actor: actor, action: "partner.create", subject: p.code, detail: overrides)
                return try row.int64("id")
            } catch where isUniqueViolation(error) {
                throw DomainError(.conflict, field: "code", rule: "partner.code.unique", zh: "商家代码已存在：\(p.code)", en: "partner code \(p.code) already exists")
            }
        }
    }

    /// Visits, amount and discount per partner for the business days of one month; partners without visits too.
    public func partnerSettlement(year: Int, month: Int) async throws -> [PartnerSettlementLine] {
        let first = LocalDate(year: year, month: month, day: 1)
        let last = first.adding(months: 1).adding(days: -1)
        let rows = try await sql.rows("""
            SELECT p.id, p.code, p.name, COUNT(v.id) AS visits, COUNT(DISTINCT v.member_id) AS members,
              CAST(COALESCE(SUM(v.amount_fen), 0) AS BIGINT) AS amount, CAST(COALESCE(SUM(v.discount_fen), 0) AS BIGINT) AS discount
            FROM partners p LEFT JOIN partner_visits v ON v.partner_id = p.id
              AND v.business_day >= \(bind: first.dayNumber) AND v.business_day <= \(bind: last.dayNumber)
            GROUP BY p.id, p.code, p.name ORDER BY p.code
            """)
        return try rows.map {
            PartnerSettlementLine(partnerId: try $0.int64("id"), code: try $0.string("code"), name: try $0.string("name"),
                                  visits: try $0.int("visits"), members: try $0.int("members"),
                                  amountFen: try $0.int64("amount"), discountFen: try $0.int64("discount"))
        }
    }

    func partnerFrom(_ r: any SQLRow) throws -> Partner {
        let overrides = try JSONDecoder().decode([String: Int].self, from: Data(try r.string("discounts_json").utf8))
        return Partner(id: try r.int64("id"), code: try r.string("code"), name: try r.string("name"), category: try r.string("category"),
                       contact: try r.string("contact"), active: try r.bool("active"), overrides: overrides)
    }
}
