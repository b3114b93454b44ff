import FluentKit
import Foundation
import NIOConcurrencyHelpers
import SQLKit

/// A PostgreSQL streaming replica (hot standby) that reports may read from (`DATABASE_REPLICA_URL`, issue 21).
/// It knows how far behind the primary it is, checked at most every `recheck` seconds, and whether it is over the
/// bound (`MALLVIP_REPLICA_MAX_LAG_SECONDS`) or unreachable: then reads go to the primary (Store+ReadReplica.swift).
public final class ReadReplica: Sendable {
    /// The replica's Fluent database (its own connection pool).
    public let db: any Database
    /// Over this many seconds behind, reports read from the primary.
    public let maxLagSeconds: Double
    /// How long a lag reading is reused (seconds of real time; 0: every read asks).
    public let recheck: TimeInterval
    /// A replica that does not answer the lag probe within this is treated as unreachable.
    public let probeTimeout: TimeInterval
    private let last = NIOLockedValueBox<(at: Date, status: ReplicaStatus)?>(nil)

    public init(db: any Database, maxLagSeconds: Double = 30, recheck: TimeInterval = 3, probeTimeout: TimeInterval = 2) {
        self.db = db
        self.maxLagSeconds = maxLagSeconds
        self.recheck = recheck
        self.probeTimeout = probeTimeout
    }

    /// The replica's state, from the last reading while it is fresh, else probed now.
    public func status() async -> ReplicaStatus {
        if let l = last.withLockedValue({ $0 }), Date().timeIntervalSince(l.at) < recheck { return l.status }
        let s = await probe()
        last.withLockedValue { $0 = (Date(), s) }
        return s
    }

    /// A read on the replica failed (it stopped, or a query was cancelled by replay): until the next recheck,
    /// reads go to the primary.
    public func markUnreachable(_ error: any Error) {
        last.withLockedValue { $0 = (Date(), ReplicaStatus(state: .unreachable, lagSeconds: nil, inRecovery: false, error: "\(error)")) }
    }

    /// Lag: `now() - pg_last_xact_replay_timestamp()`, except when the standby has replayed everything it received
    /// and is still streaming — an idle primary sends no transactions, so the replay time only grows while the
    /// standby is fully caught up; that is lag 0. A standby that is not streaming (its primary gone) keeps the
    /// timestamp's lag. Not a standby at all (`pg_is_in_recovery()` false): lag 0, it is a primary's copy itself.
    func probe() async -> ReplicaStatus {
        let db = self.db
        do {
            let row = try await ReplicaTimeout.run(seconds: probeTimeout) {
                try await db.sql.raw("""
                    SELECT pg_is_in_recovery() AS rec,
                      CASE WHEN NOT pg_is_in_recovery() THEN 0
                           WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn()
                                AND EXISTS (SELECT 1 FROM pg_stat_wal_receiver WHERE status = 'streaming') THEN 0
                           ELSE COALESCE(EXTRACT(EPOCH FROM (now() - pg_last_xact_replay_timestamp())), 0) END::float8 AS lag
                    """).first()
            }
            guard let row else { throw StoreConfigurationError("no answer to the lag query") }
            let rec = try row.decode(column: "rec", as: Bool.self)
            let lag = max(0, try row.decode(column: "lag", as: Double.self))
            return ReplicaStatus(state: lag > maxLagSeconds ? .lagging : .ok, lagSeconds: lag, inRecovery: rec, error: nil)
        } catch {
            return ReplicaStatus(state: .unreachable, lagSeconds: nil, inRecovery: false, error: "\(error)")
        }
    }
}

/// What the last lag probe found.
public struct ReplicaStatus: Sendable, Equatable {
    public enum State: String, Sendable, Codable {
        /// Within the bound: reports read from the replica.
        case ok
        /// Further behind than the bound: reports read from the primary.
        case lagging
        /// No answer (stopped, refused, timed out): reports read from the primary.
        case unreachable
    }
    public var state: State
    /// Seconds behind the primary (nil when unreachable).
    public var lagSeconds: Double?
    /// `pg_is_in_recovery()` on the replica: true for a real standby.
    public var inRecovery: Bool
    public var error: String?
    public var usable: Bool { state == .ok }
}

/// Where a report read was served from, for the page's "data as of …" line.
public struct ReadSource: Sendable, Equatable {
    /// True when the figures came from the replica.
    public var fromReplica: Bool
    /// The replica's state when one is configured (nil: none configured, every read is the primary's).
    public var replica: ReplicaStatus?
    /// The time the figures are as of: now on the primary, now minus the lag on the replica.
    public var dataAsOf: Date
    /// The configured lag bound (nil: no replica configured).
    public var maxLagSeconds: Double?
    /// Whether a configured replica was passed over (lagging or unreachable).
    public var fellBack: Bool { replica != nil && !fromReplica }
}

/// Runs an operation with a deadline without waiting for it to notice cancellation (a connection attempt to a
/// silent host may not): the caller is answered at the deadline and the operation finishes on its own.
enum ReplicaTimeout {
    struct Expired: Error, CustomStringConvertible {
        var seconds: TimeInterval
        var description: String { "the replica did not answer within \(seconds) s" }
    }

    static func run<T: Sendable>(seconds: TimeInterval, _ op: @escaping @Sendable () async throws -> T) async throws -> T {
        let done = NIOLockedValueBox(false)
        @Sendable func claim() -> Bool { done.withLockedValue { d in if d { return false }; d = true; return true } }
        return try await withCheckedThrowingContinuation { (cont: CheckedContinuation<T, any Error>) in
            Task {
                do {
                    let v = try await op()
                    if claim() { cont.resume(returning: v) }
                } catch {
                    if claim() { cont.resume(throwing: error) }
                }
            }
            Task {
                try? await Task.sleep(nanoseconds: UInt64(max(0.01, seconds) * 1_000_000_000))
                if claim() { cont.resume(throwing: Expired(seconds: seconds)) }
            }
        }
    }
}
