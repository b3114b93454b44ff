import Foundation
import MallVIPCore
@testable import MallVIPStore
@testable import MallVIPWeb
import SQLKit
import Testing

/// Issue 21, "beyond one server, in one test": the stand-in for a Citus cluster that distributes every member-owned
/// table by member id. On a fresh migrated PostgreSQL schema the member-owned tables of docs/scaling.md's inventory
/// become `PARTITION BY HASH (member_id)` (members by id, referrals by referee_id), 4 partitions each; then the
/// suite's purchase and report paths run through the app, and every figure must equal the same steps on an
/// unpartitioned schema and the independent recompute of the report tests. PostgreSQL only.
@Suite(.serialized, .enabled(if: HashPartitionedGate.enabled, "PostgreSQL only: set MALLVIP_TEST_DATABASE_URL"))
struct HashPartitionedTests {
    /// Part 21b partitions these by month (migration 046); Citus distributes them by member too (docs/scaling.md).
    static let monthPartitioned: Set<String> = ["purchases", "purchase_lines", "points_ledger"]
    /// Member-owned but left as it is: issuing a coupon relies on `ON CONFLICT (code)` (Store+Coupons.swift), which
    /// needs the unique on code alone — the code change docs/scaling.md names (a coupon_codes lookup) comes first.
    static let needsCodeChange: [String: String] = ["coupons": "coupons(code)"]

    // Not passing yet (issue 21 open, stop 28): the conversion works, but the scenario stops early on the plain schema
    // (33 figures compared, the test wants over 100) and member 0's effect on the figures is unchecked.
    @Test("member-owned tables hash-partitioned by member id: the purchase and report paths give the same figures",
          .disabled("issue 21: the stand-in scenario does not run through yet (see stop-28 note)"))
    func samePathsSameFigures() async throws {
        let doc = try ScalingDoc.load()
        let plain = try await withTestApp { t in try await Self.scenario(t, partitioned: nil) }
        let parted = try await withTestApp { t in
            do { return try await Self.scenario(t, partitioned: doc) } catch {
                Issue.record("hash-partitioned run: \(String(reflecting: error))")
                throw error
            }
        }
        #expect(plain.count == parted.count)
        #expect(plain.count > 100, "the scenario reads every report table and the dashboard")
        for (a, b) in zip(plain, parted) where a != b {
            Issue.record("unpartitioned ≠ hash-partitioned:\n\(a.prefix(600))\n≠\n\(b.prefix(600))")
            break
        }
    }

    @Test("every table of the migrated schema is in docs/scaling.md's inventory, and nothing else is")
    func inventoryCoversTheSchema() async throws {
        let doc = try ScalingDoc.load()
        try await withTestApp { t in
            let tables = Set(try await t.store.sql.raw("""
                SELECT relname::text AS name FROM pg_class
                WHERE relnamespace = current_schema()::regnamespace AND relkind IN ('r', 'p') AND NOT relispartition
                """).all().map { try $0.decode(column: "name", as: String.self) })
            let listed = Set(doc.inventory.keys)
            #expect(tables.subtracting(listed).sorted() == [], "tables missing from docs/scaling.md's inventory")
            #expect(listed.subtracting(tables).sorted() == [], "tables in docs/scaling.md's inventory that the schema lacks")
            // A member-owned table's key is a column of it.
            for (table, row) in doc.inventory where row.kind == "member-owned" && tables.contains(table) {
                let has = try await t.store.sql.raw("""
                    SELECT 1 AS x FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = \(bind: table) AND column_name = \(bind: row.key)
                    """).first() != nil
                #expect(has, "\(table) has no column \(row.key)")
            }
        }
    }

    /// Demo data, then (on the partitioned run) the conversion, then live posting through the API, then every
    /// figure as text.
    static func scenario(_ t: TestContext, partitioned doc: ScalingDoc?) async throws -> [String] {
        _ = try await t.store.generateDemo(DemoPlan(seed: 21, scale: 0.02), staffPasswordHash: "locked")
        if let doc {
            let tables = doc.memberOwned.filter { !monthPartitioned.contains($0.table) && needsCodeChange[$0.table] == nil }
            let hp = HashPartition(sql: t.store.sql, keys: Dictionary(uniqueKeysWithValues: tables.map { ($0.table, $0.key) }))
            let result = try await hp.convert(tables.map(\.table))
            // The uniques that cannot exist on a table partitioned by member are exactly the doc's list.
            #expect((result.uniquesWithoutKey + needsCodeChange.values).sorted() == doc.uniquesWithoutKey.sorted(),
                    "docs/scaling.md «Uniques without the member key» must list exactly: \(result.uniquesWithoutKey.sorted())")
            #expect(result.droppedForeignKeys == [], "every foreign key survives the conversion")
            for table in tables.map(\.table) {
                #expect(try await hp.isHashPartitioned(table), "\(table) is not hash-partitioned")
            }
            // The rows really are spread: members and their cards and daily spend over all four partitions.
            for table in ["members", "cards", "member_daily_spend", "member_month_stats"] {
                let spread = try await hp.spread(table)
                #expect(spread.allSatisfy { $0 > 0 }, "\(table) rows per partition: \(spread)")
                #expect(spread.reduce(0, +) == (try await t.count(table)))
            }
        }
        // Live posting through the POS API: members by card, a walk-in, refunds, an enrolment that claims a receipt.
        try await ReportsRecomputeTests().livePurchases(t)
        // A tier upgrade: the base-tier member with the lowest id spends enough for the top tier.
        // The base tier is the programme's first (member 0, the reserved owner of member-less rows, has none).
        let baseTier = try await t.store.programme().1.tiers[0].code
        let baseRow = try await t.store.sql.raw("""
            SELECT c.card_no FROM cards c JOIN members m ON m.id = c.member_id
            WHERE c.state = 'active' AND m.status = 'active' AND m.manual_tier IS NULL AND m.earned_tier = \(bind: baseTier)
            ORDER BY m.id LIMIT 1
            """).first()
        guard let base = try baseRow?.decode(column: "card_no", as: String.self) else {
            let tiers = try await t.store.sql.raw("""
                SELECT m.earned_tier || ' min ' || MIN(m.points_balance) || ' n ' || COUNT(*) || ' manual ' || COUNT(m.manual_tier)
                       || ' active cards ' || COUNT(c.id) AS x
                FROM members m LEFT JOIN cards c ON c.member_id = m.id AND c.state = 'active' GROUP BY m.earned_tier
                """).all().map { try $0.decode(column: "x", as: String.self) }
            Issue.record("no base-tier member with an active card (\(doc == nil ? "unpartitioned" : "hash-partitioned")): \(tiers)")
            throw ScenarioStopped()
        }
        let counter = try await t.store.sql.raw("SELECT code FROM counters WHERE code LIKE 'CD%' ORDER BY code LIMIT 1").first()!
            .decode(column: "code", as: String.self)
        let upgrade = try await t.postRaw("/api/v1/purchases", t.purchaseJSON("HP-UP", card: base, lines: [Line(8_000_000, counter: counter)]))
        #expect(upgrade.status == .created, "\(upgrade.text)")
        #expect(upgrade.bool("tierChanged") == true, "\(upgrade.text)")
        // A redemption of a voucher (a coupon is issued) with the points just earned.
        if try await t.store.rewardItem(code: "VOUCHER-30") == nil { try await t.store.addSeedRewardItems(supplierCounterCode: counter, actor: "test") }
        let redeem = try await t.postRaw("/api/v1/redemptions", #"{"idempotencyKey":"HP-R1","card":"\#(base)","item":"VOUCHER-30"}"#)
        #expect(redeem.status == .created, "\(redeem.text)")
        let lookup = try await t.lookup(card: base)
        #expect(lookup.status == .ok)

        var out: [String] = [upgrade.text, redeem.text.replacingOccurrences(of: #""couponCode":"[^"]*""#, with: "", options: .regularExpression), lookup.text]
        // `mallvip verify`: balances equal the ledger, daily spend equals the purchases.
        let verify = try await t.store.verify()
        #expect(verify.ok, "\(verify.mismatches.prefix(5))")
        out.append("verify \(verify.membersChecked) \(verify.mismatches)")
        // The report pack (every table, this month and last) and the dashboard, as the console serves them.
        let console = try await t.console(as: "boss", .admin)
        for period in ["2026-11", "2026-10"] {
            for table in Reports.tableNames {
                let page = try await console.get("/console/reports/\(table).csv?p=\(period)")
                #expect(page.status == .ok, "\(table) \(period)")
                out.append("\(period) \(table)\n\(page.body)")
            }
        }
        let home = try await console.get("/console")
        #expect(home.status == .ok)
        out.append(home.body.replacingOccurrences(of: #"value="[0-9a-f]{16,}""#, with: "", options: .regularExpression))
        // And the report queries equal the recompute from the raw rows (the report tests' independent check).
        let raw = try await Raw.load(t.store.sql)
        let today = LocalDate(year: 2026, month: 11, day: 25)
        for period in [ReportPeriod.month(2026, 11), .last12(endingOn: today.adding(days: -1))] {
            let range = period.through(today)!
            try await ReportsRecomputeTests().compare(t, raw, ReportScope(range: range, mallId: nil), previous: period.previous.range,
                                                      lastYear: range.lastYear, "hash-partitioned \(period)")
        }
        return out
    }
}

struct ScenarioStopped: Error {}

enum HashPartitionedGate {
    static var enabled: Bool {
        if !TestDatabase.isPostgres { print("HashPartitionedTests skipped: PostgreSQL only (MALLVIP_TEST_DATABASE_URL is unset)") }
        return TestDatabase.isPostgres
    }
}

/// docs/scaling.md's inventory and its list of uniques without the member key, as the test reads them.
struct ScalingDoc: Sendable {
    struct Row: Sendable { var kind: String; var key: String }
    var inventory: [String: Row] = [:]
    var uniquesWithoutKey: [String] = []
    var memberOwned: [(table: String, key: String)] {
        // members first: the others' foreign keys point at it.
        inventory.filter { $0.value.kind == "member-owned" }.map { ($0.key, $0.value.key) }
            .sorted { ($0.table != "members" ? 1 : 0, $0.table) < ($1.table != "members" ? 1 : 0, $1.table) }
    }

    static func load() throws -> ScalingDoc {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        let text = try String(contentsOf: root.appendingPathComponent("docs/scaling.md"), encoding: .utf8)
        var doc = ScalingDoc()
        var section = ""
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("#") { section = String(line); continue }
            guard line.hasPrefix("| `") else { continue }
            let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            func code(_ s: String) -> String { s.trimmingCharacters(in: CharacterSet(charactersIn: "`")) }
            if section.contains("Inventory"), cells.count >= 3 {
                doc.inventory[code(cells[0])] = Row(kind: cells[1], key: code(cells[2]))
            } else if section.contains("Uniques without the member key") {
                doc.uniquesWithoutKey.append(code(cells[0]))
            }
        }
        return doc
    }
}
