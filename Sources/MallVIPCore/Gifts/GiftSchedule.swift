/// When a gift is due and for which period (pure; the daily job asks, the store's unique key per member, gift and
/// period makes "once per period" hold however often the job runs and however many run at once).
public enum GiftSchedule {
    /// "2026Q4".
    public static func quarterKey(_ day: LocalDate) -> String { "\(day.year)Q\((day.month - 1) / 3 + 1)" }

    /// The birthday period due on `day`, if any: the year of the birthday being celebrated. Month mode: the birthday
    /// month. Days mode (N): from N days before the birthday through N days after it (the job catches up a missed day).
    public static func birthdayPeriod(_ gift: GiftDefinition, birthday: MonthDay, on day: LocalDate) -> String? {
        guard let n = gift.birthdayDaysAround else { return birthday.month == day.month ? "\(day.year)" : nil }
        for year in [day.year - 1, day.year, day.year + 1] {
            let b = MonthDayText(month: birthday.month, day: birthday.day).date(in: year)
            if day.dayNumber >= b.dayNumber - n && day.dayNumber <= b.dayNumber + n { return "\(year)" }
        }
        return nil
    }

    /// The return gift's period due on `day` (its year) when `day` lies within `from`…`to`.
    public static func returnGiftPeriod(_ gift: GiftDefinition, on day: LocalDate) -> String? {
        guard let f = gift.from, let t = gift.to else { return nil }
        let d = day.dayNumber
        return d >= f.date(in: day.year).dayNumber && d <= t.date(in: day.year).dayNumber ? "\(day.year)" : nil
    }

    /// The last day an entitlement issued on `issued` may be collected: `validityDays` days including the day of issue;
    /// a return gift also ends with its range.
    public static func validUntil(_ gift: GiftDefinition, issued: LocalDate) -> LocalDate {
        let end = issued.adding(days: max(1, gift.validityDays) - 1)
        if gift.kind == .returnGift, let t = gift.to {
            let rangeEnd = t.date(in: issued.year)
            return rangeEnd < end ? rangeEnd : end
        }
        return end
    }
}

/// Where an entitlement stands (gift_entitlements.status).
public enum GiftEntitlementStatus: String, Codable, Sendable, CaseIterable {
    case open, collected, expired

    public var label: LocalizedName {
        switch self {
        case .open: LocalizedName(zh: "待领取", en: "To collect")
        case .collected: LocalizedName(zh: "已领取", en: "Collected")
        case .expired: LocalizedName(zh: "已过期", en: "Expired")
        }
    }
}
