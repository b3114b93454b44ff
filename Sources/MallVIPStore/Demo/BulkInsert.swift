import Foundation
import SQLKit

/// Multi-row INSERTs for bulk loads. Numbers, booleans and NULL are written as SQL literals; text is always bound.
/// A statement is sent when it reaches `maxRows` rows or would pass `maxBinds` bound values (PostgreSQL allows at
/// most 65,535 per statement; SQLite as built here 250,000).
struct BulkInsert {
    enum Value {
        case int(Int64)
        case text(String)
        case bool(Bool)
        case null

        static func int(_ v: Int) -> Value { .int(Int64(v)) }
        static func opt(_ v: String?) -> Value { v.map { .text($0) } ?? .null }
        static func opt(_ v: Int64?) -> Value { v.map { .int($0) } ?? .null }
        static func opt(_ v: Int?) -> Value { v.map { .int(Int64($0)) } ?? .null }
    }

    let db: any SQLDatabase
    let head: String
    let columnCount: Int
    let maxRows: Int
    let maxBinds: Int
    private var query = SQLQueryString("")
    private var text = ""
    private var rows = 0
    private var binds = 0
    private(set) var written = 0

    init(_ db: any SQLDatabase, table: String, columns: [String], maxRows: Int = 4000) {
        self.db = db
        head = "INSERT INTO \(table) (\(columns.joined(separator: ", "))) VALUES "
        columnCount = columns.count
        self.maxRows = maxRows
        maxBinds = db.dialect.name == "postgresql" ? 65_000 : 30_000
    }

    mutating func add(_ values: [Value]) async throws {
        precondition(values.count == columnCount, "row has \(values.count) values for \(columnCount) columns")
        if binds + columnCount > maxBinds { try await flush() }
        text += rows == 0 ? head + "(" : ", ("
        for (i, v) in values.enumerated() {
            if i > 0 { text += ", " }
            switch v {
            case .int(let n): text += String(n)
            case .bool(let b): text += b ? "TRUE" : "FALSE"
            case .null: text += "NULL"
            case .text(let s):
                query.appendLiteral(text)
                text = ""
                query.appendInterpolation(bind: s)
                binds += 1
            }
        }
        text += ")"
        rows += 1
        if rows >= maxRows { try await flush() }
    }

    mutating func flush() async throws {
        guard rows > 0 else { return }
        query.appendLiteral(text)
        try await db.raw(query).run()
        written += rows
        query = SQLQueryString("")
        text = ""
        rows = 0
        binds = 0
    }
}
