import Foundation
import MallVIPCore
import MallVIPStore
@testable import MallVIPWeb
import SQLKit
import Testing
import Vapor

/// Tenant co-funding statements (issue 20, docs/finance.md "Tenant co-funding"), on SQLite and PostgreSQL: the
/// figures are recomputed in the test from the raw ledger, purchase-line and redemption rows.
@Suite("Tenant co-funding") struct CoFundingTests {
    /// 1,000 points are worth 15 yuan (1.5 fen a point, so half fen appear); counters fund half of their points' cost
    /// by default, C0002 all of it.
    static let programme = programmeYAML(replacing: [("  valuePerThousandPoints: 10 ", "  valuePerThousandPoints: 15 ")])
        + "\ncoFunding:\n  defaultSharePermille: 500\n  counters: {C0002: 1000, NOPE-1: 100}\n"

    struct World {
        var mallB: Int64
        /// Receipt → the expected split of its points over counters (by eligible amount), worked out by hand.
        var splits: [String: [String: Int64]]
    }

    /// Purchases in November 2026 at C0001, C0002, C0003 (earns no points) and CB01 (mall BEE), one refund, one
    /// redemption of a gift C0001 supplies, and one purchase in October (another month).
    static func world(_ t: TestContext) async throws -> World {
        try await t.saveCounter(code: "C0002", participates: true)
        try await t.saveCounter(code: "C0003", participates: true, earnsPoints: false)
        let mallB = try await t.store.createMall(code: "BEE", name: "B 店", actor: "test")
        let deptB = try await t.store.createDepartment(mallId: mallB, code: "B1", name: "B 一课", actor: "test")
        try await t.store.saveCounter(id: nil, CounterInput(departmentId: deptB, code: "CB01", name: "B 店柜", brand: "B", category: "服饰",
                                                            floor: "1F", participatesInDiscount: true), actor: "test")
        let card = try await t.enrolMember(phone: "13900000001")           // 600 yuan at C0001: 60 points
        #expect(try await t.purchase("P1", card: card, lines: [Line(30_000), Line(70_000, counter: "C0002")]).status == .created)   // 100
        #expect(try await t.purchase("P2", card: card, lines: [Line(35_500, counter: "C0002")]).status == .created)                 // 35
        #expect(try await t.purchase("P3", card: card, lines: [Line(10_000), Line(10_000, counter: "C0003")]).status == .created)   // 10
        #expect(try await t.purchase("P4", card: card, lines: [Line(5_500), Line(5_500, counter: "C0002")]).status == .created)     // 11
        #expect(try await t.purchase("PB", card: card, lines: [Line(50_000, counter: "CB01")]).status == .created)                  // 50
        // A refund of 200 yuan at C0002 on P1: 800 yuan remain, 80 points kept, 20 reversed — all C0002's.
        let refund = try await t.refund("R1", receipt: "P1", fen: 20_000, counter: "C0002")
        #expect(refund.status == .created, "\(refund.text)")
        #expect(refund.int("pointsReversed") == 20)
        // Posted in October (the ledger row's time decides the month): not in November's statement.
        let now = t.clock.now
        t.clock.set(shanghai(2026, 10, 20))
        #expect(try await t.purchase("OCT", card: card, lines: [Line(20_000, counter: "C0002")]).status == .created)
        t.clock.set(now)
        // A gift C0001 supplies, redeemed in November.
        try await t.seedCatalogue(supplier: "C0001")
        let (card2, _) = try await t.memberWithPoints("13900000002", 1_499)
        #expect(try await t.redeem("G-1", card: card2, item: "LADDER-GIFT", listPriceFen: 19_900).status == .created)
        return World(mallB: mallB, splits: ["P1": ["C0001": 30, "C0002": 70], "P3": ["C0001": 10],
                                           // 11 points over 55 + 55 yuan: 5.5 each, the spare point to the older counter.
                                           "P4": ["C0001": 6, "C0002": 5]])
    }

    struct Expected: Equatable, CustomStringConvertible {
        var earned: Int64 = 0, reversed: Int64 = 0, redemptions = 0, suppliedFen: Int64 = 0
        var description: String { "earned \(earned) reversed \(reversed) redemptions \(redemptions) supplied \(suppliedFen)" }
    }

    /// November's figures per counter code from the raw rows: every earn/reverse ledger row written in November
    /// (Shanghai) goes to its purchase's only counter with eligible lines, or by the hand-made split; redemptions by
    /// their supplier.
    static func recompute(_ t: TestContext, _ w: World) async throws -> [String: Expected] {
        let from = epochMillis(shanghai(2026, 11, 1, 0)), to = epochMillis(shanghai(2026, 12, 1, 0))
        let ledger = try await t.store.sql.raw("""
            SELECT l.kind, l.points, p.receipt_no, p.id AS pid FROM points_ledger l JOIN purchases p ON p.id = l.purchase_id
            WHERE l.kind IN ('earn', 'reverse') AND l.at_ms >= \(bind: from) AND l.at_ms < \(bind: to)
            """).all()
        var out: [String: Expected] = [:]
        for row in ledger {
            let kind = try row.decode(column: "kind", as: String.self)
            let points = try row.decode(column: "points", as: Int64.self)
            let receipt = try row.decode(column: "receipt_no", as: String.self)
            let counters = try await t.store.sql.raw("""
                SELECT DISTINCT c.code FROM purchase_lines pl JOIN counters c ON c.id = pl.counter_id
                WHERE pl.purchase_id = \(bind: try row.decode(column: "pid", as: Int64.self)) AND pl.earns_points = \(bind: true)
                """).all().map { try $0.decode(column: "code", as: String.self) }
            if kind == "reverse" {
                // The one refund of the world was at C0002.
                #expect(receipt == "P1")
                out["C0002", default: .init()].reversed += -points
            } else if let split = w.splits[receipt] {
                #expect(split.values.reduce(0, +) == points, "split of \(receipt)")
                for (code, p) in split { out[code, default: .init()].earned += p }
            } else {
                #expect(counters.count == 1, "\(receipt) has one earning counter")
                out[counters[0], default: .init()].earned += points
            }
        }
        for r in try await t.store.sql.raw("""
            SELECT c.code, r.cost_fen FROM redemptions r JOIN counters c ON c.id = r.supplier_counter_id
            WHERE r.status = 'done' AND r.business_day >= \(bind: LocalDate(year: 2026, month: 11, day: 1).dayNumber)
              AND r.business_day <= \(bind: LocalDate(year: 2026, month: 11, day: 30).dayNumber)
            """).all() {
            let code = try r.decode(column: "code", as: String.self)
            out[code, default: .init()].redemptions += 1
            out[code, default: .init()].suppliedFen += try r.decode(column: "cost_fen", as: Int64.self)
        }
        return out
    }

    /// fen = points × 15 yuan ÷ 1,000 × share, half up, from the points.
    static func fen(_ points: Int64, share: Int) -> Int64 {
        Int64((Double(points) * 1_500 * Double(share) / 1_000_000).rounded(.toNearestOrAwayFromZero))
    }

    @Test("figures tie to the raw rows; the override beats the default; the refund reverses; other months stay out")
    func figures() async throws {
        try await withTestApp(programme: Self.programme) { t in
            let w = try await Self.world(t)
            let expected = try await Self.recompute(t, w)
            let s = try await t.store.coFundingStatement(year: 2026, month: 11, scope: MallScope(mallIds: nil, sinceDay: LocalDate(year: 2025, month: 11, day: 26)))
            #expect(s.fenPerThousandPoints == 1_500)
            #expect(s.unknownCounterCodes == ["NOPE-1"])
            let byCode = Dictionary(uniqueKeysWithValues: s.lines.compactMap { l in l.counter.map { ($0.code, l) } })
            #expect(Set(byCode.keys) == Set(expected.keys), "\(byCode.keys) vs \(expected.keys)")
            #expect(!s.lines.contains { $0.counter == nil })
            for (code, e) in expected {
                let l = try #require(byCode[code])
                let f = l.figures
                let actual = Expected(earned: f.pointsEarned, reversed: f.pointsReversed, redemptions: f.redemptions, suppliedFen: f.suppliedFen)
                #expect(actual == e, "\(code)")
                let share = code == "C0002" ? 1000 : 500
                #expect(f.sharePermille == share && l.overridden == (code == "C0002"), "\(code)")
                #expect(f.costFen == Self.fen(f.pointsIssued, share: 1000), "\(code) cost")
                #expect(f.fundingFen == Self.fen(f.pointsIssued, share: share), "\(code) funding")
                #expect(f.netFen == f.fundingFen - f.suppliedFen)
            }
            // By hand: C0001 60 + 60 (two enrolment receipts) + 30 + 10 + 6 = 166 points, 249 fen, half = 124.5 → 125
            // fen, less the 199-yuan gift it supplied.
            let c1 = try #require(byCode["C0001"]).figures
            #expect(c1.pointsIssued == 166 && c1.costFen == 249 && c1.fundingFen == 125 && c1.netFen == 125 - 19_900)
            // C0002 70 + 35 + 5 − 20 = 90 points: it funds all of 135 fen. C0003 earns nothing and is not listed.
            let c2 = try #require(byCode["C0002"]).figures
            #expect(c2.pointsEarned == 110 && c2.pointsReversed == 20 && c2.fundingFen == 135 && c2.netFen == 135)
            #expect(byCode["C0003"] == nil)
            // Every earn/reverse point of the month is on the statement.
            let total = try await t.store.sql.raw("""
                SELECT CAST(COALESCE(SUM(points), 0) AS BIGINT) AS n FROM points_ledger WHERE kind IN ('earn', 'reverse')
                  AND at_ms >= \(bind: epochMillis(shanghai(2026, 11, 1, 0))) AND at_ms < \(bind: epochMillis(shanghai(2026, 12, 1, 0)))
                """).first()!.decode(column: "n", as: Int64.self)
            #expect(s.total.pointsIssued == total)
            // October holds only the October purchase: 20 points at C0002.
            let oct = try await t.store.coFundingStatement(year: 2026, month: 10, scope: MallScope(mallIds: nil, sinceDay: LocalDate(year: 2025, month: 10, day: 1)))
            #expect(oct.lines.map { $0.counter?.code } == ["C0002"] && oct.total.pointsIssued == 20 && oct.total.fundingFen == 30)
        }
    }

    @Test("console: a manager of mall A sees A's counters only, a group-wide manager all; CSV one row per counter; print button")
    func console() async throws {
        try await withTestApp(programme: Self.programme) { t in
            let w = try await Self.world(t)
            let mallA = try #require(try await t.store.malls().first { $0.code != "BEE" }).id
            let mgrA = try await t.makeStaff("mgrA", .manager)
            try await t.store.setStaffMalls(staffId: mgrA, mallIds: [mallA], actor: "test")
            let a = ConsoleClient(t)
            try await a.signIn("mgrA")
            let pageA = try await a.get("/console/finance/co-funding?month=2026-11")
            #expect(pageA.status == .ok)
            #expect(pageA.contains("data-counter=\"C0001\"") && pageA.contains("data-counter=\"C0002\""))
            #expect(!pageA.contains("data-counter=\"CB01\""), "a counter of another mall is not shown")
            #expect(pageA.contains("data-print") && pageA.contains("NOPE-1"))
            let csvA = try await a.get("/console/finance/co-funding.csv?month=2026-11")
            #expect(csvA.status == .ok)
            #expect(csvA.headers.first(name: .contentDisposition)?.contains("co-funding-2026-11.csv") == true)
            let rows = csvA.body.replacingOccurrences(of: "\u{FEFF}", with: "").split(whereSeparator: \.isNewline).map(String.init)
            #expect(rows.first == "month,mall,counter,counterName,brand,sharePermille,pointsEarned,pointsReversed,pointsIssued,costYuan,fundingYuan,redemptions,suppliedYuan,netYuan")
            #expect(rows.count == 3, "\(rows)")
            let c2 = try #require(rows.first { $0.contains(",C0002,") }).split(separator: ",").map(String.init)
            #expect(c2.count == 14)
            #expect(c2[0] == "2026-11" && c2[5] == "1000" && c2[6] == "110" && c2[7] == "20" && c2[8] == "90" && c2[9] == "1.35" && c2[10] == "1.35" && c2[13] == "1.35")
            let c1 = try #require(rows.first { $0.contains(",C0001,") }).split(separator: ",").map(String.init)
            #expect(c1[11] == "1" && c1[12] == "199.00" && c1[13] == "-197.75")
            #expect(try await t.auditCount("finance.coFundingExport", actor: "staff:mgrA", subject: "2026-11") == 1)

            let group = try await t.console(as: "mgrAll", .manager)
            let all = try await group.get("/console/finance/co-funding?month=2026-11")
            #expect(all.contains("data-counter=\"CB01\"") && all.contains("data-counter=\"C0001\""))
            let csvAll = try await group.get("/console/finance/co-funding.csv?month=2026-11")
            #expect(csvAll.body.split(whereSeparator: \.isNewline).count == 4)
            _ = w
        }
    }

    @Test("CSV: a counter named as a formula stays text; a negative net stays a number")
    func csvInjection() async throws {
        try await withTestApp(programme: Self.programme) { t in
            _ = try await Self.world(t)
            try await t.store.sql.raw("""
                UPDATE counters SET name = \(bind: "=HYPERLINK(\"http://evil.example/\")"), brand = \(bind: "@SUM(1+1)") WHERE code = 'C0001'
                """).run()
            let m = try await t.console(as: "boss", .manager)
            let csv = try await m.get("/console/finance/co-funding.csv?month=2026-11")
            #expect(csv.status == .ok)
            #expect(csv.contains(#","'=HYPERLINK(""http://evil.example/"")",'@SUM(1+1),"#), "\(csv.body)")
            #expect(csv.contains(",199.00,-197.75\r\n"), "amounts stay numbers")
            for bad in [",=HYPERLINK", ",\"=HYPERLINK", ",@SUM"] { #expect(!csv.contains(bad), "\(bad)") }
        }
    }

    @Test("bounds: a month not YYYY-MM within 2000–2099 is refused naming the field; desk staff are refused")
    func bounds() async throws {
        try await withTestApp(programme: Self.programme) { t in
            let m = try await t.console(as: "mgr", .manager)
            for bad in ["2026-13", "2026-00", "1999-12", "2100-01", "26-11", "2026-1x", "x", "2026-11-01", "99999999999999999999-01"] {
                for path in ["/console/finance/co-funding?month=", "/console/finance/co-funding.csv?month="] {
                    let page = try await m.get(path + bad)
                    #expect(page.status == .badRequest || page.status == .unprocessableEntity, "\(bad): \(page.status)")
                    #expect(page.contains("月份格式须为 YYYY-MM"), "\(bad): the field and its rule")
                }
            }
            #expect(try await m.get("/console/finance/co-funding").status == .ok)   // the previous month by default
            #expect(try await m.get("/console/finance/co-funding?month=2000-01").status == .ok)
            let desk = try await t.console(as: "desk", .desk)
            #expect(try await desk.get("/console/finance/co-funding?month=2026-11").status == .forbidden)
            #expect(try await desk.get("/console/finance/co-funding.csv?month=2026-11").status == .forbidden)
        }
    }
}
