import Testing
@testable import MallVIPCore

private func yuan(_ text: String) -> Int64 { Money.parseYuan(text)! }

/// Programme economics (docs/domain.md §13, §19): the 000 plan, cost lines from unit prices, ROI on both bases.
@Suite("Economics arithmetic")
struct EconomicsArithmeticTests {
    /// The 000 plan (docs/domain.md §13.1, §19) writes "180000 − 80000 − 5000 − 3000 = 97000"; the subtraction gives 92,000 (its own
    /// total cost is 88,000). The calculator computes from the lines, as the SMS line is computed from its unit price.
    @Test("the 000 plan: 200 new VIPs × 900 yuan − 80,000 − 5,000 − 3,000 = 92,000 on revenue, not the 97,000 the plan wrote")
    func seedPlan() {
        let plan = ProgrammePlan.seed(marginPermille: 300)
        #expect(plan.incrementalRevenueFen == yuan("180000"))
        #expect(plan.costFen == yuan("88000"))
        #expect(plan.pl.netFen(.revenue) == yuan("92000"))
        #expect(plan.pl.netFen(.revenue) != yuan("97000"))
        // 92,000 / 88,000 = 1.04545… → 1045‰.
        #expect(plan.pl.roiPermille(.revenue) == 1045)
        // On a 30% margin: 54,000 − 88,000 = −34,000; −34,000 / 88,000 = −0.38636… → −386‰.
        #expect(plan.pl.incrementalMarginFen == yuan("54000"))
        #expect(plan.pl.netFen(.margin) == -yuan("34000"))
        #expect(plan.pl.roiPermille(.margin) == -386)
        // The same plan typed in by hand.
        let typed = ProgrammePlan(newVIPs: 200, upliftPerVIPFen: yuan("900"),
                                  costs: [.init(label: "events", amountFen: yuan("80000")), .init(label: "database", amountFen: yuan("5000")),
                                          .init(label: "promotion", amountFen: yuan("3000"))], marginPermille: 300)
        #expect(typed.pl.netFen(.revenue) == 9_200_000)
    }

    @Test("no costs: no ROI")
    func noCosts() {
        #expect(ProgrammePL(incrementalRevenueFen: 1000, marginPermille: 300, costFen: 0).roiPermille(.margin) == nil)
    }

    @Test("the birthday SMS line from unit prices is 1,200 yuan, not the 1.44万 the plan wrote (docs/domain.md §19)")
    func smsLine() {
        let q = CostArithmetic.parseQuantity("2000 × 12")
        #expect(q == 24_000)
        let amount = CostArithmetic.amount(quantity: q!, unitCostFen: yuan("0.05"))
        #expect(amount == yuan("1200"))
        #expect(amount != yuan("14400"))
        #expect(CostArithmetic.parseQuantity("2,000*12") == 24_000)
        #expect(CostArithmetic.parseQuantity("50x4x12") == 2_400)
        #expect(CostArithmetic.parseQuantity("12 months") == nil)
        #expect(CostArithmetic.parseQuantity("") == nil)
        #expect(CostArithmetic.amount(quantity: -1, unitCostFen: 5) == nil)
    }

    @Test("the Chengdu 2014 items from their unit prices total 43,440 with the SMS line corrected")
    func chengduTotal() {
        let lines: [(String, String)] = [
            ("2000×12", "0.05"),   // birthday SMS
            ("1000×12", "2"),      // mailed birthday cards
            ("10×12", "70"),       // cakes
            ("10×12", "30"),       // flowers
            ("50×12", "1"),        // maintainer top-up cards
            ("1", "240"), ("1", "200"), ("2", "300"),   // magazines, headsets
            ("1", "2200"),         // children's room
            ("50×4×12", "1"),      // conversion snack packs
        ]
        let total = lines.reduce(Int64(0)) { $0 + CostArithmetic.amount(quantity: CostArithmetic.parseQuantity($1.0)!, unitCostFen: yuan($1.1))! }
        #expect(total == yuan("43440"))
    }

    @Test("each kind has a default bucket (docs/domain.md §13.2)")
    func buckets() {
        #expect(CostKind.sms.defaultBucket == .currentMedia)
        #expect(CostKind.mailedCards.defaultBucket == .currentPromotion)
        #expect(CostKind.gifts.defaultBucket == .currentPromotion)
        #expect(CostKind.rewards.defaultBucket == .annualPromotion)
        #expect(CostKind.points.defaultBucket == .pointsExpense)
        #expect(Set(CostKind.allCases.map(\.defaultBucket)) == Set(BudgetBucket.allCases))
    }

    @Test("the programme's ROI basis defaults to margin and reads revenue from YAML")
    func basisFromYAML() throws {
        #expect(Programme.defaultProgramme().economics.roiBasis == .margin)
        let yaml = Programme.defaultYAML().replacingOccurrences(of: "roiBasis: margin", with: "roiBasis: revenue")
        #expect(try Programme.parse(yaml: yaml).economics.roiBasis == .revenue)
        let bad = Programme.defaultYAML().replacingOccurrences(of: "roiBasis: margin", with: "roiBasis: profit")
        #expect(throws: ProgrammeInvalid.self) { try Programme.parse(yaml: bad) }
    }
}

@Suite("Targets arithmetic")
struct TargetsArithmeticTests {
    @Test("a relative target is last year's actual × (1 + change): 6,000 + 15% = 6,900 (the 000 plan's spend target)")
    func relative() {
        let t = KPITarget(year: 2026, metric: .spendPerActiveCard, mode: .relative, value: 150)
        #expect(t.resolved(lastYear: yuan("6000")) == yuan("6900"))
        #expect(t.resolved(lastYear: nil) == nil)
        let churn = KPITarget(year: 2026, metric: .repurchaseRate, mode: .relative, value: -100)
        #expect(churn.resolved(lastYear: 500) == 450)
    }

    @Test("gap and attainment: VIP share 26.2% against 30% is 3.8 points short, 87.3% of target")
    func gap() {
        let p = TargetProgress(target: 300, actual: 262)
        #expect(p.gap == -38)
        #expect(p.met == false)
        #expect(p.attainmentPermille == 873)
        #expect(TargetProgress(target: 300, actual: 300).met == true)
        #expect(TargetProgress(target: nil, actual: 300).gap == nil)
    }

    @Test("targets are typed in the metric's unit")
    func parsing() {
        #expect(KPIMetric.vipShare.parse("30") == 300)
        #expect(KPIMetric.vipShare.parse("26.2%") == 262)
        #expect(KPIMetric.vipShare.parse("26.25") == nil)
        #expect(KPIMetric.vipSales.parse("1,000.50") == 100_050)
        #expect(KPIMetric.vipCount.parse("12,000") == 12_000)
        #expect(KPIMetric.nps.parse("40") == 40)
        #expect(KPIMetric.nps.parse("140") == nil)
        #expect(KPIMetric.parsePercent("+20") == 200)
        #expect(KPIMetric.parsePercent("-10") == -100)
        #expect(KPIMetric.percent(262) == "26.2%")
        #expect(KPIMetric.vipShare.byDepartment && !KPIMetric.newCards.byDepartment)
    }
}
