import Testing
@testable import MallVIPCore

private func yuan(_ text: String) -> Int64 { Money.parseYuan(text)! }
private func d(_ iso: String) -> LocalDate { LocalDate(iso)! }
private func receipt(_ no: String, _ date: String, _ amount: String) -> QualifyingReceipt {
    QualifyingReceipt(receiptNo: no, businessDate: d(date), amountFen: yuan(amount))
}

extension EnrolmentDecision {
    var isEligible: Bool { if case .eligible = self { true } else { false } }
    var rule: String? { if case .eligible(let rule, _, _) = self { rule } else { nil } }
    var entryTier: String? { if case .eligible(_, let tier, _) = self { tier } else { nil } }
    var receipts: [String]? { if case .eligible(_, _, let receipts) = self { receipts } else { nil } }
    var error: DomainError? { if case .notEligible(let error) = self { error } else { nil } }
}

@Suite("Enrolment: the default rules")
struct EnrolmentTests {
    let programme = Programme.defaultProgramme()
    var policy: EnrolmentPolicy { programme.enrolment }
    let today = d("2026-05-10")

    func evaluate(_ receipts: [QualifyingReceipt]) -> EnrolmentDecision {
        policy.evaluate(receipts, on: today, programme: programme)
    }

    @Test("a single receipt of 500 qualifies; 499.99 does not")
    func singleReceipt() {
        let ok = evaluate([receipt("R1", "2026-05-10", "500")])
        #expect(ok == .eligible(rule: "单张小票满500元", entryTier: "regular", receipts: ["R1"]))
        let short = evaluate([receipt("R1", "2026-05-10", "499.99")])
        #expect(!short.isEligible)
    }

    @Test("the qualifying receipt is named, not the small ones")
    func namesQualifyingReceipt() {
        let decision = evaluate([receipt("R1", "2026-05-01", "100"), receipt("R2", "2026-05-02", "800")])
        #expect(decision.rule == "单张小票满500元")
        #expect(decision.receipts == ["R2"])
    }

    @Test("1,500 within 3 months rolling qualifies")
    func rollingThreeMonths() {
        let receipts = [
            receipt("A", "2026-02-11", "400"),     // first day of the window ending 2026-05-10
            receipt("B", "2026-03-15", "400"),
            receipt("C", "2026-04-20", "400"),
            receipt("D", "2026-05-10", "300"),
        ]
        let decision = evaluate(receipts)
        #expect(decision.rule == "3个月累计满1500元")
        #expect(decision.entryTier == "regular")
        #expect(Set(decision.receipts ?? []) == ["A", "B", "C", "D"])
    }

    @Test("1,499.99 within 3 months is not enough")
    func rollingShort() {
        let decision = evaluate([
            receipt("A", "2026-02-11", "400"), receipt("B", "2026-03-15", "400"), receipt("C", "2026-04-20", "400"),
            receipt("D", "2026-05-10", "299.99"),
        ])
        #expect(!decision.isEligible)
    }

    @Test("receipts outside the 3-month window do not count")
    func outsideWindow() {
        let receipts = [
            receipt("OLD", "2026-02-10", "400"),   // one day before the window
            receipt("B", "2026-03-15", "400"),
            receipt("C", "2026-04-20", "400"),
            receipt("D", "2026-05-10", "300"),
        ]
        #expect(!evaluate(receipts).isEligible)
        // Receipts dated after the enrolment date do not count either.
        let future = [receipt("B", "2026-03-15", "400"), receipt("C", "2026-04-20", "400"), receipt("D", "2026-05-10", "300"),
                      receipt("F", "2026-05-11", "400")]
        #expect(!evaluate(future).isEligible)
        #expect(policy.rules[1].match(future, validReceipts: future, on: today) == nil)
        #expect(policy.rules[1].match(future, validReceipts: future, on: d("2026-05-11")) != nil)
    }

    @Test("the rolling window clamps at month ends")
    func rollingClamp() {
        // A 3-month window ending 31 May 2026 starts on 1 March (28 Feb + 1 day).
        let rule = policy.rules[1]
        let end = d("2026-05-31")
        let inside = [receipt("A", "2026-03-01", "1000"), receipt("B", "2026-05-31", "500")]
        #expect(rule.match(inside, validReceipts: inside, on: end) != nil)
        let outside = [receipt("A", "2026-02-28", "1000"), receipt("B", "2026-05-31", "500")]
        #expect(rule.match(outside, validReceipts: outside, on: end) == nil)
    }

    @Test("not eligible: the error names the field receipts and the rules")
    func notEligibleError() throws {
        let decision = evaluate([receipt("R1", "2026-05-09", "120.50"), receipt("R2", "2026-05-10", "200")])
        let error = try #require(decision.error)
        #expect(error.kind == .notEligible)
        #expect(error.field == "receipts")
        #expect(error.rule == "enrolment.threshold")
        #expect(error.zh.contains("单张小票满500元"))
        #expect(error.zh.contains("3个月累计满1500元"))
        #expect(error.zh.contains("320.50"))
        #expect(error.en.contains("320.50"))
        #expect(error.description.hasPrefix("receipts: "))
    }

    @Test("no receipts at all is not eligible")
    func noReceipts() throws {
        let error = try #require(evaluate([]).error)
        #expect(error.field == "receipts")
        #expect(error.zh.contains("0.00"))
    }

    @Test("receipts older than receiptValidityDays do not count")
    func validity() {
        // 90 days before 2026-05-10 is 2026-02-09.
        #expect(evaluate([receipt("R", "2026-02-09", "500")]).isEligible)
        #expect(!evaluate([receipt("R", "2026-02-08", "500")]).isEligible)
        var p = programme
        p.enrolment.receiptValidityDays = 7
        #expect(p.enrolment.evaluate([receipt("R", "2026-05-03", "500")], on: today, programme: p).isEligible)
        #expect(!p.enrolment.evaluate([receipt("R", "2026-05-02", "500")], on: today, programme: p).isEligible)
    }

    @Test("a receipt dated after the enrolment date does not count")
    func futureReceipt() {
        #expect(!evaluate([receipt("R", "2026-05-11", "5000")]).isEligible)
    }

    @Test("refunds: what remains paid on the receipt counts")
    func refunded() {
        #expect(!evaluate([receipt("R", "2026-05-10", "0")]).isEligible)
        #expect(!evaluate([receipt("R", "2026-05-10", "499.99")]).isEligible)
    }
}

@Suite("Enrolment: other rule kinds and entry tiers")
struct EnrolmentVariantTests {
    let base = Programme.defaultProgramme()
    let today = d("2026-05-10")

    func programme(rules: [EnrolmentRule], entryTiers: [EntryTierRule] = [], validity: Int = 90) -> Programme {
        var p = base
        p.enrolment = EnrolmentPolicy(rules: rules, entryTiers: entryTiers, receiptValidityDays: validity)
        #expect(p.validate().isEmpty)
        return p
    }

    @Test("same day: receipts of one business day add up")
    func sameDay() {
        let p = programme(rules: [EnrolmentRule(name: "当日满500", kind: .sameDay, minSpendFen: 50_000)])
        let split = [receipt("A", "2026-05-10", "250"), receipt("B", "2026-05-10", "250"), receipt("C", "2026-05-09", "499")]
        let decision = p.enrolment.evaluate(split, on: today, programme: p)
        #expect(decision.rule == "当日满500")
        #expect(Set(decision.receipts ?? []) == ["A", "B"])
        let twoDays = [receipt("A", "2026-05-10", "250"), receipt("B", "2026-05-09", "249.99"), receipt("C", "2026-05-09", "250")]
        #expect(!p.enrolment.evaluate(twoDays, on: today, programme: p).isEligible)
    }

    @Test("calendar month: receipts of one month add up (XX charter: 2,000 in a month)")
    func calendarMonth() {
        let p = programme(rules: [EnrolmentRule(name: "当月满2000", kind: .calendarMonth, minSpendFen: 200_000)])
        let may = [receipt("A", "2026-05-01", "1000"), receipt("B", "2026-05-10", "1000")]
        let decision = p.enrolment.evaluate(may, on: today, programme: p)
        #expect(decision.rule == "当月满2000")
        #expect(Set(decision.receipts ?? []) == ["A", "B"])
        let acrossMonths = [receipt("A", "2026-04-30", "1000"), receipt("B", "2026-05-01", "999.99"), receipt("C", "2026-05-02", "0.01")]
        let across = p.enrolment.evaluate(acrossMonths, on: today, programme: p)
        #expect(!across.isEligible)
    }

    @Test("南亞: 300 on the same day enrols straight into gold when the programme lists the entry tier")
    func nanyaGold() {
        let sameDay300 = EnrolmentRule(name: "当日满300", kind: .sameDay, minSpendFen: 30_000)
        let p = programme(rules: [sameDay300], entryTiers: [EntryTierRule(tier: "gold", rule: sameDay300)])
        let decision = p.enrolment.evaluate([receipt("A", "2026-05-10", "100"), receipt("B", "2026-05-10", "200")], on: today, programme: p)
        #expect(decision.entryTier == "gold")
        #expect(decision.rule == "当日满300")
        #expect(!p.enrolment.evaluate([receipt("A", "2026-05-10", "299.99")], on: today, programme: p).isEligible)
    }

    @Test("without entry tiers the card starts in the entry tier")
    func noEntryTiers() {
        let sameDay300 = EnrolmentRule(name: "当日满300", kind: .sameDay, minSpendFen: 30_000)
        let p = programme(rules: [sameDay300])
        #expect(p.enrolment.evaluate([receipt("A", "2026-05-10", "300")], on: today, programme: p).entryTier == "regular")
    }

    @Test("the highest entry tier whose rule is met wins (南亞 3,000 → diamond)")
    func highestEntryTier() {
        let p = programme(
            rules: [EnrolmentRule(name: "当日满300", kind: .sameDay, minSpendFen: 30_000)],
            entryTiers: [
                EntryTierRule(tier: "diamond", rule: EnrolmentRule(name: "单张满3000", kind: .singleReceipt, minSpendFen: 300_000)),
                EntryTierRule(tier: "gold", rule: EnrolmentRule(name: "当日满300", kind: .sameDay, minSpendFen: 30_000)),
            ])
        let big = p.enrolment.evaluate([receipt("A", "2026-05-10", "3000")], on: today, programme: p)
        #expect(big.entryTier == "diamond")
        #expect(big.rule == "当日满300")
        let small = p.enrolment.evaluate([receipt("A", "2026-05-10", "2999.99")], on: today, programme: p)
        #expect(small.entryTier == "gold")
    }

    @Test("entry tiers respect receiptValidityDays")
    func entryTierValidity() {
        let p = programme(
            rules: [EnrolmentRule(name: "单张满500", kind: .singleReceipt, minSpendFen: 50_000)],
            entryTiers: [EntryTierRule(tier: "gold", rule: EnrolmentRule(name: "单张满3000", kind: .singleReceipt, minSpendFen: 300_000))],
            validity: 30)
        let decision = p.enrolment.evaluate([receipt("OLD", "2026-04-01", "3000"), receipt("NEW", "2026-05-10", "500")],
                                            on: today, programme: p)
        #expect(decision.entryTier == "regular")
        #expect(decision.receipts == ["NEW"])
    }

    @Test("any one rule is enough; the first rule that matches is reported")
    func firstRuleWins() {
        let p = base
        let decision = p.enrolment.evaluate([receipt("A", "2026-05-10", "1500")], on: today, programme: p)
        #expect(decision.rule == "单张小票满500元")
        #expect(decision.receipts == ["A"])
    }
}
