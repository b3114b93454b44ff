import Foundation

/// Group commit for purchase posts. Posts that arrive while a batch is being written wait and are then written
/// together in one transaction, with one statement per table instead of one per purchase: under load a batch
/// holds many purchases, when idle a post is written at once on its own.
///
/// SQLite has one lane (it has one writer anyway). PostgreSQL has several lanes that write in parallel; a post
/// goes to the lane of its card or phone, so one member's purchases meet in the same lane and are ordered there.
public struct PurchaseLanes: Sendable {
    let lanes: [PurchaseLane]

    init(count: Int, maxBatch: Int) {
        lanes = (0..<max(1, count)).map { PurchaseLane(index: $0, maxBatch: maxBatch) }
    }

    func lane(for key: String) -> PurchaseLane {
        var h: UInt64 = 1469598103934665603   // FNV-1a: stable across runs, unlike Hasher
        for b in key.utf8 { h = (h ^ UInt64(b)) &* 1099511628211 }
        return lanes[Int(h % UInt64(lanes.count))]
    }
}

/// One lane. The post that finds the lane idle leads: it writes the batch in its own task and returns its own result
/// directly (issue 15, part c). Before, a drain `Task` wrote every batch and resumed each post's continuation, so even
/// a lone post paid two thread wake-ups more (the new task, then the post's task resumed on another thread); perf at
/// c = 1 showed the scheduler switches and futex wake-ups as the largest single cost of serve. Posts arriving while a
/// batch is written wait; when it is done the leader hands the lane to the first of them (one wake-up per batch, not
/// per post), which writes the next batch with its own post first.
actor PurchaseLane {
    /// What a waiting post is woken with: its result, or the lead (its post heads the next batch).
    private enum Turn: Sendable {
        case result(Result<BatchItemResult, any Error>)
        case lead
    }
    /// Posts not yet written, in arrival order. The leader's own post has no continuation (it is not waiting).
    private var pending: [(item: PreparedPurchase, waiter: CheckedContinuation<Turn, Never>?)] = []
    /// A leader is writing a batch (or has been handed the lane and is about to). False only while `pending` is empty.
    private var leading = false
    let maxBatch: Int
    /// Also the shard of the report aggregates this lane adds to (migration 031): lanes never share those rows.
    let index: Int

    init(index: Int, maxBatch: Int) {
        self.index = index
        self.maxBatch = maxBatch
    }

    func submit(_ item: PreparedPurchase, store: Store) async throws -> BatchItemResult {
        var item = item
        item.shard = index
        if leading {
            switch await withCheckedContinuation({ pending.append((item, $0)) }) {
            case .result(let r): return try r.get()
            case .lead: break   // handed the lane: this post is first in `pending`, its waiter already cleared
            }
        } else {
            leading = true
            pending.append((item, nil))
        }
        // Lead one batch. Posts that arrive while it is written (the actor is free during the await) queue behind it.
        let batch = Array(pending.prefix(maxBatch))
        pending.removeFirst(batch.count)
        let results = await store.writeBatch(batch.map(\.item))
        var own: Result<BatchItemResult, any Error>?
        for (entry, result) in zip(batch, results) {
            if let waiter = entry.waiter { waiter.resume(returning: .result(result)) } else { own = result }
        }
        if let next = pending.first?.waiter {
            pending[0].waiter = nil
            next.resume(returning: .lead)
        } else {
            leading = false
        }
        guard let own else { throw PurchaseLaneLost() }
        return try own.get()
    }
}

/// Cannot happen (`writeBatch` answers every post of its batch); a thrown error rather than a trap if it ever did.
struct PurchaseLaneLost: Error, CustomStringConvertible {
    var description: String { "purchase lane: the batch returned no result for the leading post" }
}
