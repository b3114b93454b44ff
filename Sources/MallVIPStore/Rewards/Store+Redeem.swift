import FluentKit
import Foundation
import MallVIPCore
import SQLKit

/// A redemption asked for at the desk or by a till. Retries carry the same `idempotencyKey`.
public struct RedemptionRequest: Sendable {
    public var idempotencyKey: String
    public var memberId: Int64
    public var itemCode: String
    /// The chosen gift's list price, for ladder items without a price of their own.
    public var listPriceFen: Int64?
    /// Mall code; nil = the first mall.
    public var mallCode: String?

    public init(idempotencyKey: String, memberId: Int64, itemCode: String, listPriceFen: Int64? = nil, mallCode: String? = nil) {
        self.idempotencyKey = idempotencyKey
        self.memberId = memberId
        self.itemCode = itemCode
        self.listPriceFen = listPriceFen
        self.mallCode = mallCode
    }

    var fingerprint: String { "\(memberId)|\(itemCode)|\(listPriceFen.map(String.init) ?? "")|\(mallCode ?? "")" }
}

/// A redemption as recorded (and as a replay returns it).
public struct Redemption: Sendable, Equatable {
    public var id: Int64
    public var memberId: Int64
    public var cardNo: String?
    public var itemId: Int64
    public var itemCode: String
    public var itemName: LocalizedName
    public var kind: RewardItem.Kind
    public var points: Int64
    public var balanceAfter: Int64
    public var listPriceFen: Int64?
    public var costFen: Int64
    public var supplierCounterId: Int64?
    public var mallId: Int64
    public var businessDate: LocalDate
    /// done | void
    public var status: String
    public var voidReason: String?
    public var voidedBy: String?
    public var voidedAt: Date?
    public var couponCode: String?
    public var actor: String
    public var at: Date
}

/// An item with the verdict for one member today.
public struct Redeemable: Sendable, Equatable {
    public var item: RewardItem
    public var assessment: RedemptionAssessment
}

extension Store {
    /// Every active item with whether the member may redeem it now and, if not, every reason why.
    public func redeemables(memberId: Int64) async throws -> [Redeemable] {
        let (_, programme) = try await self.programme()
        guard let m = try await member(id: memberId) else {
            throw DomainError(.notFound, field: nil, rule: "member.exists", zh: "会员不存在", en: "member not found")
        }
        let today = LocalDate.of(now, in: programme.timeZone)
        let tier = programme.effectiveTier(earned: m.earnedTier, manual: m.manualTier, manualUntil: m.manualUntil, on: today)
        let who = RedemptionMember(balance: m.pointsBalance, tier: tier, active: m.status == "active")
        let card = try await activeCard(sql, memberId: memberId)
        let history = try await redemptionUsage(sql, memberId: memberId, itemId: nil)
        return try await rewardItems(activeOnly: true).map { item in
            Redeemable(item: item, assessment: programme.assessRedemption(
                of: item, member: who, on: today, usage: Self.usage(of: item, in: history, card: card, today: today)))
        }
    }

    /// Redeems one item in one transaction: the member is locked, eligibility checked again, stock taken with a
    /// conditional update, the points and the `redeem` ledger row written, the coupon issued. A refusal names every
    /// rule broken and writes nothing. The same key again returns the first answer; with a different request, 409.
    public func redeem(_ r: RedemptionRequest, actor: String) async throws -> Posted<Redemption> {
        let (_, programme) = try await self.programme()
        let key = r.idempotencyKey.trimmingCharacters(in: .whitespaces)
        guard !key.isEmpty, key.count <= 100 else {
            throw DomainError.invalid("idempotencyKey", "idempotencyKey.required", zh: "请提供幂等键（1–100个字符）",
                                      en: "idempotencyKey must be 1–100 characters")
        }
        if let p = r.listPriceFen, p <= 0 || p > 10_000_000_000 {
            throw DomainError.invalid("listPriceFen", "amount.positive", zh: "标价须大于0（单位：分）", en: "listPriceFen must be a positive amount in fen")
        }
        let hash = sha256Hex(r.fingerprint)
        if let replay = try await existingRedemption(key: key, hash: hash) { return .replayed(replay) }
        let malls = try await self.malls()
        guard let mall = r.mallCode.map({ code in malls.first { $0.code == code } }) ?? malls.first else {
            throw DomainError(.notFound, field: "mall", rule: "mall.exists", zh: "商场不存在：\(r.mallCode ?? "")", en: "unknown mall \(r.mallCode ?? "")")
        }
        guard let found = try await rewardItem(code: r.itemCode) else {
            throw DomainError(.notFound, field: "item", rule: "item.exists", zh: "兑换商品不存在：\(r.itemCode)", en: "unknown reward item \(r.itemCode)")
        }
        if found.ladderCode != nil {
            if found.listPriceFen == nil, r.listPriceFen == nil {
                throw DomainError.invalid("listPriceFen", "listPrice.required", zh: "阶梯兑换须填写所选商品的标价", en: "a ladder item needs the chosen gift's listPriceFen")
            }
            if let own = found.listPriceFen, let sent = r.listPriceFen, own != sent {
                throw DomainError.invalid("listPriceFen", "listPrice.fixed", zh: "此商品标价为 \(Money.yuan(own)) 元", en: "this item's list price is \(Money.yuan(own)) yuan")
            }
        }
        let nowMs = epochMillis(now)
        do {
            let id = try await write { tx in
                try await self.insertRedemption(tx, r, key: key, hash: hash, itemId: found.id, mallId: mall.id, programme: programme,
                                                nowMs: nowMs, actor: actor)
            }
            return .created(try await redemption(id: id)!)
        } catch where error is KeyAlreadyUsed || isUniqueViolation(error) {
            if let replay = try await existingRedemption(key: key, hash: hash) { return .replayed(replay) }
            throw error
        }
    }

    /// A retry that arrived while its first attempt was being written: answered with the first attempt's result,
    /// not judged again (the first may have taken the last item or the points).
    private struct KeyAlreadyUsed: Error {}

    private func insertRedemption(_ tx: any Database, _ r: RedemptionRequest, key: String, hash: String, itemId: Int64, mallId: Int64,
                                  programme: Programme, nowMs: Int64, actor: String) async throws -> Int64 {
        let sql = tx.sql
        let m = try await lockMember(sql, r.memberId)
        if try await sql.row("SELECT id FROM redemptions WHERE idempotency_key = \(bind: key)") != nil { throw KeyAlreadyUsed() }
        let today = LocalDate.of(dateFromMillis(nowMs), in: programme.timeZone)
        // Read again under the member lock: another redemption may have taken the last one meanwhile.
        guard let item = try await sql.row("SELECT * FROM reward_items WHERE id = \(bind: itemId)").map(rewardItemFrom) else {
            throw DomainError(.notFound, field: "item", rule: "item.exists", zh: "兑换商品不存在：\(r.itemCode)", en: "unknown reward item \(r.itemCode)")
        }
        let card = try await activeCard(sql, memberId: r.memberId)
        let usage = Self.usage(of: item, in: try await redemptionUsage(sql, memberId: r.memberId, itemId: itemId), card: card, today: today)
        let tier = programme.effectiveTier(earned: m.earnedTier, manual: m.manualTier, manualUntil: m.manualUntil, on: today)
        let verdict = programme.assessRedemption(of: item, member: RedemptionMember(balance: m.balance, tier: tier, active: m.status == "active"),
                                                 on: today, usage: usage, listPriceFen: r.listPriceFen)
        if let refusal = verdict.error() { throw refusal }
        let points = verdict.pointsDeducted
        let balance = Saturating.subtract(m.balance, points)   // never a trap (issue 14)
        guard balance >= 0 else { throw Self.stockOrPoints("redemption.points") }

        if item.stock != nil {
            // Conditional: of two desks taking the last one at once, only one update finds stock left.
            guard try await sql.row("""
                UPDATE reward_items SET stock = stock - 1 WHERE id = \(bind: itemId) AND stock >= 1 RETURNING stock
                """) != nil else { throw Self.stockOrPoints("redemption.stock") }
        }
        let listPrice = verdict.listPriceFen
        let cost = item.supplierCounterId != nil ? (listPrice ?? 0) : 0
        let id = try await sql.row("""
            INSERT INTO redemptions (member_id, card_no, item_id, points, balance_after, list_price_fen, cost_fen, supplier_counter_id,
              mall_id, business_day, status, idempotency_key, request_hash, actor, at_ms)
            VALUES (\(bind: r.memberId), \(bind: card), \(bind: itemId), \(bind: points), \(bind: balance), \(bind: listPrice), \(bind: cost),
              \(bind: item.supplierCounterId), \(bind: mallId), \(bind: today.dayNumber), 'done', \(bind: key), \(bind: hash),
              \(bind: actor), \(bind: nowMs))
            RETURNING id
            """)!.int64("id")
        // A zero-point row in milestone mode still records that the rung was used.
        try await LedgerWriter.write(sql, [NewLedgerEntry(memberId: r.memberId, kind: .redeem, points: -points, balanceAfter: balance,
                                                          note: "\(item.code) \(item.name.zh) #\(id)", actor: actor, atMs: nowMs)])
        if points != 0 {
            try await sql.exec("UPDATE members SET points_balance = \(bind: balance), updated_at_ms = \(bind: nowMs) WHERE id = \(bind: r.memberId)")
        }
        if item.kind.issuesCoupon, let c = item.coupon {
            let coupon = try await issueCoupon(tx, CouponIssue(
                template: CouponTemplate(name: item.name, faceFen: c.faceFen, discountPermille: c.discountPermille, minSpendFen: c.minSpendFen,
                                         validDays: c.validDays),
                memberId: r.memberId, source: "redemption", sourceRef: "redemption:\(id)", counterCodes: c.counterCodes,
                validFrom: today, validTo: c.validTo), policy: programme.coupons, nowMs: nowMs, actor: actor)
            try await sql.exec("UPDATE redemptions SET coupon_code = \(bind: coupon.code) WHERE id = \(bind: id)")
        }
        return id
    }

    private static func stockOrPoints(_ rule: String) -> DomainError {
        rule == "redemption.stock"
            ? DomainError(.notEligible, field: "item", rule: rule, zh: "库存不足，已兑完", en: "out of stock")
            : DomainError(.notEligible, field: "item", rule: rule, zh: "积分不足", en: "not enough points")
    }

    /// Voids a redemption: the points come back (`redeemVoid`), the stock too, and its coupon is voided — refused
    /// if the coupon was already used. The reason is required and the void audited.
    @discardableResult
    public func voidRedemption(id: Int64, reason: String, actor: String) async throws -> Redemption {
        let why = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !why.isEmpty else { throw DomainError.invalid("reason", "reason.required", zh: "请填写作废原因", en: "a reason is required") }
        guard let before = try await redemption(id: id) else {
            throw DomainError(.notFound, field: nil, rule: "redemption.exists", zh: "兑换记录不存在", en: "redemption not found")
        }
        let nowMs = epochMillis(now)
        try await write { tx in
            let sql = tx.sql
            // Member first, as a redemption locks it: the same order everywhere cannot deadlock.
            let m = try await self.lockMember(sql, before.memberId)
            let lock = sql.storeDialect.forUpdate
            guard let row = try await sql.row("SELECT status, points, item_id FROM redemptions WHERE id = \(bind: id)\(unsafeRaw: lock)"),
                  try row.string("status") == "done" else {
                throw DomainError(.conflict, field: nil, rule: "redemption.voided", zh: "此兑换已作废", en: "this redemption is already void")
            }
            let points = try row.int64("points")
            try await self.voidCoupons(tx, sourceRef: "redemption:\(id)", reason: why, actor: actor, nowMs: nowMs)
            let balance = Saturating.add(m.balance, points)   // never a trap (issue 14)
            try await LedgerWriter.write(sql, [NewLedgerEntry(memberId: before.memberId, kind: .redeemVoid, points: points, balanceAfter: balance,
                                                              note: "\(before.itemCode) #\(id) 作废：\(why)", actor: actor, atMs: nowMs)])
            if points != 0 {
                try await sql.exec("UPDATE members SET points_balance = \(bind: balance), updated_at_ms = \(bind: nowMs) WHERE id = \(bind: before.memberId)")
            }
            try await sql.exec("UPDATE reward_items SET stock = stock + 1 WHERE id = \(bind: try row.int64("item_id")) AND stock IS NOT NULL")
            try await sql.exec("""
                UPDATE redemptions SET status = 'void', void_reason = \(bind: why), voided_by = \(bind: actor), voided_at_ms = \(bind: nowMs)
                WHERE id = \(bind: id)
                """)
            try await self.audit(tx, actor: actor, action: "redemption.void", subject: "redemption:\(id)",
                                 detail: "member:\(before.memberId) \(before.itemCode) +\(points): \(why)")
        }
        return try await redemption(id: id)!
    }

    public func redemption(id: Int64) async throws -> Redemption? {
        try await sql.row("\(unsafeRaw: Self.redemptionSelect) WHERE r.id = \(bind: id)").map(redemptionFrom)
    }

    /// A member's redemptions, newest first.
    public func redemptions(memberId: Int64, limit: Int = 100) async throws -> [Redemption] {
        try await sql.rows("""
            \(unsafeRaw: Self.redemptionSelect) WHERE r.member_id = \(bind: memberId) ORDER BY r.id DESC LIMIT \(unsafeRaw: String(limit))
            """).map(redemptionFrom)
    }

    func existingRedemption(key: String, hash: String) async throws -> Redemption? {
        guard let row = try await sql.row("\(unsafeRaw: Self.redemptionSelect) WHERE r.idempotency_key = \(bind: key)") else { return nil }
        guard try row.string("request_hash") == hash else {
            throw DomainError(.conflict, field: "idempotencyKey", rule: "redemption.idempotency",
                              zh: "幂等键 \(key) 已用于另一笔不同的兑换", en: "idempotencyKey \(key) was already used for a different redemption")
        }
        return try redemptionFrom(row)
    }

    static let redemptionSelect = """
        SELECT r.*, i.code AS item_code, i.name_zh AS item_name_zh, i.name_en AS item_name_en, i.kind AS item_kind
        FROM redemptions r JOIN reward_items i ON i.id = r.item_id
        """

    func redemptionFrom(_ r: any SQLRow) throws -> Redemption {
        Redemption(
            id: try r.int64("id"), memberId: try r.int64("member_id"), cardNo: try r.optString("card_no"), itemId: try r.int64("item_id"),
            itemCode: try r.string("item_code"), itemName: LocalizedName(zh: try r.string("item_name_zh"), en: try r.string("item_name_en")),
            kind: RewardItem.Kind(rawValue: try r.string("item_kind")) ?? .gift, points: try r.int64("points"),
            balanceAfter: try r.int64("balance_after"), listPriceFen: try r.optInt64("list_price_fen"), costFen: try r.int64("cost_fen"),
            supplierCounterId: try r.optInt64("supplier_counter_id"), mallId: try r.int64("mall_id"),
            businessDate: LocalDate(dayNumber: try r.int("business_day")), status: try r.string("status"),
            voidReason: try r.optString("void_reason"), voidedBy: try r.optString("voided_by"),
            voidedAt: try r.optInt64("voided_at_ms").map(dateFromMillis), couponCode: try r.optString("coupon_code"),
            actor: try r.string("actor"), at: dateFromMillis(try r.int64("at_ms")))
    }

    // MARK: Usage for limits

    struct UsageRow: Sendable {
        var itemId: Int64
        var day: Int
        var cardNo: String?
    }

    /// A member's done redemptions (of one item, or all): few rows, counted per item and period in Swift.
    func redemptionUsage(_ sql: any SQLDatabase, memberId: Int64, itemId: Int64?) async throws -> [UsageRow] {
        let rows = if let itemId {
            try await sql.rows("""
                SELECT item_id, business_day, card_no FROM redemptions
                WHERE member_id = \(bind: memberId) AND item_id = \(bind: itemId) AND status = 'done'
                """)
        } else {
            try await sql.rows("SELECT item_id, business_day, card_no FROM redemptions WHERE member_id = \(bind: memberId) AND status = 'done'")
        }
        return try rows.map { UsageRow(itemId: try $0.int64("item_id"), day: try $0.int("business_day"), cardNo: try $0.optString("card_no")) }
    }

    static func usage(of item: RewardItem, in rows: [UsageRow], card: String?, today: LocalDate) -> RedemptionUsage {
        let mine = rows.filter { $0.itemId == item.id }
        let start = item.period.start(containing: today)?.dayNumber
        return RedemptionUsage(byMember: mine.count,
                               inPeriod: start.map { s in mine.filter { $0.day >= s && $0.day <= today.dayNumber }.count } ?? 0,
                               byCard: card.map { c in mine.filter { $0.cardNo == c }.count } ?? 0)
    }

    func activeCard(_ sql: any SQLDatabase, memberId: Int64) async throws -> String? {
        try await sql.row("SELECT card_no FROM cards WHERE member_id = \(bind: memberId) AND state = 'active' ORDER BY id DESC LIMIT 1")?
            .optString("card_no")
    }
}
