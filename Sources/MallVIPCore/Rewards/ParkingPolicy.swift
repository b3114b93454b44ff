/// Car park charging and the member benefit (docs/domain.md §6.3, C13): free hours come from the tier
/// (`TierBenefits.freeParkingHours`) plus any same-day spend rule here; the rest is charged per started unit.
public struct ParkingPolicy: Codable, Sendable, Equatable {
    /// Price of one started billing unit, in fen.
    public var rateFen: Int64
    public var unitMinutes: Int
    /// A stay this short is free for everyone.
    public var graceMinutes: Int
    /// Most charged per stay (0 = no cap).
    public var maxChargeFen: Int64
    /// Extra free hours for spending at least `minSpend` in the mall on the exit's business day; the best rule applies.
    public var sameDaySpend: [SpendParkingRule]

    public init(rateFen: Int64 = 1_000, unitMinutes: Int = 60, graceMinutes: Int = 15, maxChargeFen: Int64 = 0,
                sameDaySpend: [SpendParkingRule] = []) {
        self.rateFen = rateFen
        self.unitMinutes = unitMinutes
        self.graceMinutes = graceMinutes
        self.maxChargeFen = maxChargeFen
        self.sameDaySpend = sameDaySpend
    }

    enum CodingKeys: String, CodingKey { case rate, unitMinutes, graceMinutes, maxCharge, sameDaySpend }
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        rateFen = try c.decodeIfPresent(YuanValue.self, forKey: .rate)?.fen ?? 1_000
        unitMinutes = try c.decodeIfPresent(Int.self, forKey: .unitMinutes) ?? 60
        graceMinutes = try c.decodeIfPresent(Int.self, forKey: .graceMinutes) ?? 15
        maxChargeFen = try c.decodeIfPresent(YuanValue.self, forKey: .maxCharge)?.fen ?? 0
        sameDaySpend = try c.decodeIfPresent([SpendParkingRule].self, forKey: .sameDaySpend) ?? []
    }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(YuanValue(fen: rateFen), forKey: .rate)
        try c.encode(unitMinutes, forKey: .unitMinutes)
        try c.encode(graceMinutes, forKey: .graceMinutes)
        try c.encode(YuanValue(fen: maxChargeFen), forKey: .maxCharge)
        try c.encode(sameDaySpend, forKey: .sameDaySpend)
    }
}

public struct SpendParkingRule: Codable, Sendable, Equatable {
    public var minSpendFen: Int64
    public var extraHours: Int
    public init(minSpendFen: Int64, extraHours: Int) { self.minSpendFen = minSpendFen; self.extraHours = extraHours }

    enum CodingKeys: String, CodingKey { case minSpend, extraHours }
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        minSpendFen = try c.decode(YuanValue.self, forKey: .minSpend).fen
        extraHours = try c.decode(Int.self, forKey: .extraHours)
    }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(YuanValue(fen: minSpendFen), forKey: .minSpend)
        try c.encode(extraHours, forKey: .extraHours)
    }
}
