import FluentKit
import Foundation
import MallVIPCore

/// Reads that may be slightly stale — report packs, the dashboard, exports and segment previews — go to the
/// streaming replica when one is configured and within its lag bound (issue 21). Everything else, every write
/// and every read that must see its own write, stays on the primary: only the callers that ask `readReplica()`
/// read from it. A replica-reading store still writes (audit rows, cached figures, the programme) to the primary.
extension Store {
    /// This store with a replica for report reads (configure.swift; nil: none).
    public func attachingReadReplica(_ replica: ReadReplica?) -> Store {
        var s = self
        s.replica = replica
        return s
    }

    /// True on the copy `readReplica()` hands out while it reads from the replica.
    public var readsFromReplica: Bool { primaryDB != nil }

    /// The store report reads go through: a copy reading from the replica when one is configured and usable,
    /// else this store (the primary), with where the figures came from and the time they are as of.
    public func readReplica() async -> (store: Store, source: ReadSource) {
        guard let replica, primaryDB == nil else {
            return (self, ReadSource(fromReplica: primaryDB != nil, replica: nil, dataAsOf: now))
        }
        let status = await replica.status()
        guard status.usable else { return (self, ReadSource(fromReplica: false, replica: status, dataAsOf: now, maxLagSeconds: replica.maxLagSeconds)) }
        var copy = self
        copy.primaryDB = db
        copy.db = replica.db
        return (copy, ReadSource(fromReplica: true, replica: status, dataAsOf: now.addingTimeInterval(-(status.lagSeconds ?? 0)),
                                 maxLagSeconds: replica.maxLagSeconds))
    }

    /// `body` on the replica when it is usable. If it fails there for a reason that is not the request's (the
    /// standby stopped mid-way, or replay cancelled a long query), it runs once more on the primary and the replica
    /// is passed over until its next check.
    public func onReadReplica<T>(_ body: (Store) async throws -> T) async throws -> (value: T, source: ReadSource) {
        let (store, source) = await readReplica()
        guard source.fromReplica, primaryDB == nil, let replica else { return (try await body(store), source) }
        do {
            return (try await body(store), source)
        } catch where !(error is DomainError) && !(error is CancellationError) {
            replica.markUnreachable(error)
            let status = await replica.status()
            return (try await body(self), ReadSource(fromReplica: false, replica: status, dataAsOf: now, maxLagSeconds: replica.maxLagSeconds))
        }
    }
}
