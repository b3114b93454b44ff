/// One maintainer's month (docs/domain.md §9.1): how often their members bought, how their spend moved against the
/// same month a year earlier, and how many kept their tier.
public struct ManagerKPI: Sendable, Equatable {
    public var staffId: Int64
    public var name: String
    /// Members looked after at the end of the month (or today, for the month in progress).
    public var members: Int
    /// Those members' purchases in the month; a purchase refunded in full is no transaction.
    public var purchases: Int
    public var spendFen: Int64
    /// The same members' spend in the same month a year earlier.
    public var spendLastYearFen: Int64
    /// Members whose tier did not go down during the month.
    public var keptInTier: Int
    /// Calls, visits, gifts… the maintainer logged in the month: the activity the monthly meeting reviews.
    public var contacts: Int

    public init(staffId: Int64, name: String, members: Int, purchases: Int, spendFen: Int64, spendLastYearFen: Int64, keptInTier: Int,
                contacts: Int = 0) {
        self.staffId = staffId
        self.name = name
        self.members = members
        self.purchases = purchases
        self.spendFen = spendFen
        self.spendLastYearFen = spendLastYearFen
        self.keptInTier = keptInTier
        self.contacts = contacts
    }

    /// Purchases per member in hundredths (3.0 → 300), for display; ranking compares exactly.
    public var purchasesPerMemberCents: Int { members == 0 ? 0 : Int(Saturating.multiply(Int64(purchases), 100) / Int64(members)) }

    /// Spend change against last year in per mille (+250 = +25%); nil when there was nothing to compare with.
    public var spendChangePermille: Int? {
        spendLastYearFen == 0 ? nil : Int(max(Saturating.divide(Saturating.multiply(Saturating.subtract(spendFen, spendLastYearFen), 1000), spendLastYearFen), -Int64.max))
    }

    /// Whether `self` has the higher average: 15/5 = 3.0 beats 20/8 = 2.5. Compared by cross-multiplying, so
    /// no rounding decides a winner; a tie goes to more purchases, then to the earlier staff id (stable).
    public func ranksAbove(_ other: ManagerKPI) -> Bool {
        let mine = Saturating.multiply(Int64(purchases), Int64(other.members)), theirs = Saturating.multiply(Int64(other.purchases), Int64(members))
        if mine != theirs { return mine > theirs }
        if purchases != other.purchases { return purchases > other.purchases }
        return staffId < other.staffId
    }

    /// Maintainers with members, best first.
    public static func ranked(_ kpis: [ManagerKPI]) -> [ManagerKPI] {
        kpis.filter { $0.members > 0 }.sorted { $0.ranksAbove($1) }
    }

    /// The month's winner: the best average, provided someone bought at all.
    public static func winner(_ kpis: [ManagerKPI]) -> ManagerKPI? {
        ranked(kpis).first.flatMap { $0.purchases > 0 ? $0 : nil }
    }
}
