import Testing
@testable import MallVIPCore

private func yuan(_ text: String) -> Int64 { Money.parseYuan(text)! }
private func d(_ iso: String) -> LocalDate { LocalDate(iso)! }

private func draft(_ pairs: [(String, String)]) throws -> Programme {
    var yaml = Programme.defaultYAML()
    for (old, new) in pairs {
        #expect(yaml.components(separatedBy: old).count == 2, "not found exactly once: \(old)")
        yaml = yaml.replacingOccurrences(of: old, with: new)
    }
    return try Programme.parse(yaml: yaml)
}

/// A receipt at 12:00 on `day`, all of it earning points and at a participating counter.
private func buy(_ id: Int64, _ day: String, _ amount: String, discountable: Bool = true) -> SimulationPurchase {
    let date = d(day)
    let fen = yuan(amount)
    return SimulationPurchase(id: id, atMs: Int64(date.dayNumber) * 86_400_000 + 4 * 3_600_000, day: date, totalFen: fen, eligibleFen: fen,
                              discountableFen: discountable ? fen : 0)
}

private func member(_ id: Int64, tier: String = "regular", since: String = "2025-01-10", balance: Int64 = 0,
                    _ purchases: [SimulationPurchase], exits: [SimulationParkingExit] = []) -> SimulationMember {
    SimulationMember(id: id, birthday: MonthDay(month: 1, day: 1), enrolledDay: d("2025-01-10"), startTier: tier, tierSince: d(since),
                     balanceNow: balance, purchases: purchases, parkingExits: exits)
}

/// The simulator's replay (issue 7), on hand-computed members. Window: 2025-11-26 … 2026-11-25.
@Suite("Simulator replay")
struct SimulatorReplayTests {
    let active = Programme.defaultProgramme()
    let window = ProgrammeSimulation.window(months: 12, endingOn: LocalDate(year: 2026, month: 11, day: 25))

    func run(_ draft: Programme, _ members: [SimulationMember]) -> SimulationResult {
        var sim = ProgrammeSimulation(current: active, draft: draft, from: window.from, through: window.through)
        for m in members { sim.add(m) }
        return sim.result
    }

    /// A 3,500 (silver under the default 6-month 3,000), B 2,000 (regular), C 6,000 (regular → gold in one step),
    /// D gold from before the window, 880 paid at a participating counter and a 5-hour car park stay. No points were
    /// recorded for these receipts and the balances are 0: the outstanding points are the replay's.
    var members: [SimulationMember] {
        [member(1, [buy(1, "2026-06-10", "3500")]),
         member(2, [buy(2, "2026-06-11", "2000")]),
         member(3, [buy(3, "2026-06-12", "6000")]),
         member(4, tier: "gold", since: "2026-01-05", [buy(4, "2026-07-01", "880")],
                exits: [SimulationParkingExit(atMs: Int64(d("2026-07-01").dayNumber) * 86_400_000 + 8 * 3_600_000, day: d("2026-07-01"), stayMinutes: 300)])]
    }

    @Test("the window is the last 12 months and the history reaches back one longest tier window more")
    func window12() {
        #expect(window.from == d("2025-11-26") && window.through == d("2026-11-25"))
        #expect(ProgrammeSimulation.historyStart(current: active, draft: active, from: window.from) == d("2024-11-26"))
    }

    @Test("the same programme twice gives the same figures, worked out by hand")
    func sameProgramme() {
        let r = run(active, members)
        #expect(r.current == r.draft)
        let f = r.current
        #expect(f.members == 4 && f.purchases == 4)
        #expect(f.membersByTier == ["regular": 1, "silver": 1, "gold": 2])
        #expect(f.upgrades == 2 && f.downgrades == 0)
        // 350 + 10 bonus, 200 + 10, 600 + 10, 88.
        #expect(f.pointsIssued == 360 + 210 + 610 + 88)
        // D paid 880 at gold's 8.8折: the price was 1,000, the discount 120.
        #expect(f.discountFen == yuan("120"))
        // Gold: 4 free hours of the 5-hour stay.
        #expect(f.freeParkingMinutes == 240)
        // Outstanding = balance now − points recorded in the window + the replay's: 0 − 0 + 1,268; 10 yuan per 1,000 points.
        #expect(f.pointsOutstanding == 1268)
        #expect(r.current.liabilityFen == 1268 * 1000 / 1000)
        #expect(r.rows.first { $0.label.en == "Points issued" }?.change == "0")
    }

    @Test("a higher silver threshold keeps A regular; a 9折 gold discount costs 100 instead of 120")
    func changedThreshold() throws {
        let d2 = try draft([("- {months: 6, minSpend: 3000}", "- {months: 6, minSpend: 4000}"), ("    discount: 8.8\n", "    discount: 9\n")])
        let r = run(d2, members)
        #expect(r.current.membersByTier == ["regular": 1, "silver": 1, "gold": 2])
        #expect(r.draft.membersByTier == ["regular": 2, "gold": 2])
        #expect(r.draft.upgrades == 1)
        #expect(r.draft.pointsIssued == r.current.pointsIssued)
        #expect(r.draft.discountFen == yuan("100"))
        let silverRow = try #require(r.rows.first { $0.label.en == "Silver at the end" })
        #expect(silverRow.current == "1" && silverRow.draft == "0" && silverRow.change == "-1")
        let discountRow = try #require(r.rows.first { $0.label.en == "Discount cost (yuan)" })
        #expect(discountRow.change == "-20.00")
    }

    @Test("downgrades at the anniversary review when the draft turns them on")
    func downgradeReview() throws {
        // E: silver since 2025-03-01, nothing bought since: the review is due on 2026-03-01, inside the window.
        let e = member(5, tier: "silver", since: "2025-03-01", [])
        let r = run(try draft([("downgrade: false", "downgrade: true")]), [e])
        #expect(r.current.membersByTier == ["silver": 1] && r.current.downgrades == 0)
        #expect(r.draft.membersByTier == ["regular": 1] && r.draft.downgrades == 1)
    }

    @Test("the liability swaps the window's recorded points for the replay's")
    func liabilitySwap() throws {
        var p = buy(1, "2026-06-10", "3500")
        p.recordedPoints = 300
        let m = member(8, balance: 1_000, [p])
        // 1,000 − 300 + 360 under both; a draft earning one point per 5 yuan: 1,000 − 300 + 710 (700 + 10).
        let r = run(try draft([("  unit: 10 ", "  unit: 5 ")]), [m])
        #expect(r.current.pointsOutstanding == 1_060 && r.draft.pointsOutstanding == 1_410)
        #expect(r.draft.liabilityFen == 1_410)
    }

    @Test("rolling spend from before the window counts: 2,000 last September and 1,200 in January make silver")
    func history() {
        let m = member(6, [buy(1, "2025-09-20", "2000"), buy(2, "2026-01-15", "1200")])
        let r = run(active, [m])
        #expect(r.current.membersByTier == ["silver": 1])
        // Only the window's receipt earns in the replay: 120 + 0 bonus.
        #expect(r.current.pointsIssued == 120 && r.current.purchases == 1)
    }

    @Test("a tier the draft does not have: the member starts where their spend puts them under the draft")
    func missingTier() throws {
        let m = member(7, tier: "vipPlus", [buy(1, "2026-03-02", "100")])
        let r = run(active, [m])
        #expect(r.current.membersByTier == ["regular": 1])
    }

    @Test("the first N member purchases of a day are counted per mall in posting order")
    func ordinals() {
        let rows = (1...3).map { OrdinalPurchase(id: Int64($0), mallId: 1, day: d("2026-03-03"), birthday: nil) }
            + [OrdinalPurchase(id: 4, mallId: 2, day: d("2026-03-03"), birthday: nil),
               OrdinalPurchase(id: 5, mallId: 1, day: d("2026-03-03"), birthday: nil, creditedAtEnrolment: true),
               OrdinalPurchase(id: 6, mallId: 1, day: d("2026-06-03"), birthday: nil)]
        let o = ProgrammeSimulation.dayOrdinals(active, rows)
        #expect(o == [1: 1, 2: 2, 3: 3, 4: 1])
    }
}
