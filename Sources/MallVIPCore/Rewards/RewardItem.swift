import Foundation

/// One entry of the redemption catalogue (docs/domain.md §5): a gift from stock, a cash coupon (面值券) or a service
/// coupon, priced in points or by a ladder of the programme, with the limits the mall plans name (quantity, time,
/// eligible members). Kept in the database and managed in the console; the rules that judge it live here.
public struct RewardItem: Sendable, Equatable, Codable {
    public enum Kind: String, Codable, Sendable, CaseIterable {
        case gift, cashCoupon, serviceCoupon
        public var issuesCoupon: Bool { self != .gift }
        public var label: LocalizedName {
            switch self {
            case .gift: LocalizedName(zh: "礼品", en: "Gift")
            case .cashCoupon: LocalizedName(zh: "现金券", en: "Cash coupon")
            case .serviceCoupon: LocalizedName(zh: "服务券", en: "Service coupon")
            }
        }
    }

    /// The stretch `perPeriodLimit` counts over, by business day.
    public enum Period: String, Codable, Sendable, CaseIterable {
        case none, day, month, year
        /// First business day of the period containing `day`; nil for `none`.
        public func start(containing day: LocalDate) -> LocalDate? {
            switch self {
            case .none: nil
            case .day: day
            case .month: LocalDate(year: day.year, month: day.month, day: 1)
            case .year: LocalDate(year: day.year, month: 1, day: 1)
            }
        }
        public var label: LocalizedName {
            switch self {
            case .none: LocalizedName(zh: "不限", en: "none")
            case .day: LocalizedName(zh: "每天", en: "per day")
            case .month: LocalizedName(zh: "每月", en: "per month")
            case .year: LocalizedName(zh: "每年", en: "per year")
            }
        }
        /// "本月" / "this month", for limit messages.
        public var current: LocalizedName {
            switch self {
            case .none: LocalizedName(zh: "", en: "")
            case .day: LocalizedName(zh: "今天", en: "today")
            case .month: LocalizedName(zh: "本月", en: "this month")
            case .year: LocalizedName(zh: "今年", en: "this year")
            }
        }
    }

    public var id: Int64
    public var code: String
    public var name: LocalizedName
    public var kind: Kind
    /// Fixed points price (0 = free, e.g. the return gift); nil when `ladderCode` prices the item.
    public var points: Int64?
    /// A `redemption.ladders` code: the price follows from the list price (南亞 1,000 points → up to 200 yuan).
    public var ladderCode: String?
    /// 标价: what the ladder compares with its cap and what a supplying counter is owed. Nil on a ladder item
    /// means the desk enters the chosen gift's price at redemption.
    public var listPriceFen: Int64?
    /// 特价 goods are excluded from ladders.
    public var specialPrice: Bool
    /// Nil = unlimited.
    public var stock: Int64?
    /// The counter that supplies the gift and is owed its list price (monthly settlement).
    public var supplierCounterId: Int64?
    /// Redemptions per member over all time; nil = no limit.
    public var perMemberLimit: Int?
    public var period: Period
    /// Redemptions per member in each `period`; nil = no limit.
    public var perPeriodLimit: Int?
    public var validFrom: LocalDate?
    public var validTo: LocalDate?
    /// Tier codes that may redeem; empty = every tier.
    public var allowedTiers: [String]
    /// Only members whose balance is at most this may redeem (成都 small redemption "3000分以下" = 2,999; docs/domain.md C29).
    public var maxBalance: Int64?
    /// A `redemption.windows` code the item is limited to (vipWeek, anniversary).
    public var windowCode: String?
    /// 回门礼: one per card.
    public var onePerCard: Bool
    /// What a coupon kind issues.
    public var coupon: RewardCoupon?
    public var active: Bool

    public init(id: Int64 = 0, code: String, name: LocalizedName, kind: Kind = .gift, points: Int64? = nil, ladderCode: String? = nil,
                listPriceFen: Int64? = nil, specialPrice: Bool = false, stock: Int64? = nil, supplierCounterId: Int64? = nil,
                perMemberLimit: Int? = nil, period: Period = .none, perPeriodLimit: Int? = nil, validFrom: LocalDate? = nil,
                validTo: LocalDate? = nil, allowedTiers: [String] = [], maxBalance: Int64? = nil, windowCode: String? = nil,
                onePerCard: Bool = false, coupon: RewardCoupon? = nil, active: Bool = true) {
        self.id = id
        self.code = code
        self.name = name
        self.kind = kind
        self.points = points
        self.ladderCode = ladderCode
        self.listPriceFen = listPriceFen
        self.specialPrice = specialPrice
        self.stock = stock
        self.supplierCounterId = supplierCounterId
        self.perMemberLimit = perMemberLimit
        self.period = period
        self.perPeriodLimit = perPeriodLimit
        self.validFrom = validFrom
        self.validTo = validTo
        self.allowedTiers = allowedTiers
        self.maxBalance = maxBalance
        self.windowCode = windowCode
        self.onePerCard = onePerCard
        self.coupon = coupon
        self.active = active
    }
}

/// The coupon a coupon item issues: a face value or a discount, a minimum spend, and how long it lasts — a number
/// of days, or a fixed last day for year-labelled vouchers ("13年度积分通用券").
public struct RewardCoupon: Sendable, Equatable, Codable {
    public var faceFen: Int64?
    public var discountPermille: Int?
    public var minSpendFen: Int64
    public var validDays: Int?
    public var validTo: LocalDate?
    /// Counters that accept it; empty = every participating counter.
    public var counterCodes: [String]

    public init(faceFen: Int64? = nil, discountPermille: Int? = nil, minSpendFen: Int64 = 0, validDays: Int? = nil, validTo: LocalDate? = nil,
                counterCodes: [String] = []) {
        self.faceFen = faceFen
        self.discountPermille = discountPermille
        self.minSpendFen = minSpendFen
        self.validDays = validDays
        self.validTo = validTo
        self.counterCodes = counterCodes
    }

    /// Last valid business day for a coupon issued on `day`: the fixed day, else `validDays` (or the programme's
    /// default) counting the issue day as the first.
    public func lastDay(issuedOn day: LocalDate, defaultValidDays: Int) -> LocalDate {
        if let validTo { return validTo }
        return day.adding(days: max(1, validDays ?? defaultValidDays) - 1)
    }
}

extension RewardItem {
    /// Checks an item before it is saved; the first problem is thrown naming the form field.
    public func validate(_ programme: Programme) throws {
        func bad(_ field: String, _ rule: String, _ zh: String, _ en: String) -> DomainError {
            DomainError.invalid(field, rule, zh: zh, en: en)
        }
        let codeChars = code.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }
        guard !code.isEmpty, code.count <= 32, codeChars else {
            throw bad("code", "item.code", "代码须为1–32位字母、数字、- 或 _", "code must be 1–32 letters, digits, - or _")
        }
        guard !name.zh.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw bad("nameZh", "item.name", "请填写中文名称", "the Chinese name is required")
        }
        switch (points, ladderCode) {
        case (nil, nil), (.some, .some):
            throw bad("points", "item.price", "请填写积分价格或选择阶梯规则（二选一）", "give either a points price or a ladder, not both")
        case (let p?, nil):
            // 0 is a free gift (回门礼): still limited, still recorded.
            guard p >= 0 else { throw bad("points", "item.points", "积分价格不能为负", "points must not be negative") }
        case (nil, let l?):
            guard programme.redemption.ladder(l) != nil else {
                throw bad("ladderCode", "item.ladder", "章程中没有阶梯规则 \(l)", "the programme has no ladder \(l)")
            }
        }
        if let p = listPriceFen, p <= 0 {
            throw bad("listPrice", "item.listPrice", "标价须大于0", "list price must be more than 0")
        }
        if supplierCounterId != nil, listPriceFen == nil, ladderCode == nil {
            throw bad("listPrice", "item.listPriceForSupplier", "店柜供应的礼品须填写标价（用于结算）",
                      "a gift supplied by a counter needs its list price (for the settlement)")
        }
        if let s = stock, s < 0 { throw bad("stock", "item.stock", "库存不能为负", "stock must not be negative") }
        if let l = perMemberLimit, l < 1 {
            throw bad("perMemberLimit", "item.limit", "每人限兑次数须至少为1", "the per-member limit must be at least 1")
        }
        if let l = perPeriodLimit, l < 1 {
            throw bad("perPeriodLimit", "item.limit", "每期限兑次数须至少为1", "the per-period limit must be at least 1")
        }
        if perPeriodLimit != nil, period == .none {
            throw bad("period", "item.period", "填写每期限兑次数时须选择周期（日、月、年）", "choose a period (day, month, year) for the per-period limit")
        }
        if let f = validFrom, let t = validTo, f > t {
            throw bad("validTo", "item.validity", "截止日期不能早于开始日期", "the last day must not be before the first")
        }
        for t in allowedTiers where programme.tier(t) == nil {
            throw bad("tiers", "item.tier", "章程中没有等级 \(t)", "the programme has no tier \(t)")
        }
        if let m = maxBalance, m < 0 { throw bad("maxBalance", "item.maxBalance", "积分上限不能为负", "the balance limit must not be negative") }
        if let w = windowCode, programme.redemption.window(w) == nil {
            throw bad("windowCode", "item.window", "章程中没有兑换时段 \(w)", "the programme has no redemption window \(w)")
        }
        guard kind.issuesCoupon else { return }
        guard let c = coupon else {
            throw bad("couponFace", "item.coupon", "券类商品须填写面值或折扣", "a coupon item needs a face value or a discount")
        }
        switch (c.faceFen, c.discountPermille) {
        case (nil, nil), (.some, .some):
            throw bad("couponFace", "item.coupon", "券须填写面值或折扣（二选一）", "a coupon has either a face value or a discount")
        case (let f?, nil):
            guard f > 0 else { throw bad("couponFace", "item.couponFace", "面值须大于0", "the face value must be more than 0") }
        case (nil, let d?):
            guard (1...999).contains(d) else {
                throw bad("couponDiscount", "item.couponDiscount", "折扣须在0.1折到9.99折之间", "the discount must be between 0.1 and 9.99 折")
            }
        }
        if c.minSpendFen < 0 { throw bad("couponMinSpend", "item.couponMinSpend", "最低消费不能为负", "the minimum spend must not be negative") }
        if let d = c.validDays, d < 1 { throw bad("couponValidDays", "item.couponValidity", "有效天数须至少为1", "valid days must be at least 1") }
    }
}
