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

extension Store {
    /// The part of a batch's receipt loop before the decision, the same for live posting and the import: a receipt
    /// already recorded replays (or conflicts), the same receipt twice in one batch replays the first (or conflicts),
    /// an unknown or unusable card fails. Otherwise the member (if any) and the answer so far come back.
    func startReceipt(_ i: Int, _ items: [PreparedPurchase], recorded: [String: (hash: String, json: String)],
                      firstInBatch: inout [String: Int], identities: [Result<(Int64?, String?), DomainError>],
                      results: [BatchItemResult]) throws -> ReceiptStart {
        let item = items[i]
        if let prior = recorded[item.key] {
            return .answered(prior.hash == item.hash
                ? .replayed(try JSONDecoder().decode(PurchaseOutcome.self, from: Data(prior.json.utf8)))
                : .failed(receiptConflict(item.request.receiptNo)))
        }
        if let j = firstInBatch[item.key] {
            switch results[j] {
            case .created(let o, _) where items[j].hash == item.hash: return .answered(.replayed(o))
            case .failed(let e) where items[j].hash == item.hash: return .answered(.failed(e))
            default: return .answered(.failed(receiptConflict(item.request.receiptNo)))
            }
        }
        firstInBatch[item.key] = i
        let who: (Int64?, String?)
        switch identities[i] {
        case .failure(let e): return .answered(.failed(e))
        case .success(let w): who = w
        }
        let outcome = PurchaseOutcome(
            receiptNo: item.request.receiptNo, mall: item.mallCode, businessDate: item.day.description, member: who.0 != nil,
            cardNo: who.1, totalFen: item.total, eligibleFen: item.eligible, basePoints: 0, bonusPoints: 0, factorPermille: 1000,
            multipliers: [], pointsEarned: 0, pointsBalance: nil, tier: nil, previousTier: nil, tierChanged: false,
            tierApprovalRequested: nil, eligibleToEnrol: false)
        return .open(who: who, outcome: outcome)
    }

    enum ReceiptStart {
        case answered(BatchItemResult)
        case open(who: (Int64?, String?), outcome: PurchaseOutcome)
    }
}
