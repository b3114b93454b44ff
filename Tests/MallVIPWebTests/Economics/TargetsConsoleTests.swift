import Foundation
import MallVIPCore
import MallVIPStore
@testable import MallVIPWeb
import SQLKit
import Testing

/// Yearly targets (issue 7, docs/domain.md §12.1): actual against target and the gap, per department, on purchases
/// built so that each department's VIP share is known exactly.
@Suite("Targets console") struct TargetsConsoleTests {
    @Test("VIP share per department: 30% and 50% against a 30% store target and a 60% target for the second department")
    func departmentShare() async throws {
        try await withTestApp(now: shanghai(2026, 11, 25, 10)) { t in
            let mall = try #require(try await t.store.malls().first)
            let d1 = try #require(try await t.store.departments().first)
            let d2 = try await t.store.createDepartment(mallId: mall.id, code: "D2", name: "二课", actor: "test")
            try await t.store.saveCounter(id: nil, CounterInput(departmentId: d2, code: "C0200", name: "二课店柜", brand: "测试", category: "家居",
                                                                floor: "5F", participatesInDiscount: true, earnsPoints: true), actor: "test")
            let card = try await t.enrolMember(phone: "13800000001", amountFen: 50_000)   // a non-member receipt of 500 in D1, then credited
            // D1 (C0001): the enrolment receipt 500 (member's once credited) + member 100 + non-members 1,400 → 600 / 2,000 = 30%.
            #expect(try await t.purchase("D1-M", fen: 10_000, card: card).status == .created)
            #expect(try await t.purchase("D1-N", fen: 140_000).status == .created)
            // D2 (C0200): member 500, non-member 500 → 50%.
            #expect(try await t.purchase("D2-M", card: card, lines: [Line(50_000, counter: "C0200")]).status == .created)
            #expect(try await t.purchase("D2-N", lines: [Line(50_000, counter: "C0200")]).status == .created)

            let sales = try await t.store.departmentSales(year: 2026)
            #expect(sales.first { $0.departmentId == d1.id } == DepartmentSales(departmentId: d1.id, salesFen: 200_000, vipSalesFen: 60_000))
            #expect(sales.first { $0.departmentId == d2 }?.vipSharePermille == 500)
            let whole = try await t.store.kpiActuals(year: 2026, mallId: nil, departmentId: nil)
            // 1,100 of 3,000 = 36.7%; one member, active, bought on one day only.
            #expect(whole[.vipShare] == 367 && whole[.vipSales] == 110_000 && whole[.activeCards] == 1 && whole[.repurchaseRate] == 0)
            #expect(whole[.newCards] == 1 && whole[.vipCount] == 1 && whole[.spendPerActiveCard] == 110_000)

            let c = try await t.console(as: "mgr", .manager)
            _ = try await c.get("/console/targets?year=2026")
            var page = try await c.post("/console/targets", [("year", "2026"), ("mall", ""), ("department", ""), ("metric", "vipShare"),
                                                             ("mode", "absolute"), ("value", "30"), ("note", "002 §F")])
            #expect(page.status == .seeOther)
            page = try await c.post("/console/targets", [("year", "2026"), ("mall", ""), ("department", String(d2)), ("metric", "vipShare"),
                                                         ("mode", "absolute"), ("value", "60"), ("note", "")])
            #expect(page.status == .seeOther)
            // Replacing: the same scope and metric again.
            page = try await c.post("/console/targets", [("year", "2026"), ("mall", ""), ("department", String(d2)), ("metric", "vipShare"),
                                                         ("mode", "absolute"), ("value", "60.0"), ("note", "再设")])
            #expect(try await t.count("kpi_targets") == 2)
            // A count metric cannot be set per department.
            page = try await c.post("/console/targets", [("year", "2026"), ("mall", ""), ("department", String(d2)), ("metric", "newCards"),
                                                         ("mode", "absolute"), ("value", "100"), ("note", "")])
            #expect(page.status == .unprocessableEntity)

            let lines = try await t.store.targetLines(year: 2026)
            let group = try #require(lines.first { $0.stored.target.departmentId == nil })
            #expect(group.actual == 367 && group.progress.gap == 67 && group.progress.met == true)
            let dept2 = try #require(lines.first { $0.stored.target.departmentId == d2 })
            #expect(dept2.actual == 500 && dept2.progress.target == 600 && dept2.progress.gap == -100 && dept2.progress.met == false)

            page = try await c.get("/console/targets?year=2026")
            #expect(page.status == .ok)
            // D1: 30.0% against the overall 30.0%, gap +0.0 pp; D2: 50.0% against its own 60.0%, 10 points short.
            #expect(page.contains("30.0%（整体）") && page.contains("+0.0 pp"))
            #expect(page.contains("-10.0 pp"))
            #expect(page.contains("<svg class=\"bar\""))
        }
    }

    @Test("a relative target: new cards +20% on last year")
    func relativeTarget() async throws {
        try await withTestApp(now: shanghai(2025, 6, 1, 10)) { t in
            for n in 1...5 { _ = try await t.enrolMember(phone: "1380000000\(n)", amountFen: 50_000) }
            t.clock.set(shanghai(2026, 6, 1, 10))
            for n in 6...9 { _ = try await t.enrolMember(phone: "1380000000\(n)", amountFen: 50_000) }
            try await t.store.setTarget(KPITarget(year: 2026, metric: .newCards, mode: .relative, value: 200), actor: "test")
            let line = try #require(try await t.store.targetLines(year: 2026).first)
            // Last year 5 new cards; +20% = 6; this year 4: two short.
            #expect(line.lastYear == 5 && line.progress.target == 6 && line.actual == 4 && line.progress.gap == -2)
        }
    }
}
