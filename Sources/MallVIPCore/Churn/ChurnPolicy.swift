/// Churn warning and care tasks (docs/domain.md §9.1 birthday cakes, docs/domain.md §10 churn and lapsing cards): who counts as
/// an important member, when one is flagged for a call-back, and the target the churn rate is measured against.
public struct ChurnPolicy: Codable, Sendable, Equatable {
    /// Full calendar months without a purchase before a call-back: last purchase 10 Jan → flagged from 11 Apr.
    public var inactiveMonths: Int
    /// Tier codes whose members get churn call-backs and count in the churn rate; empty = the top three tiers.
    public var importantTiers: [String]
    /// A purchase within this many days of closing the call counts the member as won back.
    public var wonBackDays: Int
    /// Churn rate to stay under, per mille (50 = 5%).
    public var targetRatePermille: Int
    /// Birthday cake and flowers for this many members of the month's birthdays, most points first.
    public var birthdayTopN: Int
    /// A card is about to lapse after this many months without a purchase (the card-validity rule is the mall's).
    public var lapseMonths: Int
    /// Days a generated task has before it counts as overdue.
    public var dueDays: Int

    public init(inactiveMonths: Int = 3, importantTiers: [String] = [], wonBackDays: Int = 30, targetRatePermille: Int = 50,
                birthdayTopN: Int = 10, lapseMonths: Int = 11, dueDays: Int = 7) {
        self.inactiveMonths = inactiveMonths
        self.importantTiers = importantTiers
        self.wonBackDays = wonBackDays
        self.targetRatePermille = targetRatePermille
        self.birthdayTopN = birthdayTopN
        self.lapseMonths = lapseMonths
        self.dueDays = dueDays
    }

    enum CodingKeys: String, CodingKey { case inactiveMonths, importantTiers, wonBackDays, targetRate, birthdayTopN, lapseMonths, dueDays }
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = ChurnPolicy()
        inactiveMonths = try c.decodeIfPresent(Int.self, forKey: .inactiveMonths) ?? d.inactiveMonths
        importantTiers = try c.decodeIfPresent([String].self, forKey: .importantTiers) ?? d.importantTiers
        wonBackDays = try c.decodeIfPresent(Int.self, forKey: .wonBackDays) ?? d.wonBackDays
        targetRatePermille = try c.decodeIfPresent(PercentValue.self, forKey: .targetRate)?.permille ?? d.targetRatePermille
        birthdayTopN = try c.decodeIfPresent(Int.self, forKey: .birthdayTopN) ?? d.birthdayTopN
        lapseMonths = try c.decodeIfPresent(Int.self, forKey: .lapseMonths) ?? d.lapseMonths
        dueDays = try c.decodeIfPresent(Int.self, forKey: .dueDays) ?? d.dueDays
    }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(inactiveMonths, forKey: .inactiveMonths)
        try c.encode(importantTiers, forKey: .importantTiers)
        try c.encode(wonBackDays, forKey: .wonBackDays)
        try c.encode(PercentValue(permille: targetRatePermille), forKey: .targetRate)
        try c.encode(birthdayTopN, forKey: .birthdayTopN)
        try c.encode(lapseMonths, forKey: .lapseMonths)
        try c.encode(dueDays, forKey: .dueDays)
    }

    /// The earliest last purchase that still leaves a member active on `today`: anything before it means
    /// `inactiveMonths` full calendar months have passed (10 Jan is before 11 Jan, so flagged on 11 Apr, not 10 Apr).
    public func lastActiveDay(checkedOn today: LocalDate) -> LocalDate {
        today.adding(months: -inactiveMonths)
    }

    /// Whether a member whose last purchase was `last` is flagged on `today`.
    public func isInactive(lastPurchase last: LocalDate, checkedOn today: LocalDate) -> Bool {
        last < lastActiveDay(checkedOn: today)
    }

    /// The calendar month (its first day) whose last purchases make up the lapse list of `day`'s month: with
    /// `lapseMonths` 11, December's list holds the cards last used in January. Month-aligned, so every card lands
    /// on exactly one list whichever day of the month the list is drawn.
    public func lapseSourceMonth(listedOn day: LocalDate) -> LocalDate {
        LocalDate(year: day.year, month: day.month, day: 1).adding(months: -lapseMonths)
    }
}

extension Programme {
    /// The important tiers' codes: the configured list, or the three highest tiers.
    public var importantTierCodes: [String] {
        churn.importantTiers.isEmpty ? tiers.suffix(3).map(\.code) : churn.importantTiers
    }
}
