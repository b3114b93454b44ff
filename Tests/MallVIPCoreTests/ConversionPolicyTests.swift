import Testing
@testable import MallVIPCore

@Suite("Regular-customer conversion: the invite rule, ranking weeks and the winner")
struct ConversionPolicyTests {
    let policy = ConversionPolicy()

    func buy(_ y: Int, _ m: Int, _ d: Int, _ fen: Int64) -> ProspectPurchase {
        ProspectPurchase(day: LocalDate(year: y, month: m, day: d), netFen: fen)
    }

    @Test("two purchases on different days of a month: invite")
    func twoDays() {
        let a = policy.assess([buy(2026, 11, 3, 10_000), buy(2026, 11, 20, 5_000)], year: 2026, month: 11)
        #expect(a.purchaseDays == 2)
        #expect(a.byDays)
        #expect(!a.bySpend)
        #expect(a.invite)
    }

    @Test("several purchases on one day count once")
    func sameDayCountsOnce() {
        let a = policy.assess([buy(2026, 11, 3, 10_000), buy(2026, 11, 3, 9_000), buy(2026, 11, 3, 100)], year: 2026, month: 11)
        #expect(a.purchaseDays == 1)
        #expect(a.spendFen == 19_100)
        #expect(!a.invite)
    }

    @Test("500 yuan in the month on one day is enough; 499.99 is not")
    func spend() {
        #expect(policy.assess([buy(2026, 11, 3, 50_000)], year: 2026, month: 11).bySpend)
        #expect(policy.assess([buy(2026, 11, 3, 30_000), buy(2026, 11, 3, 20_000)], year: 2026, month: 11).invite)
        let short = policy.assess([buy(2026, 11, 3, 49_999)], year: 2026, month: 11)
        #expect(!short.invite)
        #expect(short.spendFen == 49_999)
    }

    @Test("a calendar month: 31 October and 1 November are one day in each month")
    func calendarMonth() {
        let purchases = [buy(2026, 10, 31, 1_000), buy(2026, 11, 1, 1_000)]
        #expect(policy.assess(purchases, year: 2026, month: 11).purchaseDays == 1)
        #expect(policy.assess(purchases, year: 2026, month: 10).purchaseDays == 1)
        #expect(!policy.assess(purchases, year: 2026, month: 11).invite)
    }

    @Test("a purchase refunded in full is no purchase day and no spend")
    func refunded() {
        let a = policy.assess([buy(2026, 11, 3, 0), buy(2026, 11, 4, 2_000)], year: 2026, month: 11)
        #expect(a.purchaseDays == 1)
        #expect(a.spendFen == 2_000)
        #expect(!a.invite)
    }

    @Test("the thresholds come from the programme")
    func configured() throws {
        var yaml = Programme.defaultYAML()
        yaml = yaml.replacingOccurrences(of: "  minPurchaseDays: 2", with: "  minPurchaseDays: 3")
            .replacingOccurrences(of: "  minMonthSpend: 500 ", with: "  minMonthSpend: 800 ")
        let p = try Programme.parse(yaml: yaml).conversion
        #expect(p.minPurchaseDays == 3)
        #expect(p.minMonthSpendFen == 80_000)
        #expect(!p.assess([buy(2026, 11, 3, 100), buy(2026, 11, 4, 100)], year: 2026, month: 11).invite)
        #expect(!p.assess([buy(2026, 11, 3, 50_000)], year: 2026, month: 11).invite)
        let defaults = Programme.defaultProgramme().conversion
        #expect(defaults == ConversionPolicy())
        #expect(defaults.weeklyRewardText == "50元零食大礼包")
        #expect(defaults.weeklyRewardFen == 5_000)
    }

    @Test("bad numbers are refused with their paths")
    func validation() {
        var yaml = Programme.defaultYAML()
        yaml = yaml.replacingOccurrences(of: "  minPurchaseDays: 2", with: "  minPurchaseDays: 0")
            .replacingOccurrences(of: "  weekStartsOn: 1", with: "  weekStartsOn: 8")
        #expect(throws: ProgrammeInvalid.self) { try Programme.parse(yaml: yaml) }
        do {
            _ = try Programme.parse(yaml: yaml)
        } catch let e as ProgrammeInvalid {
            #expect(Set(e.issues.map(\.path)) == ["conversion.minPurchaseDays", "conversion.weekStartsOn"])
        } catch { Issue.record("unexpected \(error)") }
    }

    @Test("ranking weeks start on Monday by default, on the configured weekday otherwise")
    func weeks() {
        // 2026-11-25 is a Wednesday.
        let wed = LocalDate(year: 2026, month: 11, day: 25)
        #expect(wed.weekday == 3)
        #expect(policy.weekStart(of: wed) == LocalDate(year: 2026, month: 11, day: 23))
        #expect(policy.weekStart(of: LocalDate(year: 2026, month: 11, day: 23)) == LocalDate(year: 2026, month: 11, day: 23))
        #expect(policy.weekStart(of: LocalDate(year: 2026, month: 11, day: 29)) == LocalDate(year: 2026, month: 11, day: 23))
        var sunday = ConversionPolicy()
        sunday.weekStartsOn = 7
        #expect(sunday.weekStart(of: wed) == LocalDate(year: 2026, month: 11, day: 22))
    }

    @Test("most conversions wins; a tie goes to who got there first; no conversions, no winner")
    func ranking() {
        func d(_ id: Int64, _ code: String, _ n: Int, _ at: Int64?) -> DepartmentConversions {
            DepartmentConversions(departmentId: id, code: code, name: code, conversions: n, lastConversionAtMs: at)
        }
        #expect(ConversionRanking.winner([d(1, "D1", 2, 100), d(2, "D2", 3, 500)])?.departmentId == 2)
        #expect(ConversionRanking.winner([d(1, "D1", 3, 900), d(2, "D2", 3, 500)])?.departmentId == 2)
        #expect(ConversionRanking.winner([d(1, "D1", 0, nil), d(2, "D2", 0, nil)]) == nil)
        #expect(ConversionRanking.ranked([d(1, "D1", 0, nil), d(2, "D2", 1, 5), d(3, "D0", 0, nil)]).map(\.code) == ["D2", "D0", "D1"])
    }
}
