import Foundation
import MallVIPCore

public enum EventType: String, Sendable, CaseIterable, Codable {
    case launch, appreciation, lecture, outing, other

    public var label: LocalizedName {
        switch self {
        case .launch: LocalizedName(zh: "新品发布会", en: "Product launch")
        case .appreciation: LocalizedName(zh: "客户答谢会", en: "Customer appreciation")
        case .lecture: LocalizedName(zh: "讲座", en: "Lecture")
        case .outing: LocalizedName(zh: "联谊出游", en: "Outing")
        case .other: LocalizedName(zh: "其他", en: "Other")
        }
    }
}

public enum EventStatus: String, Sendable, CaseIterable, Codable {
    case draft, open, closed, cancelled

    public var label: LocalizedName {
        switch self {
        case .draft: LocalizedName(zh: "草稿", en: "Draft")
        case .open: LocalizedName(zh: "报名中", en: "Open")
        case .closed: LocalizedName(zh: "已结束", en: "Closed")
        case .cancelled: LocalizedName(zh: "已取消", en: "Cancelled")
        }
    }
}

public enum InvitationStatus: String, Sendable, CaseIterable, Codable {
    case invited, accepted, declined, waitlisted, attended

    public var label: LocalizedName {
        switch self {
        case .invited: LocalizedName(zh: "已邀请", en: "Invited")
        case .accepted: LocalizedName(zh: "已接受", en: "Accepted")
        case .declined: LocalizedName(zh: "已谢绝", en: "Declined")
        case .waitlisted: LocalizedName(zh: "候补", en: "Waitlisted")
        case .attended: LocalizedName(zh: "已到场", en: "Attended")
        }
    }
}

/// Who recorded the answer: the member on /m/events, the desk, the account manager, or the personal link.
public enum RSVPChannel: String, Sendable, CaseIterable, Codable {
    case member, desk, manager, link
}

public struct Event: Sendable, Equatable {
    public var id: Int64
    public var code: String
    public var type: EventType
    public var title: String
    public var startsAtMs: Int64
    public var endsAtMs: Int64
    public var place: String
    public var capacity: Int
    public var budgetFen: Int64
    public var audienceSegmentId: Int64?
    /// Tier codes; empty = no tier filter.
    public var audienceTiers: [String]
    public var rsvpDeadlineMs: Int64
    public var status: EventStatus
    public var createdBy: String
    public var createdAtMs: Int64

    public func rsvpOpen(atMs: Int64) -> Bool { status == .open && atMs <= rsvpDeadlineMs }
}

public struct EventInvitation: Sendable, Equatable {
    public var id: Int64
    public var eventId: Int64
    /// nil for a walk-in without a card.
    public var memberId: Int64?
    public var memberName: String?
    public var token: String
    public var status: InvitationStatus
    public var walkIn: Bool
    public var rsvpAtMs: Int64?
    public var rsvpChannel: RSVPChannel?
    public var checkedInAtMs: Int64?
    public var checkedInBy: String?
    public var createdAtMs: Int64
}
