import FluentKit
import Foundation
import MallVIPCore
@testable import MallVIPStore
import SQLKit
import Testing

/// `BulkInsert`, the store's one multi-row INSERT builder (issue 16), on the running store (SQLite by default,
/// PostgreSQL with MALLVIP_TEST_DATABASE_URL).
@Suite("Bulk insert builder")
struct BulkInsertTests {
    static func probe(_ sql: any SQLDatabase) async throws {
        try await sql.raw("CREATE TABLE bulk_probe (id BIGINT PRIMARY KEY, n BIGINT, t TEXT, b BOOLEAN NOT NULL, k TEXT NOT NULL)").run()
        try await sql.raw("CREATE TABLE bulk_parent (id BIGINT PRIMARY KEY, mall_id BIGINT NOT NULL, receipt_no TEXT NOT NULL)").run()
        try await sql.raw("CREATE TABLE bulk_child (parent_id BIGINT NOT NULL, line BIGINT NOT NULL, n BIGINT, t TEXT)").run()
    }

    @Test("plain rows: numbers inline, text bound (quotes and all), NULLs, booleans and literals; more rows than one statement may bind go out in several, in order")
    func plainRowsChunkedUnderTheBindLimit() async throws {
        try await withTestApp { t in
            let sql = t.store.sql
            try await Self.probe(sql)
            let limit = sql.storeDialect.maxBinds
            let count = limit + 5   // one bound text per row: cannot fit one statement
            var insert = BulkInsert(sql, table: "bulk_probe", columns: ["id", "n", "t", "b", "k"], maxRows: 1_000_000)
            for i in 0..<count {
                let text: String? = i == 0 ? "O'Brien 张三'); DROP TABLE bulk_probe; --" : i == 1 ? nil : "r\(i)"
                try await insert.add([.int(i), .int(i.isMultiple(of: 7) ? nil : Int64(i) * 3), .text(text), .bool(i.isMultiple(of: 2)),
                                      .literal(i == 3 ? "it's" : "lit")])
            }
            try await insert.flush()
            #expect(insert.written == count)
            #expect(insert.returned.isEmpty)
            #expect(try await t.count("bulk_probe") == count)
            let rows = try await sql.raw("SELECT id, n, t, b, k FROM bulk_probe WHERE id IN (0, 1, 3, 7, \(unsafeRaw: String(count - 1))) ORDER BY id").all()
            func v(_ r: any SQLRow) throws -> (Int64, Int64?, String?, Bool, String) {
                (try r.decode(column: "id", as: Int64.self), try r.decode(column: "n", as: Int64?.self), try r.decode(column: "t", as: String?.self),
                 try r.decode(column: "b", as: Bool.self), try r.decode(column: "k", as: String.self))
            }
            let got = try rows.map(v)
            #expect(got.count == 5)
            #expect(got[0] == (0, nil, "O'Brien 张三'); DROP TABLE bulk_probe; --", true, "lit"))
            #expect(got[1] == (1, 3, nil, false, "lit"))
            #expect(got[2] == (3, 9, "r3", false, "it's"))
            #expect(got[3] == (7, nil, "r7", false, "lit"))
            #expect(got[4].2 == "r\(count - 1)")
        }
    }

    @Test("ON CONFLICT upserts and RETURNING hands back every row, over all statements sent")
    func upsertAndReturning() async throws {
        try await withTestApp { t in
            let sql = t.store.sql
            try await Self.probe(sql)
            var first = BulkInsert(sql, table: "bulk_probe", columns: ["id", "n", "b", "k"], maxRows: 2)
            for i in 1...3 { try await first.add([.int(i), .int(10), .bool(true), .literal("a")]) }
            try await first.flush()
            var again = BulkInsert(sql, table: "bulk_probe", columns: ["id", "n", "b", "k"],
                                   onConflict: SQLStoreDialect.onConflict(["id"], doUpdate: "n = bulk_probe.n + excluded.n"),
                                   returning: "id, n", maxRows: 2)
            for i in 2...5 { try await again.add([.int(i), .int(i), .bool(false), .literal("b")]) }
            try await again.flush()
            #expect(again.written == 4)
            let returned = try again.returned.map { (try $0.decode(column: "id", as: Int64.self), try $0.decode(column: "n", as: Int64.self)) }
                .sorted { $0.0 < $1.0 }
            #expect(returned.map(\.0) == [2, 3, 4, 5])
            #expect(returned.map(\.1) == [12, 13, 4, 5])
            let all = try await sql.raw("SELECT id, n FROM bulk_probe ORDER BY id").all()
                .map { try $0.decode(column: "n", as: Int64.self) }
            #expect(all == [10, 12, 13, 4, 5])
        }
    }

    @Test("the JOIN form finds the parent by its natural key, types a column of NULLs, and on PostgreSQL joins the CTE that inserted the parents")
    func joinForm() async throws {
        try await withTestApp { t in
            let sql = t.store.sql
            try await Self.probe(sql)
            var parents = BulkInsert.Statement(table: "bulk_parent", columns: ["id", "mall_id", "receipt_no"], returning: "id, mall_id, receipt_no")
            parents.add([.int(11), .int(1), .text("R-1")])
            parents.add([.int(12), .int(2), .text("R-1")])
            #expect(try await sql.raw(parents.query!).all().count == 2)

            func children(from source: String) -> BulkInsert.Statement {
                BulkInsert.Statement(table: "bulk_child", columns: ["parent_id", "line", "n", "t"],
                                     join: .init(source: source, on: ["mall_id", "receipt_no"], take: ["parent_id": "id"]))
            }
            var lines = children(from: "bulk_parent")
            #expect(lines.query == nil)
            lines.add([.int(2), .text("R-1"), .int(1), .int(nil), .text(nil)])   // only NULLs in n and t: typed, or PostgreSQL refuses
            lines.add([.int(1), .text("R-1"), .int(2), .int(nil), .text(nil)])
            lines.add([.int(3), .text("R-1"), .int(3), .int(nil), .text(nil)])   // no such parent: no row
            try await sql.raw(lines.query!).run()
            let got = try await sql.raw("SELECT parent_id, line, n, t FROM bulk_child ORDER BY line").all().map {
                (try $0.decode(column: "parent_id", as: Int64.self), try $0.decode(column: "line", as: Int64.self),
                 try $0.decode(column: "n", as: Int64?.self), try $0.decode(column: "t", as: String?.self))
            }
            #expect(got.count == 2)
            #expect(got.map(\.0) == [12, 11] && got.map(\.1) == [1, 2] && got.allSatisfy { $0.2 == nil && $0.3 == nil })

            guard sql.storeDialect == .postgresql else { return }   // SQLite has no INSERT inside WITH
            var more = BulkInsert.Statement(table: "bulk_parent", columns: ["id", "mall_id", "receipt_no"], returning: "id, mall_id, receipt_no")
            more.add([.int(21), .int(1), .text("R-2")])
            var cteLines = children(from: "p")
            cteLines.add([.int(1), .text("R-2"), .int(7), .int(5), .text("x")])
            var q = SQLQueryString("WITH p AS (")
            q.appendInterpolation(more.query!)
            q.appendLiteral("), c AS (")
            q.appendInterpolation(cteLines.query!)
            q.appendLiteral(") SELECT id FROM p")
            #expect(try await sql.raw(q).all().count == 1)
            let row = try #require(try await sql.raw("SELECT parent_id, n, t FROM bulk_child WHERE line = 7").first())
            #expect(try row.decode(column: "parent_id", as: Int64.self) == 21)
            #expect(try row.decode(column: "n", as: Int64.self) == 5)
            #expect(try row.decode(column: "t", as: String.self) == "x")
        }
    }
}

/// `LedgerWriter`, the one place that inserts into `points_ledger` (issue 15).
@Suite("Ledger writer")
struct LedgerWriterTests {
    struct Row: Equatable {
        var id: Int64, memberId: Int64, kind: String, points: Int64, balanceAfter: Int64
        var purchaseId: Int64?, refundId: Int64?, note: String, actor: String, atMs: Int64
    }

    static func rows(_ sql: any SQLDatabase, after id: Int64) async throws -> [Row] {
        try await sql.raw("SELECT * FROM points_ledger WHERE id > \(bind: id) ORDER BY id").all().map { r in
            Row(id: try r.decode(column: "id", as: Int64.self), memberId: try r.decode(column: "member_id", as: Int64.self),
                kind: try r.decode(column: "kind", as: String.self), points: try r.decode(column: "points", as: Int64.self),
                balanceAfter: try r.decode(column: "balance_after", as: Int64.self),
                purchaseId: try r.decode(column: "purchase_id", as: Int64?.self), refundId: try r.decode(column: "refund_id", as: Int64?.self),
                note: try r.decode(column: "note", as: String.self), actor: try r.decode(column: "actor", as: String.self),
                atMs: try r.decode(column: "at_ms", as: Int64.self))
        }
    }

    @Test("entries land as given, in order, whichever way they name their purchase; writeReturningId gives the row's id")
    func entriesLandAsGiven() async throws {
        try await withTestApp { t in
            let card = try await t.enrolMember(phone: "13800000001")
            let member = try await t.memberId(card: card)
            #expect(try await t.purchase("LW-1", fen: 10_000, card: card).status == .created)
            let sql = t.store.sql
            let purchase = try #require(try await sql.raw("SELECT id, mall_id FROM purchases WHERE receipt_no = 'LW-1'").first())
            let purchaseId = try purchase.decode(column: "id", as: Int64.self), mallId = try purchase.decode(column: "mall_id", as: Int64.self)
            let before = try #require(try await sql.raw("SELECT MAX(id) AS m FROM points_ledger").first()).decode(column: "m", as: Int64.self)

            let entries = [
                NewLedgerEntry(memberId: member, kind: .adjust, points: 0, balanceAfter: 1, note: "a 'quoted' note", actor: "staff", atMs: 1),
                NewLedgerEntry(memberId: member, kind: .earn, points: 0, balanceAfter: 2, purchase: .receipt(mallId: mallId, receiptNo: "LW-1"),
                               note: "by receipt", actor: "pos", atMs: 2),
                NewLedgerEntry(memberId: member, kind: .earn, points: 0, balanceAfter: 3, purchase: .receipt(mallId: mallId, receiptNo: "LW-1"),
                               note: "by receipt 2", actor: "pos", atMs: 3),
                NewLedgerEntry(memberId: member, kind: .reverse, points: 0, balanceAfter: 4, purchase: .id(purchaseId), refundId: 99,
                               note: "by id", actor: "pos", atMs: 4),
                NewLedgerEntry(memberId: member, kind: .redeemVoid, points: 0, balanceAfter: 5, note: "积分 · 张三", actor: "desk", atMs: 5),
            ]
            try await t.store.write { tx in try await LedgerWriter.write(tx.sql, entries, maxRows: 2) }
            let expiryId = try await t.store.write { tx in
                try await LedgerWriter.writeReturningId(tx.sql, NewLedgerEntry(memberId: member, kind: .expire, points: 0, balanceAfter: 6,
                                                                               note: "expired", actor: "job", atMs: 6))
            }
            let got = try await Self.rows(sql, after: before)
            #expect(got.map(\.kind) == ["adjust", "earn", "earn", "reverse", "redeemVoid", "expire"])
            #expect(got.map(\.balanceAfter) == [1, 2, 3, 4, 5, 6])   // in the order given: ids ascend with it
            #expect(got.map(\.purchaseId) == [nil, purchaseId, purchaseId, purchaseId, nil, nil])
            #expect(got.map(\.refundId) == [nil, nil, nil, 99, nil, nil])
            #expect(got.map(\.note) == ["a 'quoted' note", "by receipt", "by receipt 2", "by id", "积分 · 张三", "expired"])
            #expect(got.map(\.actor) == ["staff", "pos", "pos", "pos", "desk", "job"])
            #expect(got.map(\.atMs) == [1, 2, 3, 4, 5, 6])
            #expect(got.allSatisfy { $0.memberId == member && $0.points == 0 })
            #expect(got.last?.id == expiryId)

            #expect(LedgerWriter.statement([]) == nil)
            let one = try #require(LedgerWriter.statement([entries[1], entries[2]]))
            try await sql.raw(one).run()
            #expect(try await Self.rows(sql, after: expiryId).map(\.note) == ["by receipt", "by receipt 2"])
        }
    }
}
