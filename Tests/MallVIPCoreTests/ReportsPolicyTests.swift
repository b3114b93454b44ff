import Foundation
import Testing
@testable import MallVIPCore

@Suite("Reports policy and periods") struct ReportsPolicyTests {
    @Test("periods: keys, bounds, last year, previous, month split")
    func periods() throws {
        let q = try #require(ReportPeriod(key: "2026-Q2"))
        #expect(q.from == LocalDate(year: 2026, month: 4, day: 1) && q.to == LocalDate(year: 2026, month: 6, day: 30))
        #expect(q.previous.key == "2026-Q1" && q.next.key == "2026-Q3" && q.lastYear.key == "2025-Q2")
        #expect(ReportPeriod(key: "2026-H2")?.from == LocalDate(year: 2026, month: 7, day: 1))
        #expect(ReportPeriod(key: "2026")?.to == LocalDate(year: 2026, month: 12, day: 31))
        #expect(ReportPeriod(key: "2024-02")?.to == LocalDate(year: 2024, month: 2, day: 29))
        #expect(ReportPeriod(key: "2026-01")?.previous.key == "2025-12")
        for bad in ["2026-13", "2026-Q5", "26", "2026-H3", "12M-2026-02-30", ""] { #expect(ReportPeriod(key: bad) == nil, "\(bad)") }
        let l = ReportPeriod.last12(endingOn: LocalDate(year: 2026, month: 11, day: 24))
        #expect(l.from == LocalDate(year: 2025, month: 11, day: 25) && l.days == 365 && ReportPeriod(key: l.key) == l)
        #expect(l.previous.to == LocalDate(year: 2025, month: 11, day: 24))
        // A running period is shown to date; one not started yet has no days.
        let m = ReportPeriod.month(2026, 11)
        #expect(m.through(LocalDate(year: 2026, month: 11, day: 25)) == DayRange(from: m.from, to: LocalDate(year: 2026, month: 11, day: 25)))
        #expect(m.through(LocalDate(year: 2026, month: 10, day: 31)) == nil)
        let split = l.range.monthSplit
        #expect(split.months == 202512...202610)
        #expect(split.edges == [DayRange(from: l.from, to: LocalDate(year: 2025, month: 11, day: 30)),
                                DayRange(from: LocalDate(year: 2026, month: 11, day: 1), to: l.to)])
        #expect(ReportPeriod.year(2026).range.monthSplit.months == 202601...202612)
        #expect(ReportPeriod.year(2026).range.monthSplit.edges.isEmpty)
    }

    @Test("percent-rank grades: ties share a grade, the best get the top grade")
    func grades() {
        #expect(RankGrade.grades([1, 1, 1, 1, 2, 3, 4, 5, 6, 9], grades: 5, higherIsBetter: true) == [1, 1, 1, 1, 3, 3, 4, 4, 5, 5])
        #expect(RankGrade.grades([10, 20, 30, 40, 50], grades: 5, higherIsBetter: false) == [5, 4, 3, 2, 1])
        #expect(RankGrade.grade(worse: 0, of: 0, grades: 5) == 1)
    }

    @Test("ABC by cumulative share 70/20/10: the member crossing a cut-off stays in the class it started in")
    func abc() {
        let p = ReportsPolicy()
        #expect(ABCClass.classify(sortedDescending: [60, 20, 10, 5, 5], policy: p) == [.a, .a, .b, .c, .c])
        #expect(ABCClass.classify(sortedDescending: [0, 0], policy: p) == [.c, .c])
    }

    @Test("segments: 001 boundaries with inclusive flags, weekly core, potential as the fallback; high value ≥ 5,000")
    func segments() {
        let p = ReportsPolicy()
        #expect(p.segmentIndex(spendFen: 10_000_001, purchaseDays: 52) == 0)
        #expect(p.segmentIndex(spendFen: 10_000_000, purchaseDays: 60) == 1, "exactly 100,000 is not more than 100,000")
        #expect(p.segmentIndex(spendFen: 20_000_000, purchaseDays: 10) == 1, "not weekly: below the core standard")
        #expect(p.segmentIndex(spendFen: 5_000_000, purchaseDays: 1) == 1)
        #expect(p.segmentIndex(spendFen: 4_999_999, purchaseDays: 1) == 2)
        #expect(p.segmentIndex(spendFen: 1_000_000, purchaseDays: 1) == 2)
        #expect(p.segmentIndex(spendFen: 999_999, purchaseDays: 1) == nil)
        #expect(p.isHighValue(spendFen: 500_000) && !p.isHighValue(spendFen: 499_999))
        #expect(p.priceBand(of: 9_999) == 0 && p.priceBand(of: 10_000) == 10_000 && p.priceBand(of: 1_000_000) == 300_000)
    }

    @Test("age bands by birthday cut-offs, 29 February included")
    func ages() {
        let day = LocalDate(year: 2026, month: 11, day: 24)
        #expect(AgeBands.band(birthday: LocalDate(year: 2001, month: 11, day: 24), ages: [25, 35], on: day) == 1)
        #expect(AgeBands.band(birthday: LocalDate(year: 2001, month: 11, day: 25), ages: [25, 35], on: day) == 0)
        #expect(AgeBands.band(birthday: LocalDate(year: 1960, month: 1, day: 1), ages: [25, 35], on: day) == 2)
        #expect(AgeBands.band(birthday: nil, ages: [25], on: day) == nil)
        #expect(AgeBands.band(birthday: LocalDate(year: 2000, month: 2, day: 29), ages: [25], on: LocalDate(year: 2025, month: 2, day: 28)) == 0)
        #expect(AgeBands.band(birthday: LocalDate(year: 2000, month: 2, day: 29), ages: [25], on: LocalDate(year: 2025, month: 3, day: 1)) == 1)
        #expect(AgeBands.label(1, ages: [25, 35], language: .zh) == "25–34岁")
    }

    @Test("the reports section: defaults from the shipped YAML, every problem named by its path")
    func yaml() throws {
        let p = Programme.defaultProgramme()
        #expect(p.reports == ReportsPolicy())
        let round = try Programme.parse(yaml: try p.yaml())
        #expect(round.reports == p.reports)
        let bad = Programme.defaultYAML().replacingOccurrences(of: "  topN: 500", with: "  topN: 0")
            .replacingOccurrences(of: "priceBands: [100, 300, 500, 1000, 3000]", with: "priceBands: [300, 100]")
            .replacingOccurrences(of: "importantSegments: [core, potential]", with: "importantSegments: [core, vip]")
        do {
            _ = try Programme.parse(yaml: bad)
            Issue.record("accepted an invalid reports section")
        } catch let e as ProgrammeInvalid {
            let paths = Set(e.issues.map(\.path))
            #expect(paths.isSuperset(of: ["reports.topN", "reports.priceBands", "reports.importantSegments[1]"]), "\(paths)")
        }
    }
}
