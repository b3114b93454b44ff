import Foundation
import MallVIPCore

extension DemoWorld {
    // MARK: calendar

    /// Relative shop traffic of a day: weekends, the slow season (Feb–Apr), holidays and the year-end peak.
    static func traffic(_ d: LocalDate) -> Double {
        let weekday = [0.85, 0.8, 0.85, 0.9, 1.05, 1.5, 1.4][d.weekday - 1]
        let month = [1.15, 0.85, 0.8, 0.85, 1.05, 0.9, 0.85, 0.9, 1.0, 1.2, 1.1, 1.25][d.month - 1]
        var holiday = 1.0
        switch (d.month, d.day) {
        case (10, 1...7): holiday = 1.7          // National Day golden week
        case (5, 1...3): holiday = 1.4           // May Day
        case (12, 24...25), (12, 31), (1, 1): holiday = 1.5
        case (11, 11), (2, 14), (3, 8): holiday = 1.25
        default: break
        }
        return weekday * month * holiday
    }

    func dayIndex(_ day: Int) -> Int { day - firstDay }

    func startMs(ofDay day: Int) -> Int64 {
        let i = day - firstDay
        if i >= 0 && i < dayStart.count { return dayStart[i] }
        return epochMillis(LocalDate(dayNumber: day).start(in: zone))
    }

    private static let hourWeights = WeightedTable([0.5, 0.8, 0.9, 1.0, 1.1, 1.2, 1.2, 1.1, 1.0, 1.3, 1.2, 0.6]) // 10:00–21:59

    /// A shopping moment on `day` between 10:00 and 22:00, Shanghai time.
    func shoppingTime(_ day: Int, _ rng: inout SplitMix64) -> Int64 {
        let hour = 10 + DemoWorld.hourWeights.pick(&rng)
        let second = hour * 3600 + rng.below(3600)
        return startMs(ofDay: day) + Int64(second) * 1000 + Int64(rng.below(1000))
    }

    /// Office hours for desk work and decisions (10:00–18:00).
    func officeTime(_ day: Int, _ rng: inout SplitMix64) -> Int64 {
        startMs(ofDay: day) + Int64(10 * 3600 + rng.below(8 * 3600)) * 1000
    }
}
