import Foundation

/// The period of a report pack (docs/domain.md §12.3: monthly, quarterly, half-yearly and annual reports), or the twelve months
/// ending on a day (the Chengdu plan's "2013 to November" figures are such a trailing year). Business dates,
/// inclusive at both ends.
public struct ReportPeriod: Hashable, Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable, CaseIterable {
        case month, quarter, half, year
        /// Twelve months ending on `to` (inclusive), e.g. 2025-11-25 … 2026-11-24.
        case last12
        /// An ISO 8601 week, Monday to Sunday, of business dates (so in the programme's time zone); week 1 is the
        /// week holding the year's first Thursday, so 2026-W01 starts on Monday 2025-12-29 (ReportPeriod+Week.swift).
        case week
    }

    public let kind: Kind
    public let from: LocalDate
    public let to: LocalDate

    init(kind: Kind, from: LocalDate, to: LocalDate) {
        self.kind = kind
        self.from = from
        self.to = to
    }

    public static func month(_ year: Int, _ month: Int) -> ReportPeriod {
        let first = LocalDate(year: year, month: month, day: 1)
        return ReportPeriod(kind: .month, from: first, to: LocalDate(year: year, month: month, day: LocalDate.daysIn(year: year, month: month)))
    }

    public static func quarter(_ year: Int, _ number: Int) -> ReportPeriod {
        let first = (number - 1) * 3 + 1
        return ReportPeriod(kind: .quarter, from: LocalDate(year: year, month: first, day: 1),
                            to: LocalDate(year: year, month: first + 2, day: LocalDate.daysIn(year: year, month: first + 2)))
    }

    public static func half(_ year: Int, _ number: Int) -> ReportPeriod {
        number == 1 ? ReportPeriod(kind: .half, from: LocalDate(year: year, month: 1, day: 1), to: LocalDate(year: year, month: 6, day: 30))
            : ReportPeriod(kind: .half, from: LocalDate(year: year, month: 7, day: 1), to: LocalDate(year: year, month: 12, day: 31))
    }

    public static func year(_ year: Int) -> ReportPeriod {
        ReportPeriod(kind: .year, from: LocalDate(year: year, month: 1, day: 1), to: LocalDate(year: year, month: 12, day: 31))
    }

    public static func last12(endingOn day: LocalDate) -> ReportPeriod {
        ReportPeriod(kind: .last12, from: day.windowStart(months: 12), to: day)
    }

    /// The period of `kind` that contains `day` (for `last12`: the twelve months ending on `day`).
    public static func containing(_ day: LocalDate, kind: Kind) -> ReportPeriod {
        switch kind {
        case .month: month(day.year, day.month)
        case .quarter: quarter(day.year, (day.month - 1) / 3 + 1)
        case .half: half(day.year, day.month <= 6 ? 1 : 2)
        case .year: year(day.year)
        case .last12: last12(endingOn: day)
        case .week: weekContaining(day)
        }
    }

    /// "2026-05", "2026-Q2", "2026-H1", "2026", "12M-2026-11-24".
    public var key: String {
        switch kind {
        case .month: String(format: "%04d-%02d", from.year, from.month)
        case .quarter: "\(from.year)-Q\((from.month - 1) / 3 + 1)"
        case .half: "\(from.year)-H\(from.month <= 6 ? 1 : 2)"
        case .year: "\(from.year)"
        case .last12: "12M-\(to)"
        case .week: weekKey
        }
    }

    public var description: String { key }

    public init?(key raw: String) {
        let k = raw.trimmingCharacters(in: .whitespaces)
        if k.hasPrefix("12M-") {
            guard let end = LocalDate(String(k.dropFirst(4))) else { return nil }
            self = .last12(endingOn: end)
            return
        }
        let parts = k.split(separator: "-", omittingEmptySubsequences: false)
        guard let first = parts.first, first.count == 4, let y = Int(first), (1900...9999).contains(y) else { return nil }
        if parts.count == 1 { self = .year(y); return }
        guard parts.count == 2 else { return nil }
        let p = parts[1]
        if p.hasPrefix("W") {
            guard p.count == 3, let w = Int(p.dropFirst()), let period = ReportPeriod.week(y, w) else { return nil }
            self = period
            return
        }
        if p.hasPrefix("Q"), let q = Int(p.dropFirst()), (1...4).contains(q) { self = .quarter(y, q); return }
        if p.hasPrefix("H"), let h = Int(p.dropFirst()), (1...2).contains(h) { self = .half(y, h); return }
        if p.count == 2, let m = Int(p), (1...12).contains(m) { self = .month(y, m); return }
        return nil
    }

    public var days: Int { to.dayNumber - from.dayNumber + 1 }

    /// The same period a year earlier (同比); for a week, the week of the same number a year earlier (week 53
    /// becomes week 52 in a year without one).
    public var lastYear: ReportPeriod { kind == .week ? weekLastYear : shifted(months: -12) }

    /// The period just before (环比): last week, last month, last quarter, …, the twelve months before.
    public var previous: ReportPeriod { kind == .week ? .weekContaining(from.adding(days: -7)) : shifted(months: -monthsLong) }
    public var next: ReportPeriod { kind == .week ? .weekContaining(from.adding(days: 7)) : shifted(months: monthsLong) }

    public var monthsLong: Int {
        switch kind {
        case .month: 1
        case .quarter: 3
        case .half: 6
        case .year, .last12: 12
        case .week: 0    // shorter than a month: previous/next step by 7 days instead
        }
    }

    private func shifted(months: Int) -> ReportPeriod {
        switch kind {
        case .last12: .last12(endingOn: to.adding(months: months))
        default: .containing(from.adding(months: months), kind: kind)
        }
    }

    /// The part of the period up to `day` (the figures of a period still running are "to date"); nil when the
    /// period starts after `day`. Kind and key stay those of the whole period.
    public func through(_ day: LocalDate) -> DayRange? {
        guard from <= day else { return nil }
        return DayRange(from: from, to: min(to, day))
    }

    public var range: DayRange { DayRange(from: from, to: to) }

    /// Calendar months the period touches, as month keys (202605).
    public var monthKeys: [Int] { range.monthKeys }
}

/// Business days `from…to`, inclusive.
public struct DayRange: Hashable, Sendable, CustomStringConvertible {
    public let from: LocalDate
    public let to: LocalDate
    public init(from: LocalDate, to: LocalDate) {
        precondition(from <= to, "empty day range \(from)…\(to)")
        self.from = from
        self.to = to
    }

    public var days: Int { to.dayNumber - from.dayNumber + 1 }
    public var description: String { "\(from)…\(to)" }

    /// The same days a year earlier (29 Feb becomes 28 Feb).
    public var lastYear: DayRange { DayRange(from: from.adding(months: -12), to: to.adding(months: -12)) }

    public func contains(_ d: LocalDate) -> Bool { from <= d && d <= to }

    public var monthKeys: [Int] {
        var out: [Int] = []
        var d = LocalDate(year: from.year, month: from.month, day: 1)
        while d <= to {
            out.append(d.monthKey)
            d = d.adding(months: 1)
        }
        return out
    }

    /// The whole calendar months inside the range (as a month-key range) and the days left over at either end, so
    /// that a query reads monthly aggregates for the middle and daily ones for the edges.
    public var monthSplit: (months: ClosedRange<Int>?, edges: [DayRange]) {
        var whole: [Int] = []
        var edges: [DayRange] = []
        var d = LocalDate(year: from.year, month: from.month, day: 1)
        while d <= to {
            let last = LocalDate(year: d.year, month: d.month, day: LocalDate.daysIn(year: d.year, month: d.month))
            let a = max(d, from), b = min(last, to)
            if a == d && b == last { whole.append(d.monthKey) } else { edges.append(DayRange(from: a, to: b)) }
            d = d.adding(months: 1)
        }
        return (whole.first.map { $0...whole.last! }, edges)
    }
}

/// Percent-rank grades (RFM quintiles with 5 grades): a value's grade is 1 + grades × (members with a strictly
/// worse value) / members, so equal values always share a grade, the best values get the top grade and the
/// grades follow the ranking whatever the distribution.
public enum RankGrade {
    public static func grade(worse: Int, of count: Int, grades: Int) -> Int {
        guard count > 0 else { return 1 }
        return 1 + grades * worse / count
    }

    /// Grades of `values`; `higherIsBetter` false for recency in days (fewer days since the last purchase is better).
    public static func grades(_ values: [Int64], grades: Int, higherIsBetter: Bool) -> [Int] {
        let sorted = values.sorted()
        func countBelow(_ v: Int64) -> Int {   // first index with value >= v
            var lo = 0, hi = sorted.count
            while lo < hi { let mid = (lo + hi) / 2; if sorted[mid] < v { lo = mid + 1 } else { hi = mid } }
            return lo
        }
        func countAbove(_ v: Int64) -> Int {   // values > v
            var lo = 0, hi = sorted.count
            while lo < hi { let mid = (lo + hi) / 2; if sorted[mid] <= v { lo = mid + 1 } else { hi = mid } }
            return sorted.count - lo
        }
        return values.map { grade(worse: higherIsBetter ? countBelow($0) : countAbove($0), of: values.count, grades: grades) }
    }
}

/// Age bands at a date, as birthday cut-offs: someone is at least `age` on `day` when born on or before
/// `day − age years` (a 29 February birthday counts from 1 March in other years). Birthdays are compared as
/// ISO text, which sorts like dates.
public enum AgeBands {
    /// For bands starting at `ages` (ascending): the latest birthday of each band's lower age, as "YYYY-MM-DD".
    public static func cutoffs(ages: [Int], on day: LocalDate) -> [String] {
        ages.map { day.adding(months: -12 * $0).description }
    }

    /// The band index of a birthday: 0 = under the first age, ages.count = the last band; nil without a birthday.
    public static func band(birthday: LocalDate?, ages: [Int], on day: LocalDate) -> Int? {
        guard let b = birthday?.description else { return nil }
        return cutoffs(ages: ages, on: day).filter { b <= $0 }.count
    }

    /// "25岁以下", "25–34岁", …, "55岁及以上".
    public static func label(_ index: Int, ages: [Int], language: Language) -> String {
        if index < 0 || ages.isEmpty { return language == .en ? "Unknown" : "未知" }
        if index == 0 { return language == .en ? "Under \(ages[0])" : "\(ages[0])岁以下" }
        if index >= ages.count { return language == .en ? "\(ages[ages.count - 1]) and over" : "\(ages[ages.count - 1])岁及以上" }
        return language == .en ? "\(ages[index - 1])–\(ages[index] - 1)" : "\(ages[index - 1])–\(ages[index] - 1)岁"
    }
}
