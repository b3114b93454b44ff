import Foundation
import MallVIPCore

/// The store's side of the one per-receipt decision (`ReceiptDecision` in Core): the member state a batch holds in
/// memory goes in, the decision comes back into it and into the answer. Live posting (`insertBatch`) and the import
/// (`insertImportBatch`) share these, so they differ only in how they read and write rows.
extension Store.BatchMember {
    /// The member as the decision sees them.
    var decisionState: MemberState {
        MemberState(earnedTier: locked.earnedTier, tierSinceDay: locked.tierSinceDay, manualTier: locked.manualTier,
                    manualUntil: locked.manualUntil, balance: locked.balance, birthday: locked.birthday, spendByDay: spendByDay,
                    pendingRequests: pendingRequests)
    }

    /// Takes the member state after a receipt, so the member's next receipt in the batch sees it.
    mutating func absorb(_ d: ReceiptDecision) {
        locked.balance = d.member.balance
        locked.earnedTier = d.member.earnedTier
        locked.tierSinceDay = d.member.tierSinceDay
        spendByDay = d.member.spendByDay
        pendingRequests = d.member.pendingRequests
        changed = true
    }
}

extension Store {
    /// A member receipt decided: the day's ordinal counted when a rule needs it (`ordinal`, a write, so only then),
    /// the member's pending approval requests read when the receipt reaches an approval tier (`pending`).
    func decideReceipt(_ programme: Programme, _ member: inout BatchMember, _ facts: ReceiptFacts,
                ordinal: () async throws -> Int, pending: () async throws -> Set<String>) async throws -> ReceiptDecision {
        var facts = facts
        if ReceiptDecision.needsDayOrdinal(programme, day: facts.businessDate, birthday: member.locked.birthday) {
            facts.dayOrdinal = try await ordinal()
        }
        var d = ReceiptDecision.decide(programme, member: member.decisionState, receipt: facts)
        if d.needsPendingRequests {
            member.pendingRequests = try await pending()
            d = ReceiptDecision.decide(programme, member: member.decisionState, receipt: facts)
        }
        member.absorb(d)
        return d
    }
}

extension PurchaseOutcome {
    /// The answer's member figures from the decision.
    mutating func apply(_ d: ReceiptDecision) {
        basePoints = d.earning.basePoints
        bonusPoints = d.earning.bonusPoints
        factorPermille = d.earning.factorPermille
        multipliers = d.earning.multiplierNames
        pointsEarned = d.pointsEarned
        pointsBalance = d.balanceAfter
        tier = d.tierAfter
        previousTier = d.tierBefore
        tierChanged = d.tierChanged
        tierApprovalRequested = d.tierRequest?.tier
    }
}

extension ReceiptFacts {
    /// A prepared purchase as the decision needs it. A live post counts as of now; an import as of the purchase
    /// itself (its day for tiers, its time for the ledger and the tier history), as if it had been posted live then.
    /// `today` and `nowMs` are the batch's, read once, so every receipt of a batch is posted at the same moment.
    init(_ item: PreparedPurchase, today: LocalDate, nowMs: Int64, programme: Programme) {
        self.init(receiptNo: item.request.receiptNo, businessDate: item.day, totalFen: item.total, eligibleFen: item.eligible,
                  asOf: item.postedAsOf.map { LocalDate.of($0, in: programme.timeZone) } ?? today,
                  atMs: item.postedAsOf.map(epochMillis) ?? nowMs)
    }
}
