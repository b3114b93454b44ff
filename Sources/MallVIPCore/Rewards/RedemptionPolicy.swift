/// How points are spent (docs/domain.md §5): whether redeeming deducts points (docs/domain.md C9), the ladder rules that price an
/// item by its list price instead of a fixed points price, the named date windows items may be limited to (the
/// monthly VIP week, the November anniversary) and what a point is worth for the finance liability figure.
/// Catalogue items themselves (stock, prices, limits) live in the database and are managed in the console.
public struct RedemptionPolicy: Codable, Sendable, Equatable {
    /// `deduct`: a redemption takes the points (成都 "扣除"). `milestone`: reaching the points is enough and nothing
    /// is taken (南亞 "積滿…可任選"); the ledger still records a zero-point `redeem` row.
    public enum Mode: String, Codable, Sendable { case deduct, milestone }
    public var mode: Mode
    /// Value of 1,000 points in fen, for the liability report (1,000 points = 10 yuan at Chengdu's 500 → 5 yuan).
    public var fenPerThousandPoints: Int64
    public var ladders: [RedemptionLadder]
    public var windows: [RedemptionWindow]
    /// Lottery eligibility (docs/domain.md §5: a balance ending in "8"): the last digit, 0–9 (`LotteryRule`).
    public var lotteryDigit: Int = LotteryRule.defaultDigit
    /// Stock at or below which the console home lists a catalogue item as running low (0 = only when none is left).
    public var lowStockThreshold: Int64 = 10
    /// The most catalogue items the member's handbook (/m/programme, the desk's A4 handbook) lists; the rest read "and
    /// N more at the service desk" (one printed page stays one page).
    public var handbookItems: Int = 30

    public init(mode: Mode = .deduct, fenPerThousandPoints: Int64 = 1_000, ladders: [RedemptionLadder] = [],
                windows: [RedemptionWindow] = []) {
        self.mode = mode
        self.fenPerThousandPoints = fenPerThousandPoints
        self.ladders = ladders
        self.windows = windows
    }

    enum CodingKeys: String, CodingKey { case mode, valuePerThousandPoints, ladders, windows, lotteryDigit, lowStockThreshold, handbookItems }
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        mode = try c.decodeIfPresent(Mode.self, forKey: .mode) ?? .deduct
        fenPerThousandPoints = try c.decodeIfPresent(YuanValue.self, forKey: .valuePerThousandPoints)?.fen ?? 1_000
        ladders = try c.decodeIfPresent([RedemptionLadder].self, forKey: .ladders) ?? []
        windows = try c.decodeIfPresent([RedemptionWindow].self, forKey: .windows) ?? []
        lotteryDigit = try c.decodeIfPresent(Int.self, forKey: .lotteryDigit) ?? LotteryRule.defaultDigit
        lowStockThreshold = try c.decodeIfPresent(Int64.self, forKey: .lowStockThreshold) ?? 10
        handbookItems = try c.decodeIfPresent(Int.self, forKey: .handbookItems) ?? 30
    }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(mode, forKey: .mode)
        try c.encode(YuanValue(fen: fenPerThousandPoints), forKey: .valuePerThousandPoints)
        try c.encode(ladders, forKey: .ladders)
        try c.encode(windows, forKey: .windows)
        try c.encode(lotteryDigit, forKey: .lotteryDigit)
        try c.encode(lowStockThreshold, forKey: .lowStockThreshold)
        try c.encode(handbookItems, forKey: .handbookItems)
    }

    public func ladder(_ code: String) -> RedemptionLadder? { ladders.first { $0.code == code } }
    public func window(_ code: String) -> RedemptionWindow? { windows.first { $0.code == code } }
}

/// 南亞 ladder: `minPoints` buys one item with a list price up to `baseCap`; each further `stepPoints` raises the cap
/// by `stepCap`. 1,000 → 200 yuan, 1,499 → 200, 1,500 → 400.
public struct RedemptionLadder: Codable, Sendable, Equatable {
    public var code: String
    public var name: LocalizedName
    public var minPoints: Int64
    public var baseCapFen: Int64
    public var stepPoints: Int64
    public var stepCapFen: Int64

    public init(code: String, name: LocalizedName, minPoints: Int64, baseCapFen: Int64, stepPoints: Int64, stepCapFen: Int64) {
        self.code = code
        self.name = name
        self.minPoints = minPoints
        self.baseCapFen = baseCapFen
        self.stepPoints = stepPoints
        self.stepCapFen = stepCapFen
    }

    enum CodingKeys: String, CodingKey { case code, name, minPoints, baseCap, stepPoints, stepCap }
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        code = try c.decode(String.self, forKey: .code)
        name = try c.decode(LocalizedName.self, forKey: .name)
        minPoints = try c.decode(Int64.self, forKey: .minPoints)
        baseCapFen = try c.decode(YuanValue.self, forKey: .baseCap).fen
        stepPoints = try c.decode(Int64.self, forKey: .stepPoints)
        stepCapFen = try c.decode(YuanValue.self, forKey: .stepCap).fen
    }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(code, forKey: .code)
        try c.encode(name, forKey: .name)
        try c.encode(minPoints, forKey: .minPoints)
        try c.encode(YuanValue(fen: baseCapFen), forKey: .baseCap)
        try c.encode(stepPoints, forKey: .stepPoints)
        try c.encode(YuanValue(fen: stepCapFen), forKey: .stepCap)
    }
}

/// A named stretch of the calendar items can be limited to. Days of the month (`fromDay`...`toDay`, inclusive) and/or
/// months; both empty means always.
public struct RedemptionWindow: Codable, Sendable, Equatable {
    public var code: String
    public var name: LocalizedName
    public var months: [Int]?
    public var fromDay: Int?
    public var toDay: Int?
    /// Only on the programme's VIP-week days (`vipWeek` section), on top of any months and days given.
    public var vipWeekOnly: Bool?
    /// The programme's VIP week, set when the programme is decoded; nil means the default week.
    public var vipWeekPolicy: VIPWeekPolicy? = nil

    enum CodingKeys: String, CodingKey { case code, name, months, fromDay, toDay, vipWeekOnly }

    public init(code: String, name: LocalizedName, months: [Int]? = nil, fromDay: Int? = nil, toDay: Int? = nil,
                vipWeekOnly: Bool? = nil) {
        self.code = code
        self.name = name
        self.months = months
        self.fromDay = fromDay
        self.toDay = toDay
        self.vipWeekOnly = vipWeekOnly
    }

    public func contains(_ day: LocalDate) -> Bool {
        if vipWeekOnly == true, !(vipWeekPolicy ?? VIPWeekPolicy()).contains(day) { return false }
        if let months, !months.contains(day.month) { return false }
        if let fromDay, day.day < fromDay { return false }
        if let toDay, day.day > toDay { return false }
        return true
    }
}
