import Foundation

/// Event settings (issue 6, docs/domain.md §8): when accepted members are reminded, and how long after an event the report
/// follows the spend of those who came against those who did not.
public struct EventPolicy: Codable, Sendable, Equatable {
    /// Reminders go out this many days before the event's day (0 = on the day).
    public var reminderDaysBefore: Int
    /// Business days from the event's day that the event report counts spend over.
    public var followUpDays: Int

    public init(reminderDaysBefore: Int = 1, followUpDays: Int = 30) {
        self.reminderDaysBefore = reminderDaysBefore
        self.followUpDays = followUpDays
    }

    enum CodingKeys: String, CodingKey { case reminderDaysBefore, followUpDays }
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        reminderDaysBefore = try c.decodeIfPresent(Int.self, forKey: .reminderDaysBefore) ?? 1
        followUpDays = try c.decodeIfPresent(Int.self, forKey: .followUpDays) ?? 30
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
