import Foundation

extension MessagingPolicy {
    /// When the quiet span that `date` falls in ends (local time in `zone`), or nil when `date` is not quiet.
    /// 21:30 with quiet hours 21:00–09:00 → 09:00 the next day; 08:00 → 09:00 the same day.
    public func quietEnd(containing date: Date, in zone: TimeZone) -> Date? {
        let day = LocalDate.of(date, in: zone)
        let start = day.start(in: zone)
        let minute = Int(date.timeIntervalSince(start) / 60)
        guard isQuiet(minuteOfDay: minute) else { return nil }
        let endDay = quietFromMinute > quietToMinute && minute >= quietFromMinute ? day.adding(days: 1) : day
        return endDay.start(in: zone).addingTimeInterval(TimeInterval(quietToMinute * 60))
    }

    /// Wait before retry number `attempts` (1 = after the first failure): base × 2^(attempts−1), capped at a day.
    public func retryDelaySeconds(afterAttempts attempts: Int) -> Int {
        let exponent = min(max(attempts - 1, 0), 20)
        return min(retryBaseSeconds << exponent, 86_400)
    }

    public func costFen(_ channel: MessageChannel) -> Int64 {
        switch channel {
        case .sms: smsCostFen
        case .email: emailCostFen
        case .call: callCostFen
        case .wechat: wechatCostFen
        }
    }
}
