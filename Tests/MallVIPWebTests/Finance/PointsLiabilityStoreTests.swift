import Foundation
import MallVIPCore
import MallVIPStore
@testable import MallVIPWeb
import SQLKit
import Testing
import Vapor

/// The points liability roll-forward on the store (issue 20, docs/finance.md), SQLite and PostgreSQL: the demo year
/// recomputed in the test from raw ledger rows and purchases to the fen, and closing a month.
@Suite("Points liability store") struct PointsLiabilityStoreTests {
    /// 1,000 points are worth 12.50 yuan (1.25 fen a point, so the value lines round); 85 % expected to be redeemed.
    static let programme = Programme.defaultYAML()
        .replacingOccurrences(of: "\n  expectedRedemptionPermille: 900", with: "\n  valuePerThousandPoints: 12.5\n  expectedRedemptionPermille: 850")

    /// a × b ÷ c rounded half away from zero, in 128 bits: the test's own arithmetic, not `FinanceRounding`.
    static func div(_ a: Int64, _ b: Int64, _ c: Int64) -> Int64 {
        let n = Int128(a) * Int128(b), d = Int128(c)
        let q = n / d, r = n % d
        if (r < 0 ? -r : r) * 2 >= (d < 0 ? -d : d) { return Int64(q + ((n < 0) != (d < 0) ? -1 : 1)) }
        return Int64(q)
    }

    struct Acc { var sales: Int64 = 0, refund: Int64 = 0, salesPoints: Int64 = 0, issued: Int64 = 0, redeemed: Int64 = 0
                 var voided: Int64 = 0, expired: Int64 = 0, adjusted: Int64 = 0, net: Int64 = 0 }

    @Test("the test programme sets the finance keys it relies on")
    func programmeKeys() throws {
        let p = try Programme.parse(yaml: Self.programme)
        #expect(p.finance.fenPerThousandPoints == 1_250 && p.finance.expectedRedemptionPermille == 850)
        #expect(try Programme.parse(yaml: Programme.defaultYAML()).finance == FinancePolicy())
    }

    @Test("the demo year, recomputed from the raw ledger and purchases, matches to the fen and closes in points and yuan")
    func demoYearRecomputed() async throws {
        try await withTestApp(programme: Self.programme) { t in
            _ = try await t.store.generateDemo(DemoPlan(seed: 5, scale: 0.02), staffPasswordHash: "locked")
            // Movements the demo does not make: redemptions (one voided) and adjustments, today (2026-11-25).
            _ = try await t.store.saveRewardItem(RewardItem(code: "FIN-GIFT", name: LocalizedName(zh: "测试礼品", en: "Test gift"), points: 150), actor: "test")
            let rich = try await t.store.sql.raw("SELECT id FROM members WHERE points_balance >= 300 ORDER BY id LIMIT 8").all()
                .map { try $0.decode(column: "id", as: Int64.self) }
            try #require(rich.count == 8)
            var redemptions: [Int64] = []
            for (i, id) in rich.enumerated() {
                let r = try await t.store.redeem(RedemptionRequest(idempotencyKey: "fin-\(i)", memberId: id, itemCode: "FIN-GIFT"), actor: "test")
                redemptions.append(r.value.id)
            }
            try await t.store.voidRedemption(id: redemptions[0], reason: "测试作废", actor: "test")
            _ = try await t.store.adjustPoints(memberId: rich[1], points: -77, reason: "测试调整", actor: "test")
            _ = try await t.store.adjustPoints(memberId: rich[2], points: 33, reason: "测试调整", actor: "test")

            // And refunds (the demo has none that reverse points): half of a line of two members' purchases.
            for (i, r) in try await t.store.sql.raw("""
                SELECT p.receipt_no, c.code, l.amount_fen FROM purchases p JOIN purchase_lines l ON l.purchase_id = p.id
                  JOIN counters c ON c.id = l.counter_id
                WHERE p.points_earned > 10 AND l.earns_points AND l.amount_fen >= 20000 ORDER BY p.id LIMIT 2
                """).all().enumerated() {
                let res = try await t.refund("FIN-R\(i)", receipt: try r.decode(column: "receipt_no", as: String.self),
                                             fen: try r.decode(column: "amount_fen", as: Int64.self) / 2, counter: try r.decode(column: "code", as: String.self))
                #expect(res.status == .created, "\(res.text)")
            }

            let rf = try await t.store.pointsRollForward()
            let months = rf.order
            #expect(months.first == FinanceMonth(year: 2025, month: 11) && months.last == FinanceMonth(year: 2026, month: 11), "\(months)")

            // The test's own sums: every ledger row, its month in Shanghai, its mall (purchase's, else the enrolment mall).
            let zone = TimeZone(identifier: "Asia/Shanghai")!
            let malls = try await t.store.malls().map(\.id)
            var acc: [Int: [Int64: Acc]] = [:]
            for r in try await t.store.sql.raw("""
                SELECT l.at_ms, l.kind, l.points, p.mall_id, p.eligible_fen, p.points_earned, m.enrolled_mall_id
                FROM points_ledger l LEFT JOIN purchases p ON p.id = l.purchase_id LEFT JOIN members m ON m.id = l.member_id
                """).all() {
                let at = try r.decode(column: "at_ms", as: Int64.self)
                let day = LocalDate.of(Date(timeIntervalSince1970: Double(at) / 1000), in: zone)
                let kind = try r.decode(column: "kind", as: String.self), pts = try r.decode(column: "points", as: Int64.self)
                let purchaseMall = try r.decode(column: "mall_id", as: Int64?.self)
                let usesPurchase = kind == "earn" || kind == "reverse"
                let enrolled = try r.decode(column: "enrolled_mall_id", as: Int64?.self)
                let mall = (usesPurchase ? purchaseMall : nil) ?? enrolled ?? (malls.count == 1 ? malls[0] : 0)
                var a = acc[day.year * 100 + day.month, default: [:]][mall, default: Acc()]
                a.net += pts
                switch kind {
                case "earn":
                    a.sales += try r.decode(column: "eligible_fen", as: Int64.self); a.salesPoints += pts; a.issued += pts
                case "reverse":
                    a.refund += Self.div(try r.decode(column: "eligible_fen", as: Int64.self), -pts, try r.decode(column: "points_earned", as: Int64.self))
                    a.salesPoints += pts; a.voided += pts
                case "redeem", "redeemVoid": a.redeemed += pts
                case "expire": a.expired += pts
                case "adjust": a.adjusted += pts
                default: a.issued += pts
                }
                acc[day.year * 100 + day.month, default: [:]][mall] = a
            }
            #expect(acc.values.flatMap(\.values).contains { $0.redeemed < 0 } && acc.values.flatMap(\.values).contains { $0.refund > 0 })

            // The test's own roll-forward: 850 ‰, 1,250 fen per 1,000 points.
            struct Cum { var alloc: Int64 = 0, salesPoints: Int64 = 0, redeemed: Int64 = 0, balance: Int64 = 0 }
            var cum: [Int64: Cum] = [:]
            let rate: Int64 = 850, value: Int64 = 1_250
            for month in months {
                let rows = rf.rows(month)
                for (mall, a) in acc[month.key] ?? [:] where cum[mall] == nil { cum[mall] = Cum() }
                #expect(Set(rows.filter { !$0.isGroup }.map(\.mallId)) == Set(cum.keys), "\(month)")
                for mall in cum.keys.sorted() {
                    let a = acc[month.key]?[mall] ?? Acc()
                    var c = cum[mall]!
                    let row = try #require(rows.first { $0.mallId == mall })
                    #expect(row.openingPoints == c.balance)
                    let sales = a.sales - a.refund
                    let ssp = Self.div(a.salesPoints, rate * value, 1_000_000)
                    let alloc = sales > 0 && ssp > 0 ? Self.div(sales, ssp, sales + ssp) : 0
                    c.alloc += alloc; c.salesPoints += a.salesPoints; c.redeemed -= a.redeemed; c.balance += a.net
                    let uncapped = Self.div(c.salesPoints, rate, 1000)
                    let expected = min(max(uncapped, c.redeemed), c.redeemed + max(0, c.balance))
                    let recognisedInAll = expected > 0 ? Self.div(c.alloc, c.redeemed, expected) : c.alloc
                    #expect(row.salesFen == sales, "\(month) sales")
                    #expect(row.issuedPoints == a.issued && row.redeemedPoints == a.redeemed && row.voidedPoints == a.voided
                            && row.expiredPoints == a.expired && row.adjustedPoints == a.adjusted, "\(month) points")
                    #expect(row.closingPoints == c.balance)
                    #expect(row.sspFen == ssp && row.allocatedFen == alloc, "\(month) allocation \(row.allocatedFen) vs \(alloc)")
                    #expect(row.expectedPoints == expected)
                    #expect(row.deferredClosingFen == c.alloc - recognisedInAll, "\(month) deferred \(row.deferredClosingFen) vs \(c.alloc - recognisedInAll)")
                    #expect(row.closingValueFen == Self.div(c.balance, value, 1000))
                    cum[mall] = c
                }
                for row in rows { #expect(row.closes, "\(month) mall \(row.mallId) does not close") }
            }
            // The year ends where the members' balances are, in points and in yuan.
            let g = try #require(rf.group(months.last!))
            let balances = try await t.store.sql.raw("SELECT CAST(COALESCE(SUM(points_balance), 0) AS BIGINT) AS s FROM members").first()!
                .decode(column: "s", as: Int64.self)
            #expect(g.closingPoints == balances)
            #expect(g.closingValueFen == Self.div(balances, value, 1000) || malls.count > 1)
            #expect(g.recognisedFen > 0 && g.allocatedFen > 0)
            // Across the year: opening (0) + every month's movements = the closing figures.
            let all = months.compactMap { rf.group($0) }
            #expect(all.reduce(0) { $0 + $1.allocatedFen - $1.recognisedFen - $1.breakageFen } == g.deferredClosingFen)
            #expect(all.reduce(0) { $0 + $1.issuedPoints + $1.redeemedPoints + $1.voidedPoints + $1.expiredPoints + $1.adjustedPoints } == g.closingPoints)
            #expect(all.reduce(0) { $0 + $1.revaluationFen + $1.issuedValueFen + $1.redeemedValueFen + $1.voidedValueFen + $1.expiredValueFen + $1.adjustedValueFen } == g.closingValueFen)
        }
    }

    @Test("closing a month: in order, only once, only when ended; a backdated purchase goes to the next open month")
    func closeMonth() async throws {
        try await withTestApp(now: shanghai(2026, 9, 15, 10), programme: Self.programme) { t in
            let card = try await t.enrolMember(phone: "13900000011", amountFen: 100_000)   // 100 points in September
            t.clock.set(shanghai(2026, 10, 10, 10))
            #expect(try await t.purchase("OCT-1", fen: 50_000, card: card).status == .created)
            t.clock.set(shanghai(2026, 11, 25, 10))
            let store = t.store

            await #expect(throws: DomainError.self) { try await store.closeFinanceMonth(FinanceMonth(year: 2026, month: 11), actor: "test") }
            do { try await store.closeFinanceMonth(FinanceMonth(year: 2026, month: 10), actor: "test"); Issue.record("October closed before September") }
            catch let e as DomainError { #expect(e.rule == "finance.month.order" && e.kind == .conflict) }
            do { try await store.closeFinanceMonth(FinanceMonth(year: 2026, month: 11), actor: "test"); Issue.record("an open month closed") }
            catch let e as DomainError { #expect(e.rule == "finance.month.ended" && e.kind == .invalid && e.field == "month") }

            try await store.closeFinanceMonth(FinanceMonth(year: 2026, month: 9), actor: "test")
            let october = try await store.closeFinanceMonth(FinanceMonth(year: 2026, month: 10), actor: "finance")
            do { try await store.closeFinanceMonth(FinanceMonth(year: 2026, month: 10), actor: "test"); Issue.record("closed twice") }
            catch let e as DomainError { #expect(e.rule == "finance.month.closed" && e.kind == .conflict) }
            let before = try await store.pointsRollForward()
            #expect(before.rows(FinanceMonth(year: 2026, month: 10)) == october)
            #expect(before.closed[FinanceMonth(year: 2026, month: 10)]?.by == "finance")
            #expect(before.nextToClose == FinanceMonth(year: 2026, month: 11))
            let octGroup = try #require(october.last)
            #expect(octGroup.openingPoints == 100 && octGroup.issuedPoints == 50 && octGroup.closingPoints == 150)

            // A purchase dated in October, posted now; and a ledger row written with an October time (as an import
            // of old rows would): October reads the same, November takes both.
            #expect(try await t.purchase("OCT-LATE", fen: 20_000, at: shanghai(2026, 10, 20, 10), card: card).status == .created)
            let member = try await t.memberId(card: card)
            try await store.sql.raw("""
                INSERT INTO points_ledger (member_id, kind, points, balance_after, note, actor, at_ms)
                VALUES (\(bind: member), 'adjust', 7, 0, 'backdated', 'test', \(bind: epochMillis(shanghai(2026, 10, 5, 9))))
                """).run()
            let after = try await store.pointsRollForward()
            #expect(after.rows(FinanceMonth(year: 2026, month: 10)) == october)
            let nov = try #require(after.group(FinanceMonth(year: 2026, month: 11)))
            #expect(nov.openingPoints == 150 && nov.openingValueFen == octGroup.closingValueFen && nov.deferredOpeningFen == octGroup.deferredClosingFen)
            #expect(nov.issuedPoints == 20 && nov.adjustedPoints == 7 && nov.closingPoints == 177)
            #expect(nov.salesFen == 20_000)
            #expect(nov.closes)
            // Once November has ended it closes too, with the late rows in it.
            t.clock.set(shanghai(2026, 12, 1, 9))
            let closedNov = try await store.closeFinanceMonth(FinanceMonth(year: 2026, month: 11), actor: "test")
            #expect(closedNov.last?.closingPoints == 177)
            #expect(try await t.count("finance_closed_months") == 6)   // three months × (one mall + the group)
        }
    }

    @Test("console: group-wide managers see every mall and the group; a manager of mall A only A; CSV; bad month 422; desk 403")
    func console() async throws {
        try await withTestApp(programme: Self.programme) { t in
            let mallB = try await t.store.createMall(code: "BEE", name: "B 店", actor: "test")
            let deptB = try await t.store.createDepartment(mallId: mallB, code: "B1", name: "B 一课", actor: "test")
            try await t.store.saveCounter(id: nil, CounterInput(departmentId: deptB, code: "CB01", name: "B 店柜", brand: "B", category: "服饰",
                                                                floor: "1F", participatesInDiscount: true), actor: "test")
            let card = try await t.enrolMember(phone: "13900000021", amountFen: 60_000)
            #expect(try await t.purchase("LB-1", card: card, lines: [Line(40_000, counter: "CB01")]).status == .created)
            let mallA = try #require(try await t.store.malls().first { $0.code != "BEE" }).id

            let admin = try await t.console(as: "boss", .manager)
            let page = try await admin.get("/console/finance/liability?month=2026-11")
            #expect(page.status == .ok)
            #expect(page.contains("data-mall=\"\(mallA)\"") && page.contains("data-mall=\"\(mallB)\"") && page.contains("data-mall=\"-1\""))
            #expect(page.contains("liability-revenue") && page.contains("data-print") && page.contains("2026-11 未结账"))
            let csv = try await admin.get("/console/finance/liability.csv?month=2026-11")
            #expect(csv.status == .ok)
            #expect(csv.headers.first(name: .contentDisposition)?.contains("points-liability-2026-11.csv") == true)
            let lines = csv.body.replacingOccurrences(of: "\u{FEFF}", with: "").split(whereSeparator: \.isNewline).map(String.init)
            #expect(lines.count == 4, "\(lines)")   // header, mall A, mall B, the group
            #expect(lines.first?.hasPrefix("月份 month,商场 mall,状态 status,期初积分 opening points") == true)
            let group = try #require(lines.last).split(separator: ",").map(String.init)
            #expect(group.count == LiabilityCSV.header.count && group[1] == "集团 group" && group[4] == "100" && group[9] == "100")
            let bad = try await admin.get("/console/finance/liability?month=2026-13")
            #expect(bad.status == .unprocessableEntity && bad.contains("YYYY-MM"))

            let mgrA = try await t.makeStaff("mgrA", .manager)
            try await t.store.setStaffMalls(staffId: mgrA, mallIds: [mallA], actor: "test")
            let a = ConsoleClient(t)
            try await a.signIn("mgrA")
            let pageA = try await a.get("/console/finance/liability?month=2026-11")
            #expect(pageA.status == .ok)
            #expect(pageA.contains("data-mall=\"\(mallA)\""))
            #expect(!pageA.contains("data-mall=\"\(mallB)\"") && !pageA.contains("data-mall=\"-1\""), "another mall and the group are not shown")
            let csvA = try await a.get("/console/finance/liability.csv?month=2026-11")
            #expect(csvA.body.split(whereSeparator: \.isNewline).count == 2)

            _ = try await t.makeStaff("desk1", .desk)
            let desk = ConsoleClient(t)
            try await desk.signIn("desk1")
            #expect(try await desk.get("/console/finance/liability").status == .forbidden)
        }
    }
}
