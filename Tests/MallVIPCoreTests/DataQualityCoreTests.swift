import Foundation
import Testing
@testable import MallVIPCore

/// Issue 17 (17D): lottery eligibility, the age-band and balance segment conditions' pure checks, and weekly periods.
@Suite("Data quality core: lottery, age band, balance, ISO weeks") struct DataQualityCoreTests {
    @Test("lottery: a positive balance ending in the programme's digit; 8 and 18 yes, 0, 80 and negatives no")
    func lottery() throws {
        for yes: Int64 in [8, 18, 1_008, 99_998] { #expect(LotteryRule.isEligible(balance: yes, digit: 8), "\(yes)") }
        for no: Int64 in [0, 80, 9, 7, -8, -2, 81] { #expect(!LotteryRule.isEligible(balance: no, digit: 8), "\(no)") }
        #expect(LotteryRule.isEligible(balance: 10, digit: 0))
        #expect(!LotteryRule.isEligible(balance: 0, digit: 0))        // no points is not a lottery ticket
        #expect(!LotteryRule.isEligible(balance: 18, digit: 10))      // out-of-range digit never matches
        let p = Programme.defaultProgramme()
        #expect(p.redemption.lotteryDigit == 8)
        #expect(p.isLotteryEligible(balance: 28) && !p.isLotteryEligible(balance: 29))
    }

    @Test("lottery digit: a programme key, validated 0–9, round-trips through YAML")
    func lotteryDigitKey() throws {
        let yaml = Programme.defaultYAML().replacingOccurrences(of: "lotteryDigit: 8", with: "lotteryDigit: 3")
        let p = try Programme.parse(yaml: yaml)
        #expect(p.redemption.lotteryDigit == 3 && p.isLotteryEligible(balance: 13) && !p.isLotteryEligible(balance: 18))
        #expect(try Programme.parse(yaml: p.yaml()).redemption.lotteryDigit == 3)
        for bad in ["10", "-1"] {
            let e = #expect(throws: ProgrammeInvalid.self) {
                try Programme.parse(yaml: Programme.defaultYAML().replacingOccurrences(of: "lotteryDigit: 8", with: "lotteryDigit: \(bad)"))
            }
            #expect(e?.issues.contains { $0.path == "redemption.lotteryDigit" } == true, "\(bad)")
        }
        // A programme stored before the key existed loads with the default.
        let old = Programme.defaultYAML().replacingOccurrences(of: "  lotteryDigit: 8", with: "")
        #expect(try Programme.parse(yaml: old).redemption.lotteryDigit == 8)
    }

    @Test("age band: a year older on the birthday itself; both ends inclusive; 29 February counts from 1 March")
    func ageBand() {
        let today = LocalDate(year: 2026, month: 11, day: 25)
        func d(_ s: String) -> LocalDate { LocalDate(s)! }
        let thirties = AgeBandCondition(minAge: 30, maxAge: 39)
        #expect(thirties.matches(birthday: d("1996-11-25"), on: today))     // 30 today
        #expect(!thirties.matches(birthday: d("1996-11-26"), on: today))    // 30 tomorrow
        #expect(thirties.matches(birthday: d("1986-11-26"), on: today))     // 39, 40 tomorrow
        #expect(!thirties.matches(birthday: d("1986-11-25"), on: today))    // 40 today
        #expect(!thirties.matches(birthday: nil, on: today))
        #expect(AgeBandCondition(minAge: 30).matches(birthday: d("1930-01-01"), on: today))
        #expect(AgeBandCondition(maxAge: 29).matches(birthday: d("1996-11-26"), on: today))
        #expect(!AgeBandCondition(maxAge: 29).matches(birthday: d("1996-11-25"), on: today))
        let leap = d("2000-02-29")
        #expect(!AgeBandCondition(minAge: 30).matches(birthday: leap, on: d("2030-02-28")))
        #expect(AgeBandCondition(minAge: 30).matches(birthday: leap, on: d("2030-03-01")))
        #expect(AgeBandCondition(minAge: 28).matches(birthday: leap, on: d("2028-02-29")))
        // Validation names the field.
        #expect(throws: DomainError.self) { try SegmentConditions(age: AgeBandCondition(minAge: 40, maxAge: 30)).validate(tierCodes: []) }
        #expect(throws: DomainError.self) { try SegmentConditions(age: AgeBandCondition(minAge: -1)).validate(tierCodes: []) }
        #expect(SegmentConditions(age: AgeBandCondition()).normalized() == SegmentConditions())
    }

    @Test("balance: at least a number, or at least the cheapest reward; exactly at the threshold matches")
    func balance() {
        #expect(BalanceCondition(minPoints: 500).matches(balance: 500, cheapestReward: nil))
        #expect(!BalanceCondition(minPoints: 500).matches(balance: 499, cheapestReward: nil))
        let redeem = BalanceCondition(canRedeemNow: true)
        #expect(redeem.matches(balance: 1_000, cheapestReward: 1_000))
        #expect(!redeem.matches(balance: 999, cheapestReward: 1_000))
        #expect(!redeem.matches(balance: 1_000_000, cheapestReward: nil))  // nothing on offer: nobody can redeem
        #expect(throws: DomainError.self) {
            try SegmentConditions(balance: BalanceCondition(minPoints: 10, canRedeemNow: true)).validate(tierCodes: [])
        }
        #expect(SegmentConditions(genders: [.male, .female, .male]).normalized().genders == [.female, .male])
    }

    @Test("weekly periods: ISO weeks across year ends, keys, previous and last year")
    func weeks() throws {
        func d(_ s: String) -> LocalDate { LocalDate(s)! }
        // 2026-01-01 is a Thursday: its week is 2026-W01 and starts in December 2025.
        let w1 = ReportPeriod.containing(d("2026-01-01"), kind: .week)
        #expect(w1.key == "2026-W01" && w1.from == d("2025-12-29") && w1.to == d("2026-01-04") && w1.days == 7)
        #expect(ReportPeriod.containing(d("2025-12-29"), kind: .week) == w1)
        #expect(w1.previous.key == "2025-W52" && w1.previous.to == d("2025-12-28"))
        // 2021-01-01 … 03 belong to 2020's week 53; 2021-W01 starts on Monday 4 January.
        let w53 = ReportPeriod.containing(d("2021-01-03"), kind: .week)
        #expect(w53.key == "2020-W53" && w53.from == d("2020-12-28") && w53.next.key == "2021-W01" && w53.next.from == d("2021-01-04"))
        #expect(ReportPeriod.weeksIn(isoYear: 2020) == 53 && ReportPeriod.weeksIn(isoYear: 2025) == 52 && ReportPeriod.weeksIn(isoYear: 2026) == 53)
        // Keys parse back; weeks that do not exist are refused.
        for key in ["2026-W01", "2020-W53", "2026-W53", "2024-W10"] { #expect(ReportPeriod(key: key)?.key == key, "\(key)") }
        for bad in ["2025-W53", "2026-W00", "2026-W5", "2026-W054", "2026-Wx1"] { #expect(ReportPeriod(key: bad) == nil, "\(bad)") }
        // Same week last year; week 53 falls back to 52 where a year has none.
        #expect(ReportPeriod(key: "2026-W47")!.lastYear.key == "2025-W47")
        #expect(ReportPeriod(key: "2026-W53")!.lastYear.key == "2025-W52")
        #expect(ReportPeriod(key: "2026-W53")!.to == d("2027-01-03"))
        // A running week is shown to date.
        let running = ReportPeriod.containing(d("2026-11-25"), kind: .week)
        #expect(running.key == "2026-W48" && running.through(d("2026-11-25")) == DayRange(from: d("2026-11-23"), to: d("2026-11-25")))
        // Business dates are the programme's zone: Sunday 23:30 in Shanghai is still that Sunday's week, though UTC is
        // also Sunday and New York's wall clock says Sunday morning; Monday 00:30 Shanghai is the next week.
        let shanghai = TimeZone(identifier: "Asia/Shanghai")!
        var c = Calendar(identifier: .gregorian)
        c.timeZone = shanghai
        let sundayLate = c.date(from: DateComponents(year: 2026, month: 1, day: 4, hour: 23, minute: 30))!
        let mondayEarly = c.date(from: DateComponents(year: 2026, month: 1, day: 5, hour: 0, minute: 30))!
        #expect(ReportPeriod.containing(LocalDate.of(sundayLate, in: shanghai), kind: .week).key == "2026-W01")
        #expect(ReportPeriod.containing(LocalDate.of(mondayEarly, in: shanghai), kind: .week).key == "2026-W02")
        #expect(ReportPeriod.containing(LocalDate.of(mondayEarly, in: TimeZone(identifier: "UTC")!), kind: .week).key == "2026-W01")
    }
}
