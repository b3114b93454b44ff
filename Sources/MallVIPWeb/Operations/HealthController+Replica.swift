import Foundation
import MallVIPStore
import Vapor

/// `/health`'s `replica` (issue 21): whether reports read from the streaming replica, how far behind it is and the
/// bound. A lagging or unreachable replica does not make the server unhealthy — reports read from the primary —
/// so `status` stays "ok"; `replica.readsFrom` says "primary" and `replica.state` why.
struct ReplicaHealth: Content {
    /// ok, lagging or unreachable.
    var state: String
    /// Where report reads go now: "replica" or "primary".
    var readsFrom: String
    var lagSeconds: Double?
    var maxLagSeconds: Double
    /// `pg_is_in_recovery()` on the replica: true for a real standby.
    var inRecovery: Bool
    var error: String?

    static func of(_ store: Store) async -> ReplicaHealth? {
        guard let replica = store.replica else { return nil }
        let s = await replica.status()
        return ReplicaHealth(state: s.state.rawValue, readsFrom: s.usable ? "replica" : "primary",
                             lagSeconds: s.lagSeconds.map { ($0 * 1000).rounded() / 1000 }, maxLagSeconds: replica.maxLagSeconds,
                             inRecovery: s.inRecovery, error: s.error.map { String($0.prefix(300)) })
    }
}
