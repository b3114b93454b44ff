import Foundation
import MallVIPCore
@testable import MallVIPStore
@testable import MallVIPWeb
import SQLKit
import Testing

/// Every report figure, recomputed here in plain Swift from the raw rows (purchases, lines, members, tier changes,
/// the points ledger), equals what the report queries read from the aggregates; and the aggregates the live path
/// kept through purchases, refunds and enrolment credits equal a rebuild from scratch.
@Suite("Reports: aggregates and recompute") struct ReportsRecomputeTests {
    @Test("live aggregates equal a rebuild, and every report figure equals a recompute from the raw rows")
    func recompute() async throws {
        try await withTestApp { t in
            _ = try await t.store.generateDemo(DemoPlan(seed: 5, scale: 0.05), staffPasswordHash: "locked")
            try await livePurchases(t)
            let live = try await snapshot(t)
            try await t.store.rebuildReportAggregates()
            let rebuilt = try await snapshot(t)
            #expect(live.count == rebuilt.count)
            for (a, b) in zip(live, rebuilt) where a != b { Issue.record("live \(a) ≠ rebuilt \(b)"); break }
            #expect(!live.isEmpty)

            let raw = try await Raw.load(t.store.sql)
            let mallId = try await t.store.malls().first { $0.code == DemoCatalogue.mallCode }!.id
            let today = LocalDate(year: 2026, month: 11, day: 25)
            let periods: [(ReportPeriod, Int64?)] = [
                (.last12(endingOn: today.adding(days: -1)), nil), (.month(2026, 11), nil), (.month(2026, 10), mallId),
                (.quarter(2026, 4), nil), (.year(2026), mallId), (.half(2026, 1), nil),
            ]
            for (period, mall) in periods {
                let range = period.through(today)!
                let scope = ReportScope(range: range, mallId: mall)
                try await compare(t, raw, scope, previous: period.previous.range, lastYear: range.lastYear, "\(period) mall \(mall.map(String.init) ?? "all")")
            }

            // The nightly member-period snapshots and daily points (migration 027): read through them, every figure
            // still equals the recompute; so it does after purchases and refunds posted once they were built (today,
            // back-dated into the snapshots' days, and a refund of an old receipt), and after the next build.
            let built = try await t.store.buildReportSnapshots(on: today)
            #expect(built.rows > 0)
            let last12 = ReportPeriod.last12(endingOn: today.adding(days: -1)).range
            #expect(try await ReportSnapshots.find(t.store.sql, last12, mallId: nil) != nil)
            #expect(try await ReportSnapshots.find(t.store.sql, ReportPeriod.year(2026).through(today)!, mallId: mallId) != nil)
            for stage in ["snapshots", "after snapshots", "rebuilt snapshots"] {
                if stage == "after snapshots" {
                    try await purchasesAfterSnapshots(t)
                    let listed = try await t.store.sql.raw("SELECT COUNT(*) AS n FROM report_member_changes").first()!.decode(column: "n", as: Int.self)
                    #expect(listed > 0)
                }
                if stage == "rebuilt snapshots" { _ = try await t.store.buildReportSnapshots(on: today) }
                let raw = try await Raw.load(t.store.sql)
                for (period, mall) in periods {
                    let range = period.through(today)!
                    try await compare(t, raw, ReportScope(range: range, mallId: mall), previous: period.previous.range, lastYear: range.lastYear,
                                      "\(stage) \(period) mall \(mall.map(String.init) ?? "all")")
                }
            }
        }
    }

    /// After the snapshots were built: member purchases today and back-dated two and five days, a refund of one of
    /// them and of an old demo member receipt (its business day is inside the snapshots).
    func purchasesAfterSnapshots(_ t: TestContext) async throws {
        let sql = t.store.sql
        let cards = try await sql.raw("SELECT card_no FROM cards WHERE state = 'active' ORDER BY id DESC LIMIT 3").all()
            .map { try $0.decode(column: "card_no", as: String.self) }
        let counters = try await sql.raw("SELECT code FROM counters WHERE code LIKE 'CD%' ORDER BY code LIMIT 3").all()
            .map { try $0.decode(column: "code", as: String.self) }
        let days: [Date] = [t.clock.now, t.clock.now.addingTimeInterval(-86_400 * 2), t.clock.now.addingTimeInterval(-86_400 * 5)]
        for (i, card) in cards.enumerated() {
            let r = try await t.postRaw("/api/v1/purchases", t.purchaseJSON("SNP-\(i)", at: days[i], card: card,
                                                                           lines: [Line(66_000 + Int64(i) * 1_000, counter: counters[i])]))
            #expect(r.status == .created, "\(r.text)")
        }
        let old = try await sql.raw("""
            SELECT p.receipt_no, c.code, l.amount_fen FROM purchases p JOIN purchase_lines l ON l.purchase_id = p.id JOIN counters c ON c.id = l.counter_id
            WHERE p.member_id IS NOT NULL AND p.refunded_fen = 0 AND p.business_day < \(bind: LocalDate(year: 2026, month: 6, day: 1).dayNumber)
            ORDER BY p.id DESC LIMIT 1
            """).first()!
        let (oldReceipt, oldCounter, oldFen) = (try old.decode(column: "receipt_no", as: String.self), try old.decode(column: "code", as: String.self),
                                                try old.decode(column: "amount_fen", as: Int64.self))
        for (no, receipt, counter, fen) in [("SNP-F1", "SNP-2", counters[2], Int64(10_000)), ("SNP-F2", oldReceipt, oldCounter, oldFen / 3)] {
            let r = try await t.postRaw("/api/v1/refunds", #"{"refundNo":"\#(no)","receiptNo":"\#(receipt)","lines":[{"counter":"\#(counter)","amountFen":\#(fen)}]}"#)
            #expect(r.status == .created, "\(r.text)")
        }
    }

    /// Purchases by card and phone on several days (one back-dated into last month), refunds of member and
    /// non-member receipts, and an enrolment that credits an earlier non-member receipt.
    func livePurchases(_ t: TestContext) async throws {
        let sql = t.store.sql
        let cards = try await sql.raw("SELECT card_no FROM cards WHERE state = 'active' ORDER BY id LIMIT 6").all()
            .map { try $0.decode(column: "card_no", as: String.self) }
        let counters = try await sql.raw("SELECT code FROM counters WHERE code LIKE 'CD%' ORDER BY code LIMIT 6").all()
            .map { try $0.decode(column: "code", as: String.self) }
        let days: [Date] = [t.clock.now, t.clock.now.addingTimeInterval(-86_400 * 3), t.clock.now.addingTimeInterval(-86_400 * 40)]
        for (i, card) in cards.enumerated() {
            let json = t.purchaseJSON("RPT-\(i)", at: days[i % 3], card: card,
                                      lines: [Line(35_000 + Int64(i) * 1_000, counter: counters[i % 6]), Line(128_000, counter: counters[(i + 1) % 6]),
                                              Line(9_900, counter: counters[i % 6])])
            let r = try await t.postRaw("/api/v1/purchases", json)
            #expect(r.status == .created, "\(r.text)")
        }
        let walkIn = try await t.postRaw("/api/v1/purchases", t.purchaseJSON("RPT-N1", phone: "13700000001",
                                                                            lines: [Line(45_000, counter: counters[2]), Line(5_000, counter: counters[3])]))
        #expect(walkIn.status == .created)
        // A refund of a member receipt made today, of a non-member receipt, and of an old demo member receipt.
        for (no, receipt, counter, fen) in [("RPT-F1", "RPT-0", counters[0], Int64(20_000)), ("RPT-F2", "RPT-N1", counters[2], Int64(45_000))] {
            let r = try await t.postRaw("/api/v1/refunds", #"{"refundNo":"\#(no)","receiptNo":"\#(receipt)","lines":[{"counter":"\#(counter)","amountFen":\#(fen)}]}"#)
            #expect(r.status == .created, "\(r.text)")
        }
        let old = try await sql.raw("""
            SELECT p.receipt_no, c.code, l.amount_fen FROM purchases p JOIN purchase_lines l ON l.purchase_id = p.id JOIN counters c ON c.id = l.counter_id
            WHERE p.member_id IS NOT NULL AND p.business_day < \(bind: LocalDate(year: 2026, month: 8, day: 1).dayNumber) ORDER BY p.id DESC LIMIT 1
            """).first()!
        let r = try await t.postRaw("/api/v1/refunds", #"{"refundNo":"RPT-F3","receiptNo":"\#(try old.decode(column: "receipt_no", as: String.self))","lines":[{"counter":"\#(try old.decode(column: "code", as: String.self))","amountFen":\#(try old.decode(column: "amount_fen", as: Int64.self) / 2)}]}"#)
        #expect(r.status == .created, "\(r.text)")
        // A walk-in who enrols: the receipt becomes member sales.
        _ = try await t.enrolMember(phone: "13700000002", amountFen: 88_800, at: t.clock.now.addingTimeInterval(-86_400 * 2))
    }

    func snapshot(_ t: TestContext) async throws -> [String] {
        var out: [String] = []
        // The sharded tables (migration 031) summed over their shards: live posts add to their lane's rows, a rebuild to shard 0.
        func summed(_ table: String, _ key: String, _ values: [String]) -> String {
            "SELECT \(key), " + values.map { "CAST(SUM(\($0)) AS BIGINT) AS \($0)" }.joined(separator: ", ")
                + " FROM \(table) GROUP BY \(key) ORDER BY \(key)"
        }
        let queries = [
            ("counter_day_sales", summed("counter_day_sales", "mall_id, counter_id, day", [
                "sales_fen", "member_sales_fen", "lines", "member_lines", "receipts", "member_receipts", "lead_receipts",
                "member_lead_receipts", "refunded_fen", "member_refunded_fen"])),
            ("price_band_day_sales", summed("price_band_day_sales", "mall_id, day, band_fen", ["lines", "sales_fen", "member_lines", "member_sales_fen"])),
            ("member_month_stats", "SELECT * FROM member_month_stats ORDER BY member_id, mall_id, month"),
        ]
        for (table, query) in queries {
            for row in try await t.store.sql.raw(SQLQueryString(stringLiteral: query)).all() {
                let cols = row.allColumns.sorted()
                out.append(table + " " + (try cols.map { "\($0)=\(try row.decode(column: $0, as: Int64.self))" }.joined(separator: " ")))
            }
        }
        return out
    }

    func compare(_ t: TestContext, _ raw: Raw, _ scope: ReportScope, previous: DayRange, lastYear: DayRange, _ label: String) async throws {
        let store = t.store
        let programme = try await store.programme().programme
        let policy = programme.reports
        for g in SalesGrouping.allCases {
            #expect(try await store.reportSales(scope, by: g) == raw.sales(scope, by: g), "sales by \(g) \(label)")
        }
        #expect(try await store.reportPriceBands(scope) == raw.bands(scope, policy), "bands \(label)")
        #expect(try await store.reportMembers(scope, previous: previous) == raw.members(scope, previous: previous, minDays: policy.repurchase.minDays), "members \(label)")
        #expect(try await store.reportChurn(scope) == raw.churn(scope, programme.churn), "churn \(label)")
        #expect(try await store.reportDemographics(scope) == raw.demographics(scope, ages: policy.ageBands), "demographics \(label)")
        #expect(try await store.reportTiers(scope) == raw.tiers(scope, zone: programme.timeZone), "tiers \(label)")
        #expect(try await store.reportRFM(scope) == raw.rfm(scope, grades: policy.rfmGrades), "rfm \(label)")
        #expect(try await store.reportABC(scope) == raw.abc(scope, policy), "abc \(label)")
        #expect(try await store.reportSegments(scope) == raw.segments(scope, policy), "segments \(label)")
        #expect(try await store.reportTop(scope, previous: previous, lastYear: lastYear)
                == raw.top(scope, previous: previous, lastYear: lastYear, n: policy.topN, zone: programme.timeZone), "top \(label)")
        #expect(try await store.reportPoints(scope.range) == raw.points(scope.range, zone: programme.timeZone,
                                                                       rate: programme.redemption.fenPerThousandPoints), "points \(label)")
    }
}
