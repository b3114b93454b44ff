import Foundation
import MallVIPStore

/// A PostgreSQL streaming replica for report reads (issue 21): `DATABASE_REPLICA_URL` (a `postgres://` URL of a hot
/// standby of DATABASE_URL; a `?schema=` is honoured as on DATABASE_URL) and `MALLVIP_REPLICA_MAX_LAG_SECONDS`
/// (default 30): further behind than that, reports read from the primary. With a SQLite DATABASE_URL the replica
/// is ignored with a warning at start (configure.swift).
public struct ReplicaConfig: Sendable {
    public var location: StoreLocation
    public var maxLagSeconds: Double
    /// Seconds a lag reading is reused (tests set 0).
    public var recheckSeconds: Double
    /// Connections to the replica.
    public var pool: Int

    public init(location: StoreLocation, maxLagSeconds: Double = 30, recheckSeconds: Double = 3, pool: Int = 4) {
        self.location = location
        self.maxLagSeconds = maxLagSeconds
        self.recheckSeconds = recheckSeconds
        self.pool = pool
    }

    public static func fromEnvironment(_ env: [String: String]) throws -> ReplicaConfig? {
        guard let raw = env["DATABASE_REPLICA_URL"]?.trimmingCharacters(in: .whitespaces), !raw.isEmpty else { return nil }
        let location = try StoreLocation(url: raw)
        var config = ReplicaConfig(location: location)
        if case .sqlite = location {
            throw StoreConfigurationError("DATABASE_REPLICA_URL must be a postgres:// URL of a streaming replica (got a sqlite: path)")
        }
        if let v = env["MALLVIP_REPLICA_MAX_LAG_SECONDS"] {
            guard let n = Double(v), n.isFinite, n >= 0, n <= 86_400 else {
                throw StoreConfigurationError("MALLVIP_REPLICA_MAX_LAG_SECONDS must be a number of seconds from 0 to 86400")
            }
            config.maxLagSeconds = n
        }
        return config
    }
}
