import FluentKit
import Foundation

extension Store {
    /// The demo's one big transaction (issue 21: a million members in minutes). On SQLite it runs on the direct writer,
    /// so `BulkInsert` steps one prepared single-row statement per row instead of building and parsing multi-row
    /// INSERT text (a tenth of the demo's time at 100,000 members was SQLite's parser), with the bulk settings
    /// (statement journals in memory) and, for this transaction only, `synchronous=OFF` and a 1 GB page cache (at
    /// 128 MB a third of SQLite's time went to spilling dirty pages mid-transaction). `synchronous=OFF` is safe here
    /// because the demo only fills an empty database: a crash loses a demo that is simply run again. Both settings
    /// go back to the store's (`NORMAL`, 128 MB) afterwards. Elsewhere (PostgreSQL, or SQLite without the direct
    /// writer) it is `write`.
    func writeDemoTransaction<T: Sendable>(_ body: @escaping @Sendable (any Database) async throws -> T) async throws -> T {
        guard let direct = directWriter.writer else { return try await write(body) }
        return try await gate.run {
            try direct.useBulkSettings()
            for pragma in ["PRAGMA synchronous=OFF", "PRAGMA cache_size=-1048576"] { try direct.run(pragma, binds: []) { _ in } }
            defer {
                for pragma in ["PRAGMA synchronous=NORMAL", "PRAGMA cache_size=-131072"] { try? direct.run(pragma, binds: []) { _ in } }
            }
            return try await direct.transaction { try await body($0) }
        }
    }
}
