import Fluent
import Foundation
import MallVIPStore
import Vapor

/// The replica report reads may use (issue 21): registered when `DATABASE_REPLICA_URL` is set and the primary is
/// PostgreSQL; with SQLite it is ignored with a warning (a SQLite file has no streaming replica).
func readReplica(_ app: Application, _ config: AppConfig) throws -> ReadReplica? {
    guard let r = config.replica else { return nil }
    guard !config.database.isSQLite else {
        app.logger.warning("DATABASE_REPLICA_URL is ignored: DATABASE_URL is SQLite; reports read from the SQLite file")
        return nil
    }
    try r.location.registerReplica(on: app.databases, poolSize: r.pool)
    app.logger.info("reports may read from the replica \(r.location) (lag bound \(r.maxLagSeconds) s)")
    return ReadReplica(db: app.db(.replica), maxLagSeconds: r.maxLagSeconds, recheck: r.recheckSeconds)
}
