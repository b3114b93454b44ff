/// Defaults for coupons (docs/domain.md §5.3): the code's shape and how long a coupon lasts when its source does not
/// say. Each coupon carries its own face value or percentage, minimum spend, validity and accepting counters.
public struct CouponPolicy: Codable, Sendable, Equatable {
    /// Letters printed before the random part, e.g. "CP".
    public var codePrefix: String
    /// Random characters after the prefix (Crockford base 32, no I/L/O/U).
    public var codeLength: Int
    public var defaultValidDays: Int

    public init(codePrefix: String = "CP", codeLength: Int = 10, defaultValidDays: Int = 90) {
        self.codePrefix = codePrefix
        self.codeLength = codeLength
        self.defaultValidDays = defaultValidDays
    }

    enum CodingKeys: String, CodingKey { case codePrefix, codeLength, defaultValidDays }
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        codePrefix = try c.decodeIfPresent(String.self, forKey: .codePrefix) ?? "CP"
        codeLength = try c.decodeIfPresent(Int.self, forKey: .codeLength) ?? 10
        defaultValidDays = try c.decodeIfPresent(Int.self, forKey: .defaultValidDays) ?? 90
    }
}
