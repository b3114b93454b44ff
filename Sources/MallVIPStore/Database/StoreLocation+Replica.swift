import FluentKit
import FluentPostgresDriver
import Foundation
import PostgresKit

extension DatabaseID {
    /// The streaming replica report reads may use (issue 21).
    public static var replica: DatabaseID { DatabaseID(string: "replica") }
}

extension StoreLocation {
    /// Registers a PostgreSQL streaming replica as a second, non-default database with its own pool (`.replica`).
    public func registerReplica(on databases: Databases, poolSize: Int = 4) throws {
        guard case .postgres(let url, let schema) = self else {
            throw StoreConfigurationError("DATABASE_REPLICA_URL must be a postgres:// URL")
        }
        var config = try SQLPostgresConfiguration(url: url)
        if let schema { config.searchPath = [schema] }
        // A short connect timeout: a stopped standby must not hold a report page for long (it falls back instead).
        config.coreConfiguration.options.connectTimeout = .seconds(3)
        databases.use(.postgres(configuration: config, maxConnectionsPerEventLoop: poolSize,
                                connectionPoolTimeout: .seconds(5), encodingContext: .default,
                                decodingContext: .default, sqlLogLevel: .trace), as: .replica, isDefault: false)
    }
}
