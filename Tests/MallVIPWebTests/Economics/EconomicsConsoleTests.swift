import Foundation
import MallVIPCore
import MallVIPStore
@testable import MallVIPWeb
import SQLKit
import Testing

/// Programme economics in the console and the store (issue 7, docs/domain.md §13, §19): costs booked by kind, bucket
/// and month, costs the system knows, the P&L with a campaign measured against its control group, the plan calculator.
@Suite("Economics console") struct EconomicsConsoleTests {
    @Test("booking: 2000×12 SMS at 0.05 is 1,200; an amount that disagrees with its units is refused; by kind, bucket and month")
    func booking() async throws {
        try await withTestApp(now: shanghai(2026, 11, 25, 10)) { t in
            let c = try await t.console(as: "mgr", .manager)
            var page = try await c.get("/console/economics?year=2026")
            #expect(page.status == .ok)
            // The source's own figure (1.44万) with its own units: refused, naming the computed amount.
            page = try await c.post("/console/economics/costs", [("year", "2026"), ("kind", "sms"), ("bucket", ""), ("period", "2026-01"),
                                                                 ("quantity", "2000×12"), ("unitCost", "0.05"), ("amount", "14400"), ("mall", ""), ("note", "生日短信")])
            #expect(page.status == .unprocessableEntity)
            #expect(page.contains("1,200.00"))
            #expect(try await t.count("programme_costs") == 0)
            page = try await c.post("/console/economics/costs", [("year", "2026"), ("kind", "sms"), ("bucket", ""), ("period", "2026-01"),
                                                                 ("quantity", "2000×12"), ("unitCost", "0.05"), ("amount", ""), ("mall", ""), ("note", "生日短信")])
            #expect(page.status == .seeOther)
            for (kind, month, amount) in [("events", "2026-03", "80000"), ("database", "2026-02", "5000"), ("promotion", "2026-02", "3000"),
                                          ("mailedCards", "2025-12", "999")] {
                page = try await c.post("/console/economics/costs", [("year", "2026"), ("kind", kind), ("bucket", ""), ("period", month),
                                                                     ("quantity", ""), ("unitCost", ""), ("amount", amount), ("mall", ""), ("note", "")])
                #expect(page.status == .seeOther, "\(kind): \(page.body.prefix(300))")
            }
            let report = try await t.store.costReport(from: CostPeriod(year: 2026, month: 1), through: CostPeriod(year: 2026, month: 12))
            #expect(report.booked.count == 4)   // December 2025 is another year
            let sms = try #require(report.booked.first { $0.kind == .sms })
            #expect(sms.amountFen == 120_000 && sms.quantity == 24_000 && sms.unitCostFen == 5 && sms.bucket == .currentMedia)
            #expect(report.byKind[.events]?.bookedFen == 8_000_000)
            #expect(report.byBucket[.annualPromotion]?.bookedFen == 800_000)   // database + promotion
            #expect(report.byBucket[.currentPromotion]?.bookedFen == 8_000_000)
            #expect(report.byPeriod[CostPeriod(year: 2026, month: 2)]?.bookedFen == 800_000)
            #expect(report.totalFen == 120_000 + 8_000_000 + 500_000 + 300_000)

            page = try await c.get("/console/economics?year=2026")
            #expect(page.contains("89,200.00"))
            let csv = try await c.get("/console/economics/costs.csv?year=2026")
            #expect(csv.status == .ok)
            #expect(csv.body.hasPrefix("\u{FEFF}"))
            #expect(csv.body.contains("booked,2026-01,sms,currentMedia,24000,0.05,1200.00,生日短信,staff:mgr"))
            #expect(try await t.auditCount("cost.book", actor: "staff:mgr") == 5)
            #expect(try await t.auditCount("cost.export", actor: "staff:mgr") == 1)

            // Deleting a booked cost.
            _ = try await c.get("/console/economics?year=2026")
            page = try await c.post("/console/economics/costs/\(sms.id)/delete", [])
            #expect(page.status == .seeOther)
            #expect(try await t.count("programme_costs") == 4)
        }
    }

    /// The 000 plan writes 97,000 for 180,000 − 80,000 − 5,000 − 3,000; its own numbers give 92,000 (an arithmetic slip like
    /// the Chengdu SMS line, docs/domain.md §19), and the calculator computes rather than copies.
    @Test("the plan calculator: 200 × 900 − 80,000 − 5,000 − 3,000 on revenue is 92,000 (the plan wrote 97,000), with the margin basis beside it")
    func planCalculator() async throws {
        try await withTestApp { t in
            let c = try await t.console(as: "planner", .planner)
            let page = try await c.get("/console/economics?year=2026&planVIPs=200&planUplift=900&planCostLabel0=events&planCost0=80000"
                                       + "&planCostLabel1=database&planCost1=5000&planCostLabel2=promotion&planCost2=3000")
            #expect(page.status == .ok)
            #expect(page.contains(#"id="plan-revenue">180,000.00"#))
            #expect(page.contains(#"id="plan-net-revenue">92,000.00 · ROI 104.5%"#))
            #expect(!page.contains("97,000.00 ·"))
            #expect(page.contains(#"id="plan-net-margin">-34,000.00 · ROI -38.6%"#))
            // Without parameters the 000 plan's figures are the starting point.
            #expect(try await c.get("/console/economics").contains(#"id="plan-net-revenue">92,000.00"#))
            let bad = try await c.get("/console/economics?planVIPs=x&planUplift=900")
            #expect(bad.status == .unprocessableEntity)
        }
    }

    @Test("costs the system knows: SMS sent, event budgets, awards, redemptions, labelled from the system")
    func systemCosts() async throws {
        try await withTestApp(now: shanghai(2026, 11, 25, 10)) { t in
            let member = try await t.campaignMember(1)
            let staff = try await t.makeStaff("am1", .accountManager)
            let sql = t.store.sql
            let sent = epochMillis(shanghai(2026, 10, 5, 11))
            for i in 0..<3 {
                try await sql.raw("""
                    INSERT INTO outbox_messages (member_id, channel, purpose, source, source_code, period_key, dedupe_key, body, status, attempts,
                      next_attempt_at_ms, cost_fen, created_at_ms, sent_at_ms, updated_at_ms)
                    VALUES (\(bind: member.id), 'sms', 'care', 'journey', 'birthday', '2026-10', \(bind: "d\(i)"), '生日快乐', 'sent', 1, 0, 5,
                      \(bind: sent), \(bind: sent), \(bind: sent))
                    """).run()
            }
            try await sql.raw("""
                INSERT INTO manager_awards (month, staff_id, members, purchases, reward_fen, reward_text, recorded_by, recorded_at_ms)
                VALUES ('2026-10', \(bind: staff), 3, 9, 5000, '50元移动充值卡', 'test', \(bind: sent))
                """).run()
            try await sql.raw("""
                INSERT INTO events (code, type, title, starts_at_ms, ends_at_ms, place, capacity, budget_fen, rsvp_deadline_ms, status, created_by, created_at_ms)
                VALUES ('E1', 'appreciation', '季度答谢会', \(bind: sent), \(bind: sent + 7_200_000), '五楼', 50, 2000000, \(bind: sent), 'open', 'test', \(bind: sent))
                """).run()
            let report = try await t.store.costReport(from: CostPeriod(year: 2026, month: 10), through: CostPeriod(year: 2026, month: 10))
            #expect(report.booked.isEmpty)
            #expect(report.system.contains(SystemCost(source: .outbox, kind: .sms, period: CostPeriod(year: 2026, month: 10), amountFen: 15, count: 3)))
            #expect(report.system.contains(SystemCost(source: .managerAwards, kind: .staffRewards, period: CostPeriod(year: 2026, month: 10), amountFen: 5000, count: 1)))
            #expect(report.system.contains(SystemCost(source: .events, kind: .events, period: CostPeriod(year: 2026, month: 10), amountFen: 2_000_000, count: 1)))
            #expect(report.byKind[.sms]?.systemFen == 15 && report.byBucket[.currentMedia]?.systemFen == 15)
            #expect(report.totalFen == 2_005_015)
            let c = try await t.console(as: "mgr", .manager)
            let page = try await c.get("/console/economics?year=2026")
            #expect(page.contains("消息发件箱（已发送）（来自系统）"))
            #expect(page.contains("20,050.15"))
        }
    }

    @Test("P&L: a campaign with a control group brings its incremental sales; margin, costs, net and ROI on both bases")
    func profitAndLoss() async throws {
        try await withTestApp(now: shanghai(2026, 11, 24, 10)) { t in
            var members: [(id: Int64, card: String)] = []
            for n in 1...20 { members.append(try await t.campaignMember(n)) }
            let segment = try await t.campaignSegment()
            let campaign = try await t.draftCampaign(segment: segment, holdoutPermille: 300, at: shanghai(2026, 11, 25, 10))
            try await t.store.scheduleCampaign(id: campaign, actor: "test")
            t.clock.set(shanghai(2026, 11, 25, 10))
            _ = try await t.store.runDueCampaigns(now: t.clock.now)
            _ = try await t.store.deliverDue(sender: FakeSender())
            let audience = try await t.audience(campaign)
            let treated = members.filter { audience[$0.id] == false }, holdout = members.filter { audience[$0.id] == true }
            try #require(!treated.isEmpty && !holdout.isEmpty)
            // Every treated member spends 300 yuan after the send; nobody held out buys.
            t.clock.set(shanghai(2026, 11, 26, 14))
            for (i, m) in treated.enumerated() { #expect(try await t.purchase("PL-\(i)", fen: 30_000, card: m.card).status == .created) }
            try await t.store.bookCost(CostInput(kind: .database, period: "2026-11", amountFen: 100_000), actor: "test")

            let pl = try await t.store.programmePL(from: CostPeriod(year: 2026, month: 1), through: CostPeriod(year: 2026, month: 12))
            let n = Int64(treated.count)
            #expect(pl.campaigns.count == 1 && pl.campaigns[0].treated == treated.count && pl.campaigns[0].holdout == holdout.count)
            let report = try #require(try await t.store.campaignReport(id: campaign))
            #expect(pl.pl.incrementalRevenueFen == report.uplift.incrementalSpendFen)
            #expect(pl.pl.incrementalRevenueFen == 30_000 * n)
            // Costs: the SMS the campaign sent (from the system, 5 fen each) and the booked 1,000 yuan.
            #expect(pl.pl.costFen == 5 * n + 100_000)
            #expect(pl.pl.marginPermille == 300)
            #expect(pl.pl.netFen(.margin) == 9_000 * n - (5 * n + 100_000))
            #expect(pl.pl.netFen(.revenue) == 30_000 * n - (5 * n + 100_000))
            #expect(pl.basis == .margin)
            let c = try await t.console(as: "mgr", .manager)
            let page = try await c.get("/console/economics?year=2026")
            #expect(page.contains(#"id="pl-net">"# + Money.yuan(pl.pl.netFen(.margin))))
            #expect(page.contains("双十二会员专享"))
        }
    }

    @Test("roles: planners read economics, targets and the simulator but cannot book or set; the desk sees none of them")
    func roles() async throws {
        try await withTestApp { t in
            let planner = try await t.console(as: "planner", .planner)
            for path in ["/console/economics", "/console/targets", "/console/programme/simulate", "/console/economics/costs.csv?year=2026"] {
                #expect(try await planner.get(path).status == .ok, "\(path)")
            }
            _ = try await planner.get("/console/economics")
            #expect(try await planner.post("/console/economics/costs", [("kind", "sms"), ("period", "2026-01"), ("amount", "1")]).status == .forbidden)
            #expect(try await planner.post("/console/targets", [("year", "2026"), ("metric", "vipShare"), ("mode", "absolute"), ("value", "30")]).status == .forbidden)
            #expect(try await t.count("programme_costs") == 0)
            #expect(try await t.count("kpi_targets") == 0)
            let desk = try await t.console(as: "desk", .desk)
            for path in ["/console/economics", "/console/targets", "/console/programme/simulate"] {
                #expect(try await desk.get(path).status == .forbidden, "\(path)")
            }
        }
    }
}
