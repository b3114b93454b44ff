/// One reason an item cannot be redeemed now, with a stable rule code and text for the desk.
public struct RedemptionReason: Sendable, Equatable, Codable {
    public var rule: String
    public var zh: String
    public var en: String
    public init(_ rule: String, zh: String, en: String) {
        self.rule = rule
        self.zh = zh
        self.en = en
    }
    public func text(_ language: Language) -> String { language == .en ? en : zh }
}

/// What a member has already redeemed of one item (done redemptions only; voided ones give the item back).
public struct RedemptionUsage: Sendable, Equatable {
    public var byMember: Int
    /// In the item's current period (day, month or year containing today).
    public var inPeriod: Int
    /// With the card the member holds now.
    public var byCard: Int
    public init(byMember: Int = 0, inPeriod: Int = 0, byCard: Int = 0) {
        self.byMember = byMember
        self.inPeriod = inPeriod
        self.byCard = byCard
    }
}

/// The member side of a redemption check.
public struct RedemptionMember: Sendable, Equatable {
    public var balance: Int64
    public var tier: String
    public var active: Bool
    public init(balance: Int64, tier: String, active: Bool = true) {
        self.balance = balance
        self.tier = tier
        self.active = active
    }
}

/// The outcome of checking one item for one member today: every reason it is refused (not just the first), and
/// what it would cost.
public struct RedemptionAssessment: Sendable, Equatable {
    public var reasons: [RedemptionReason]
    /// Points the member must hold: the fixed price, or the ladder rung for the list price (the ladder minimum
    /// while no list price is known).
    public var pointsRequired: Int64?
    /// Points taken: `pointsRequired` in `deduct` mode, 0 in `milestone` mode.
    public var pointsDeducted: Int64
    /// Ladder items: the highest list price the balance allows (nil below the ladder minimum).
    public var capFen: Int64?
    /// The list price the check used (the item's, else the one entered).
    public var listPriceFen: Int64?

    public var eligible: Bool { reasons.isEmpty }
    public var rules: [String] { reasons.map(\.rule) }

    /// The refusal as one error: the first reason's rule, every reason in the message.
    public func error(field: String = "item") -> DomainError? {
        guard let first = reasons.first else { return nil }
        return DomainError(.notEligible, field: field, rule: first.rule,
                           zh: reasons.map(\.zh).joined(separator: "；"), en: reasons.map(\.en).joined(separator: "; "))
    }
}

extension Programme {
    /// Judges whether `member` may redeem `item` on business day `today` (docs/domain.md §5.1–5.3). Every failed
    /// condition is reported, in the order a clerk would explain them.
    public func assessRedemption(of item: RewardItem, member: RedemptionMember, on today: LocalDate,
                                 usage: RedemptionUsage, listPriceFen entered: Int64? = nil) -> RedemptionAssessment {
        var reasons: [RedemptionReason] = []
        func add(_ rule: String, _ zh: String, _ en: String) { reasons.append(RedemptionReason(rule, zh: zh, en: en)) }
        func pts(_ p: Int64) -> String { Money.yuan(Saturating.multiply(p, 100), decimals: false) }   // 1,000 style grouping

        if !member.active { add("member.active", "会员卡已停用", "the membership is deactivated") }
        if !item.active { add("redemption.inactive", "此商品已停止兑换", "this item is no longer offered") }
        if let from = item.validFrom, today < from {
            add("redemption.validity", "兑换期为 \(validityText(item, .zh))，尚未开始", "redeemable \(validityText(item, .en)); not started yet")
        }
        if let to = item.validTo, today > to {
            add("redemption.validity", "兑换期为 \(validityText(item, .zh))，已结束", "redeemable \(validityText(item, .en)); it has ended")
        }
        if let code = item.windowCode {
            if let w = redemption.window(code) {
                if !w.contains(today) {
                    add("redemption.window", "仅在\(w.name.zh)（\(w.describe(.zh))）兑换", "only during \(w.name.en) (\(w.describe(.en)))")
                }
            } else {
                add("redemption.window", "兑换时段 \(code) 未在章程中定义", "redemption window \(code) is not defined in the programme")
            }
        }
        if !item.allowedTiers.isEmpty, !item.allowedTiers.contains(member.tier) {
            let zh = item.allowedTiers.map { tier($0)?.name.zh ?? $0 }.joined(separator: "、")
            let en = item.allowedTiers.map { tier($0)?.name.en ?? $0 }.joined(separator: ", ")
            add("redemption.tier", "仅限\(zh)会员兑换", "only for \(en) members")
        }
        if let max = item.maxBalance, member.balance > max {
            add("redemption.maxBalance", "仅限积分不超过 \(pts(max)) 分的会员（当前 \(pts(member.balance)) 分）",
                "only for members with at most \(pts(max)) points (has \(pts(member.balance)))")
        }

        // Price: fixed points, or the ladder rung that covers the list price.
        var required: Int64?
        var cap: Int64?
        let listPrice = item.listPriceFen ?? entered
        if let p = item.points {
            required = p
            if member.balance < p {
                add("redemption.points", "积分不足：需要 \(pts(p)) 分，当前 \(pts(member.balance)) 分",
                    "not enough points: needs \(pts(p)), has \(pts(member.balance))")
            }
        } else if let code = item.ladderCode {
            if let ladder = redemption.ladder(code) {
                cap = ladder.cap(forPoints: member.balance)
                if item.specialPrice {
                    add("redemption.specialPrice", "特价商品不参加\(ladder.name.zh)", "special-price goods are excluded from \(ladder.name.en)")
                }
                if let price = listPrice {
                    required = ladder.pointsFor(listPriceFen: price)
                    if cap == nil {
                        add("redemption.points", "积分不足：需要 \(pts(ladder.minPoints)) 分，当前 \(pts(member.balance)) 分",
                            "not enough points: needs \(pts(ladder.minPoints)), has \(pts(member.balance))")
                    } else if let c = cap, price > c {
                        add("redemption.ladderCap",
                            "\(pts(member.balance)) 分可兑换标价不超过 \(Money.yuan(c)) 元的商品，此商品标价 \(Money.yuan(price)) 元",
                            "\(pts(member.balance)) points allow an item listed at up to \(Money.yuan(c)) yuan; this one lists at \(Money.yuan(price))")
                    }
                } else {
                    required = ladder.minPoints
                    if cap == nil {
                        add("redemption.points", "积分不足：需要 \(pts(ladder.minPoints)) 分，当前 \(pts(member.balance)) 分",
                            "not enough points: needs \(pts(ladder.minPoints)), has \(pts(member.balance))")
                    }
                }
            } else {
                add("redemption.ladder", "阶梯规则 \(code) 未在章程中定义", "ladder \(code) is not defined in the programme")
            }
        }

        if let s = item.stock, s < 1 { add("redemption.stock", "库存不足，已兑完", "out of stock") }
        if item.onePerCard, usage.byCard > 0 || usage.byMember > 0 {
            add("redemption.onePerCard", "每张卡限领一份，此卡已领取", "one per card: this card has already taken it")
        }
        if let limit = item.perMemberLimit, usage.byMember >= limit {
            add("redemption.memberLimit", "每位会员限兑 \(limit) 次，已兑 \(usage.byMember) 次",
                "at most \(limit) per member; already redeemed \(usage.byMember)")
        }
        if let limit = item.perPeriodLimit, item.period != .none, usage.inPeriod >= limit {
            let p = item.period
            add("redemption.periodLimit", "\(p.label.zh)限兑 \(limit) 次，\(p.current.zh)已兑 \(usage.inPeriod) 次",
                "at most \(limit) \(p.label.en); already redeemed \(usage.inPeriod) \(p.current.en)")
        }

        let deducted = redemption.mode == .deduct ? (required ?? 0) : 0
        return RedemptionAssessment(reasons: reasons, pointsRequired: required, pointsDeducted: deducted, capFen: cap,
                                    listPriceFen: listPrice)
    }

    private func validityText(_ item: RewardItem, _ language: Language) -> String {
        let from = item.validFrom?.description, to = item.validTo?.description
        switch (from, to) {
        case let (f?, t?): return language == .en ? "from \(f) to \(t)" : "\(f) 至 \(t)"
        case let (f?, nil): return language == .en ? "from \(f)" : "\(f) 起"
        case let (nil, t?): return language == .en ? "until \(t)" : "至 \(t)"
        default: return ""
        }
    }
}
