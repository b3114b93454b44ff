/// Points expiry (programme `pointsExpiry`, docs/domain.md §4). A member's points are kept in lots by the calendar
/// year they were credited; consumption takes the oldest lots first, so what a year's lot still holds when the year
/// lapses is what expires.
///
/// What each `points_ledger.kind` does here (writers elsewhere must keep to it):
///
/// | kind              | sign | effect                                                                            |
/// |-------------------|------|-----------------------------------------------------------------------------------|
/// | `earn`            |  +   | credit, in the year of the purchase's business day (`purchase_id`)                |
/// | `reverse`         |  −   | refund clawback: reduces the credit of the ORIGINAL purchase's year (`purchase_id`) |
/// | `adjust`          |  ±   | + credit in the year it was entered; − consumption                                |
/// | `redeem`          |  −   | consumption                                                                       |
/// | `redeemVoid`      |  +   | gives a consumption back                                                          |
/// | `expire`          |  −   | consumption (written by the expiry job)                                           |
/// | `referral`        |  +   | credit in the year of the reward                                                  |
/// | `referralReverse` |  −   | reduces the referral credit's year (its note ends `referral:<id>`)                |
/// | anything else     |  ±   | + credit in the year it was entered; − consumption                                |
///
/// A row carrying a `purchase_id` is dated by that purchase's business day, any other by its own time.
public enum PointsLedgerEffect: Equatable, Sendable {
    /// Changes the credit of one year (a negative amount takes credit back).
    case credit
    /// Spends points (a positive amount gives spending back).
    case consumption

    public static func of(kind: String, points: Int64) -> PointsLedgerEffect {
        guard let kind = LedgerKind(rawValue: kind) else { return points > 0 ? .credit : .consumption }
        return of(kind: kind, points: points)
    }

    /// Exhaustive on purpose: a new `LedgerKind` must say here how it counts for expiry.
    public static func of(kind: LedgerKind, points: Int64) -> PointsLedgerEffect {
        switch kind {
        case .earn, .reverse, .referral, .referralReverse, .checkIn, .survey, .profile: .credit
        case .redeem, .redeemVoid, .expire: .consumption
        case .adjust, .import: points > 0 ? .credit : .consumption
        }
    }
}

/// A member's ledger summarised for expiry: net credit per year and total consumption so far (including earlier
/// expiries).
public struct PointsLots: Sendable, Equatable {
    public private(set) var credits: [Int: Int64]
    public private(set) var consumed: Int64

    public init(credits: [Int: Int64] = [:], consumed: Int64 = 0) {
        self.credits = credits
        self.consumed = consumed
    }

    /// Adds a ledger row (or the sum of rows of one kind, sign and year): `year` is the credit year of the row as the
    /// table above defines it.
    public mutating func add(kind: String, points: Int64, year: Int) {
        switch PointsLedgerEffect.of(kind: kind, points: points) {
        case .credit: credits[year, default: 0] += points
        case .consumption: consumed -= points
        }
    }

    public var balance: Int64 { credits.values.reduce(0, +) - consumed }

    /// Points credited in `year` or earlier that consumption has not yet used: what lapses at the end of `year`'s
    /// validity if nothing else happens.
    public func expiring(through year: Int) -> Int64 {
        max(0, credits.filter { $0.key <= year }.values.reduce(0, +) - consumed)
    }

    /// What each year's lot still holds, oldest first; years with nothing left are omitted.
    public func lots() -> [(year: Int, points: Int64)] {
        var out: [(year: Int, points: Int64)] = []
        var before: Int64 = 0
        for y in credits.keys.sorted() {
            let e = expiring(through: y)
            if e > before {
                out.append((y, e - before))
                before = e
            }
        }
        return out
    }

    /// The `expire` rows due: one per credit year up to `lapsedYear` not in `done`, oldest first, each counting the
    /// ones before it as consumption. Never more in total than `balance` (the member's stored balance), so a balance
    /// cannot go below zero.
    public func expiryPlan(through lapsedYear: Int, done: Set<Int> = [], balance: Int64) -> [(year: Int, points: Int64)] {
        var lots = self
        var left = max(0, balance)
        var out: [(year: Int, points: Int64)] = []
        for y in credits.keys.sorted() where y <= lapsedYear && !done.contains(y) {
            let e = min(lots.expiring(through: y), left)
            guard e > 0 else { continue }
            out.append((y, e))
            lots.consumed += e
            left -= e
        }
        return out
    }
}

extension ExpiryPolicy {
    /// The last day points credited in `year` are valid (31 Dec of `year + keepYears`); nil when points never expire.
    public func lastValidDay(ofYear year: Int) -> LocalDate? {
        mode == .none ? nil : LocalDate(year: year + keepYears, month: 12, day: 31)
    }

    /// The latest credit year whose points have lapsed by `day`: on 2027-01-01 with `keepYears: 1`, 2025.
    public func lapsedYear(on day: LocalDate) -> Int? {
        mode == .none ? nil : day.year - keepYears - 1
    }

    /// The latest credit year whose last valid day is on or before `day`.
    public func lastYearValidUntil(_ day: LocalDate) -> Int? {
        guard mode != .none else { return nil }
        return day.year - keepYears - (day.month == 12 && day.day == 31 ? 0 : 1)
    }
}
