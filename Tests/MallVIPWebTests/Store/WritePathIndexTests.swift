import Foundation
import MallVIPCore
import MallVIPStore
@testable import MallVIPWeb
import SQLKit
import Testing

/// Issue 15, last pass: fewer index pages per purchase (migration 044), the member import writing each member once,
/// and PostgreSQL's foreign-key check of an imported line going through the counters' primary key.
@Suite("Write path: indexes a purchase writes, one write per imported member, indexed counter checks")
struct WritePathIndexTests {
    /// The indexes of `purchases` and their definitions, on either store.
    static func purchaseIndexes(_ t: TestContext) async throws -> [String: String] {
        let q: SQLQueryString = TestDatabase.isPostgres
            ? "SELECT indexname AS name, indexdef AS def FROM pg_indexes WHERE schemaname = current_schema() AND tablename = 'purchases'"
            : "SELECT name, COALESCE(sql, '') AS def FROM sqlite_master WHERE type = 'index' AND tbl_name = 'purchases'"
        var out: [String: String] = [:]
        for r in try await t.store.sql.raw(q).all() { out[try r.decode(column: "name", as: String.self)] = try r.decode(column: "def", as: String.self) }
        return out
    }

    @Test("No index on the receipt number alone; the phone index holds non-member purchases only; receipts are still found")
    func purchaseIndexesAndLookups() async throws {
        try await withTestApp { t in
            let indexes = try await Self.purchaseIndexes(t)
            #expect(indexes["purchases_receipt"] == nil, "\(indexes.keys.sorted())")
            let phone = try #require(indexes["purchases_phone"])
            #expect(phone.contains("WHERE") && phone.contains("member_id IS NULL"), "\(phone)")

            // A non-member receipt without a phone claimed at enrolment by its number (the slip names no mall), one
            // with a phone claimed by the phone, a replay of a posted receipt and a second body under the same number.
            let card = try await t.enrolMember(phone: "13900000101")
            #expect(try await t.purchase("WP-1", fen: 60_000).status == .created)
            #expect(try await t.purchase("WP-3", fen: 60_000, phone: "13900000103").status == .created)
            #expect(try await t.purchase("WP-2", fen: 20_000, card: card).status == .created)
            #expect(try await t.purchase("WP-2", fen: 20_000, card: card).status == .ok)           // replayed
            #expect(try await t.purchase("WP-2", fen: 30_000, card: card).status == .conflict)
            let byNumber = try await t.enrol(phone: "13900000102", receipts: ["WP-1"])
            #expect(byNumber.status == .created, "\(byNumber.text)")
            let byPhone = try await t.enrol(phone: "13900000103")
            #expect(byPhone.status == .created, "\(byPhone.text)")
            #expect(try await t.dump("SELECT receipt_no FROM purchases WHERE member_id IS NULL ORDER BY id") == [])
            #expect(try await t.dump("SELECT receipt_no FROM purchases WHERE phone = '13900000103' AND member_id IS NULL") == [])
            try await t.expectVerifyClean()
        }
    }

    @Test("Imported members get ids in file order after the last member, each written once with its referral code")
    func importedMemberIds() async throws {
        try await withTestApp { t in
            _ = try await t.enrolMember(phone: "13900000201")
            let last = try await t.store.sql.raw("SELECT MAX(id) AS m FROM members").first()!.decode(column: "m", as: Int64.self)
            var csv = "会员卡号,手机号,姓名,积分\n"
            for i in 1...6 { csv += "77000000\(String(format: "%04d", i * 7)),1390000030\(i),会员\(i),\(i * 10)\n" }
            let r = try await t.importText(.members, csv)
            #expect((r.imported, r.rejected) == (6, 0), "\(r.rejects)")
            let rows = try await t.dump("SELECT id, phone, referral_code, points_balance FROM members WHERE id > \(last) ORDER BY id")
            let expected = (1...6).map { i -> String in
                let id = last + Int64(i)
                return "id=\(id) phone=1390000030\(i) referral_code=\(ReferralCode.forMember(id)) points_balance=\(i * 10)"
            }
            #expect(rows == expected)
            // The opening balances point at the same members.
            let opening = try await t.dump("SELECT member_id, points FROM points_ledger WHERE member_id > \(last) ORDER BY id")
            let expectedOpening: [String] = (1...6).map { (i: Int) -> String in "member_id=\(last + Int64(i)) points=\(i * 10)" }
            #expect(opening == expectedOpening)
            try await t.expectVerifyClean()
        }
    }

    @Test("PostgreSQL: an import checks each line's counter through the primary key, not by reading all counters")
    func importCounterChecksIndexed() async throws {
        guard TestDatabase.isPostgres else { return }
        try await withTestApp { t in
            // Lines are counted over purchase_lines and its month partitions (migration 046 partitions it on PostgreSQL).
            func stats() async throws -> (seq: Int64, lines: Int64) {
                let r = try await t.store.sql.raw("""
                    SELECT (SELECT seq_scan FROM pg_stat_user_tables WHERE schemaname = current_schema() AND relname = 'counters') AS seq,
                      (SELECT CAST(COALESCE(SUM(n_tup_ins), 0) AS BIGINT) FROM pg_stat_user_tables
                       WHERE schemaname = current_schema() AND (relname = 'purchase_lines' OR relname LIKE 'purchase\\_lines\\_%')) AS lines
                    """).first()!
                return (try r.decode(column: "seq", as: Int64.self), try r.decode(column: "lines", as: Int64.self))
            }
            let before = try await stats()
            var csv = "小票号,交易时间,会员卡号,手机号,店柜编码,实收金额\n"
            for n in 1...150 {
                let time = "2026-11-20 10:" + String(format: "%02d", n % 60) + ":00"
                csv += "FK\(n),\(time),,,C0001,\(n).00\n" + "FK\(n),\(time),,,C0001,1.00\n"
            }
            let r = try await t.importText(.purchases, csv)
            #expect((r.imported, r.rejected) == (300, 0), "\(r.rejects)")   // rows of the file: 150 receipts of two lines
            // Each backend reports its counts when idle, within about a second: wait until the lines show.
            var after = try await stats()
            for _ in 0..<50 where after.lines - before.lines < 300 {
                try await Task.sleep(for: .milliseconds(200))
                after = try await stats()
            }
            #expect(after.lines - before.lines == 300)
            // One full read of counters per line before (300 here); now the few reads of the whole table the import
            // makes on purpose (the counter codes), whatever the number of lines.
            #expect(after.seq - before.seq < 30, "counters scanned \(after.seq - before.seq) times for 300 lines")
        }
    }
}
