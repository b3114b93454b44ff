import Foundation
import Testing
@testable import MallVIPCore

private func d(_ iso: String) -> LocalDate {
    guard let date = LocalDate(iso) else { fatalError("bad test date \(iso)") }
    return date
}

@Suite("LocalDate")
struct LocalDateTests {
    @Test("parses ISO dates")
    func parse() {
        let date = LocalDate("2026-02-01")
        #expect(date == LocalDate(year: 2026, month: 2, day: 1))
        #expect(LocalDate(" 2024-02-29 ") == LocalDate(year: 2024, month: 2, day: 29))
        #expect(LocalDate("2000-02-29") != nil)              // divisible by 400: leap
    }

    @Test("rejects impossible or malformed dates", arguments: [
        "2026-02-30", "2026-02-29", "1900-02-29", "2026-13-01", "2026-00-10", "2026-04-31", "2026-01-00",
        "26-01-01", "2026/01/01", "2026-01", "", "abcd-ef-gh", "2026-01-01-01",
    ])
    func parseInvalid(text: String) {
        #expect(LocalDate(text) == nil)
    }

    @Test("description is zero-padded ISO")
    func description() {
        #expect(LocalDate(year: 2026, month: 2, day: 1).description == "2026-02-01")
        #expect(LocalDate(year: 987, month: 12, day: 31).description == "0987-12-31")
    }

    @Test("day numbers count from 1970-01-01 and convert both ways")
    func dayNumbers() {
        #expect(d("1970-01-01").dayNumber == 0)
        #expect(d("1970-01-02").dayNumber == 1)
        #expect(d("1969-12-31").dayNumber == -1)
        #expect(d("2000-03-01").dayNumber == 11_017)
        #expect(d("2026-01-01").dayNumber == 20_454)
        #expect(LocalDate(dayNumber: 0) == d("1970-01-01"))
        #expect(LocalDate(dayNumber: -1) == d("1969-12-31"))
        #expect(LocalDate(dayNumber: 20_454) == d("2026-01-01"))
        // Every day of a long span round-trips and steps by one calendar day.
        var previous = LocalDate(dayNumber: -800)
        for n in -799...20_000 {
            let date = LocalDate(dayNumber: n)
            #expect(date.dayNumber == n)
            #expect(LocalDate(date.description) == date)
            #expect(previous < date)
            previous = date
        }
    }

    @Test("ISO weekday: 1 = Monday … 7 = Sunday", arguments: [
        ("1970-01-01", 4),   // Thursday
        ("1969-12-31", 3),   // Wednesday
        ("2026-02-04", 3),   // Wednesday
        ("2026-02-01", 7),   // Sunday
        ("2026-02-02", 1),   // Monday
        ("2024-02-29", 4),   // Thursday
        ("2000-01-01", 6),   // Saturday
        ("1960-05-15", 7),   // Sunday
    ])
    func weekday(iso: String, weekday: Int) {
        #expect(d(iso).weekday == weekday)
    }

    @Test("weekday advances by one each day and cycles through 1…7")
    func weekdayCycle() {
        var date = d("2025-12-29")           // a Monday
        for i in 0..<50 {
            #expect(date.weekday == i % 7 + 1)
            date = date.adding(days: 1)
        }
    }

    @Test("adding days crosses months and years")
    func addingDays() {
        #expect(d("2026-01-31").adding(days: 1) == d("2026-02-01"))
        #expect(d("2025-12-31").adding(days: 1) == d("2026-01-01"))
        #expect(d("2024-02-28").adding(days: 1) == d("2024-02-29"))
        #expect(d("2026-03-01").adding(days: -1) == d("2026-02-28"))
        #expect(d("2026-05-10").adding(days: -90) == d("2026-02-09"))
        #expect(d("2026-05-10").adding(days: 0) == d("2026-05-10"))
    }

    @Test("adding months clamps the day to the month's length", arguments: [
        ("2026-03-31", -1, "2026-02-28"),
        ("2024-03-31", -1, "2024-02-29"),
        ("2026-01-31", 1, "2026-02-28"),
        ("2026-01-31", 3, "2026-04-30"),
        ("2026-06-30", -6, "2025-12-30"),
        ("2026-01-15", -1, "2025-12-15"),
        ("2026-01-15", -13, "2024-12-15"),
        ("2025-12-15", 1, "2026-01-15"),
        ("2025-11-30", 14, "2027-01-30"),
        ("2024-02-29", 12, "2025-02-28"),
        ("2024-02-29", 48, "2028-02-29"),
        ("2026-05-10", 0, "2026-05-10"),
        ("0001-01-15", -1, "0000-12-15"),
    ])
    func addingMonths(from: String, months: Int, to: String) {
        #expect(d(from).adding(months: months) == d(to))
    }

    @Test("rolling window start: the window ends inclusive on the date", arguments: [
        ("2026-06-30", 6, "2025-12-31"),
        ("2026-06-30", 12, "2025-07-01"),
        ("2026-03-31", 1, "2026-03-01"),    // 31 Mar − 1 month clamps to 28 Feb, then + 1 day
        ("2024-03-31", 1, "2024-03-01"),    // leap year: 29 Feb + 1 day
        ("2026-05-10", 3, "2026-02-11"),
        ("2026-01-15", 12, "2025-01-16"),
        ("2026-08-31", 6, "2026-03-01"),    // 28 Feb + 1 day
        ("2025-02-28", 12, "2024-02-29"),
    ])
    func windowStart(end: String, months: Int, start: String) {
        #expect(d(end).windowStart(months: months) == d(start))
    }

    @Test("comparison follows the calendar")
    func comparison() {
        #expect(d("2025-12-31") < d("2026-01-01"))
        #expect(d("2026-01-31") < d("2026-02-01"))
        #expect(!(d("2026-02-01") < d("2026-02-01")))
        #expect([d("2026-03-01"), d("2025-03-01"), d("2026-02-28")].sorted() == [d("2025-03-01"), d("2026-02-28"), d("2026-03-01")])
    }

    @Test("monthKey groups calendar months")
    func monthKey() {
        #expect(d("2026-02-01").monthKey == 202_602)
        #expect(d("2026-02-28").monthKey == d("2026-02-01").monthKey)
        #expect(d("2026-03-01").monthKey != d("2026-02-28").monthKey)
    }

    @Test("days per month, with Gregorian leap years")
    func daysIn() {
        #expect(LocalDate.daysIn(year: 2026, month: 2) == 28)
        #expect(LocalDate.daysIn(year: 2024, month: 2) == 29)
        #expect(LocalDate.daysIn(year: 1900, month: 2) == 28)
        #expect(LocalDate.daysIn(year: 2000, month: 2) == 29)
        #expect([1, 3, 5, 7, 8, 10, 12].allSatisfy { LocalDate.daysIn(year: 2026, month: $0) == 31 })
        #expect([4, 6, 9, 11].allSatisfy { LocalDate.daysIn(year: 2026, month: $0) == 30 })
    }

    @Test("the business date of an instant depends on the zone")
    func ofInstant() throws {
        let shanghai = try #require(TimeZone(identifier: "Asia/Shanghai"))
        let utc = try #require(TimeZone(identifier: "UTC"))
        // 2026-01-31T16:30:00Z is already 1 February 00:30 in Shanghai.
        let instant = Date(timeIntervalSince1970: TimeInterval(d("2026-01-31").dayNumber) * 86_400 + 16.5 * 3_600)
        #expect(LocalDate.of(instant, in: shanghai) == d("2026-02-01"))
        #expect(LocalDate.of(instant, in: utc) == d("2026-01-31"))
        // 15:59:59Z is still the 31st in Shanghai.
        let before = Date(timeIntervalSince1970: TimeInterval(d("2026-01-31").dayNumber) * 86_400 + 15 * 3_600 + 3_599)
        #expect(LocalDate.of(before, in: shanghai) == d("2026-01-31"))
        // Before 1970 too.
        let old = Date(timeIntervalSince1970: -1)
        #expect(LocalDate.of(old, in: utc) == d("1969-12-31"))
        #expect(LocalDate.of(old, in: shanghai) == d("1970-01-01"))
    }

    @Test("start(in:) is the first instant of the business date")
    func startOfDay() throws {
        let shanghai = try #require(TimeZone(identifier: "Asia/Shanghai"))
        let date = d("2026-02-01")
        let start = date.start(in: shanghai)
        #expect(start.timeIntervalSince1970 == TimeInterval(date.dayNumber) * 86_400 - 8 * 3_600)
        #expect(LocalDate.of(start, in: shanghai) == date)
        #expect(LocalDate.of(start.addingTimeInterval(-1), in: shanghai) == d("2026-01-31"))
        #expect(LocalDate.of(start.addingTimeInterval(86_399), in: shanghai) == date)
    }

    @Test("Codable as an ISO string, rejecting impossible dates")
    func codable() throws {
        let data = try JSONEncoder().encode([d("2026-02-01")])
        #expect(String(decoding: data, as: UTF8.self) == #"["2026-02-01"]"#)
        #expect(try JSONDecoder().decode([LocalDate].self, from: data) == [d("2026-02-01")])
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode([LocalDate].self, from: Data(#"["2026-02-30"]"#.utf8))
        }
    }
}

@Suite("MonthDay (birthdays)")
struct MonthDayTests {
    @Test("matches the same month and day in any year")
    func matches() {
        let birthday = MonthDay(month: 5, day: 20)
        #expect(birthday.matches(d("2026-05-20")))
        #expect(birthday.matches(d("1999-05-20")))
        #expect(!birthday.matches(d("2026-05-21")))
        #expect(!birthday.matches(d("2026-06-20")))
    }

    @Test("29 February is celebrated on 28 February in common years")
    func leapDay() {
        let birthday = MonthDay(month: 2, day: 29)
        #expect(birthday.matches(d("2026-02-28")))
        #expect(!birthday.matches(d("2026-03-01")))
        #expect(birthday.matches(d("2024-02-29")))
        #expect(!birthday.matches(d("2024-02-28")))       // in a leap year only the 29th counts
        #expect(birthday.matches(d("1900-02-28")))        // 1900 is not a leap year
        #expect(!MonthDay(month: 2, day: 28).matches(d("2024-02-29")))
        #expect(MonthDay(month: 2, day: 28).matches(d("2026-02-28")))
    }
}
