import Foundation
import MallVIPCore

/// The receipt loop of a batch, the same for live posting (`insertBatch` on SQLite, `postgresBatch` on PostgreSQL) and
/// the purchase import (`insertImportBatch`): each receipt starts (`startReceipt`: replay, same receipt twice, identity),
/// a member receipt is decided by Core (`decideReceipt` → `ReceiptDecision`), and what it decides is collected in one
/// accumulator, `BatchRows`. The paths differ only in how they read before and write after, and in how the day's
/// ordinal and the pending approval requests are found (the two closures).
extension Store {
    /// What a batch's receipts decided, in the items' order: the answers and the rows to write.
    struct BatchRows {
        var results: [BatchItemResult] = []
        /// One per new receipt (member or not), in the items' order; the other arrays point into it by index.
        var rows: [PurchaseRow] = []
        var ledger: [(row: Int, memberId: Int64, points: Int64, balance: Int64, note: String, at: Int64)] = []
        var daily: [DailyKey: (spend: Int64, count: Int)] = [:]
        var tierChanges: [(row: Int, memberId: Int64, from: String, to: String, reason: TierReason?, at: Int64)] = []
        var tierRequests: [(memberId: Int64, tier: String, reason: TierReason?, at: Int64)] = []

        init(capacity: Int) {
            results.reserveCapacity(capacity)
            rows.reserveCapacity(capacity)
        }

        /// A receipt without a member.
        mutating func walkIn(_ item: PreparedPurchase, _ outcome: PurchaseOutcome) {
            rows.append(PurchaseRow(item: item, memberId: nil, cardNo: nil, earned: 0, factor: 1000, json: outcome.json))
            results.append(.created(outcome))
        }

        /// A member receipt as Core decided it; `member` is the member's state after it.
        mutating func member(_ item: PreparedPurchase, memberId: Int64, cardNo: String?, _ d: ReceiptDecision,
                             _ outcome: PurchaseOutcome, referralPending: Bool) {
            let row = rows.count
            if let l = d.ledger { ledger.append((row, memberId, l.points, l.balanceAfter, l.note, l.atMs)) }
            if let c = d.tierChange { tierChanges.append((row, memberId, c.from, c.to, c.reason, c.atMs)) }
            if let r = d.tierRequest { tierRequests.append((memberId, r.tier, r.reason, r.atMs)) }
            let dk = DailyKey(memberId: memberId, mallId: item.mallId, day: d.dailySpend.day)
            daily[dk, default: (0, 0)].spend += d.dailySpend.fen
            daily[dk]!.count += d.dailySpend.purchases
            rows.append(PurchaseRow(item: item, memberId: memberId, cardNo: cardNo, earned: d.pointsEarned,
                                    factor: d.earning.factorPermille, json: outcome.json))
            results.append(.created(outcome, referralPending: referralPending))
        }

        /// The daily spend rows as `BatchWrites` takes them.
        var dailyRows: [(key: DailyKey, spend: Int64, count: Int)] { daily.map { ($0.key, $0.value.spend, $0.value.count) } }
    }

    /// Decides every receipt of a batch in order. `members` holds the members the batch read (all those `identities`
    /// name) and comes back as the receipts left them (`changed` set). `ordinal` counts the mall's member purchase of
    /// the day for a receipt (asked only when a rule needs it); `pending` reads a member's pending approval requests
    /// (asked only when a receipt reaches an approval tier and they were not read yet).
    func decideBatch(_ items: [PreparedPurchase], recorded: [String: (hash: String, json: String)],
                     identities: [Result<(Int64?, String?), DomainError>], members: inout [Int64: BatchMember],
                     programme: Programme, today: LocalDate, nowMs: Int64,
                     ordinal: (PreparedPurchase) async throws -> Int,
                     pending: (Int64) async throws -> Set<String>) async throws -> BatchRows {
        var out = BatchRows(capacity: items.count)
        var firstInBatch: [String: Int] = [:]
        for (i, item) in items.enumerated() {
            let who: (Int64?, String?)
            var outcome: PurchaseOutcome
            switch try startReceipt(i, items, recorded: recorded, firstInBatch: &firstInBatch, identities: identities, results: out.results) {
            case .answered(let answer): out.results.append(answer); continue
            case .open(let w, let o): (who, outcome) = (w, o)
            }
            // The decision is Core's (`ReceiptDecision`); here only the reading and the rows.
            let facts = ReceiptFacts(item, today: today, nowMs: nowMs, programme: programme)
            guard let memberId = who.0, var state = members[memberId] else {
                outcome.eligibleToEnrol = WalkInDecision.eligibleToEnrol(programme, receipt: facts)
                out.walkIn(item, outcome)
                continue
            }
            let d = try await decideReceipt(programme, &state, facts, ordinal: { try await ordinal(item) },
                                            pending: { try await pending(memberId) })
            outcome.apply(d)
            members[memberId] = state
            out.member(item, memberId: memberId, cardNo: who.1, d, outcome, referralPending: state.locked.referralPending)
        }
        return out
    }
}
