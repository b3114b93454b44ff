import Foundation
import Testing
@testable import MallVIPCore

@Suite("VIP week")
struct VIPWeekTests {
    let week = VIPWeekPolicy()

    @Test("January 2014 → 10–12 Jan; every month of 2014 starts on its second Friday and runs to Sunday")
    func year2014() {
        #expect(week.dates(year: 2014, month: 1).map(\.description) == ["2014-01-10", "2014-01-11", "2014-01-12"])
        // The second Friday of each month of 2014, from a calendar.
        let fridays = [10, 14, 14, 11, 9, 13, 11, 8, 12, 10, 14, 12]
        for (i, d) in fridays.enumerated() {
            let dates = week.dates(year: 2014, month: i + 1)
            #expect(dates == [d, d + 1, d + 2].map { LocalDate(year: 2014, month: i + 1, day: $0) }, "month \(i + 1)")
            #expect(dates.map(\.weekday) == [5, 6, 7])
        }
        // Exactly 36 VIP-week days in the year, and contains agrees with dates.
        var count = 0
        var day = LocalDate(year: 2014, month: 1, day: 1)
        while day.year == 2014 {
            let inWeek = week.dates(year: day.year, month: day.month).contains(day)
            #expect(week.contains(day) == inWeek, "\(day)")
            if inWeek { count += 1 }
            day = day.adding(days: 1)
        }
        #expect(count == 36)
    }

    @Test("configurable: the first Saturday, two days")
    func configurable() {
        let w = VIPWeekPolicy(ordinal: 1, weekday: 6, days: 2)
        #expect(w.dates(year: 2014, month: 2).map(\.description) == ["2014-02-01", "2014-02-02"])
        #expect(w.contains(LocalDate(year: 2014, month: 3, day: 2)))   // 1 March 2014 is a Saturday
        #expect(!w.contains(LocalDate(year: 2014, month: 3, day: 3)))
        #expect(VIPWeekPolicy(ordinal: 5, weekday: 9, days: 0).validationErrors(path: "vipWeek").count == 3)
    }

    @Test("vipWeekOnly windows and multipliers apply only on VIP-week days, with the programme's week")
    func rules() throws {
        var p = Programme.defaultProgramme()
        let window = try #require(p.redemption.window("vipWeek"))
        #expect(window.contains(LocalDate(year: 2014, month: 1, day: 11)))
        #expect(!window.contains(LocalDate(year: 2014, month: 1, day: 3)))
        p.earning.multipliers = [MultiplierRule(name: "VIP周双倍", factorPermille: 2000, vipWeekOnly: true)]
        p.vipWeek = VIPWeekPolicy(ordinal: 3)
        let rule = p.earning.multipliers[0]
        #expect(rule.vipWeekPolicy?.ordinal == 3)
        func ctx(_ d: Int) -> EarningContext { EarningContext(businessDate: LocalDate(year: 2014, month: 1, day: d)) }
        #expect(!rule.applies(ctx(10)))
        #expect(rule.applies(ctx(17)) && rule.applies(ctx(19)))
        #expect(!rule.applies(ctx(20)))
        #expect(p.redemption.window("vipWeek")!.contains(LocalDate(year: 2014, month: 1, day: 18)))
        #expect(!p.redemption.window("vipWeek")!.contains(LocalDate(year: 2014, month: 1, day: 11)))
    }

    @Test("the vipWeek section round-trips through YAML")
    func yaml() throws {
        let p = Programme.defaultProgramme()
        #expect(p.vipWeek == VIPWeekPolicy())
        #expect(p.events.reminderDaysBefore == 1 && p.events.followUpDays == 30)
        #expect(p.validate().isEmpty)
        var bad = p
        bad.events.followUpDays = 0
        #expect(bad.validate().map(\.path) == ["events.followUpDays"])
    }
}
