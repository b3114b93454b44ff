import Foundation

/// Points for activities (issue 18, docs/domain.md §4 "activity participation", docs/programme.md
/// `activities`): an event check-in, a survey answered, a completed profile. Each is optional (0 = earns nothing, the
/// default, so a programme without the section behaves as before) and bounded. A member earns each once per occasion:
/// once per event, once per survey link, once for the profile (the store keys `activity_points` on member and
/// occasion, so two desks or two taps at once still give it once).
public struct ActivityPointsPolicy: Codable, Sendable, Equatable {
    /// Points for being checked in at an event (invitation or member walk-in).
    public var eventCheckIn: Int64
    /// Points for answering a survey (NPS / satisfaction link).
    public var surveyAnswered: Int64
    /// Points the first time the profile is complete (`ProfileCompletion`: birthday, e-mail and address on file).
    public var profileCompleted: Int64

    /// The most one activity may give (a typing slip of extra zeros is refused, not paid out).
    public static let maxPoints: Int64 = 100_000

    public init(eventCheckIn: Int64 = 0, surveyAnswered: Int64 = 0, profileCompleted: Int64 = 0) {
        self.eventCheckIn = eventCheckIn
        self.surveyAnswered = surveyAnswered
        self.profileCompleted = profileCompleted
    }

    enum CodingKeys: String, CodingKey { case eventCheckIn, surveyAnswered, profileCompleted }
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        eventCheckIn = try c.decodeIfPresent(Int64.self, forKey: .eventCheckIn) ?? 0
        surveyAnswered = try c.decodeIfPresent(Int64.self, forKey: .surveyAnswered) ?? 0
        profileCompleted = try c.decodeIfPresent(Int64.self, forKey: .profileCompleted) ?? 0
    }

    /// Points for one kind of activity (0 = none).
    public func points(for kind: ActivityKind) -> Int64 {
        switch kind {
        case .checkIn: eventCheckIn
        case .survey: surveyAnswered
        case .profile: profileCompleted
        }
    }

    public func validationErrors(path: String) -> [(String, String)] {
        ActivityKind.allCases.compactMap { kind in
            (0...Self.maxPoints).contains(points(for: kind)) ? nil : ("\(path).\(kind.key)", "must be between 0 and \(Self.maxPoints)")
        }
    }

    /// One line per activity that earns points, for the member's handbook and the programme page (18c); empty when none.
    public func describe() -> [LocalizedName] {
        ActivityKind.allCases.compactMap { kind in
            let p = points(for: kind)
            guard p > 0 else { return nil }
            return LocalizedName(zh: "\(kind.label.zh)：+\(p) 积分（\(kind.once.zh)）", en: "\(kind.label.en): +\(p) points (\(kind.once.en))")
        }
    }
}

/// The activities that earn points; each has its own ledger kind.
public enum ActivityKind: String, Sendable, CaseIterable, Codable {
    case checkIn, survey, profile

    /// The programme key of its points.
    public var key: String {
        switch self {
        case .checkIn: "eventCheckIn"
        case .survey: "surveyAnswered"
        case .profile: "profileCompleted"
        }
    }

    public var ledgerKind: LedgerKind {
        switch self {
        case .checkIn: .checkIn
        case .survey: .survey
        case .profile: .profile
        }
    }

    public var label: LocalizedName {
        switch self {
        case .checkIn: LocalizedName(zh: "活动签到", en: "Event check-in")
        case .survey: LocalizedName(zh: "填写问卷", en: "Survey answered")
        case .profile: LocalizedName(zh: "完善资料", en: "Profile completed")
        }
    }

    /// How often it earns.
    public var once: LocalizedName {
        switch self {
        case .checkIn: LocalizedName(zh: "每场活动一次", en: "once per event")
        case .survey: LocalizedName(zh: "每份问卷一次", en: "once per survey")
        case .profile: LocalizedName(zh: "仅一次", en: "once")
        }
    }
}

/// One occasion a member may earn activity points for, at most once: its `key` is unique per member.
public struct ActivityOccasion: Sendable, Equatable, Hashable {
    public var kind: ActivityKind
    /// What it was: "event:12", "survey:345"; empty for the profile.
    public var ref: String

    public init(kind: ActivityKind, ref: String = "") {
        self.kind = kind
        self.ref = ref
    }

    public static func checkIn(eventId: Int64) -> ActivityOccasion { .init(kind: .checkIn, ref: "event:\(eventId)") }
    public static func survey(linkId: Int64) -> ActivityOccasion { .init(kind: .survey, ref: "survey:\(linkId)") }
    public static let profile = ActivityOccasion(kind: .profile)

    /// The unique key per member (`activity_points.occasion`).
    public var key: String { ref.isEmpty ? kind.rawValue : "\(kind.rawValue):\(ref)" }
    /// The ledger row's note.
    public var note: String { "activity:\(key)" }
}

/// When a member's profile counts as complete for the profile points: the fields the data-quality report asks for
/// (issue 17: birthday, e-mail, address), each present and not blank.
public enum ProfileCompletion {
    public static func isComplete(birthday: LocalDate?, email: String?, address: String?) -> Bool {
        func filled(_ s: String?) -> Bool { !(s ?? "").trimmingCharacters(in: .whitespacesAndNewlines).isEmpty }
        return birthday != nil && filled(email) && filled(address)
    }
}
