import FluentKit
import Foundation
import MallVIPCore
@testable import MallVIPStore
import SQLKit
import Testing

/// PostgreSQL's bulk form (issue 15, import at bulk speed): `BulkInsert` sends a chunk as one bound array per column
/// (`INSERT … SELECT … FROM UNNEST($1, $2, …)`), and the import's key reads bind one array. Runs on the store under
/// test (SQLite by default, where the same calls take the row-at-a-time or VALUES form and must give the same rows).
@Suite("Bulk insert, PostgreSQL array form")
struct BulkArrayTests {
    struct Row: Equatable {
        var id: Int64, n: Int64?, t: String?, b: Bool, k: String
    }

    static func rows(_ sql: any SQLDatabase) async throws -> [Row] {
        try await sql.raw("SELECT id, n, t, b, k FROM bulk_probe ORDER BY id").all().map {
            Row(id: try $0.decode(column: "id", as: Int64.self), n: try $0.decode(column: "n", as: Int64?.self),
                t: try $0.decode(column: "t", as: String?.self), b: try $0.decode(column: "b", as: Bool.self), k: try $0.decode(column: "k", as: String.self))
        }
    }

    @Test("the statement text depends on the table and the columns only, not on the rows or their number")
    func oneTextPerShape() async throws {
        try await withTestApp { t in
            let sql = t.store.sql
            // Placeholders as `?` on both stores (they come numbered: `$1`, `?1`).
            func text(_ q: SQLQueryString) -> String {
                sql.serialize(q).sql.replacingOccurrences(of: #"[$?][0-9]+"#, with: "?", options: .regularExpression)
            }
            let a = try #require(PostgresArrays.insert(table: "t", columns: ["a", "b"], rows: [[.int(1), .text("x")], [.int(2), .text("y")]],
                                                       tail: " RETURNING a"))
            let b = try #require(PostgresArrays.insert(table: "t", columns: ["a", "b"],
                                                       rows: (0..<500).map { [.int(Int64($0)), .text("it's \($0)")] }, tail: " RETURNING a"))
            #expect(text(a) == text(b))
            #expect(text(a) == "INSERT INTO t (a, b) SELECT v.c1, v.c2 FROM UNNEST(?, ?) AS v(c1, c2) RETURNING a")
            // A column of NULLs only is a plain NULL (no typed array); a column mixing numbers and text has no array form.
            let nulls = try #require(PostgresArrays.insert(table: "t", columns: ["a", "b"], rows: [[.int(1), .int(nil)], [.int(2), .text(nil)]],
                                                           tail: ""))
            #expect(text(nulls) == "INSERT INTO t (a, b) SELECT v.c1, NULL FROM UNNEST(?) AS v(c1)")
            #expect(PostgresArrays.insert(table: "t", columns: ["a"], rows: [[.int(1)], [.text("1")]], tail: "") == nil)
        }
    }

    @Test("rows sent as arrays land as given: NULLs anywhere, quotes, Chinese text, booleans, literals, an all-NULL column; ids in the order added; upserts per row")
    func rowsLandAsGiven() async throws {
        try await withTestApp { t in
            let sql = t.store.sql
            try await BulkInsertTests.probe(sql)
            var insert = BulkInsert(sql, table: "bulk_probe", columns: ["id", "n", "t", "b", "k"], returning: "id", maxRows: 3)
            let texts: [String?] = ["O'Brien 张三'); DROP TABLE bulk_probe; --", nil, "", "积分 · 会员", "r4", nil, "a\"b\\c"]
            for (i, s) in texts.enumerated() {
                try await insert.add([.int(i), .int(i == 2 ? nil : Int64(i) * 1_000_000_000_000), .text(s), .bool(i.isMultiple(of: 2)),
                                      .literal(i == 1 ? "it's" : "lit")])
            }
            try await insert.flush()
            #expect(insert.written == texts.count)
            #expect(try insert.returned.map { try $0.decode(column: "id", as: Int64.self) }.sorted() == Array(0..<Int64(texts.count)))
            let want = texts.enumerated().map { i, s in
                Row(id: Int64(i), n: i == 2 ? nil : Int64(i) * 1_000_000_000_000, t: s, b: i.isMultiple(of: 2), k: i == 1 ? "it's" : "lit")
            }
            #expect(try await Self.rows(sql) == want)

            // A chunk whose text column is all NULL, and an upsert adding to rows already there, key by key.
            var again = BulkInsert(sql, table: "bulk_probe", columns: ["id", "n", "t", "b", "k"],
                                   onConflict: SQLStoreDialect.onConflict(["id"], doUpdate: "n = bulk_probe.n + excluded.n"), maxRows: 10)
            for i in [5, 6, 20, 21] { try await again.add([.int(i), .int(7), .text(nil), .bool(true), .literal("z")]) }
            try await again.flush()
            let after = try await Self.rows(sql)
            #expect(after.count == texts.count + 2)
            #expect(after.first { $0.id == 5 }?.n == 5_000_000_000_007)
            #expect(after.first { $0.id == 6 }?.t == "a\"b\\c" && after.first { $0.id == 6 }?.n == 6_000_000_000_007)   // only n is updated
            #expect(after.suffix(2) == [Row(id: 20, n: 7, t: nil, b: true, k: "z"), Row(id: 21, n: 7, t: nil, b: true, k: "z")])
        }
    }

    @Test("the import's key reads: one bound array of keys or ids finds exactly the rows named, none for an empty list")
    func keyReads() async throws {
        try await withTestApp { t in
            let sql = t.store.sql
            try await BulkInsertTests.probe(sql)
            var insert = BulkInsert(sql, table: "bulk_probe", columns: ["id", "n", "t", "b", "k"], maxRows: 100)
            for i in 0..<50 { try await insert.add([.int(i), .int(i), .text("key-\(i)'"), .bool(true), .literal("k")]) }
            try await insert.flush()
            let keys = ["key-3'", "key-49'", "nope", "key-3'"]
            let found = try await sql.raw("SELECT id FROM bulk_probe WHERE t IN \(Store.inKeys(sql, keys)) ORDER BY id").all()
                .map { try $0.decode(column: "id", as: Int64.self) }
            #expect(found == [3, 49])
            let byId = try await sql.raw("SELECT t FROM bulk_probe WHERE id IN \(Store.inIds(sql, [7, 8, 99])) ORDER BY id").all()
                .map { try $0.decode(column: "t", as: String.self) }
            #expect(byId == ["key-7'", "key-8'"])
            #expect(try await sql.raw("SELECT id FROM bulk_probe WHERE t IN \(Store.inKeys(sql, ["none"]))").all().isEmpty)
        }
    }
}

