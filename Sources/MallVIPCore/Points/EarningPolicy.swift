/// How purchases earn points. Default (南亞): one point per full 10 yuan paid on a receipt, +10 when a receipt
/// earns at least 200 base points, multipliers on set days; the highest multiplier applies and the bonus is
/// added after.
public struct EarningPolicy: Codable, Sendable, Equatable {
    public enum Combine: String, Codable, Sendable {
        /// The single highest factor among the rules that apply.
        case highest
        /// Factors multiply (2 × 2 = 4).
        case multiply
        /// Extra parts add up (2 and 2 = 3).
        case sum
    }

    /// Fen per block of points: 1000 fen = 10 yuan.
    public var unitFen: Int64
    public var pointsPerUnit: Int64
    public var bigTicket: BigTicketBonus?
    public var combine: Combine
    public var multipliers: [MultiplierRule]

    public init(unitFen: Int64 = 1000, pointsPerUnit: Int64 = 1, bigTicket: BigTicketBonus? = nil,
                combine: Combine = .highest, multipliers: [MultiplierRule] = []) {
        self.unitFen = unitFen
        self.pointsPerUnit = pointsPerUnit
        self.bigTicket = bigTicket
        self.combine = combine
        self.multipliers = multipliers
    }

    enum CodingKeys: String, CodingKey { case unit, pointsPerUnit, bigTicket, combine, multipliers }
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        unitFen = try c.decode(YuanValue.self, forKey: .unit).fen
        pointsPerUnit = try c.decodeIfPresent(Int64.self, forKey: .pointsPerUnit) ?? 1
        bigTicket = try c.decodeIfPresent(BigTicketBonus.self, forKey: .bigTicket)
        combine = try c.decodeIfPresent(Combine.self, forKey: .combine) ?? .highest
        multipliers = try c.decodeIfPresent([MultiplierRule].self, forKey: .multipliers) ?? []
    }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(YuanValue(fen: unitFen), forKey: .unit)
        try c.encode(pointsPerUnit, forKey: .pointsPerUnit)
        try c.encodeIfPresent(bigTicket, forKey: .bigTicket)
        try c.encode(combine, forKey: .combine)
        try c.encode(multipliers, forKey: .multipliers)
    }
}

public struct BigTicketBonus: Codable, Sendable, Equatable {
    public var minBasePoints: Int64
    public var bonusPoints: Int64
    public init(minBasePoints: Int64, bonusPoints: Int64) {
        self.minBasePoints = minBasePoints
        self.bonusPoints = bonusPoints
    }
}

/// A points multiplier that applies when every condition it names holds.
public struct MultiplierRule: Codable, Sendable, Equatable {
    public var name: String
    public var factorPermille: Int
    /// ISO weekdays (1 = Monday … 7 = Sunday).
    public var weekdays: [Int]?
    /// Calendar months (1…12), e.g. the slow season February–April.
    public var months: [Int]?
    /// Inclusive business-date range.
    public var from: LocalDate?
    public var to: LocalDate?
    /// On the member's birthday.
    public var birthday: Bool?
    /// For the first N member purchases of a business day in a mall.
    public var firstMemberPurchasesOfDay: Int?
    /// Only on the programme's VIP-week days (`vipWeek` section).
    public var vipWeekOnly: Bool?
    /// The programme's VIP week, set when the programme is decoded; nil means the default week.
    public var vipWeekPolicy: VIPWeekPolicy? = nil

    public init(name: String, factorPermille: Int, weekdays: [Int]? = nil, months: [Int]? = nil, from: LocalDate? = nil,
                to: LocalDate? = nil, birthday: Bool? = nil, firstMemberPurchasesOfDay: Int? = nil, vipWeekOnly: Bool? = nil) {
        self.vipWeekOnly = vipWeekOnly
        self.name = name
        self.factorPermille = factorPermille
        self.weekdays = weekdays
        self.months = months
        self.from = from
        self.to = to
        self.birthday = birthday
        self.firstMemberPurchasesOfDay = firstMemberPurchasesOfDay
    }

    enum CodingKeys: String, CodingKey { case name, factor, weekdays, months, from, to, birthday, firstMemberPurchasesOfDay, vipWeekOnly }
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        factorPermille = try c.decode(FactorValue.self, forKey: .factor).permille
        weekdays = try c.decodeIfPresent([Int].self, forKey: .weekdays)
        months = try c.decodeIfPresent([Int].self, forKey: .months)
        from = try c.decodeIfPresent(LocalDate.self, forKey: .from)
        to = try c.decodeIfPresent(LocalDate.self, forKey: .to)
        birthday = try c.decodeIfPresent(Bool.self, forKey: .birthday)
        firstMemberPurchasesOfDay = try c.decodeIfPresent(Int.self, forKey: .firstMemberPurchasesOfDay)
        vipWeekOnly = try c.decodeIfPresent(Bool.self, forKey: .vipWeekOnly)
    }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(FactorValue(permille: factorPermille), forKey: .factor)
        try c.encodeIfPresent(weekdays, forKey: .weekdays)
        try c.encodeIfPresent(months, forKey: .months)
        try c.encodeIfPresent(from, forKey: .from)
        try c.encodeIfPresent(to, forKey: .to)
        try c.encodeIfPresent(birthday, forKey: .birthday)
        try c.encodeIfPresent(firstMemberPurchasesOfDay, forKey: .firstMemberPurchasesOfDay)
        try c.encodeIfPresent(vipWeekOnly, forKey: .vipWeekOnly)
    }

    /// Whether the rule needs the day's member-purchase ordinal (the store only counts when some rule does).
    public var needsDayOrdinal: Bool { firstMemberPurchasesOfDay != nil }
}
