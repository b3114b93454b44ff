import Foundation

/// A calendar date in the mall's business time zone (Asia/Shanghai by default). Purchases are stored in UTC;
/// rules (rolling windows, birthdays, weekdays, the day's first N purchases) work on these dates.
public struct LocalDate: Hashable, Comparable, Sendable, CustomStringConvertible, Codable {
    public let year: Int
    public let month: Int
    public let day: Int

    public init(year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    /// Parses "2026-02-01". Returns nil for impossible dates such as 2026-02-30.
    public init?(_ iso: String) {
        let parts = iso.trimmingCharacters(in: .whitespaces).split(separator: "-")
        guard parts.count == 3, parts[0].count == 4, let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]),
              (1...12).contains(m), d >= 1, d <= LocalDate.daysIn(year: y, month: m) else { return nil }
        self.init(year: y, month: m, day: d)
    }

    public init(dayNumber: Int) {
        // Howard Hinnant's civil_from_days.
        let z = dayNumber + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        self.init(year: yoe + era * 400 + (m <= 2 ? 1 : 0), month: m, day: d)
    }

    /// Days since 1970-01-01; what the store keeps in integer day columns.
    public var dayNumber: Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// ISO weekday: 1 = Monday … 7 = Sunday.
    public var weekday: Int { ((dayNumber % 7) + 7 + 3) % 7 + 1 }

    public static func of(_ date: Date, in zone: TimeZone) -> LocalDate {
        let seconds = Int(date.timeIntervalSince1970.rounded(.down)) + zone.secondsFromGMT(for: date)
        return LocalDate(dayNumber: Int((Double(seconds) / 86_400).rounded(.down)))
    }

    /// The instant this date starts in `zone`.
    public func start(in zone: TimeZone) -> Date {
        let guess = Date(timeIntervalSince1970: TimeInterval(dayNumber) * 86_400)
        return guess.addingTimeInterval(-TimeInterval(zone.secondsFromGMT(for: guess)))
    }

    public func adding(days: Int) -> LocalDate { LocalDate(dayNumber: dayNumber + days) }

    /// Calendar months, clamping the day (31 Mar − 1 month = 28/29 Feb).
    public func adding(months: Int) -> LocalDate {
        let total = year * 12 + (month - 1) + months
        let y = total >= 0 ? total / 12 : (total - 11) / 12
        let m = total - y * 12 + 1
        return LocalDate(year: y, month: m, day: min(day, LocalDate.daysIn(year: y, month: m)))
    }

    /// First day of a rolling window of `months` months that ends (inclusive) on this date:
    /// a 6-month window ending 2026-06-30 starts on 2025-12-31.
    public func windowStart(months: Int) -> LocalDate { adding(months: -months).adding(days: 1) }

    public var monthKey: Int { year * 100 + month }

    public static func daysIn(year: Int, month: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    public var description: String {
        func pad(_ n: Int, _ width: Int) -> String {
            let s = String(n)
            return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))"
    }

    public static func < (a: LocalDate, b: LocalDate) -> Bool { a.dayNumber < b.dayNumber }

    public init(from decoder: Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let d = LocalDate(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                                                    debugDescription: "expected a date YYYY-MM-DD, got \(text)"))
        }
        self = d
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}

/// A birthday without the year, for "is it the member's birthday" and birthday-month rules.
public struct MonthDay: Hashable, Sendable {
    public let month: Int
    public let day: Int
    public init(month: Int, day: Int) { self.month = month; self.day = day }

    /// 29 Feb birthdays are celebrated on 28 Feb in common years.
    public func matches(_ date: LocalDate) -> Bool {
        if month == 2 && day == 29 && LocalDate.daysIn(year: date.year, month: 2) == 28 {
            return date.month == 2 && date.day == 28
        }
        return date.month == month && date.day == day
    }
}
