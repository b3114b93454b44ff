/// Weekly report periods (issue 17, docs/domain.md §9.4 and §12.3, beside monthly, quarterly, half-yearly and annual
/// packs): ISO 8601 weeks of business dates. Business dates are already in the programme's time zone, so a
/// purchase at 23:30 on a Sunday in Shanghai belongs to that Sunday's week whatever the server's zone.
/// Key "2026-W01" (ISO week-year, two-digit week); the week-year differs from the calendar year at a year end:
/// Monday 2025-12-29 … Sunday 2026-01-04 is 2026-W01, and 2021-01-01 … 2021-01-03 belong to 2020-W53.
extension ReportPeriod {
    /// Monday of the week holding `day`.
    public static func weekStart(_ day: LocalDate) -> LocalDate { day.adding(days: 1 - day.weekday) }

    /// The ISO week-year and week number of `day`.
    public static func isoWeek(_ day: LocalDate) -> (year: Int, week: Int) {
        let thursday = weekStart(day).adding(days: 3)
        let jan1 = LocalDate(year: thursday.year, month: 1, day: 1)
        return (thursday.year, (thursday.dayNumber - jan1.dayNumber) / 7 + 1)
    }

    /// Weeks in ISO week-year `year`: 53 when 28 December falls in week 53, else 52.
    public static func weeksIn(isoYear year: Int) -> Int { isoWeek(LocalDate(year: year, month: 12, day: 28)).week }

    public static func weekContaining(_ day: LocalDate) -> ReportPeriod {
        let monday = weekStart(day)
        return ReportPeriod(kind: .week, from: monday, to: monday.adding(days: 6))
    }

    /// ISO week `week` of week-year `year`; nil when the year has no such week.
    public static func week(_ year: Int, _ week: Int) -> ReportPeriod? {
        guard week >= 1, week <= weeksIn(isoYear: year) else { return nil }
        let week1Monday = weekStart(LocalDate(year: year, month: 1, day: 4))
        return weekContaining(week1Monday.adding(days: 7 * (week - 1)))
    }

    var weekKey: String {
        let (y, w) = Self.isoWeek(from)
        return "\(y)-W\(w < 10 ? "0" : "")\(w)"
    }

    var weekLastYear: ReportPeriod {
        let (y, w) = Self.isoWeek(from)
        return Self.week(y - 1, min(w, Self.weeksIn(isoYear: y - 1)))!
    }
}
