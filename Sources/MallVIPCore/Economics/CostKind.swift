import Foundation

/// What a programme cost was spent on (docs/domain.md §13): the mall plans' budget lines (birthday SMS, mailed cards, cakes
/// and flowers, events, maintainer top-up cards, the database, e-mail promotion) and what the system itself pays
/// (messages, redemption gifts owed to counters, conversion and account-manager rewards).
public enum CostKind: String, CaseIterable, Codable, Sendable {
    case sms, email, calls, mailedCards, gifts, events, rewards, staffRewards, points, database, promotion, media, other

    public var label: LocalizedName {
        switch self {
        case .sms: LocalizedName(zh: "短信", en: "SMS")
        case .email: LocalizedName(zh: "电子邮件", en: "E-mail")
        case .calls: LocalizedName(zh: "电话回访", en: "Calls")
        case .mailedCards: LocalizedName(zh: "邮寄贺卡", en: "Mailed cards")
        case .gifts: LocalizedName(zh: "礼品（蛋糕、鲜花等）", en: "Gifts (cakes, flowers …)")
        case .events: LocalizedName(zh: "会员活动", en: "Events")
        case .rewards: LocalizedName(zh: "转化奖励", en: "Conversion rewards")
        case .staffRewards: LocalizedName(zh: "员工奖励", en: "Staff rewards")
        case .points: LocalizedName(zh: "积分兑换", en: "Points redemption")
        case .database: LocalizedName(zh: "数据库建设维护", en: "Database")
        case .promotion: LocalizedName(zh: "推广", en: "Promotion")
        case .media: LocalizedName(zh: "媒体", en: "Media")
        case .other: LocalizedName(zh: "其他", en: "Other")
        }
    }

    /// The bucket a cost of this kind usually goes to (docs/domain.md §13.2); a booked cost may name another.
    public var defaultBucket: BudgetBucket {
        switch self {
        case .sms, .email, .calls, .media: .currentMedia
        case .mailedCards, .gifts, .events, .staffRewards: .currentPromotion
        case .rewards, .database, .promotion: .annualPromotion
        case .points: .pointsExpense
        case .other: .other
        }
    }
}

/// The Chengdu plan's budget buckets (docs/domain.md §13.2): 当期媒体费, 当期促销费, 年度促销费, 积分费用, and anything else.
public enum BudgetBucket: String, CaseIterable, Codable, Sendable {
    case currentMedia, currentPromotion, annualPromotion, pointsExpense, other

    public var label: LocalizedName {
        switch self {
        case .currentMedia: LocalizedName(zh: "当期媒体费", en: "Current-period media")
        case .currentPromotion: LocalizedName(zh: "当期促销费", en: "Current-period promotion")
        case .annualPromotion: LocalizedName(zh: "年度促销费", en: "Annual promotion")
        case .pointsExpense: LocalizedName(zh: "积分费用", en: "Points expense")
        case .other: LocalizedName(zh: "其他", en: "Other")
        }
    }
}

/// A cost line computed from its unit price, as the mall plans write them: "2000条 × 12月 × 0.05元". docs/domain.md §19: the Chengdu
/// plan's SMS line says 1.44万 where its own numbers give 1,200 yuan, so amounts are computed, never copied.
public enum CostArithmetic {
    /// Quantity × unit cost in fen; nil on overflow or a negative input.
    public static func amount(quantity: Int64, unitCostFen: Int64) -> Int64? {
        guard quantity >= 0, unitCostFen >= 0 else { return nil }
        let (v, o) = quantity.multipliedReportingOverflow(by: unitCostFen)
        return o ? nil : v
    }

    /// A quantity as people write it: "24000", "2,000", or a product "2000 × 12" / "2000*12" / "2000x12".
    public static func parseQuantity(_ text: String) -> Int64? {
        let normalised = text.replacingOccurrences(of: ",", with: "").replacingOccurrences(of: "，", with: "")
        let factors = normalised.split(whereSeparator: { "×*xX".contains($0) })
            .map { $0.trimmingCharacters(in: .whitespaces) }
        guard !factors.isEmpty else { return nil }
        var product: Int64 = 1
        for f in factors {
            guard !f.isEmpty, f.allSatisfy(\.isASCIIDigitChar), let n = Int64(f) else { return nil }
            let (v, o) = product.multipliedReportingOverflow(by: n)
            if o { return nil }
            product = v
        }
        return product
    }
}
