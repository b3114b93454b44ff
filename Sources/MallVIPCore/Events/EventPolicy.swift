import Foundation

/// Event settings (issue 6, §8): when accepted members are reminded.
public struct EventPolicy: Codable, Sendable, Equatable {
    /// Reminders go out this many days before the event's day (0 = on the day).
    public var reminderDaysBefore: Int

    public init(reminderDaysBefore: Int = 1) { self.reminderDaysBefore = reminderDaysBefore }

    enum CodingKeys: String, CodingKey { case reminderDaysBefore }
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        reminderDaysBefore = try c.decodeIfPresent(Int.self, forKey: .reminderDaysBefore) ?? 1
    }
}

extension Programme {
    /// Hands the VIP week to every rule that says `vipWeekOnly`, so `contains` and `applies` need no programme.
    mutating func applyVIPWeek() {
        let week = vipWeek
        for i in redemption.windows.indices where redemption.windows[i].vipWeekOnly == true {
            redemption.windows[i].vipWeekPolicy = week
        }
        for i in earning.multipliers.indices where earning.multipliers[i].vipWeekOnly == true {
            earning.multipliers[i].vipWeekPolicy = week
        }
    }
}
