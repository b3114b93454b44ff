/// The automatic journeys (issue 4): each has a fixed purpose and trigger; a mall switches each on, picks its
/// channel, template and holdout share, and tunes its numbers in `JourneyParams`.
public enum JourneyKind: String, Codable, Sendable, CaseIterable {
    case welcome, birthday, holiday, season, missYou, pointsExpiring, couponExpiring, tierUpgrade, tierAtRisk

    /// Greetings are care (no promotion, signed by store and sender); notices about the member's account are service.
    public var purpose: MessagePurpose {
        switch self {
        case .birthday, .holiday, .season, .missYou: .care
        case .welcome, .pointsExpiring, .couponExpiring, .tierUpgrade, .tierAtRisk: .service
        }
    }
}

/// A season-change date ("12-01") and, optionally, its own template (winter's text is not spring's).
public struct SeasonDate: Codable, Sendable, Equatable {
    public var day: String
    public var template: String?
    public init(day: String, template: String? = nil) { self.day = day; self.template = template }

    public init(from decoder: Decoder) throws {
        if let text = try? decoder.singleValueContainer().decode(String.self) {
            self.init(day: text)
            return
        }
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(day: try c.decode(String.self, forKey: .day), template: try c.decodeIfPresent(String.self, forKey: .template))
    }
    enum CodingKeys: String, CodingKey { case day, template }

    /// (month, day), nil when not an MM-DD date (02-29 is allowed: it simply falls only in leap years).
    public var monthDay: (month: Int, day: Int)? {
        let parts = day.split(separator: "-")
        guard parts.count == 2, parts[0].count == 2, parts[1].count == 2, let m = Int(parts[0]), let d = Int(parts[1]),
              (1...12).contains(m), d >= 1, d <= LocalDate.daysIn(year: 2024, month: m) else { return nil }
        return (m, d)
    }
}

/// A journey's tunable numbers; which ones apply depends on the kind (see `JourneyKind`):
/// - birthday: `mode` month (once in the birthday month) or daysBefore (`days` days before the birthday);
/// - missYou: `days` without a purchase (a lapse is counted from the last purchase day);
/// - pointsExpiring, couponExpiring: expiring within `days` days;
/// - tierAtRisk: `days` before the yearly review;
/// - season: `dates`;
/// - welcome, missYou, tierUpgrade: `catchUpDays`, how late a message may still go out when the job did not run on
///   the day it was due (a server that was down), so that switching a journey on does not reach back for years.
public struct JourneyParams: Codable, Sendable, Equatable {
    public enum BirthdayMode: String, Codable, Sendable { case month, daysBefore }
    public var mode: BirthdayMode?
    public var days: Int?
    public var dates: [SeasonDate]?
    public var catchUpDays: Int?

    public init(mode: BirthdayMode? = nil, days: Int? = nil, dates: [SeasonDate]? = nil, catchUpDays: Int? = nil) {
        self.mode = mode
        self.days = days
        self.dates = dates
        self.catchUpDays = catchUpDays
    }

    public static let defaultCatchUpDays = 7

    /// The defaults a new database starts with.
    public static func defaults(_ kind: JourneyKind) -> JourneyParams {
        switch kind {
        case .welcome, .tierUpgrade: JourneyParams(catchUpDays: defaultCatchUpDays)
        case .birthday: JourneyParams(mode: .daysBefore, days: 7)
        case .holiday: JourneyParams()
        case .season: JourneyParams(dates: [SeasonDate(day: "03-01", template: "seasonSpring"), SeasonDate(day: "06-01", template: "seasonSummer"),
                                            SeasonDate(day: "09-01", template: "seasonAutumn"), SeasonDate(day: "12-01", template: "seasonWinter")])
        case .missYou: JourneyParams(days: 90, catchUpDays: defaultCatchUpDays)
        case .pointsExpiring: JourneyParams(days: 30)
        case .couponExpiring: JourneyParams(days: 7)
        case .tierAtRisk: JourneyParams(days: 30)
        }
    }

    /// `days` with the kind's default when missing.
    public func days(for kind: JourneyKind) -> Int { days ?? JourneyParams.defaults(kind).days ?? 0 }
    public var catchUp: Int { max(0, catchUpDays ?? JourneyParams.defaultCatchUpDays) }

    /// What is wrong with these numbers for `kind`.
    public func check(_ kind: JourneyKind) -> [DomainError] {
        var errors: [DomainError] = []
        if let days, days < 0 || days > 366 {
            errors.append(.invalid("params.days", "journey.days.range", zh: "天数须在 0 到 366 之间", en: "days must be between 0 and 366"))
        }
        if kind == .missYou, let days, days < 1 {
            errors.append(.invalid("params.days", "journey.days.range", zh: "未到店天数至少为 1", en: "days without a purchase must be at least 1"))
        }
        if let c = catchUpDays, c < 0 || c > 60 {
            errors.append(.invalid("params.catchUpDays", "journey.catchUp.range", zh: "补发天数须在 0 到 60 之间",
                                   en: "catchUpDays must be between 0 and 60"))
        }
        for d in dates ?? [] where d.monthDay == nil {
            errors.append(.invalid("params.dates", "journey.dates.format", zh: "换季日期须为 MM-DD：\(d.day)", en: "season dates must be MM-DD: \(d.day)"))
        }
        if kind == .season && (dates ?? []).isEmpty {
            errors.append(.invalid("params.dates", "journey.dates.required", zh: "请至少填写一个换季日期", en: "give at least one season date"))
        }
        return errors
    }
}

/// A journey as configured.
public struct Journey: Sendable, Equatable {
    public var kind: JourneyKind
    public var name: LocalizedName
    public var enabled: Bool
    public var channel: MessageChannel
    public var templateCode: String
    /// Control group share, per mille: drawn members are recorded as holdout and not contacted.
    public var holdoutPermille: Int
    public var params: JourneyParams
    /// The coupon each treated member gets with each send (issue 18), its code in the message as `{couponCode}`; nil =
    /// text only. Service journeys only (a care message carries no offer), and not the coupon-expiry reminder, whose
    /// `{couponName}` names the coupon that is expiring.
    public var coupon: CouponTemplate? = nil

    public init(kind: JourneyKind, name: LocalizedName, enabled: Bool, channel: MessageChannel, templateCode: String,
                holdoutPermille: Int, params: JourneyParams) {
        self.kind = kind
        self.name = name
        self.enabled = enabled
        self.channel = channel
        self.templateCode = templateCode
        self.holdoutPermille = holdoutPermille
        self.params = params
    }

    public var code: String { kind.rawValue }
    public var purpose: MessagePurpose { kind.purpose }
    /// Every template the journey may send: its own, and the season dates' own.
    public var templateCodes: [String] { [templateCode] + (params.dates ?? []).compactMap(\.template) }
}

/// The dates the journeys fire on, pure so that timing is tested without a database.
public enum JourneyTiming {
    /// Birthdays (month, day) a daysBefore birthday journey greets on `day`: every birthday from `day` to `day + days`
    /// (a member who enrolls, or a job that was down, still gets the greeting before the birthday), with the year the
    /// birthday falls in (the period). 29 February birthdays are greeted through 28 February in common years.
    public static func birthdaysAhead(from day: LocalDate, days: Int) -> [(month: Int, day: Int, year: Int)] {
        var out: [(Int, Int, Int)] = []
        for k in 0...max(0, days) {
            let d = day.adding(days: k)
            out.append((d.month, d.day, d.year))
            if d.month == 2 && d.day == 28 && LocalDate.daysIn(year: d.year, month: 2) == 28 { out.append((2, 29, d.year)) }
        }
        return out
    }

    /// The season date falling on `day`, if any.
    public static func season(on day: LocalDate, dates: [SeasonDate]) -> SeasonDate? {
        dates.first { d in d.monthDay.map { $0.month == day.month && $0.day == day.day } ?? false }
    }

    /// Whether a member whose last purchase (or enrolment) was on `lastVisit` is due a miss-you message on `day`:
    /// `days` days have passed, and not more than `catchUp` days beyond.
    public static func missYouDue(lastVisit: LocalDate, on day: LocalDate, days: Int, catchUp: Int) -> Bool {
        let gap = day.dayNumber - lastVisit.dayNumber
        return gap >= days && gap <= days + catchUp
    }
}

extension ReviewPolicy {
    /// The day the yearly review will next look at a member (the day `runTierReview` first finds the member due),
    /// or nil when there is no review. `on` is today: under calendarYear the next review is next 1 January.
    public func nextReview(tierSince: LocalDate, lastReview: LocalDate?, on today: LocalDate) -> LocalDate? {
        switch mode {
        case .none: return nil
        case .calendarYear: return LocalDate(year: today.year + 1, month: 1, day: 1)
        case .anniversary:
            // Due once both the last change and the last review are a year old (`<= day − 12 months`).
            let base = max(tierSince, lastReview ?? tierSince)
            var due = base.adding(months: 12)
            while due.adding(months: -12) < base { due = due.adding(days: 1) }
            return due
        }
    }
}
