/// The loyalty programme of a mall group: tiers, enrolment rules, earning rules and discounts. It is a YAML
/// document (see Resources/programme.default.yaml) so that each mall can set its own numbers; nothing here is
/// a constant. Amounts in the YAML are yuan ("3000", "2999.99"), discounts are 折 ("8.8"), multipliers are
/// factors ("2", "1.5"); in memory they are fen and per mille.
public struct Programme: Codable, Sendable, Equatable {
    public var name: String
    /// IANA zone for business dates (birthdays, rolling windows, the day's first purchases).
    public var timezone: String
    /// Ascending: the first tier is the entry tier, each later one ranks higher.
    public var tiers: [TierDefinition]
    public var enrolment: EnrolmentPolicy
    public var earning: EarningPolicy
    public var discounts: DiscountPolicy
    public var review: ReviewPolicy
    public var purchases: PurchasePolicy
    public var cards: CardPolicy
    public var redemption: RedemptionPolicy
    public var coupons: CouponPolicy
    public var pointsExpiry: ExpiryPolicy
    public var parking: ParkingPolicy
    public var referrals: ReferralPolicy
    public var messaging: MessagingPolicy
    /// Churn warning and care tasks (issue 5); added later, so it defaults and the memberwise init leaves it alone.
    public var churn: ChurnPolicy = .init()
    /// Regular-customer conversion (issue 5, docs/domain.md §9.3); defaults like `churn`.
    public var conversion: ConversionPolicy = .init()
    /// Account managers: tenure, eligible roles, the monthly reward (issue 5, docs/domain.md §9.1); defaults like `churn`.
    public var accountManagers: AccountManagerPolicy = .init()
    /// Survey targets, quarterly sample and SLA per channel (issue 6, docs/domain.md §11); defaults like `churn`.
    public var feedback: FeedbackPolicy = .init()
    /// The monthly VIP week and event reminders (issue 6, docs/domain.md §8); `vipWeekOnly` windows and multipliers follow it.
    public var vipWeek: VIPWeekPolicy = .init() { didSet { applyVIPWeek() } }
    public var events: EventPolicy = .init()
    /// Programme economics (issue 7, docs/domain.md §13, §19): whether ROI is reckoned on margin or on revenue; defaults like `churn`.
    public var economics: EconomicsPolicy = .init()
    /// Analytics and report packs (issue 7, docs/domain.md §12): segments, price and age bands, ABC, top N, RFM, repurchase.
    public var reports: ReportsPolicy = .init()
    /// Staff belong to malls (issue 17): how long a purchase at a mall makes a member one of that mall's; defaults like `churn`.
    public var malls: MallScopePolicy = .init()
    /// Gifts handed over with a record (issue 18, docs/domain.md §6.5–6.6): birthday, quarterly, return and activation gifts.
    public var gifts: GiftPolicy = .init()
    /// Points for activities (issue 18, docs/domain.md §4): event check-in, survey answers, a completed profile.
    public var activities: ActivityPointsPolicy = .init()
    /// Points as a liability (issue 20): point value, expected redemption, allocation of revenue to points.
    public var finance: FinancePolicy = .init()
    /// Tenant co-funding of points (issue 20): the share of the points' cost each counter or partner funds.
    public var coFunding: CoFundingPolicy = .init()
    /// Receipt photos (issue 19): upload limits and the desk's review clock.
    public var photos: ReceiptPhotoPolicy = .init()
    /// One purchase, one earning across channels (issue 19): the match window of a second channel's copy.
    public var channels: ChannelPolicy = .init()
    /// WeChat Pay 智慧商圈 (issue 19): binding and refund rules (keys are configuration, not programme).
    public var wechatPay: WechatPayPolicy = .init()

    public init(name: String, timezone: String = "Asia/Shanghai", tiers: [TierDefinition], enrolment: EnrolmentPolicy,
                earning: EarningPolicy, discounts: DiscountPolicy = .init(), review: ReviewPolicy = .init(),
                purchases: PurchasePolicy = .init(), cards: CardPolicy = .init(), redemption: RedemptionPolicy = .init(),
                coupons: CouponPolicy = .init(), pointsExpiry: ExpiryPolicy = .init(), parking: ParkingPolicy = .init(),
                referrals: ReferralPolicy = .init(), messaging: MessagingPolicy = .init()) {
        self.name = name
        self.timezone = timezone
        self.tiers = tiers
        self.enrolment = enrolment
        self.earning = earning
        self.discounts = discounts
        self.review = review
        self.purchases = purchases
        self.cards = cards
        self.redemption = redemption
        self.coupons = coupons
        self.pointsExpiry = pointsExpiry
        self.parking = parking
        self.referrals = referrals
        self.messaging = messaging
    }

    enum CodingKeys: String, CodingKey {
        case name, timezone, tiers, enrolment, earning, discounts, review, purchases, cards
        case redemption, coupons, pointsExpiry, parking, referrals, messaging
        case churn
        case conversion
        case accountManagers
        case feedback
        case vipWeek
        case events
        case economics
        case reports
        case malls
        case gifts
        case activities
        case finance
        case coFunding
        case photos
        case channels
        case wechatPay
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        timezone = try c.decodeIfPresent(String.self, forKey: .timezone) ?? "Asia/Shanghai"
        tiers = try c.decode([TierDefinition].self, forKey: .tiers)
        enrolment = try c.decode(EnrolmentPolicy.self, forKey: .enrolment)
        earning = try c.decode(EarningPolicy.self, forKey: .earning)
        discounts = try c.decodeIfPresent(DiscountPolicy.self, forKey: .discounts) ?? .init()
        review = try c.decodeIfPresent(ReviewPolicy.self, forKey: .review) ?? .init()
        purchases = try c.decodeIfPresent(PurchasePolicy.self, forKey: .purchases) ?? .init()
        cards = try c.decodeIfPresent(CardPolicy.self, forKey: .cards) ?? .init()
        // Sections added after the first release default, so stored programme versions still load.
        redemption = try c.decodeIfPresent(RedemptionPolicy.self, forKey: .redemption) ?? .init()
        coupons = try c.decodeIfPresent(CouponPolicy.self, forKey: .coupons) ?? .init()
        pointsExpiry = try c.decodeIfPresent(ExpiryPolicy.self, forKey: .pointsExpiry) ?? .init()
        parking = try c.decodeIfPresent(ParkingPolicy.self, forKey: .parking) ?? .init()
        referrals = try c.decodeIfPresent(ReferralPolicy.self, forKey: .referrals) ?? .init()
        messaging = try c.decodeIfPresent(MessagingPolicy.self, forKey: .messaging) ?? .init()
        churn = try c.decodeIfPresent(ChurnPolicy.self, forKey: .churn) ?? .init()
        conversion = try c.decodeIfPresent(ConversionPolicy.self, forKey: .conversion) ?? .init()
        accountManagers = try c.decodeIfPresent(AccountManagerPolicy.self, forKey: .accountManagers) ?? .init()
        feedback = try c.decodeIfPresent(FeedbackPolicy.self, forKey: .feedback) ?? .init()
        vipWeek = try c.decodeIfPresent(VIPWeekPolicy.self, forKey: .vipWeek) ?? .init()
        events = try c.decodeIfPresent(EventPolicy.self, forKey: .events) ?? .init()
        economics = try c.decodeIfPresent(EconomicsPolicy.self, forKey: .economics) ?? .init()
        reports = try c.decodeIfPresent(ReportsPolicy.self, forKey: .reports) ?? .init()
        malls = try c.decodeIfPresent(MallScopePolicy.self, forKey: .malls) ?? .init()
        gifts = try c.decodeIfPresent(GiftPolicy.self, forKey: .gifts) ?? .init()
        activities = try c.decodeIfPresent(ActivityPointsPolicy.self, forKey: .activities) ?? .init()
        finance = try c.decodeIfPresent(FinancePolicy.self, forKey: .finance) ?? .init()
        coFunding = try c.decodeIfPresent(CoFundingPolicy.self, forKey: .coFunding) ?? .init()
        photos = try c.decodeIfPresent(ReceiptPhotoPolicy.self, forKey: .photos) ?? .init()
        channels = try c.decodeIfPresent(ChannelPolicy.self, forKey: .channels) ?? .init()
        wechatPay = try c.decodeIfPresent(WechatPayPolicy.self, forKey: .wechatPay) ?? .init()
        applyVIPWeek()
    }

    public func tier(_ code: String) -> TierDefinition? { tiers.first { $0.code == code } }
    public func rank(of code: String) -> Int? { tiers.firstIndex { $0.code == code } }
    public var entryTier: TierDefinition { tiers[0] }
}

public struct LocalizedName: Codable, Sendable, Equatable {
    public var zh: String
    public var en: String
    public init(zh: String, en: String) { self.zh = zh; self.en = en }
    public func text(_ language: Language) -> String { language == .en ? en : zh }
}

public enum Language: String, Sendable, CaseIterable { case zh, en }

public struct TierDefinition: Codable, Sendable, Equatable {
    public var code: String
    public var name: LocalizedName
    /// Per mille paid on participating counters' regular-priced lines: 880 = 8.8折, 1000 = none.
    public var discountPermille: Int
    /// Whether the card face and reports call this tier "VIP" (docs/domain.md C23).
    public var isVIP: Bool
    /// How a member earns this tier automatically; nil for the entry tier or tiers only granted by hand.
    public var upgrade: UpgradeRule?
    public var benefits: TierBenefits

    public init(code: String, name: LocalizedName, discountPermille: Int = 1000, isVIP: Bool = true, upgrade: UpgradeRule? = nil,
                benefits: TierBenefits = .init()) {
        self.code = code
        self.name = name
        self.discountPermille = discountPermille
        self.isVIP = isVIP
        self.upgrade = upgrade
        self.benefits = benefits
    }

    enum CodingKeys: String, CodingKey { case code, name, discount, isVIP, upgrade, benefits }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        code = try c.decode(String.self, forKey: .code)
        name = try c.decode(LocalizedName.self, forKey: .name)
        discountPermille = try c.decodeIfPresent(ZheValue.self, forKey: .discount)?.permille ?? 1000
        isVIP = try c.decodeIfPresent(Bool.self, forKey: .isVIP) ?? true
        upgrade = try c.decodeIfPresent(UpgradeRule.self, forKey: .upgrade)
        benefits = try c.decodeIfPresent(TierBenefits.self, forKey: .benefits) ?? .init()
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(code, forKey: .code)
        try c.encode(name, forKey: .name)
        try c.encode(ZheValue(permille: discountPermille), forKey: .discount)
        try c.encode(isVIP, forKey: .isVIP)
        try c.encodeIfPresent(upgrade, forKey: .upgrade)
        try c.encode(benefits, forKey: .benefits)
    }
}

/// Rolling spend thresholds for a tier. `match: any` (default) means one window is enough; `all` needs every one.
public struct UpgradeRule: Codable, Sendable, Equatable {
    public enum Match: String, Codable, Sendable { case any, all }
    public var match: Match
    public var thresholds: [SpendThreshold]
    /// Reaching the thresholds only files a request that a manager approves (紫金 vetting).
    public var requiresApproval: Bool

    public init(match: Match = .any, thresholds: [SpendThreshold], requiresApproval: Bool = false) {
        self.match = match
        self.thresholds = thresholds
        self.requiresApproval = requiresApproval
    }

    enum CodingKeys: String, CodingKey { case match, thresholds, requiresApproval }
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        match = try c.decodeIfPresent(Match.self, forKey: .match) ?? .any
        thresholds = try c.decode([SpendThreshold].self, forKey: .thresholds)
        requiresApproval = try c.decodeIfPresent(Bool.self, forKey: .requiresApproval) ?? false
    }
}

public struct SpendThreshold: Codable, Sendable, Equatable {
    /// Length of the rolling window ending on the purchase's business date.
    public var months: Int
    public var minSpendFen: Int64

    public init(months: Int, minSpendFen: Int64) { self.months = months; self.minSpendFen = minSpendFen }

    enum CodingKeys: String, CodingKey { case months, minSpend }
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        months = try c.decode(Int.self, forKey: .months)
        minSpendFen = try c.decode(YuanValue.self, forKey: .minSpend).fen
    }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(months, forKey: .months)
        try c.encode(YuanValue(fen: minSpendFen), forKey: .minSpend)
    }
}

// DiscountPolicy (stacking, and when tier discounts apply: issue 18) lives in Pricing/DiscountPolicy.swift.

public struct ReviewPolicy: Codable, Sendable, Equatable {
    public enum Mode: String, Codable, Sendable { case none, anniversary, calendarYear }
    /// When tiers are re-evaluated: yearly on the anniversary of the last tier change, or at calendar year end.
    public var mode: Mode
    /// Whether the review may lower a tier (docs/domain.md §3.4: default none, so off).
    public var downgrade: Bool
    public init(mode: Mode = .anniversary, downgrade: Bool = false) { self.mode = mode; self.downgrade = downgrade }
}

public struct PurchasePolicy: Codable, Sendable, Equatable {
    /// How far back an offline POS may post a purchase.
    public var maxBackdateDays: Int
    /// Clock skew allowed for purchases stamped in the future.
    public var maxFutureSeconds: Int
    public init(maxBackdateDays: Int = 400, maxFutureSeconds: Int = 300) {
        self.maxBackdateDays = maxBackdateDays
        self.maxFutureSeconds = maxFutureSeconds
    }
}

/// How card numbers look: the group's prefix, then a serial padded to `serialDigits`, then a Luhn digit.
public struct CardPolicy: Codable, Sendable, Equatable {
    public var prefix: String
    public var serialDigits: Int
    public init(prefix: String = "88", serialDigits: Int = 9) {
        self.prefix = prefix
        self.serialDigits = serialDigits
    }

    public func number(serial: Int64) -> String { CardNumber.make(prefix: prefix, serial: serial, width: serialDigits) }
}

/// A yuan amount in YAML ("3000", 3000, "2999.99"), held as fen. Decoding a number through Double is avoided:
/// the scalar's text is parsed exactly.
public struct YuanValue: Codable, Sendable, Equatable {
    public var fen: Int64
    public init(fen: Int64) { self.fen = fen }
    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        let text: String
        if let s = try? c.decode(String.self) { text = s } else { text = String(try c.decode(Int64.self)) }
        guard let fen = Money.parseYuan(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                debugDescription: "expected an amount in yuan with at most two decimals, got \(text)"))
        }
        self.fen = fen
    }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(Money.yuan(fen).replacingOccurrences(of: ",", with: ""))
    }
}

/// A 折 value in YAML ("8.8" = 880 per mille).
public struct ZheValue: Codable, Sendable, Equatable {
    public var permille: Int
    public init(permille: Int) { self.permille = permille }
    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        let text: String
        if let s = try? c.decode(String.self) { text = s } else { text = String(try c.decode(Int.self)) }
        guard let p = Zhe.parse(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                debugDescription: "expected a discount in 折 between 0.01 and 10 (e.g. 8.8), got \(text)"))
        }
        permille = p
    }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(String(format: "%g", Double(permille) / 100))
    }
}

/// A multiplier factor in YAML ("2", "1.5"), held per mille (2000, 1500).
public struct FactorValue: Codable, Sendable, Equatable {
    public var permille: Int
    public init(permille: Int) { self.permille = permille }
    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        let text: String
        if let s = try? c.decode(String.self) { text = s } else { text = String(try c.decode(Int.self)) }
        // Same exact decimal grammar as yuan: "1.5" -> 150 hundredths -> 1500 per mille.
        guard let hundredths = Money.parseYuan(text), hundredths > 0, hundredths <= 10_000 else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                debugDescription: "expected a multiplier between 0.01 and 100 (e.g. 2 or 1.5), got \(text)"))
        }
        permille = Int(hundredths * 10)
    }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(String(format: "%g", Double(permille) / 1000))
    }
}

import Foundation
