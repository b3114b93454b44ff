import Testing
@testable import MallVIPCore

private func d(_ iso: String) -> LocalDate { LocalDate(iso)! }
private func yuan(_ text: String) -> Int64 { Money.parseYuan(text)! }

/// 2026-01-07 is a Wednesday outside the slow season, nobody's birthday in these tests.
private let plainDay = EarningContext(businessDate: LocalDate(year: 2026, month: 1, day: 7))

@Suite("Earning: base points and big-ticket bonus")
struct BasePointsTests {
    let earning = Programme.defaultProgramme().earning

    @Test("one point per full 10 yuan paid on a receipt", arguments: [
        ("559.00", Int64(55)), ("9.99", 0), ("10.00", 1), ("19.99", 1), ("500", 50), ("550", 55), ("0", 0), ("0.01", 0),
        ("1999.99", 199), ("12345.67", 1_234),
    ])
    func basePoints(amount: String, points: Int64) {
        #expect(earning.basePoints(forEligibleFen: yuan(amount)) == points)
        let result = earning.earn(eligibleFen: yuan(amount), context: plainDay)
        #expect(result.basePoints == points)
        #expect(result.eligibleFen == yuan(amount))
    }

    @Test("negative amounts earn nothing")
    func negative() {
        #expect(earning.basePoints(forEligibleFen: -100_000) == 0)
        #expect(earning.earn(eligibleFen: -100_000, context: plainDay).points == 0)
    }

    @Test("+10 when one receipt earns at least 200 base points", arguments: [
        ("2000", Int64(200), Int64(10), Int64(210)),
        ("2009.99", 200, 10, 210),
        ("1999", 199, 0, 199),
        ("1999.99", 199, 0, 199),
        ("5000", 500, 10, 510),
        ("559", 55, 0, 55),
    ])
    func bigTicket(amount: String, base: Int64, bonus: Int64, total: Int64) {
        let result = earning.earn(eligibleFen: yuan(amount), context: plainDay)
        #expect(result.basePoints == base)
        #expect(result.bonusPoints == bonus)
        #expect(result.points == total)
        #expect(result.factorPermille == 1000)
        #expect(result.multiplierNames.isEmpty)
    }

    @Test("without a big-ticket rule there is no bonus")
    func noBigTicket() {
        var e = earning
        e.bigTicket = nil
        let result = e.earn(eligibleFen: yuan("2000"), context: plainDay)
        #expect(result.bonusPoints == 0)
        #expect(result.points == 200)
    }

    @Test("unit and points per unit are configurable")
    func configurableRate() {
        let e = EarningPolicy(unitFen: 100, pointsPerUnit: 2)          // 2 points per full yuan
        #expect(e.basePoints(forEligibleFen: 1_099) == 20)
        let coarse = EarningPolicy(unitFen: 5_000, pointsPerUnit: 3)   // 3 points per full 50 yuan
        #expect(coarse.basePoints(forEligibleFen: 14_999) == 6)
        #expect(coarse.basePoints(forEligibleFen: 15_000) == 9)
    }

    @Test("points under a stored factor: multiplied base, bonus added after")
    func pointsUnderFactor() {
        let doubled = earning.points(forEligibleFen: yuan("2000"), factorPermille: 2000)
        #expect(doubled.base == 200)
        #expect(doubled.bonus == 10)
        #expect(doubled.total == 410)
        let plain = earning.points(forEligibleFen: yuan("559"), factorPermille: 1000)
        #expect(plain.base == 55 && plain.bonus == 0 && plain.total == 55)
        let oneAndHalf = earning.points(forEligibleFen: yuan("559"), factorPermille: 1500)
        #expect(oneAndHalf.total == 82)                                // 82.5 truncated
    }
}

@Suite("Earning: multiplier rules")
struct MultiplierTests {
    let earning = Programme.defaultProgramme().earning

    @Test("Wednesdays in February–April double, other days and months do not", arguments: [
        ("2026-02-04", true),   // Wednesday, February
        ("2026-03-04", true),   // Wednesday, March
        ("2026-04-29", true),   // Wednesday, April
        ("2026-02-05", false),  // Thursday
        ("2026-02-03", false),  // Tuesday
        ("2026-03-08", false),  // Sunday
        ("2026-01-28", false),  // Wednesday in January
        ("2026-05-06", false),  // Wednesday in May
    ])
    func slowSeasonWednesday(date: String, doubled: Bool) {
        let result = earning.earn(eligibleFen: yuan("559"), context: EarningContext(businessDate: d(date)))
        #expect(result.points == (doubled ? 110 : 55))
        #expect(result.factorPermille == (doubled ? 2000 : 1000))
        #expect(result.multiplierNames == (doubled ? ["淡季周三双倍积分"] : []))
    }

    @Test("2,000 yuan on a double day → 410 (bonus added after the multiplier)")
    func doubleDayBigTicket() {
        let result = earning.earn(eligibleFen: yuan("2000"), context: EarningContext(businessDate: d("2026-02-04")))
        #expect(result.basePoints == 200)
        #expect(result.factorPermille == 2000)
        #expect(result.bonusPoints == 10)
        #expect(result.points == 410)
    }

    @Test("on the member's birthday, any month")
    func birthday() {
        let birthday = MonthDay(month: 7, day: 15)
        let on = earning.earn(eligibleFen: yuan("559"), context: EarningContext(businessDate: d("2026-07-15"), birthday: birthday))
        #expect(on.points == 110)
        #expect(on.multiplierNames == ["生日当天双倍积分"])
        let dayAfter = earning.earn(eligibleFen: yuan("559"), context: EarningContext(businessDate: d("2026-07-16"), birthday: birthday))
        #expect(dayAfter.points == 55)
        let unknown = earning.earn(eligibleFen: yuan("559"), context: EarningContext(businessDate: d("2026-07-15")))
        #expect(unknown.points == 55)
    }

    @Test("a 29 February birthday is celebrated on 28 February in a common year")
    func leapBirthday() {
        let birthday = MonthDay(month: 2, day: 29)
        // 2026-02-28 is a Saturday, and no first-N ordinal is given: only the birthday rule can apply.
        let common = earning.earn(eligibleFen: yuan("559"), context: EarningContext(businessDate: d("2026-02-28"), birthday: birthday))
        #expect(common.factorPermille == 2000)
        #expect(common.multiplierNames == ["生日当天双倍积分"])
        let march = earning.earn(eligibleFen: yuan("559"), context: EarningContext(businessDate: d("2026-03-01"), birthday: birthday))
        #expect(march.factorPermille == 1000)
        let leap = earning.earn(eligibleFen: yuan("559"), context: EarningContext(businessDate: d("2028-02-29"), birthday: birthday))
        #expect(leap.factorPermille == 2000)
        let leapEve = earning.earn(eligibleFen: yuan("559"), context: EarningContext(businessDate: d("2028-02-28"), birthday: birthday))
        #expect(leapEve.factorPermille == 1000)
    }

    @Test("first N member purchases of the day: the N-th yes, the N+1-th no", arguments: [
        (1, true), (99, true), (100, true), (101, false), (500, false),
    ])
    func firstPurchases(ordinal: Int, doubled: Bool) {
        // 2026-03-05 is a Thursday in the slow season.
        let context = EarningContext(businessDate: d("2026-03-05"), memberPurchaseOrdinalOfDay: ordinal)
        let result = earning.earn(eligibleFen: yuan("559"), context: context)
        #expect(result.factorPermille == (doubled ? 2000 : 1000))
        #expect(result.multiplierNames == (doubled ? ["淡季每日前100名会员双倍积分"] : []))
    }

    @Test("the first-N rule needs an ordinal and its months")
    func firstPurchasesConditions() {
        let noOrdinal = earning.earn(eligibleFen: yuan("559"), context: EarningContext(businessDate: d("2026-03-05")))
        #expect(noOrdinal.factorPermille == 1000)
        let summer = earning.earn(eligibleFen: yuan("559"),
                                  context: EarningContext(businessDate: d("2026-06-04"), memberPurchaseOrdinalOfDay: 1))
        #expect(summer.factorPermille == 1000)
    }

    @Test("a date range is inclusive at both ends")
    func dateRange() {
        let rule = MultiplierRule(name: "反馈周", factorPermille: 3000, from: d("2026-06-01"), to: d("2026-06-07"))
        #expect(!rule.applies(EarningContext(businessDate: d("2026-05-31"))))
        #expect(rule.applies(EarningContext(businessDate: d("2026-06-01"))))
        #expect(rule.applies(EarningContext(businessDate: d("2026-06-04"))))
        #expect(rule.applies(EarningContext(businessDate: d("2026-06-07"))))
        #expect(!rule.applies(EarningContext(businessDate: d("2026-06-08"))))
        let openEnded = MultiplierRule(name: "自六月起", factorPermille: 2000, from: d("2026-06-01"))
        #expect(!openEnded.applies(EarningContext(businessDate: d("2026-05-31"))))
        #expect(openEnded.applies(EarningContext(businessDate: d("2030-01-01"))))
        let until = MultiplierRule(name: "至五月底", factorPermille: 2000, to: d("2026-05-31"))
        #expect(until.applies(EarningContext(businessDate: d("2020-01-01"))))
        #expect(!until.applies(EarningContext(businessDate: d("2026-06-01"))))
    }

    @Test("weekdays combined with a date range: Saturdays within the range only")
    func weekdayInRange() {
        let rule = MultiplierRule(name: "六月周六", factorPermille: 2000, weekdays: [6], from: d("2026-06-01"), to: d("2026-06-30"))
        #expect(rule.applies(EarningContext(businessDate: d("2026-06-06"))))     // Saturday
        #expect(!rule.applies(EarningContext(businessDate: d("2026-06-07"))))    // Sunday
        #expect(!rule.applies(EarningContext(businessDate: d("2026-07-04"))))    // Saturday, after the range
    }

    @Test("a rule with no conditions always applies; birthday false is no condition")
    func unconditional() {
        #expect(MultiplierRule(name: "全场", factorPermille: 2000).applies(plainDay))
        #expect(MultiplierRule(name: "x", factorPermille: 2000, birthday: false).applies(plainDay))
    }

    @Test("needsDayOrdinal only when some rule counts the day's purchases")
    func needsOrdinal() {
        #expect(earning.needsDayOrdinal)
        #expect(!EarningPolicy(multipliers: [MultiplierRule(name: "w", factorPermille: 2000, weekdays: [3])]).needsDayOrdinal)
        #expect(MultiplierRule(name: "n", factorPermille: 2000, firstMemberPurchasesOfDay: 5).needsDayOrdinal)
    }

    @Test("applicableMultipliers lists the rules that hold, in order")
    func applicable() {
        // Wednesday 2026-02-04, the member's birthday, first purchase of the day: all three default rules hold.
        let context = EarningContext(businessDate: d("2026-02-04"), birthday: MonthDay(month: 2, day: 4), memberPurchaseOrdinalOfDay: 1)
        #expect(earning.applicableMultipliers(context).map(\.name) == ["淡季周三双倍积分", "生日当天双倍积分", "淡季每日前100名会员双倍积分"])
        #expect(earning.applicableMultipliers(plainDay).isEmpty)
    }
}

@Suite("Earning: combining multipliers")
struct CombineTests {
    static let rules = [
        MultiplierRule(name: "周三", factorPermille: 2000, weekdays: [3]),
        MultiplierRule(name: "生日", factorPermille: 3000, birthday: true),
        MultiplierRule(name: "前100名", factorPermille: 1500, firstMemberPurchasesOfDay: 100),
    ]
    /// Wednesday, the member's birthday, the 7th member purchase: all three apply.
    static let allApply = EarningContext(businessDate: LocalDate(year: 2026, month: 2, day: 4),
                                         birthday: MonthDay(month: 2, day: 4), memberPurchaseOrdinalOfDay: 7)
    static let twoDoubles = [
        MultiplierRule(name: "周三", factorPermille: 2000, weekdays: [3]),
        MultiplierRule(name: "生日", factorPermille: 2000, birthday: true),
    ]

    func policy(_ combine: EarningPolicy.Combine, _ rules: [MultiplierRule] = CombineTests.rules) -> EarningPolicy {
        EarningPolicy(unitFen: 1_000, pointsPerUnit: 1, bigTicket: BigTicketBonus(minBasePoints: 200, bonusPoints: 10),
                      combine: combine, multipliers: rules)
    }

    @Test("highest (the default): the single best factor")
    func highest() {
        #expect(EarningPolicy().combine == .highest)
        let result = policy(.highest).earn(eligibleFen: yuan("559"), context: Self.allApply)
        #expect(result.factorPermille == 3000)
        #expect(result.multiplierNames == ["生日"])
        #expect(result.points == 165)
        let doubles = policy(.highest, Self.twoDoubles).earn(eligibleFen: yuan("2000"), context: Self.allApply)
        #expect(doubles.factorPermille == 2000)
        #expect(doubles.multiplierNames.count == 1)
        #expect(doubles.points == 410)
    }

    @Test("multiply: factors multiply (2 × 2 = 4)")
    func multiply() {
        let doubles = policy(.multiply, Self.twoDoubles).earn(eligibleFen: yuan("2000"), context: Self.allApply)
        #expect(doubles.factorPermille == 4000)
        #expect(doubles.multiplierNames == ["周三", "生日"])
        #expect(doubles.points == 810)
        let all = policy(.multiply).earn(eligibleFen: yuan("559"), context: Self.allApply)
        #expect(all.factorPermille == 9000)                                    // 2 × 3 × 1.5
        #expect(all.multiplierNames == ["周三", "生日", "前100名"])
        #expect(all.points == 495)
    }

    @Test("sum: the extra parts add up (2 and 2 = 3)")
    func sum() {
        let doubles = policy(.sum, Self.twoDoubles).earn(eligibleFen: yuan("2000"), context: Self.allApply)
        #expect(doubles.factorPermille == 3000)
        #expect(doubles.multiplierNames == ["周三", "生日"])
        #expect(doubles.points == 610)
        let all = policy(.sum).earn(eligibleFen: yuan("559"), context: Self.allApply)
        #expect(all.factorPermille == 4500)                                    // 1 + 1 + 2 + 0.5
        #expect(all.points == 247)                                             // 247.5 truncated
    }

    @Test("one applicable rule gives the same factor in every mode; none gives 1")
    func singleAndNone() {
        let wednesdayOnly = EarningContext(businessDate: LocalDate(year: 2026, month: 2, day: 4))
        let thursday = EarningContext(businessDate: LocalDate(year: 2026, month: 2, day: 5), birthday: MonthDay(month: 2, day: 4),
                                      memberPurchaseOrdinalOfDay: 101)
        for mode in [EarningPolicy.Combine.highest, .multiply, .sum] {
            let p = policy(mode)
            #expect(p.factor(wednesdayOnly).permille == 2000)
            #expect(p.factor(wednesdayOnly).names == ["周三"])
            #expect(p.factor(thursday).permille == 1000)
            #expect(p.factor(thursday).names.isEmpty)
            #expect(p.earn(eligibleFen: yuan("2000"), context: thursday).points == 210)
        }
    }
}

@Suite("Earning: YAML")
struct EarningYAMLTests {
    @Test("combine modes and factors parse from YAML")
    func parse() throws {
        for mode in ["highest", "multiply", "sum"] {
            let yaml = Programme.defaultYAML().replacingOccurrences(of: "combine: highest", with: "combine: \(mode)")
            let p = try Programme.parse(yaml: yaml)
            #expect(p.earning.combine.rawValue == mode)
        }
    }
}
