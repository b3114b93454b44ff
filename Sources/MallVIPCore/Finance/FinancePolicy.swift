/// Points as a liability (issue 20, docs/finance.md): what a point is worth when redeemed, how many points are expected
/// to be redeemed, how revenue is allocated to the points and how fen are rounded. Programme section `finance`; every
/// key has a default, so a programme without the section keeps working.
public struct FinancePolicy: Codable, Sendable, Equatable {
    /// Where the expected redemption rate comes from.
    public enum RateSource: String, Codable, Sendable, CaseIterable {
        /// `expectedRedemptionPermille`, as set.
        case fixed
        /// The programme's own history: redeemed ÷ (redeemed + expired) over the last `historyMonths` months
        /// (redeemed ÷ (issued − still open): points whose fate is known); `expectedRedemptionPermille` while the
        /// window has no redeemed or expired points.
        case history
    }

    /// How revenue is split between the goods and the points (IFRS 15.74–80, B39–B43). One method today.
    public enum Allocation: String, Codable, Sendable, CaseIterable {
        /// Relative stand-alone selling price: points' share = SSP_points ÷ (sales + SSP_points).
        case relativeSSP
    }

    /// Value of 1,000 points in fen when redeemed; nil = `redemption.valuePerThousandPoints`.
    public var fenPerThousandPoints: Int64?
    public var redemptionRate: RateSource
    /// Expected redemption rate in per mille (950 = 95 %): the fixed rate, and the history estimate's fallback.
    public var expectedRedemptionPermille: Int
    /// Months of history for `redemptionRate: history` (1–60).
    public var historyMonths: Int
    public var allocation: Allocation
    public var rounding: FinanceRounding

    public init(fenPerThousandPoints: Int64? = nil, redemptionRate: RateSource = .fixed, expectedRedemptionPermille: Int = 900,
                historyMonths: Int = 12, allocation: Allocation = .relativeSSP, rounding: FinanceRounding = .halfUp) {
        self.fenPerThousandPoints = fenPerThousandPoints
        self.redemptionRate = redemptionRate
        self.expectedRedemptionPermille = expectedRedemptionPermille
        self.historyMonths = historyMonths
        self.allocation = allocation
        self.rounding = rounding
    }

    enum CodingKeys: String, CodingKey {
        case valuePerThousandPoints, redemptionRate, expectedRedemptionPermille, historyMonths, allocation, rounding
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = FinancePolicy()
        fenPerThousandPoints = try c.decodeIfPresent(YuanValue.self, forKey: .valuePerThousandPoints)?.fen
        redemptionRate = try c.decodeIfPresent(RateSource.self, forKey: .redemptionRate) ?? d.redemptionRate
        expectedRedemptionPermille = try c.decodeIfPresent(Int.self, forKey: .expectedRedemptionPermille) ?? d.expectedRedemptionPermille
        historyMonths = try c.decodeIfPresent(Int.self, forKey: .historyMonths) ?? d.historyMonths
        allocation = try c.decodeIfPresent(Allocation.self, forKey: .allocation) ?? d.allocation
        rounding = try c.decodeIfPresent(FinanceRounding.self, forKey: .rounding) ?? d.rounding
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(fenPerThousandPoints.map { YuanValue(fen: $0) }, forKey: .valuePerThousandPoints)
        try c.encode(redemptionRate, forKey: .redemptionRate)
        try c.encode(expectedRedemptionPermille, forKey: .expectedRedemptionPermille)
        try c.encode(historyMonths, forKey: .historyMonths)
        try c.encode(allocation, forKey: .allocation)
        try c.encode(rounding, forKey: .rounding)
    }

    /// The value of 1,000 points in fen this policy uses (its own, else the redemption section's). Tenant co-funding
    /// (issue 20b) values points with the same figure.
    public func fenPerThousandPoints(_ programme: Programme) -> Int64 {
        fenPerThousandPoints ?? programme.redemption.fenPerThousandPoints
    }

    public func validationErrors(path: String) -> [(String, String)] {
        var out: [(String, String)] = []
        if let v = fenPerThousandPoints, !(0...100_000_000).contains(v) {
            out.append(("\(path).valuePerThousandPoints", "must be between 0 and 1000000 yuan"))
        }
        if !(0...1000).contains(expectedRedemptionPermille) {
            out.append(("\(path).expectedRedemptionPermille", "must be between 0 and 1000"))
        }
        if !(1...60).contains(historyMonths) { out.append(("\(path).historyMonths", "must be between 1 and 60")) }
        return out
    }
}

/// How a fen amount is rounded when a division leaves a remainder (docs/finance.md "Rounding"). `halfUp` rounds a
/// half away from zero (0.5 → 1, −0.5 → −1), as the Chinese 四舍五入; `halfEven` rounds a half to the even fen
/// (0.5 → 0, 1.5 → 2), banker's rounding.
public enum FinanceRounding: String, Codable, Sendable, CaseIterable {
    case halfUp, halfEven

    /// a × b ÷ c, rounded; the product is exact (128 bits), so no intermediate overflows. c must not be 0 (0 is
    /// returned); a result beyond Int64 saturates.
    public func mulDiv(_ a: Int64, _ b: Int64, _ c: Int64) -> Int64 {
        guard c != 0, a != 0, b != 0 else { return 0 }
        let negative = (a < 0) != (b < 0) ? !(c < 0) : (c < 0)
        let p = a.magnitude.multipliedFullWidth(by: b.magnitude)
        let d = c.magnitude
        guard p.high < d else { return negative ? Int64.min : Int64.max }
        var (q, r) = d.dividingFullWidth((p.high, p.low))
        // Compare the remainder with half the divisor without overflowing: r vs d − r.
        let rest = d - r
        if r > rest || (r == rest && (self == .halfUp || q % 2 == 1)) { q += 1 }
        guard q <= UInt64(Int64.max) else { return negative ? Int64.min : Int64.max }
        return negative ? -Int64(q) : Int64(q)
    }

    public var label: LocalizedName {
        switch self {
        case .halfUp: LocalizedName(zh: "四舍五入", en: "Half up (away from zero)")
        case .halfEven: LocalizedName(zh: "银行家舍入（四舍六入五成双）", en: "Half even (banker's)")
        }
    }
}
