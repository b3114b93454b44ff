/// The refund side of the per-receipt decision (`ReceiptDecision`): which points go back and whether the tier the
/// receipt brought stays. `Store.postRefund` calls it; the property tests check that refunding a whole receipt
/// returns the member to where they were before it.
public enum RefundDecision {
    /// What a purchase has earned and already given back, as stored with it.
    public struct Purchase: Sendable, Equatable {
        public var eligibleFen: Int64
        /// Eligible amount refunded before this refund.
        public var refundedEligibleFen: Int64
        public var pointsEarned: Int64
        public var pointsReversed: Int64
        /// The multiplier the receipt earned under, kept for what remains.
        public var factorPermille: Int

        public init(eligibleFen: Int64, refundedEligibleFen: Int64, pointsEarned: Int64, pointsReversed: Int64, factorPermille: Int) {
            self.eligibleFen = eligibleFen
            self.refundedEligibleFen = refundedEligibleFen
            self.pointsEarned = pointsEarned
            self.pointsReversed = pointsReversed
            self.factorPermille = factorPermille
        }
    }

    public struct Points: Sendable, Equatable {
        /// Taken from the balance now (never more than the balance holds).
        public var reversal: Int64
        /// Owed but not taken: points already spent. Stays owed on the purchase for a later refund of it.
        public var shortfall: Int64
        public var balanceAfter: Int64
    }

    /// Points are recomputed on what remains of the receipt with the multiplier it was earned under, and the
    /// difference from what it still holds is reversed; the balance never goes negative.
    public static func points(_ programme: Programme, purchase p: Purchase, refundedEligibleFen: Int64, balance: Int64) -> Points {
        let newRefundedEligible = Saturating.add(p.refundedEligibleFen, refundedEligibleFen)
        let netEarned = Saturating.subtract(p.pointsEarned, p.pointsReversed)
        let kept = programme.earning.points(forEligibleFen: Saturating.subtract(p.eligibleFen, newRefundedEligible),
                                            factorPermille: p.factorPermille).total
        let wanted = max(0, Saturating.subtract(netEarned, kept))
        let reversal = min(wanted, max(0, balance))
        return Points(reversal: reversal, shortfall: wanted - reversal, balanceAfter: Saturating.subtract(balance, reversal))
    }

    /// The earned tier after a refund. Only a tier this receipt brought (the member's last tier change, from
    /// `broughtFrom`, made by this purchase and still held) can go back, and not below where it came from; `spend`
    /// is the rolling spend ending on the purchase's day, the refund already taken off. Nil: the tier stays.
    public static func tier(_ programme: Programme, earned: String, broughtFrom: String?, spend: RollingSpend) -> TierEvaluation? {
        guard let from = broughtFrom else { return nil }
        let evaluation = programme.evaluateTier(spend: spend, floor: from)
        return evaluation.tier == earned ? nil : evaluation
    }
}
