import Testing
@testable import MallVIPCore

private func yuan(_ text: String) -> Int64 { Money.parseYuan(text)! }
private func d(_ iso: String) -> LocalDate { LocalDate(iso)! }

/// Spend in the 6- and 12-month windows (the 12-month window contains the 6-month one).
private func spend(six: String, twelve: String? = nil) -> RollingSpend {
    RollingSpend([6: yuan(six), 12: yuan(twelve ?? six)])
}

@Suite("Tiers: automatic upgrades with the default programme")
struct TierEvaluationTests {
    let programme = Programme.defaultProgramme()

    func tier(_ s: RollingSpend, floor: String = "regular") -> String {
        programme.evaluateTier(spend: s, floor: floor).tier
    }

    @Test("silver by the 6-month window: 2,999.99 stays regular, 3,000.00 is silver")
    func silverSixMonths() {
        #expect(tier(spend(six: "2999.99")) == "regular")
        let silver = programme.evaluateTier(spend: spend(six: "3000.00"), floor: "regular")
        #expect(silver.tier == "silver")
        #expect(silver.reason == TierReason(months: 6, spendFen: 300_000, thresholdFen: 300_000))
        #expect(silver.approvalCandidate == nil)
    }

    @Test("silver by the 12-month window: 4,999.99 regular, 5,000 silver")
    func silverTwelveMonths() {
        #expect(tier(spend(six: "0", twelve: "4999.99")) == "regular")
        let silver = programme.evaluateTier(spend: spend(six: "0", twelve: "5000"), floor: "regular")
        #expect(silver.tier == "silver")
        #expect(silver.reason == TierReason(months: 12, spendFen: 500_000, thresholdFen: 500_000))
    }

    @Test("gold: 5,000 in 6 months or 8,000 in 12 months")
    func gold() {
        #expect(tier(spend(six: "4999.99")) == "silver")
        let bySix = programme.evaluateTier(spend: spend(six: "5000"), floor: "regular")
        #expect(bySix.tier == "gold")
        #expect(bySix.reason == TierReason(months: 6, spendFen: 500_000, thresholdFen: 500_000))
        #expect(tier(spend(six: "1000", twelve: "7999.99")) == "silver")
        let byTwelve = programme.evaluateTier(spend: spend(six: "1000", twelve: "8000"), floor: "regular")
        #expect(byTwelve.tier == "gold")
        #expect(byTwelve.reason == TierReason(months: 12, spendFen: 800_000, thresholdFen: 800_000))
    }

    @Test("diamond: 20,000 in 12 months; 6-month spend alone does not count")
    func diamond() {
        #expect(tier(spend(six: "0", twelve: "19999.99")) == "gold")
        let diamond = programme.evaluateTier(spend: spend(six: "0", twelve: "20000"), floor: "regular")
        #expect(diamond.tier == "diamond")
        #expect(diamond.reason == TierReason(months: 12, spendFen: 2_000_000, thresholdFen: 2_000_000))
        #expect(tier(RollingSpend([6: yuan("30000")])) == "gold")     // no 12-month figure given
    }

    @Test("purple at 40,000 in 12 months is only an approval candidate; the tier stays diamond")
    func purpleNeedsApproval() {
        let e = programme.evaluateTier(spend: spend(six: "0", twelve: "40000"), floor: "regular")
        #expect(e.tier == "diamond")
        #expect(e.reason == TierReason(months: 12, spendFen: 4_000_000, thresholdFen: 2_000_000))
        #expect(e.approvalCandidate == "purple")
        #expect(e.approvalReason == TierReason(months: 12, spendFen: 4_000_000, thresholdFen: 4_000_000))
        let below = programme.evaluateTier(spend: spend(six: "0", twelve: "39999.99"), floor: "regular")
        #expect(below.tier == "diamond")
        #expect(below.approvalCandidate == nil)
        #expect(below.approvalReason == nil)
    }

    @Test("a member already purple is not a candidate again")
    func purpleAlready() {
        let e = programme.evaluateTier(spend: spend(six: "0", twelve: "50000"), floor: "purple")
        #expect(e.tier == "purple")
        #expect(e.approvalCandidate == nil)
        #expect(e.reason == nil)
    }

    @Test("upgrades never lower a tier: the floor is kept")
    func floorKept() {
        let e = programme.evaluateTier(spend: spend(six: "100"), floor: "gold")
        #expect(e.tier == "gold")
        #expect(e.reason == nil)
        #expect(tier(spend(six: "3000"), floor: "diamond") == "diamond")
        // Spend above the floor still upgrades.
        #expect(tier(spend(six: "0", twelve: "20000"), floor: "silver") == "diamond")
        // Reaching exactly the floor's own threshold gives no new reason.
        #expect(programme.evaluateTier(spend: spend(six: "5000"), floor: "gold").reason == nil)
    }

    @Test("an unknown floor counts as the entry tier")
    func unknownFloor() {
        #expect(tier(spend(six: "0"), floor: "platinum") == "regular")
        #expect(tier(spend(six: "3000"), floor: "platinum") == "silver")
    }

    @Test("no spend at all is the entry tier")
    func noSpend() {
        let e = programme.evaluateTier(spend: RollingSpend([:]), floor: "regular")
        #expect(e == TierEvaluation(tier: "regular", reason: nil, approvalCandidate: nil, approvalReason: nil))
    }

    @Test("match all needs every window")
    func matchAll() {
        var p = programme
        p.tiers[1].upgrade?.match = .all
        #expect(p.evaluateTier(spend: spend(six: "3000", twelve: "4999.99"), floor: "regular").tier == "regular")
        let both = p.evaluateTier(spend: spend(six: "3000", twelve: "5000"), floor: "regular")
        #expect(both.tier == "silver")
        #expect(both.reason == TierReason(months: 12, spendFen: 500_000, thresholdFen: 500_000))
    }

    @Test("reasonMet: the first threshold met under any, nil without a rule")
    func reasonMet() throws {
        let silver = try #require(programme.tier("silver"))
        #expect(programme.reasonMet(silver, spend(six: "3000", twelve: "6000")) == TierReason(months: 6, spendFen: 300_000, thresholdFen: 300_000))
        #expect(programme.reasonMet(silver, spend(six: "2000", twelve: "2000")) == nil)
        #expect(programme.reasonMet(programme.entryTier, spend(six: "99999")) == nil)
    }

    @Test("the windows the store must sum")
    func windows() {
        #expect(programme.tierWindows == [6, 12])
        var p = programme
        p.tiers[1].upgrade?.thresholds.append(SpendThreshold(months: 3, minSpendFen: 100_000))
        #expect(p.tierWindows == [3, 6, 12])
    }
}

@Suite("Tiers: progress to the next tier")
struct TierProgressTests {
    let programme = Programme.defaultProgramme()

    @Test("还差 1,240 元 升级金卡: the smallest shortfall and its window")
    func toGold() throws {
        let p = try #require(programme.progress(from: "silver", spend: spend(six: "3760", twelve: "3760")))
        #expect(p == TierProgress(nextTier: "gold", shortfallFen: 124_000, months: 6))
        #expect(Money.yuanCeil(p.shortfallFen) == "1,240")
        #expect("还差 \(Money.yuanCeil(p.shortfallFen)) 元 升级\(programme.tier(p.nextTier)!.name.zh)" == "还差 1,240 元 升级金卡")
    }

    @Test("the 12-month window can be the closer one")
    func twelveCloser() throws {
        let p = try #require(programme.progress(from: "silver", spend: spend(six: "1000", twelve: "7500")))
        #expect(p == TierProgress(nextTier: "gold", shortfallFen: 50_000, months: 12))
    }

    @Test("from the entry tier the next tier is silver")
    func toSilver() throws {
        let p = try #require(programme.progress(from: "regular", spend: spend(six: "2999.99")))
        #expect(p == TierProgress(nextTier: "silver", shortfallFen: 1, months: 6))
        #expect(Money.yuanCeil(p.shortfallFen) == "1")
        let none = try #require(programme.progress(from: "regular", spend: RollingSpend([:])))
        #expect(none == TierProgress(nextTier: "silver", shortfallFen: 300_000, months: 6))
    }

    @Test("diamond to purple, and nothing above the top tier")
    func top() throws {
        let p = try #require(programme.progress(from: "diamond", spend: spend(six: "0", twelve: "25000")))
        #expect(p == TierProgress(nextTier: "purple", shortfallFen: 1_500_000, months: 12))
        #expect(programme.progress(from: "purple", spend: spend(six: "0")) == nil)
        #expect(programme.progress(from: "platinum", spend: spend(six: "0")) == nil)
    }

    @Test("a met threshold shows no shortfall")
    func met() throws {
        let p = try #require(programme.progress(from: "silver", spend: spend(six: "6000")))
        #expect(p.shortfallFen == 0)
    }

    @Test("match all: the largest remaining gap counts")
    func matchAll() throws {
        var p = programme
        p.tiers[2].upgrade?.match = .all
        let progress = try #require(p.progress(from: "silver", spend: spend(six: "4000", twelve: "4000")))
        #expect(progress == TierProgress(nextTier: "gold", shortfallFen: 400_000, months: 12))
    }

    @Test("tiers without an upgrade rule are skipped")
    func skipsManualTiers() throws {
        var p = programme
        p.tiers.insert(TierDefinition(code: "staff", name: LocalizedName(zh: "员工卡", en: "Staff")), at: 2)
        let progress = try #require(p.progress(from: "silver", spend: spend(six: "4000")))
        #expect(progress.nextTier == "gold")
        #expect(progress.shortfallFen == 100_000)
    }
}

@Suite("Tiers: manual tiers")
struct EffectiveTierTests {
    let programme = Programme.defaultProgramme()

    @Test("a manual tier is honoured until its end date inclusive, then the earned tier")
    func manualUntil() {
        let until = d("2026-06-30")
        #expect(programme.effectiveTier(earned: "silver", manual: "diamond", manualUntil: until, on: d("2026-01-01")) == "diamond")
        #expect(programme.effectiveTier(earned: "silver", manual: "diamond", manualUntil: until, on: d("2026-06-30")) == "diamond")
        #expect(programme.effectiveTier(earned: "silver", manual: "diamond", manualUntil: until, on: d("2026-07-01")) == "silver")
    }

    @Test("no manual tier, or an unknown one, shows the earned tier")
    func noManual() {
        #expect(programme.effectiveTier(earned: "gold", manual: nil, manualUntil: nil, on: d("2026-01-01")) == "gold")
        #expect(programme.effectiveTier(earned: "gold", manual: nil, manualUntil: d("2026-12-31"), on: d("2026-01-01")) == "gold")
        #expect(programme.effectiveTier(earned: "gold", manual: "platinum", manualUntil: d("2026-12-31"), on: d("2026-01-01")) == "gold")
    }
}

@Suite("Tiers: rolling window boundaries")
struct TierWindowTests {
    /// Sums purchases into windows ending on `date`, the way the store does with LocalDate.windowStart.
    func rolling(_ purchases: [(String, Int64)], on date: LocalDate, windows: [Int]) -> RollingSpend {
        var by: [Int: Int64] = [:]
        for months in windows {
            let start = date.windowStart(months: months)
            by[months] = purchases.filter { d($0.0) >= start && d($0.0) <= date }.reduce(0) { $0 + $1.1 }
        }
        return RollingSpend(by)
    }

    @Test("6 months ending 2026-06-30 start on 2025-12-31")
    func sixMonthBoundary() {
        let programme = Programme.defaultProgramme()
        let end = d("2026-06-30")
        #expect(end.windowStart(months: 6) == d("2025-12-31"))
        let inside = rolling([("2025-12-31", yuan("1500")), ("2026-06-30", yuan("1500"))], on: end, windows: programme.tierWindows)
        #expect(inside.spend(months: 6) == 300_000)
        #expect(programme.evaluateTier(spend: inside, floor: "regular").tier == "silver")
        let outside = rolling([("2025-12-30", yuan("1500")), ("2026-06-30", yuan("1500"))], on: end, windows: programme.tierWindows)
        #expect(outside.spend(months: 6) == 150_000)
        #expect(outside.spend(months: 12) == 300_000)
        #expect(programme.evaluateTier(spend: outside, floor: "regular").tier == "regular")
    }

    @Test("31 March minus one month clamps to February")
    func clamp() {
        #expect(d("2026-03-31").adding(months: -1) == d("2026-02-28"))
        #expect(d("2024-03-31").adding(months: -1) == d("2024-02-29"))
        #expect(d("2026-03-31").windowStart(months: 1) == d("2026-03-01"))
    }

    @Test("RollingSpend answers 0 for windows it was not given")
    func missingWindow() {
        #expect(RollingSpend([6: 100]).spend(months: 12) == 0)
        #expect(RollingSpend([6: 100]).spend(months: 6) == 100)
    }
}
