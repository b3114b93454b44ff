import FluentSQLiteDriver   // SQLiteData
import Foundation
import SQLKit
import VaporCSQLite

/// Bulk rows on the SQLite writer (issue 15, import at bulk speed). The profile of a purchase import showed a third of
/// SQLite's time in parsing the multi-row INSERT text (`sqlite3RunParser`, `yy_reduce`) and 15 % in building that
/// text; a statement with `?` placeholders prepared once and stepped per row does neither, and SQLite inserts the
/// rows one by one anyway (triggers fire per row in the same order, ON CONFLICT is decided per row), so what is
/// written is the same. `BulkInsert` takes this path by itself on the direct writer (plain form, not the JOIN form).
extension SQLiteDirectWriter {
    /// Bulk settings for this connection: statement journals (a statement that fires triggers or may conflict keeps
    /// one) in memory instead of temp files (the member import spent a quarter of its time writing them), and a
    /// page cache that holds a batch's pages (pagerStress spilled dirty pages mid-transaction). Both are per
    /// connection, persist until it closes, and change nothing about durability. Call inside the gate, outside a
    /// transaction.
    func useBulkSettings() throws {
        for pragma in ["PRAGMA temp_store=MEMORY", "PRAGMA cache_size=-131072"] {
            try run(pragma, binds: []) { _ in }
        }
    }

    /// One row through the prepared statement `sql`; the values in `BulkInsert.Value` form, bound in order
    /// (`.bool` as 1/0, which is what SQLite stores for TRUE/FALSE; `.literal` as text). A RETURNING row goes to
    /// `onRow`.
    func insertRow(_ sql: String, _ values: [BulkInsert.Value], onRow: ((SQLiteDirectRow) -> Void)? = nil) throws {
        let (_, stmt) = try cachedStatement(sql)
        defer {
            sqlite_nio_sqlite3_reset(stmt)
            sqlite_nio_sqlite3_clear_bindings(stmt)
        }
        for (i, value) in values.enumerated() {
            let n = Int32(i + 1), rc: Int32
            switch value {
            case .int(let v?): rc = sqlite_nio_sqlite3_bind_int64(stmt, n, v)
            case .int(nil), .text(nil): rc = sqlite_nio_sqlite3_bind_null(stmt, n)
            case .bool(let b): rc = sqlite_nio_sqlite3_bind_int64(stmt, n, b ? 1 : 0)
            case .text(let s?), .literal(let s):
                rc = sqlite_nio_sqlite3_bind_text64(stmt, n, s, UInt64(s.utf8.count), SQLITE_BULK_TRANSIENT, UInt8(SQLITE_UTF8))
            }
            guard rc == SQLITE_OK else { throw error(rc) }
        }
        while true {
            let rc = sqlite_nio_sqlite3_step(stmt)
            if rc == SQLITE_DONE { return }
            guard rc == SQLITE_ROW else { throw error(rc) }
            guard let onRow else { continue }
            let count = sqlite_nio_sqlite3_column_count(stmt)
            var columns: [String] = [], row: [SQLiteData] = []
            for c in 0..<count {
                columns.append(String(cString: sqlite_nio_sqlite3_column_name(stmt, c)))
                switch sqlite_nio_sqlite3_column_type(stmt, c) {
                case SQLITE_INTEGER: row.append(.integer(Int(sqlite_nio_sqlite3_column_int64(stmt, c))))
                case SQLITE_FLOAT: row.append(.float(sqlite_nio_sqlite3_column_double(stmt, c)))
                case SQLITE_TEXT:
                    let bytes = Int(sqlite_nio_sqlite3_column_bytes(stmt, c))
                    row.append(.text(sqlite_nio_sqlite3_column_text(stmt, c).map {
                        String(decoding: UnsafeBufferPointer(start: $0, count: bytes), as: UTF8.self)
                    } ?? ""))
                default: row.append(.null)
                }
            }
            onRow(SQLiteDirectRow(columns: columns, values: row))
        }
    }

    /// The single-row, `?`-placeholder form of a plain BulkInsert statement.
    static func rowInsertSQL(table: String, columns: [String], tail: String) -> String {
        "INSERT INTO \(table) (\(columns.joined(separator: ", "))) VALUES ("
            + Array(repeating: "?", count: columns.count).joined(separator: ", ") + ")" + tail
    }
}

private let SQLITE_BULK_TRANSIENT = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

extension Store {
    /// SQLite: the direct writer's bulk settings (see `SQLiteDirectWriter.useBulkSettings`); nothing elsewhere.
    func useBulkWriterSettings() async throws {
        guard let direct = directWriter.writer else { return }
        try await gate.run { try direct.useBulkSettings() }
    }
}
