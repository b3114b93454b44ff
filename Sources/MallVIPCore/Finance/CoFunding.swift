/// Tenant co-funding statements (issue 20, docs/finance.md "Tenant co-funding"): pure arithmetic, no SQL. The store
/// reads one month's points movements per purchase, the purchase's lines per counter and the redemptions each
/// counter supplied; this turns them into one statement row per counter.
///
/// Figures of a counter for a month:
/// - points issued = its part of every `earn` ledger row of the month, less its part of every `reverse` row
///   (a purchase's points are apportioned over its counters by their eligible amount — lines that earn points —
///   a reversal by the eligible amount refunded at each counter; largest remainder, so the parts add up to the
///   ledger row exactly);
/// - cost = points issued × value of 1,000 points ÷ 1,000;
/// - funding = points issued × value ÷ 1,000 × share ‰ ÷ 1,000 (computed once from the points, not from the
///   rounded cost);
/// - supplied = the cost of the redemptions it supplied gifts to (what the mall owes it, as in the gift settlement);
/// - net = funding − supplied. Positive: the counter pays the mall; negative: the mall pays the counter.
/// Rounding: to the fen as `finance.rounding` says (half up = away from zero, so a reversal's negative cost rounds like
/// the earning it undoes; or half even).
public enum CoFunding {
    /// One purchase's lines at one counter.
    public struct LineFacts: Sendable, Equatable {
        public var purchaseId: Int64
        public var counterId: Int64
        /// Amount of its lines that earn points.
        public var eligibleFen: Int64
        /// Of that, refunded so far.
        public var refundedEligibleFen: Int64
        public init(purchaseId: Int64, counterId: Int64, eligibleFen: Int64, refundedEligibleFen: Int64) {
            self.purchaseId = purchaseId
            self.counterId = counterId
            self.eligibleFen = eligibleFen
            self.refundedEligibleFen = refundedEligibleFen
        }
    }

    /// A purchase's points movements in the month: `earned` ≥ 0 (sum of its `earn` rows), `reversed` ≥ 0 (minus the
    /// sum of its `reverse` rows).
    public struct PurchasePoints: Sendable, Equatable {
        public var purchaseId: Int64
        public var earned: Int64
        public var reversed: Int64
        public init(purchaseId: Int64, earned: Int64, reversed: Int64) {
            self.purchaseId = purchaseId
            self.earned = earned
            self.reversed = reversed
        }
    }

    /// A counter's statement for the month. `counterId` nil: points of purchases with no line to apportion them to
    /// (kept so the statement's total ties to the ledger).
    public struct Row: Sendable, Equatable {
        public var counterId: Int64?
        public var pointsEarned: Int64 = 0
        public var pointsReversed: Int64 = 0
        public var sharePermille: Int = 0
        public var costFen: Int64 = 0
        public var fundingFen: Int64 = 0
        public var redemptions: Int = 0
        public var suppliedFen: Int64 = 0
        public var pointsIssued: Int64 { pointsEarned - pointsReversed }
        /// Funding owed less the gifts supplied: positive, the counter pays the mall; negative, the mall pays it.
        public var netFen: Int64 { fundingFen - suppliedFen }
        public init(counterId: Int64?) { self.counterId = counterId }
    }

    /// `points` split over `weights` (key, weight ≥ 0) in proportion, by largest remainder: each part is the floor
    /// of its exact share, and the points left over go one each to the largest remainders (ties: the smaller key).
    /// The parts add up to `points`. No positive weight: empty (the caller keeps the points unattributed).
    public static func apportion(_ points: Int64, weights: [(key: Int64, weight: Int64)]) -> [Int64: Int64] {
        let positive = weights.filter { $0.weight > 0 }
        let total = positive.reduce(Int128(0)) { $0 + Int128($1.weight) }
        guard total > 0, points != 0 else { return [:] }
        let sign: Int128 = points < 0 ? -1 : 1
        let p = Int128(points) * sign
        var parts: [(key: Int64, floor: Int128, rem: Int128)] = positive.map {
            let exact = p * Int128($0.weight)
            return ($0.key, exact / total, exact % total)
        }
        var left = p - parts.reduce(Int128(0)) { $0 + $1.floor }
        let order = parts.indices.sorted { parts[$0].rem != parts[$1].rem ? parts[$0].rem > parts[$1].rem : parts[$0].key < parts[$1].key }
        for i in order where left > 0 {
            parts[i].floor += 1
            left -= 1
        }
        var out: [Int64: Int64] = [:]
        for part in parts { out[part.key, default: 0] += Int64(part.floor * sign) }
        return out
    }

    /// Cost in fen of `points` at `fenPerThousand` per 1,000 points.
    public static func costFen(points: Int64, fenPerThousand: Int64, rounding: FinanceRounding) -> Int64 {
        rounding.mulDiv(points, fenPerThousand, 1000)
    }

    /// The counter's share of that cost, from the points (one rounding). value ≤ 10⁸ fen and share ≤ 1000 keep
    /// value × share within Int64; `mulDiv` keeps points × that exact.
    public static func fundingFen(points: Int64, fenPerThousand: Int64, sharePermille: Int, rounding: FinanceRounding) -> Int64 {
        rounding.mulDiv(points, Saturating.multiply(fenPerThousand, Int64(sharePermille)), 1_000_000)
    }

    /// Points issued per counter in the month: each purchase's earned points apportioned by its counters' eligible
    /// amounts, its reversed points by their refunded eligible amounts (by eligible amounts if nothing refunded is
    /// recorded). Key nil: no line to apportion to.
    public static func pointsByCounter(_ movements: [PurchasePoints], lines: [LineFacts]) -> [Int64?: (earned: Int64, reversed: Int64)] {
        let byPurchase = Dictionary(grouping: lines, by: \.purchaseId)
        var out: [Int64?: (earned: Int64, reversed: Int64)] = [:]
        func add(_ key: Int64?, earned: Int64 = 0, reversed: Int64 = 0) {
            let old = out[key] ?? (0, 0)
            out[key] = (old.earned + earned, old.reversed + reversed)
        }
        for m in movements {
            let own = byPurchase[m.purchaseId] ?? []
            let eligible = own.map { (key: $0.counterId, weight: $0.eligibleFen) }
            if m.earned != 0 {
                let parts = apportion(m.earned, weights: eligible)
                if parts.isEmpty { add(nil, earned: m.earned) }
                for (k, v) in parts { add(k, earned: v) }
            }
            if m.reversed != 0 {
                var parts = apportion(m.reversed, weights: own.map { (key: $0.counterId, weight: $0.refundedEligibleFen) })
                if parts.isEmpty { parts = apportion(m.reversed, weights: eligible) }
                if parts.isEmpty { add(nil, reversed: m.reversed) }
                for (k, v) in parts { add(k, reversed: v) }
            }
        }
        return out
    }

    /// The month's statement: one row per counter that issued points or supplied a redemption, ordered by counter id
    /// (the unattributed row, if any, last). `share` gives a counter's share ‰ (the policy by its code);
    /// `supplied` holds per supplying counter the number of redemptions and their cost in fen.
    public static func statement(movements: [PurchasePoints], lines: [LineFacts], supplied: [Int64: (count: Int, costFen: Int64)],
                                 fenPerThousand: Int64, rounding: FinanceRounding, share: (Int64) -> Int) -> [Row] {
        var rows: [Int64?: Row] = [:]
        for (key, p) in pointsByCounter(movements, lines: lines) {
            var r = Row(counterId: key)
            r.pointsEarned = p.earned
            r.pointsReversed = p.reversed
            rows[key] = r
        }
        for (counter, s) in supplied {
            var r = rows[counter] ?? Row(counterId: counter)
            r.redemptions = s.count
            r.suppliedFen = s.costFen
            rows[counter] = r
        }
        for key in Array(rows.keys) {
            guard var r = rows[key] else { continue }
            r.sharePermille = key.map(share) ?? 0
            r.costFen = costFen(points: r.pointsIssued, fenPerThousand: fenPerThousand, rounding: rounding)
            r.fundingFen = fundingFen(points: r.pointsIssued, fenPerThousand: fenPerThousand, sharePermille: r.sharePermille, rounding: rounding)
            rows[key] = r
        }
        return rows.values.sorted { a, b in
            switch (a.counterId, b.counterId) {
            case let (x?, y?): x < y
            case (.some, nil): true
            default: false
            }
        }
    }
}
