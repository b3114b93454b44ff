import Foundation

/// What one member of a campaign group did in the measurement window: purchase days and spend net of refunds.
public struct MemberOutcome: Sendable, Equatable {
    public var spendFen: Int64
    public var visits: Int
    public init(spendFen: Int64, visits: Int) {
        self.spendFen = spendFen
        self.visits = visits
    }
}

/// One side of the comparison (treated or holdout).
public struct GroupSummary: Sendable, Equatable {
    public var members: Int
    public var visits: Int
    public var spendFen: Int64
    /// Spend per member, fen rounded half away from zero; nil for an empty group.
    public var spendPerMemberFen: Int64?

    public init(_ outcomes: [MemberOutcome]) {
        members = outcomes.count
        visits = outcomes.reduce(0) { $0 + $1.visits }
        spendFen = outcomes.reduce(0) { $0 + $1.spendFen }
        spendPerMemberFen = members == 0 ? nil : Uplift.roundedDivision(spendFen, Int64(members))
    }

    /// Visits per member for display (a ratio, not money).
    public var visitsPerMember: Double? { members == 0 ? nil : Double(visits) / Double(members) }
}

/// A campaign's result against its control group (docs/domain.md §12: "VIP response to each campaign", ROI positive).
/// The uplift is the difference of the mean spend per member, treated − holdout; its 95% confidence interval is
/// Welch's (unequal variances, normal approximation): difference ± 1.96 × √(s₁²/n₁ + s₂²/n₂). Money stays in fen:
/// Double is used only for the variance and the interval's half-width, which are rounded back to fen.
public struct UpliftReport: Sendable, Equatable {
    public var treated: GroupSummary
    public var holdout: GroupSummary
    /// Mean spend per member, treated − holdout, fen rounded; nil when either group is empty.
    public var upliftPerMemberFen: Int64?
    /// Half-width of the 95% interval in fen; nil when either group has fewer than two members (no variance).
    public var ciHalfWidthFen: Int64?
    /// Incremental spend = exact uplift × treated members, fen rounded; nil without an uplift.
    public var incrementalSpendFen: Int64?
    public var costFen: Int64
    public var marginPermille: Int
    /// ROI = (incremental spend × margin − cost) ÷ cost, per mille rounded (1500 = 150%); nil when the cost is 0
    /// or there is no uplift.
    public var roiPermille: Int64?

    public var ciLowFen: Int64? { both(upliftPerMemberFen, ciHalfWidthFen).map { Saturating.subtract($0, $1) } }
    public var ciHighFen: Int64? { both(upliftPerMemberFen, ciHalfWidthFen).map { Saturating.add($0, $1) } }
    /// Incremental spend × margin (the gross profit the campaign brought), fen rounded.
    public var incrementalMarginFen: Int64? { incrementalSpendFen.map { Uplift.roundedDivision(Saturating.multiply($0, Int64(marginPermille)), 1000) } }
    /// Whether the interval excludes zero: the difference is unlikely to be chance at the 5% level.
    public var significant: Bool? {
        guard let low = ciLowFen, let high = ciHighFen else { return nil }
        return low > 0 || high < 0
    }
}

private func both(_ a: Int64?, _ b: Int64?) -> (Int64, Int64)? {
    guard let a, let b else { return nil }
    return (a, b)
}

public enum Uplift {
    /// The z value of a two-sided 95% interval.
    public static let z95 = 1.96

    public static func report(treated: [MemberOutcome], holdout: [MemberOutcome], costFen: Int64, marginPermille: Int) -> UpliftReport {
        let t = GroupSummary(treated), h = GroupSummary(holdout)
        var r = UpliftReport(treated: t, holdout: h, upliftPerMemberFen: nil, ciHalfWidthFen: nil, incrementalSpendFen: nil,
                             costFen: costFen, marginPermille: marginPermille, roiPermille: nil)
        guard t.members > 0, h.members > 0 else { return r }
        let n1 = Int64(t.members), n2 = Int64(h.members)
        // Exact difference of means as one fraction, (S₁·n₂ − S₂·n₁) / (n₁·n₂), so that rounding happens once.
        if let a = mul(t.spendFen, n2), let b = mul(h.spendFen, n1), let num = sub(a, b), let den = mul(n1, n2) {
            r.upliftPerMemberFen = roundedDivision(num, den)
            r.incrementalSpendFen = roundedDivision(num, n2)
        } else {
            // Only for sums beyond any mall's turnover: the fraction overflows Int64.
            let diff = Double(t.spendFen) / Double(n1) - Double(h.spendFen) / Double(n2)
            r.upliftPerMemberFen = Int64(diff.rounded())
            r.incrementalSpendFen = Int64((diff * Double(n1)).rounded())
        }
        if t.members >= 2, h.members >= 2 {
            let se = (sampleVariance(treated) / Double(n1) + sampleVariance(holdout) / Double(n2)).squareRoot()
            r.ciHalfWidthFen = Int64((z95 * se).rounded())
        }
        if costFen > 0, let gain = r.incrementalMarginFen {
            r.roiPermille = roundedDivision(Saturating.multiply(Saturating.subtract(gain, costFen), 1000), costFen)
        }
        return r
    }

    /// Sample variance (n − 1 in the denominator) of spend, fen².
    static func sampleVariance(_ xs: [MemberOutcome]) -> Double {
        guard xs.count >= 2 else { return 0 }
        let mean = xs.reduce(0.0) { $0 + Double($1.spendFen) } / Double(xs.count)
        let squares = xs.reduce(0.0) { acc, x in
            let d = Double(x.spendFen) - mean
            return acc + d * d
        }
        return squares / Double(xs.count - 1)
    }

    /// n ÷ d rounded half away from zero (d > 0).
    public static func roundedDivision(_ n: Int64, _ d: Int64) -> Int64 {
        precondition(d > 0)
        let q = n / d, r = n % d
        guard 2 * r.magnitude >= d.magnitude else { return q }
        return n < 0 ? q - 1 : q + 1
    }

    private static func mul(_ a: Int64, _ b: Int64) -> Int64? {
        let (v, o) = a.multipliedReportingOverflow(by: b)
        return o ? nil : v
    }

    private static func sub(_ a: Int64, _ b: Int64) -> Int64? {
        let (v, o) = a.subtractingReportingOverflow(b)
        return o ? nil : v
    }
}
