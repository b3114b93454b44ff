import Foundation
import MallVIPCore

public enum CampaignStatus: String, Codable, Sendable, CaseIterable {
    /// Being written; nothing is decided.
    case draft
    /// Waiting for its time; `runDueCampaigns` starts it.
    case scheduled
    /// Audience frozen and the control group drawn; messages are being put in the outbox.
    case sending
    /// Every audience member has an outbox row (queued, refused or holdout).
    case sent
    case cancelled

    public var label: LocalizedName {
        switch self {
        case .draft: LocalizedName(zh: "草稿", en: "Draft")
        case .scheduled: LocalizedName(zh: "已排期", en: "Scheduled")
        case .sending: LocalizedName(zh: "发送中", en: "Sending")
        case .sent: LocalizedName(zh: "已发送", en: "Sent")
        case .cancelled: LocalizedName(zh: "已取消", en: "Cancelled")
        }
    }

    /// Whether the campaign may still be edited or cancelled.
    public var isOpen: Bool { self == .draft || self == .scheduled }
}

/// A one-off send to a saved segment (issue 4, "Campaigns").
public struct Campaign: Sendable, Equatable {
    public var id: Int64
    public var name: String
    public var segmentId: Int64
    public var channel: MessageChannel
    public var purpose: MessagePurpose
    /// A saved template; nil when the text is written on the campaign (`subject`, `body`).
    public var templateCode: String?
    /// With a template these are filled in when the campaign is scheduled, so what was approved is what goes out.
    public var subject: String?
    public var body: String?
    public var holdoutPermille: Int
    /// nil: as soon as it is scheduled.
    public var scheduledAt: Date?
    public var status: CampaignStatus
    public var windowDays: Int
    public var marginPermille: Int
    public var note: String
    public var createdBy: String
    public var createdAt: Date
    public var updatedAt: Date
    /// When the audience was frozen and sending began; the report window starts on that business day.
    public var sentAt: Date?
    public var finishedAt: Date?
    public var audienceCount: Int?
    public var treatedCount: Int?
    public var holdoutCount: Int?
    /// The coupon each treated member gets (issue 18), its code in the message as `{couponCode}`; nil = text only.
    public var coupon: CouponTemplate? = nil

    /// The outbox source code and period key of its messages.
    public var sourceCode: String { Campaign.sourceCode(id) }
    public static func sourceCode(_ id: Int64) -> String { "campaign:\(id)" }
}

/// What the campaign form edits.
public struct CampaignInput: Sendable, Equatable {
    public var name: String
    public var segmentId: Int64
    public var channel: MessageChannel
    public var purpose: MessagePurpose
    public var templateCode: String?
    public var subject: String?
    public var body: String?
    public var holdoutPermille: Int
    public var scheduledAt: Date?
    public var windowDays: Int
    public var marginPermille: Int
    /// An attached coupon (issue 18): each treated member gets one; the text must carry `{couponCode}`.
    public var coupon: CouponTemplate?

    public init(name: String, segmentId: Int64, channel: MessageChannel = .sms, purpose: MessagePurpose = .marketing,
                templateCode: String? = nil, subject: String? = nil, body: String? = nil, holdoutPermille: Int, scheduledAt: Date? = nil,
                windowDays: Int = 30, marginPermille: Int, coupon: CouponTemplate? = nil) {
        self.coupon = coupon
        self.name = name
        self.segmentId = segmentId
        self.channel = channel
        self.purpose = purpose
        self.templateCode = templateCode
        self.subject = subject
        self.body = body
        self.holdoutPermille = holdoutPermille
        self.scheduledAt = scheduledAt
        self.windowDays = windowDays
        self.marginPermille = marginPermille
    }

    /// A new campaign's defaults: control share and margin from the programme, a 30-day window.
    public static func defaults(segmentId: Int64, programme: Programme) -> CampaignInput {
        CampaignInput(name: "", segmentId: segmentId, holdoutPermille: programme.messaging.defaultHoldoutPermille,
                      marginPermille: programme.messaging.marginPermille)
    }
}

/// What one run of `runDueCampaigns` did.
public struct CampaignRunSummary: Sendable, Equatable {
    /// Campaigns sent to the end in this run (started now or resumed).
    public var campaigns: Int = 0
    public var cancelled: Int = 0
    public var outbox = EnqueueResult()
    public init() {}
}
