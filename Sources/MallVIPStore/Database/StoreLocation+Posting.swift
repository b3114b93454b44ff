import FluentKit
import FluentPostgresDriver
import Foundation
import PostgresKit

extension DatabaseID {
    /// PostgreSQL: the purchase lanes' own pool (issue 15; see `registerPostingPool`).
    public static var posting: DatabaseID { DatabaseID(string: "posting") }
}

extension StoreLocation {
    /// PostgreSQL only: registers a second pool on the same database (`.posting`, not the default) whose connections
    /// start with `plan_cache_mode = force_generic_plan`; the purchase lanes run their two prepared statements there
    /// (`Store.withPostgresConnection`). Returns false (nothing registered) on SQLite.
    ///
    /// Why (issue 15, measured): with the default `auto`, PostgreSQL re-planned the batch read at every execution —
    /// a custom plan for a one-element array looks cheaper than the generic one — and that planning was 1.07 of the
    /// read's 1.2 ms on the server (generic: 0.27 bind + 0.53 execute); the write already ran generic. The setting is
    /// per connection, which is why these connections are not the main pool's: there Fluent's unnamed statements would
    /// get generic plans too (report queries with day ranges, partial indexes on a bound status), which they must not.
    ///
    /// `random_page_cost = 1.1` (SSD; PostgreSQL's default 4 assumes spinning disks), on these connections only: a
    /// connection plans the foreign-key checks and the write's member update once, when it first runs them. Started on
    /// a young database (a new mall, the bench) with the default, those plans were sequential scans of `purchases`,
    /// `members`, `member_daily_spend` and kept them as the tables grew (c = 8, 8 s: 3.2 M purchase rows read in 2,248
    /// scans). With 1.1 they are index scans: server time per batch (read + write, bind + execute) 2.11 ms with
    /// `auto` → 1.92 generic → 1.47 generic and 1.1.
    public func registerPostingPool(on databases: Databases, poolSize: Int) throws -> Bool {
        guard case .postgres(let url, let schema) = self else { return false }
        var config = try SQLPostgresConfiguration(url: url)
        if let schema { config.searchPath = [schema] }
        config.coreConfiguration.options.additionalStartupParameters += [("plan_cache_mode", "force_generic_plan"),
                                                                         ("random_page_cost", "1.1")]
        databases.use(.postgres(configuration: config, maxConnectionsPerEventLoop: max(1, poolSize),
                                connectionPoolTimeout: .seconds(30), encodingContext: .default,
                                decodingContext: .default, sqlLogLevel: .trace), as: .posting, isDefault: false)
        return true
    }
}
