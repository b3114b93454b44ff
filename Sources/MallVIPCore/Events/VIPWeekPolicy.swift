import Foundation

/// The monthly VIP week (docs/domain.md §8, 成都 VIP专享回馈周): by default the weekend that starts on the month's
/// second Friday, Friday to Sunday. Redemption windows and earning multipliers that say `vipWeekOnly: true`
/// apply on these days and no others.
public struct VIPWeekPolicy: Codable, Sendable, Equatable {
    /// Which occurrence of `weekday` in the month starts the week (1…4).
    public var ordinal: Int
    /// ISO weekday the week starts on (1 = Monday … 7 = Sunday).
    public var weekday: Int
    /// How many days it lasts (1…7).
    public var days: Int

    public init(ordinal: Int = 2, weekday: Int = 5, days: Int = 3) {
        self.ordinal = ordinal
        self.weekday = weekday
        self.days = days
    }

    enum CodingKeys: String, CodingKey { case ordinal, weekday, days }
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        ordinal = try c.decodeIfPresent(Int.self, forKey: .ordinal) ?? 2
        weekday = try c.decodeIfPresent(Int.self, forKey: .weekday) ?? 5
        days = try c.decodeIfPresent(Int.self, forKey: .days) ?? 3
    }

    /// The first day of the month's VIP week.
    public func start(year: Int, month: Int) -> LocalDate {
        let first = LocalDate(year: year, month: month, day: 1)
        let offset = ((weekday - first.weekday) % 7 + 7) % 7
        return first.adding(days: offset + 7 * (ordinal - 1))
    }

    /// The VIP-week days of a month, in order (they may run into the next month when configured late).
    public func dates(year: Int, month: Int) -> [LocalDate] {
        let s = start(year: year, month: month)
        return (0..<max(days, 1)).map { s.adding(days: $0) }
    }

    /// Whether `day` is in a VIP week: this month's, or the previous month's when that one runs over.
    public func contains(_ day: LocalDate) -> Bool {
        let prev = LocalDate(year: day.year, month: day.month, day: 1).adding(days: -1)
        return dates(year: day.year, month: day.month).contains(day) || dates(year: prev.year, month: prev.month).contains(day)
    }

    public func describe(_ language: Language) -> String {
        let names = language == .en
            ? ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
            : ["周一", "周二", "周三", "周四", "周五", "周六", "周日"]
        let ords = language == .en ? ["first", "second", "third", "fourth"] : ["一", "二", "三", "四"]
        let wd = names[(max(1, min(7, weekday))) - 1], o = ords[max(1, min(4, ordinal)) - 1]
        return language == .en ? "\(days) days from the \(o) \(wd) of each month" : "每月第\(o)个\(wd)起\(days)天"
    }

    public func validationErrors(path p: String) -> [(String, String)] {
        var out: [(String, String)] = []
        if !(1...4).contains(ordinal) { out.append(("\(p).ordinal", "must be between 1 and 4")) }
        if !(1...7).contains(weekday) { out.append(("\(p).weekday", "must be between 1 (Monday) and 7 (Sunday)")) }
        if !(1...7).contains(days) { out.append(("\(p).days", "must be between 1 and 7")) }
        return out
    }
}
