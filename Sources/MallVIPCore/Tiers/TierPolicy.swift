/// Rolling spend of one member, by window length in months, each window ending on the same business date.
public struct RollingSpend: Sendable, Equatable {
    public var byMonths: [Int: Int64]
    public init(_ byMonths: [Int: Int64]) { self.byMonths = byMonths }
    public func spend(months: Int) -> Int64 { byMonths[months] ?? 0 }
}

/// Why a tier was reached: the window and amount that met the threshold.
public struct TierReason: Sendable, Equatable, Codable {
    public var months: Int
    public var spendFen: Int64
    public var thresholdFen: Int64
    public init(months: Int, spendFen: Int64, thresholdFen: Int64) {
        self.months = months
        self.spendFen = spendFen
        self.thresholdFen = thresholdFen
    }
}

public struct TierEvaluation: Sendable, Equatable {
    /// The highest tier reached automatically (no approval needed), never below `floor`.
    public var tier: String
    public var reason: TierReason?
    /// A higher tier whose thresholds are met but which needs a manager's approval.
    public var approvalCandidate: String?
    public var approvalReason: TierReason?
}

public struct TierProgress: Sendable, Equatable {
    public var nextTier: String
    public var shortfallFen: Int64
    public var months: Int
}

extension Programme {
    /// Window lengths the store must sum for tier decisions.
    public var tierWindows: [Int] {
        Array(Set(tiers.compactMap(\.upgrade).flatMap { $0.thresholds.map(\.months) })).sorted()
    }

    /// The reason `tier`'s rule is met by `spend`, or nil.
    public func reasonMet(_ tier: TierDefinition, _ spend: RollingSpend) -> TierReason? {
        guard let rule = tier.upgrade, !rule.thresholds.isEmpty else { return nil }
        let met = rule.thresholds.filter { spend.spend(months: $0.months) >= $0.minSpendFen }
        switch rule.match {
        case .any:
            guard let t = met.first else { return nil }
            return TierReason(months: t.months, spendFen: spend.spend(months: t.months), thresholdFen: t.minSpendFen)
        case .all:
            guard met.count == rule.thresholds.count, let t = met.last else { return nil }
            return TierReason(months: t.months, spendFen: spend.spend(months: t.months), thresholdFen: t.minSpendFen)
        }
    }

    /// What the spend earns. Automatic tiers at or below `floor` are kept (upgrades never lower a tier);
    /// the yearly review passes the entry tier as floor when downgrades are on.
    public func evaluateTier(spend: RollingSpend, floor: String) -> TierEvaluation {
        var best = rank(of: floor) ?? 0
        var reason: TierReason?
        var candidate: (Int, TierReason)?
        for (i, tier) in tiers.enumerated() {
            guard let r = reasonMet(tier, spend) else { continue }
            if tier.upgrade?.requiresApproval == true {
                if i > best { candidate = (i, r) }
            } else if i > best {
                best = i
                reason = r
            }
        }
        if let c = candidate, c.0 <= best { candidate = nil }
        return TierEvaluation(tier: tiers[best].code, reason: reason,
                              approvalCandidate: candidate.map { tiers[$0.0].code }, approvalReason: candidate?.1)
    }

    /// Progress to the next tier above `current`: the smallest amount still to spend in any of its windows.
    public func progress(from current: String, spend: RollingSpend) -> TierProgress? {
        guard let r = rank(of: current), r + 1 < tiers.count else { return nil }
        for next in tiers[(r + 1)...] {
            guard let rule = next.upgrade, !rule.thresholds.isEmpty else { continue }
            let gaps = rule.thresholds.map { (max(0, $0.minSpendFen - spend.spend(months: $0.months)), $0.months) }
            let pick = rule.match == .any ? gaps.min { $0.0 < $1.0 }! : gaps.max { $0.0 < $1.0 }!
            return TierProgress(nextTier: next.code, shortfallFen: pick.0, months: pick.1)
        }
        return nil
    }

    /// Effective tier: a manual tier lifts the member until its end date inclusive (then the earned tier shows
    /// again); it never takes away a tier the member earned.
    public func effectiveTier(earned: String, manual: String?, manualUntil: LocalDate?, on date: LocalDate) -> String {
        if let manual, let until = manualUntil, date <= until, let m = rank(of: manual), m > (rank(of: earned) ?? 0) {
            return manual
        }
        return earned
    }
}
