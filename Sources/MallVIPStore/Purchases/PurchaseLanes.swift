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

actor PurchaseLane {
    private var pending: [(PreparedPurchase, CheckedContinuation<BatchItemResult, any Error>)] = []
    private var draining = false
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
        return try await withCheckedThrowingContinuation { continuation in
            pending.append((item, continuation))
            if !draining {
                draining = true
                Task { await self.drain(store) }
            }
        }
    }

    private func drain(_ store: Store) async {
        while !pending.isEmpty {
            let batch = Array(pending.prefix(maxBatch))
            pending.removeFirst(batch.count)
            let results = await store.writeBatch(batch.map(\.0))
            for (entry, result) in zip(batch, results) { entry.1.resume(with: result) }
        }
        draining = false
    }
}
