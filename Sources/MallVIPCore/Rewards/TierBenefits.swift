/// What a tier promises besides its member discount (docs/domain.md §6; 尚峰's tiers, §3.1): partner-merchant discount, free
/// parking hours, lounge access and gifts. Shown on the member page and returned by the lookup API.
public struct TierBenefits: Codable, Sendable, Equatable {
    /// Per mille paid at partner merchants (950 = 9.5折); 1000 = none.
    public var partnerDiscountPermille: Int
    public var freeParkingHours: Int
    public var lounge: Bool
    public var quarterlyGift: LocalizedName?
    public var birthdayGift: LocalizedName?

    public init(partnerDiscountPermille: Int = 1000, freeParkingHours: Int = 0, lounge: Bool = false,
                quarterlyGift: LocalizedName? = nil, birthdayGift: LocalizedName? = nil) {
        self.partnerDiscountPermille = partnerDiscountPermille
        self.freeParkingHours = freeParkingHours
        self.lounge = lounge
        self.quarterlyGift = quarterlyGift
        self.birthdayGift = birthdayGift
    }

    enum CodingKeys: String, CodingKey { case partnerDiscount, freeParkingHours, lounge, quarterlyGift, birthdayGift }
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        partnerDiscountPermille = try c.decodeIfPresent(ZheValue.self, forKey: .partnerDiscount)?.permille ?? 1000
        freeParkingHours = try c.decodeIfPresent(Int.self, forKey: .freeParkingHours) ?? 0
        lounge = try c.decodeIfPresent(Bool.self, forKey: .lounge) ?? false
        quarterlyGift = try c.decodeIfPresent(LocalizedName.self, forKey: .quarterlyGift)
        birthdayGift = try c.decodeIfPresent(LocalizedName.self, forKey: .birthdayGift)
    }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(ZheValue(permille: partnerDiscountPermille), forKey: .partnerDiscount)
        try c.encode(freeParkingHours, forKey: .freeParkingHours)
        try c.encode(lounge, forKey: .lounge)
        try c.encodeIfPresent(quarterlyGift, forKey: .quarterlyGift)
        try c.encodeIfPresent(birthdayGift, forKey: .birthdayGift)
    }
}
