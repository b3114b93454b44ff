import Foundation
import MallVIPCore
import SQLKit
import Testing
@testable import MallVIPStore
@testable import MallVIPWeb

/// The demo's bulk load sets the secondary indexes (and on PostgreSQL the foreign keys) of the tables it fills aside
/// and builds them again (issue 21): afterwards the database has exactly what the migrations defined, and a demo on a
/// database that already holds members writes nothing.
@Suite("Demo indexes") struct DemoIndexTests {
    @Test("after a demo the indexes, foreign keys and triggers are exactly the migrations'")
    func indexesRestored() async throws {
        try await withTestApp { t in
            let sql = t.store.sql
            let indexes = try await DemoIndexes.list(sql)
            let keys = try await DemoIndexes.foreignKeys(sql)
            let triggers = try await DemoIndexes.triggers(sql)
            #expect(triggers.contains { $0.name == "webhook_purchase_posted" }, "\(triggers)")
            // What the migrations made (a sample the report queries and the member pages rely on).
            for name in ["purchases_day", "purchases_member", "purchase_lines_purchase", "points_ledger_member", "tier_changes_member"] {
                #expect(indexes.contains { $0.name == name }, "\(name) in \(indexes)")
            }
            if TestDatabase.isPostgres {
                #expect(keys.contains { $0.table == "purchase_lines" && $0.definition.contains("REFERENCES purchases") }, "\(keys)")
            } else {
                #expect(keys.isEmpty)
            }

            let f = try await t.store.generateDemo(DemoPlan(seed: 3, scale: 0.01), staffPasswordHash: "locked")
            #expect(f.purchases > 1000)
            #expect(try await DemoIndexes.list(sql) == indexes)
            #expect(try await DemoIndexes.foreignKeys(sql) == keys)
            #expect(try await DemoIndexes.triggers(sql) == triggers)
            // The rebuilt indexes are in use and the constraints hold again.
            #expect(try await t.store.verify().ok)
            await #expect(throws: (any Error).self) {
                try await sql.exec("""
                    INSERT INTO purchase_lines (purchase_id, member_id, line_no, counter_id, amount_fen, special_price, earns_points, refunded_fen)
                    VALUES (987654321, NULL, 1, 1, 100, FALSE, TRUE, 0)
                    """)
            }
        }
    }

    @Test("a database with a member is refused and left as it was")
    func refusedWhenNotEmpty() async throws {
        try await withTestApp { t in
            _ = try await t.enrolMember(phone: "13900000123")
            let sql = t.store.sql
            let indexes = try await DemoIndexes.list(sql)
            let error = await #expect(throws: DemoRefused.self) {
                _ = try await t.store.generateDemo(DemoPlan(seed: 3, scale: 0.01), staffPasswordHash: "locked")
            }
            #expect(error?.members == 1)
            #expect(try await sql.row("SELECT COUNT(*) AS n FROM members")!.int("n") == 1)
            #expect(try await sql.row("SELECT COUNT(*) AS n FROM counters WHERE code LIKE 'CD%'")!.int("n") == 0)
            #expect(try await DemoIndexes.list(sql) == indexes)
        }
    }
}
