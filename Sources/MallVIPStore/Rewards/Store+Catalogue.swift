import FluentKit
import Foundation
import MallVIPCore
import SQLKit

/// The redemption catalogue: items are managed in the console (planners, managers, admins); every change is audited.
extension Store {
    public func rewardItems(activeOnly: Bool = false) async throws -> [RewardItem] {
        let rows = activeOnly
            ? try await sql.rows("SELECT * FROM reward_items WHERE active = \(bind: true) ORDER BY code")
            : try await sql.rows("SELECT * FROM reward_items ORDER BY active DESC, code")
        return try rows.map(rewardItemFrom)
    }

    public func rewardItem(id: Int64) async throws -> RewardItem? {
        try await sql.row("SELECT * FROM reward_items WHERE id = \(bind: id)").map(rewardItemFrom)
    }

    public func rewardItem(code: String) async throws -> RewardItem? {
        try await sql.row("SELECT * FROM reward_items WHERE code = \(bind: code)").map(rewardItemFrom)
    }

    /// Creates (`item.id == 0`) or updates an item after checking it against the active programme; returns its id.
    @discardableResult
    public func saveRewardItem(_ input: RewardItem, actor: String) async throws -> Int64 {
        var item = input
        item.code = item.code.trimmingCharacters(in: .whitespaces)
        item.name = LocalizedName(zh: item.name.zh.trimmingCharacters(in: .whitespaces), en: item.name.en.trimmingCharacters(in: .whitespaces))
        if item.name.en.isEmpty { item.name.en = item.name.zh }
        if !item.kind.issuesCoupon { item.coupon = nil }
        let (_, programme) = try await self.programme()
        try item.validate(programme)
        if let counter = item.supplierCounterId, try await sql.row("SELECT id FROM counters WHERE id = \(bind: counter)") == nil {
            throw DomainError.invalid("supplierCounterId", "counter.exists", zh: "供货店柜不存在", en: "the supplying counter does not exist")
        }
        for code in item.coupon?.counterCodes ?? [] where try await counter(code: code) == nil {
            throw DomainError.invalid("couponCounters", "counter.exists", zh: "店柜不存在：\(code)", en: "unknown counter \(code)")
        }
        let saved = item
        let nowMs = epochMillis(now)
        do {
            return try await write { tx in
                let sql = tx.sql
                let c = saved.coupon
                if saved.id == 0 {
                    let id = try await sql.row("""
                        INSERT INTO reward_items (code, name_zh, name_en, kind, points, ladder_code, list_price_fen, special_price, stock,
                          supplier_counter_id, per_member_limit, period, per_period_limit, valid_from_day, valid_to_day, allowed_tiers,
                          max_balance, window_code, one_per_card, coupon_face_fen, coupon_discount_permille, coupon_min_spend_fen,
                          coupon_valid_days, coupon_valid_to_day, coupon_counter_codes, active, created_at_ms, updated_at_ms)
                        VALUES (\(bind: saved.code), \(bind: saved.name.zh), \(bind: saved.name.en), \(bind: saved.kind.rawValue),
                          \(bind: saved.points), \(bind: saved.ladderCode), \(bind: saved.listPriceFen), \(bind: saved.specialPrice),
                          \(bind: saved.stock), \(bind: saved.supplierCounterId), \(bind: saved.perMemberLimit), \(bind: saved.period.rawValue),
                          \(bind: saved.perPeriodLimit), \(bind: saved.validFrom?.dayNumber), \(bind: saved.validTo?.dayNumber),
                          \(bind: saved.allowedTiers.joined(separator: ",")), \(bind: saved.maxBalance), \(bind: saved.windowCode),
                          \(bind: saved.onePerCard), \(bind: c?.faceFen), \(bind: c?.discountPermille), \(bind: c?.minSpendFen ?? 0),
                          \(bind: c?.validDays), \(bind: c?.validTo?.dayNumber), \(bind: (c?.counterCodes ?? []).joined(separator: ",")),
                          \(bind: saved.active), \(bind: nowMs), \(bind: nowMs))
                        RETURNING id
                        """)!.int64("id")
                    try await self.audit(tx, actor: actor, action: "reward.create", subject: "reward:\(saved.code)", detail: try encodeJSON(saved))
                    return id
                }
                // Stock is left alone: it changes only by redemption, void and the audited stock adjustment.
                guard try await sql.row("""
                    UPDATE reward_items SET code = \(bind: saved.code), name_zh = \(bind: saved.name.zh), name_en = \(bind: saved.name.en),
                      kind = \(bind: saved.kind.rawValue), points = \(bind: saved.points), ladder_code = \(bind: saved.ladderCode),
                      list_price_fen = \(bind: saved.listPriceFen), special_price = \(bind: saved.specialPrice),
                      supplier_counter_id = \(bind: saved.supplierCounterId), per_member_limit = \(bind: saved.perMemberLimit),
                      period = \(bind: saved.period.rawValue), per_period_limit = \(bind: saved.perPeriodLimit),
                      valid_from_day = \(bind: saved.validFrom?.dayNumber), valid_to_day = \(bind: saved.validTo?.dayNumber),
                      allowed_tiers = \(bind: saved.allowedTiers.joined(separator: ",")), max_balance = \(bind: saved.maxBalance),
                      window_code = \(bind: saved.windowCode), one_per_card = \(bind: saved.onePerCard),
                      coupon_face_fen = \(bind: c?.faceFen), coupon_discount_permille = \(bind: c?.discountPermille),
                      coupon_min_spend_fen = \(bind: c?.minSpendFen ?? 0), coupon_valid_days = \(bind: c?.validDays),
                      coupon_valid_to_day = \(bind: c?.validTo?.dayNumber),
                      coupon_counter_codes = \(bind: (c?.counterCodes ?? []).joined(separator: ",")),
                      active = \(bind: saved.active), updated_at_ms = \(bind: nowMs)
                    WHERE id = \(bind: saved.id) RETURNING id
                    """) != nil else {
                    throw DomainError(.notFound, field: nil, rule: "item.exists", zh: "兑换商品不存在", en: "reward item not found")
                }
                try await self.audit(tx, actor: actor, action: "reward.update", subject: "reward:\(saved.code)", detail: try encodeJSON(saved))
                return saved.id
            }
        } catch where isUniqueViolation(error) {
            throw DomainError(.conflict, field: "code", rule: "item.codeUnique", zh: "代码 \(saved.code) 已被使用", en: "code \(saved.code) is already in use")
        }
    }

    /// Adds or removes stock (a delivery, a breakage); never below zero. Returns the new stock.
    @discardableResult
    public func adjustRewardStock(itemId: Int64, by delta: Int64, reason: String, actor: String) async throws -> Int64 {
        guard delta != 0 else { throw DomainError.invalid("delta", "stock.nonZero", zh: "调整数量不能为0", en: "the change must not be zero") }
        let why = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !why.isEmpty else { throw DomainError.invalid("reason", "reason.required", zh: "请填写原因", en: "reason is required") }
        return try await write { tx in
            guard let row = try await tx.sql.row("SELECT code, stock FROM reward_items WHERE id = \(bind: itemId)") else {
                throw DomainError(.notFound, field: nil, rule: "item.exists", zh: "兑换商品不存在", en: "reward item not found")
            }
            let code = try row.string("code")
            guard try row.optInt64("stock") != nil else {
                throw DomainError.invalid("delta", "stock.unlimited", zh: "此商品库存不限，无需调整", en: "this item has unlimited stock")
            }
            // Conditional, so two adjustments (or an adjustment and a redemption) at once cannot go below zero.
            guard let updated = try await tx.sql.row("""
                UPDATE reward_items SET stock = stock + \(bind: delta), updated_at_ms = \(bind: epochMillis(self.now))
                WHERE id = \(bind: itemId) AND stock + \(bind: delta) >= 0 RETURNING stock
                """) else {
                throw DomainError.invalid("delta", "stock.nonNegative", zh: "库存不能少于0", en: "stock must not go below zero")
            }
            let stock = try updated.int64("stock")
            try await self.audit(tx, actor: actor, action: "reward.stock", subject: "reward:\(code)", detail: "\(delta > 0 ? "+" : "")\(delta) → \(stock): \(why)")
            return stock
        }
    }

    /// Takes an item off the catalogue (or back on); its redemptions stay.
    public func setRewardItemActive(id: Int64, active: Bool, actor: String) async throws {
        try await write { tx in
            guard let row = try await tx.sql.row("""
                UPDATE reward_items SET active = \(bind: active), updated_at_ms = \(bind: epochMillis(self.now)) WHERE id = \(bind: id) RETURNING code
                """) else {
                throw DomainError(.notFound, field: nil, rule: "item.exists", zh: "兑换商品不存在", en: "reward item not found")
            }
            try await self.audit(tx, actor: actor, action: active ? "reward.activate" : "reward.deactivate", subject: "reward:\(try row.string("code"))")
        }
    }

    func rewardItemFrom(_ r: any SQLRow) throws -> RewardItem {
        let kind = RewardItem.Kind(rawValue: try r.string("kind")) ?? .gift
        let face = try r.optInt64("coupon_face_fen"), discount = try r.optInt("coupon_discount_permille")
        let coupon = kind.issuesCoupon ? RewardCoupon(
            faceFen: face, discountPermille: discount, minSpendFen: try r.int64("coupon_min_spend_fen"),
            validDays: try r.optInt("coupon_valid_days"), validTo: try r.optInt("coupon_valid_to_day").map { LocalDate(dayNumber: $0) },
            counterCodes: Self.list(try r.string("coupon_counter_codes"))) : nil
        return RewardItem(
            id: try r.int64("id"), code: try r.string("code"), name: LocalizedName(zh: try r.string("name_zh"), en: try r.string("name_en")),
            kind: kind, points: try r.optInt64("points"), ladderCode: try r.optString("ladder_code"),
            listPriceFen: try r.optInt64("list_price_fen"), specialPrice: try r.bool("special_price"), stock: try r.optInt64("stock"),
            supplierCounterId: try r.optInt64("supplier_counter_id"), perMemberLimit: try r.optInt("per_member_limit"),
            period: RewardItem.Period(rawValue: try r.string("period")) ?? .none, perPeriodLimit: try r.optInt("per_period_limit"),
            validFrom: try r.optInt("valid_from_day").map { LocalDate(dayNumber: $0) },
            validTo: try r.optInt("valid_to_day").map { LocalDate(dayNumber: $0) },
            allowedTiers: Self.list(try r.string("allowed_tiers")), maxBalance: try r.optInt64("max_balance"),
            windowCode: try r.optString("window_code"), onePerCard: try r.bool("one_per_card"), coupon: coupon,
            active: try r.bool("active"))
    }

    static func list(_ text: String) -> [String] {
        text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
}
