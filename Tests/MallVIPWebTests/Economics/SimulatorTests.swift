import Foundation
import MallVIPCore
import MallVIPStore
@testable import MallVIPWeb
import SQLKit
import Testing

/// The programme simulator against a real database (issue 7): members and purchases posted through the API over a
/// year, replayed under the same programme (equal to what was recorded) and under a changed one.
@Suite("Simulator store and console") struct SimulatorTests {
    /// A (silver in January), B (double points on a slow-season Wednesday), C (gold in May, then a parked car).
    func buildYear(_ t: TestContext) async throws {
        t.clock.set(shanghai(2025, 12, 10, 10))
        let a = try await t.enrolMember(phone: "13800000001", amountFen: 60_000)
        let b = try await t.enrolMember(phone: "13800000002", amountFen: 60_000)
        let c = try await t.enrolMember(phone: "13800000003", amountFen: 60_000)
        func buy(_ receipt: String, _ card: String, _ at: Date, _ fen: Int64) async throws {
            t.clock.set(at)
            let r = try await t.purchase(receipt, fen: fen, card: card)
            #expect(r.status == .created, "\(receipt): \(r.text)")
        }
        try await buy("A-1", a, shanghai(2026, 1, 15, 14), 260_000)
        try await buy("B-1", b, shanghai(2026, 3, 4, 14), 100_000)
        try await buy("C-1", c, shanghai(2026, 5, 20, 14), 500_000)
        try await buy("C-2", c, shanghai(2026, 8, 1, 11), 30_000)
        t.clock.set(shanghai(2026, 8, 1, 15))
        _ = try await t.store.recordParkingExit(ParkingExitRequest(idempotencyKey: "P-1", card: c, plate: nil, entryAt: shanghai(2026, 8, 1, 9),
                                                                   exitAt: shanghai(2026, 8, 1, 14), mall: nil))
        t.clock.set(shanghai(2026, 11, 25, 10))
    }

    @Test("the active programme replayed over the year equals what was recorded")
    func equalToRecorded() async throws {
        try await withTestApp { t in
            try await buildYear(t)
            let (_, active) = try await t.store.programme()
            let r = try await t.store.simulateProgramme(draft: active, months: 12)
            let recorded = try #require(r.recorded)
            #expect(r.from == LocalDate(year: 2025, month: 11, day: 26) && r.through == LocalDate(year: 2026, month: 11, day: 25))
            #expect(r.current == r.draft)
            // 60 + 270 (2,600: 260 + 10) + 60 + 200 (1,000 doubled) + 60 + 510 + 30.
            #expect(r.current.pointsIssued == 1190)
            #expect(recorded.pointsIssued == r.current.pointsIssued)
            #expect(recorded.purchases == r.current.purchases && r.current.purchases == 7)
            #expect(recorded.members == r.current.members && r.current.members == 3)
            #expect(recorded.membersByTier == r.current.membersByTier)
            #expect(r.current.membersByTier == ["silver": 1, "regular": 1, "gold": 1])
            #expect(recorded.upgrades == r.current.upgrades && r.current.upgrades == 2)
            #expect(recorded.downgrades == r.current.downgrades)
            #expect(recorded.freeParkingMinutes == r.current.freeParkingMinutes && r.current.freeParkingMinutes == 240)
            #expect(recorded.pointsOutstanding == r.current.pointsOutstanding)
            #expect(recorded.liabilityFen == r.current.liabilityFen && r.current.liabilityFen == 1190)
            // C's 300 at gold's 8.8折: the price was 340.91, the discount 40.91.
            #expect(r.current.discountFen == Int64(4_091))
        }
    }

    @Test("a higher silver threshold keeps A regular; nothing is activated")
    func changedThreshold() async throws {
        try await withTestApp { t in
            try await buildYear(t)
            let before = try await t.store.programmeHistory().count
            let draft = try Programme.parse(yaml: programmeYAML(replacing: [("- {months: 6, minSpend: 3000}", "- {months: 6, minSpend: 4000}")]))
            let r = try await t.store.simulateProgramme(draft: draft, months: 12)
            #expect(r.current.membersByTier == ["silver": 1, "regular": 1, "gold": 1])
            #expect(r.draft.membersByTier == ["regular": 2, "gold": 1])
            #expect(r.draft.upgrades == 1 && r.current.upgrades == 2)
            #expect(r.draft.pointsIssued == r.current.pointsIssued)
            #expect(try await t.store.programmeHistory().count == before)
        }
    }

    @Test("console: a valid draft shows the table and the chart; an invalid one lists its YAML paths and changes nothing")
    func console() async throws {
        try await withTestApp { t in
            try await buildYear(t)
            let c = try await t.console(as: "planner", .planner)
            var page = try await c.get("/console/programme/simulate")
            #expect(page.status == .ok && page.contains("默认会员章程"))
            let yaml = programmeYAML(replacing: [("- {months: 6, minSpend: 3000}", "- {months: 6, minSpend: 4000}")])
            page = try await c.post("/console/programme/simulate", [("yaml", yaml), ("months", "12")])
            #expect(page.status == .ok, "\(page.body.prefix(500))")
            #expect(page.contains("id=\"simulation\"") && page.contains("<svg class=\"chart\""))
            #expect(page.contains("期末银卡"))
            let bad = programmeYAML(replacing: [("- {months: 6, minSpend: 3000}", "- {months: 40, minSpend: 3000}"),
                                                ("  unit: 10 ", "  unitx: 10 ")])
            let history = try await t.store.programmeHistory().count
            page = try await c.post("/console/programme/simulate", [("yaml", bad), ("months", "12")])
            #expect(page.status == .unprocessableEntity)
            #expect(page.contains("earning.unit"))
            let bad2 = programmeYAML(replacing: [("- {months: 6, minSpend: 3000}", "- {months: 40, minSpend: 3000}")])
            page = try await c.post("/console/programme/simulate", [("yaml", bad2), ("months", "12")])
            #expect(page.status == .unprocessableEntity && page.contains("tiers[1].upgrade.thresholds[0].months"))
            #expect(try await t.store.programmeHistory().count == history)
        }
    }

    @Test("mallvip programme simulate FILE: the table on a valid draft, exit 1 with YAML paths on an invalid one")
    func cli() async throws {
        let env = try await KillEnvironment.make()
        defer { Task { await env.cleanUp(keepFiles: false) } }
        let good = env.dir.appendingPathComponent("draft.yaml"), bad = env.dir.appendingPathComponent("bad.yaml")
        try programmeYAML(replacing: [("- {months: 6, minSpend: 3000}", "- {months: 6, minSpend: 4000}")]).write(to: good, atomically: true, encoding: .utf8)
        try programmeYAML(replacing: [("- {months: 6, minSpend: 3000}", "- {months: 40, minSpend: 3000}")]).write(to: bad, atomically: true, encoding: .utf8)
        let invalid = try await env.run(["programme", "simulate", bad.path])
        #expect(invalid.status == 1, "\(invalid.output)")
        #expect(invalid.stdout.contains("\(bad.path): tiers[1].upgrade.thresholds[0].months"))
        let valid = try await env.run(["programme", "simulate", good.path, "--months", "6"])
        #expect(valid.status == 0, "\(valid.output)")
        #expect(valid.stdout.contains("发放积分 Points issued") && valid.stdout.contains("期末银卡 Silver at the end"))
        let show = try await env.run(["programme", "show"])
        #expect(show.stdout.hasPrefix("# version 1"))
        let months = try await env.run(["programme", "simulate", good.path, "--months", "0"])
        #expect(months.status != 0)
    }
}
