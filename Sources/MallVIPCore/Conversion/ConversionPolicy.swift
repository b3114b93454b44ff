/// Regular-customer conversion (主顾客转化, docs/domain.md §9.3): counters register non-members who shop often; a
/// registered customer is worth inviting in a month with purchases on `minPurchaseDays` different days, or with
/// `minMonthSpend` in total. Each week the department with the most conversions wins `weeklyReward`.
public struct ConversionPolicy: Codable, Sendable, Equatable {
    /// Different business days with a purchase in one calendar month (several purchases on a day count once).
    public var minPurchaseDays: Int
    /// Net spend in one calendar month that is enough on its own.
    public var minMonthSpendFen: Int64
    public var weeklyRewardText: String
    /// What the weekly reward costs, booked with the award.
    public var weeklyRewardFen: Int64
    /// ISO weekday the ranking week starts on: 1 = Monday … 7 = Sunday.
    public var weekStartsOn: Int

    public init(minPurchaseDays: Int = 2, minMonthSpendFen: Int64 = 50_000, weeklyRewardText: String = "50元零食大礼包",
                weeklyRewardFen: Int64 = 5_000, weekStartsOn: Int = 1) {
        self.minPurchaseDays = minPurchaseDays
        self.minMonthSpendFen = minMonthSpendFen
        self.weeklyRewardText = weeklyRewardText
        self.weeklyRewardFen = weeklyRewardFen
        self.weekStartsOn = weekStartsOn
    }

    enum CodingKeys: String, CodingKey { case minPurchaseDays, minMonthSpend, weeklyRewardText, weeklyReward, weekStartsOn }
    public init(from decoder: Decoder) throws {
        let d = ConversionPolicy()
        let c = try decoder.container(keyedBy: CodingKeys.self)
        minPurchaseDays = try c.decodeIfPresent(Int.self, forKey: .minPurchaseDays) ?? d.minPurchaseDays
        minMonthSpendFen = try c.decodeIfPresent(YuanValue.self, forKey: .minMonthSpend)?.fen ?? d.minMonthSpendFen
        weeklyRewardText = try c.decodeIfPresent(String.self, forKey: .weeklyRewardText) ?? d.weeklyRewardText
        weeklyRewardFen = try c.decodeIfPresent(YuanValue.self, forKey: .weeklyReward)?.fen ?? d.weeklyRewardFen
        weekStartsOn = try c.decodeIfPresent(Int.self, forKey: .weekStartsOn) ?? d.weekStartsOn
    }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(minPurchaseDays, forKey: .minPurchaseDays)
        try c.encode(YuanValue(fen: minMonthSpendFen), forKey: .minMonthSpend)
        try c.encode(weeklyRewardText, forKey: .weeklyRewardText)
        try c.encode(YuanValue(fen: weeklyRewardFen), forKey: .weeklyReward)
        try c.encode(weekStartsOn, forKey: .weekStartsOn)
    }
}

/// One purchase matched to a registered customer by phone; `netFen` is after refunds.
public struct ProspectPurchase: Sendable, Equatable {
    public var day: LocalDate
    public var netFen: Int64
    public init(day: LocalDate, netFen: Int64) { self.day = day; self.netFen = netFen }
}

/// How a registered customer's month measures against the invite rule.
public struct InviteAssessment: Sendable, Equatable {
    public var purchaseDays: Int
    public var spendFen: Int64
    public var byDays: Bool
    public var bySpend: Bool
    public var invite: Bool { byDays || bySpend }
}

extension ConversionPolicy {
    /// The invite rule for the calendar month `year`-`month`; purchases outside it are ignored, and a purchase
    /// refunded in full is no purchase day.
    public func assess(_ purchases: [ProspectPurchase], year: Int, month: Int) -> InviteAssessment {
        let inMonth = purchases.filter { $0.day.year == year && $0.day.month == month }
        let days = Set(inMonth.filter { $0.netFen > 0 }.map(\.day)).count
        let spend = inMonth.reduce(Int64(0)) { $0 + $1.netFen }
        return InviteAssessment(purchaseDays: days, spendFen: spend, byDays: days >= minPurchaseDays,
                                bySpend: spend >= minMonthSpendFen)
    }

    /// First day of the ranking week holding `day`.
    public func weekStart(of day: LocalDate) -> LocalDate {
        day.adding(days: -((day.weekday - weekStartsOn + 7) % 7))
    }

    func validate(_ add: (String, String) -> Void) {
        if minPurchaseDays < 1 { add("conversion.minPurchaseDays", "must be at least 1") }
        if minMonthSpendFen <= 0 { add("conversion.minMonthSpend", "must be more than 0") }
        if weeklyRewardFen < 0 { add("conversion.weeklyReward", "must not be negative") }
        if weeklyRewardText.trimmingCharacters(in: .whitespaces).isEmpty { add("conversion.weeklyRewardText", "must not be empty") }
        if !(1...7).contains(weekStartsOn) { add("conversion.weekStartsOn", "must be 1 (Monday) to 7 (Sunday)") }
    }
}

/// One department's conversions in a ranking week.
public struct DepartmentConversions: Sendable, Equatable {
    public var departmentId: Int64
    public var code: String
    public var name: String
    public var conversions: Int
    /// When the department reached its count (its latest conversion), for breaking ties.
    public var lastConversionAtMs: Int64?
    public init(departmentId: Int64, code: String, name: String, conversions: Int, lastConversionAtMs: Int64?) {
        self.departmentId = departmentId
        self.code = code
        self.name = name
        self.conversions = conversions
        self.lastConversionAtMs = lastConversionAtMs
    }
}

public enum ConversionRanking {
    /// Most conversions first; on a tie, the department that got there first, then by code.
    public static func ranked(_ rows: [DepartmentConversions]) -> [DepartmentConversions] {
        rows.sorted {
            if $0.conversions != $1.conversions { return $0.conversions > $1.conversions }
            let a = $0.lastConversionAtMs ?? .max, b = $1.lastConversionAtMs ?? .max
            if a != b { return a < b }
            return $0.code < $1.code
        }
    }

    /// The week's winner; nobody wins a week without conversions.
    public static func winner(_ rows: [DepartmentConversions]) -> DepartmentConversions? {
        ranked(rows).first.flatMap { $0.conversions > 0 ? $0 : nil }
    }
}
