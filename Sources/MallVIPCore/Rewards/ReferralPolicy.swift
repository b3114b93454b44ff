/// Member-gets-member (docs/domain.md C24): the referrer is rewarded when the new member's first qualifying purchase
/// posts, for at most `maxRewardedPerReferrer` referrals, and the reward is taken back if that purchase is refunded.
public struct ReferralPolicy: Codable, Sendable, Equatable {
    public var enabled: Bool
    /// 0 = no cap (a brand plan's rule); the default 3 follows Chengdu (docs/domain.md C24).
    public var maxRewardedPerReferrer: Int
    /// The new member's purchase must be at least this much to count (0 = any purchase).
    public var minPurchaseFen: Int64
    public var reward: ReferralReward

    public init(enabled: Bool = true, maxRewardedPerReferrer: Int = 3, minPurchaseFen: Int64 = 0,
                reward: ReferralReward = .init(points: 200)) {
        self.enabled = enabled
        self.maxRewardedPerReferrer = maxRewardedPerReferrer
        self.minPurchaseFen = minPurchaseFen
        self.reward = reward
    }

    enum CodingKeys: String, CodingKey { case enabled, maxRewardedPerReferrer, minPurchase, reward }
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        enabled = try c.decodeIfPresent(Bool.self, forKey: .enabled) ?? true
        maxRewardedPerReferrer = try c.decodeIfPresent(Int.self, forKey: .maxRewardedPerReferrer) ?? 3
        minPurchaseFen = try c.decodeIfPresent(YuanValue.self, forKey: .minPurchase)?.fen ?? 0
        reward = try c.decodeIfPresent(ReferralReward.self, forKey: .reward) ?? .init(points: 200)
    }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(enabled, forKey: .enabled)
        try c.encode(maxRewardedPerReferrer, forKey: .maxRewardedPerReferrer)
        try c.encode(YuanValue(fen: minPurchaseFen), forKey: .minPurchase)
        try c.encode(reward, forKey: .reward)
    }
}

/// Any combination of points, a coupon and a gift (named for the desk to hand over).
public struct ReferralReward: Codable, Sendable, Equatable {
    public var points: Int64
    public var coupon: CouponTemplate?
    public var gift: LocalizedName?
    public init(points: Int64 = 0, coupon: CouponTemplate? = nil, gift: LocalizedName? = nil) {
        self.points = points
        self.coupon = coupon
        self.gift = gift
    }
    enum CodingKeys: String, CodingKey { case points, coupon, gift }
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        points = try c.decodeIfPresent(Int64.self, forKey: .points) ?? 0
        coupon = try c.decodeIfPresent(CouponTemplate.self, forKey: .coupon)
        gift = try c.decodeIfPresent(LocalizedName.self, forKey: .gift)
    }
}

/// A coupon to issue: a face value (`face`) or a discount in 折 (`discount`), a minimum spend and how many days it lasts.
public struct CouponTemplate: Codable, Sendable, Equatable {
    public var name: LocalizedName
    public var faceFen: Int64?
    public var discountPermille: Int?
    public var minSpendFen: Int64
    public var validDays: Int?

    public init(name: LocalizedName, faceFen: Int64? = nil, discountPermille: Int? = nil, minSpendFen: Int64 = 0, validDays: Int? = nil) {
        self.name = name
        self.faceFen = faceFen
        self.discountPermille = discountPermille
        self.minSpendFen = minSpendFen
        self.validDays = validDays
    }

    enum CodingKeys: String, CodingKey { case name, face, discount, minSpend, validDays }
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(LocalizedName.self, forKey: .name)
        faceFen = try c.decodeIfPresent(YuanValue.self, forKey: .face)?.fen
        discountPermille = try c.decodeIfPresent(ZheValue.self, forKey: .discount)?.permille
        minSpendFen = try c.decodeIfPresent(YuanValue.self, forKey: .minSpend)?.fen ?? 0
        validDays = try c.decodeIfPresent(Int.self, forKey: .validDays)
    }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encodeIfPresent(faceFen.map { YuanValue(fen: $0) }, forKey: .face)
        try c.encodeIfPresent(discountPermille.map { ZheValue(permille: $0) }, forKey: .discount)
        try c.encode(YuanValue(fen: minSpendFen), forKey: .minSpend)
        try c.encodeIfPresent(validDays, forKey: .validDays)
    }
}
