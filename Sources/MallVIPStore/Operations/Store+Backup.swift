import Foundation
import SQLKit

extension Store {
    /// A consistent copy of a SQLite database while it is in use: `VACUUM INTO` reads one snapshot (writers go on,
    /// the copy sees none of their later work) and writes a compact file with no WAL beside it. Returns its size.
    /// PostgreSQL has its own tools (pg_dump), which know more than any copy made through one connection.
    public func backupSQLite(to path: String) async throws -> Int64 {
        guard sql.storeDialect == .sqlite else {
            throw StoreConfigurationError("backup copies SQLite databases; for PostgreSQL use pg_dump (see docs/operations.md, Backups)")
        }
        guard !FileManager.default.fileExists(atPath: path) else {
            throw StoreConfigurationError("\(path) already exists; a backup never overwrites a file")
        }
        try await sql.raw("VACUUM INTO \(bind: path)").run()
        let size = (try FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.int64Value ?? 0
        return size
    }
}
