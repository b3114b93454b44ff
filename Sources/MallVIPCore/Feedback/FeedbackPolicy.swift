/// Feedback settings (programme section `feedback`, docs/domain.md §11): score targets, the quarterly sample and the
/// service-response targets per channel. The sources give no SLA numbers (docs/domain.md §11 "truncated"), so these are defaults a
/// mall sets for itself.
public struct FeedbackPolicy: Codable, Sendable, Equatable {
    public var npsTarget: Int
    public var csatTarget: Int
    /// Share of active members asked each quarter, per mille (50 = 5 %).
    public var quarterlySamplePerMille: Int
    /// Days a survey link stays open.
    public var linkValidDays: Int
    public var sla: [ChannelSLA]

    public init(npsTarget: Int = 40, csatTarget: Int = 85, quarterlySamplePerMille: Int = 50, linkValidDays: Int = 30,
                sla: [ChannelSLA] = FeedbackPolicy.defaultSLA) {
        self.npsTarget = npsTarget
        self.csatTarget = csatTarget
        self.quarterlySamplePerMille = quarterlySamplePerMille
        self.linkValidDays = linkValidDays
        self.sla = sla
    }

    public static let defaultSLA: [ChannelSLA] = [
        ChannelSLA(channel: .desk, firstResponseMinutes: 30, resolutionHours: 24),
        ChannelSLA(channel: .phone, firstResponseMinutes: 60, resolutionHours: 48),
        ChannelSLA(channel: .email, firstResponseMinutes: 240, resolutionHours: 72),
        ChannelSLA(channel: .member, firstResponseMinutes: 240, resolutionHours: 72),
    ]

    public func target(_ channel: FeedbackChannel) -> ChannelSLA {
        sla.first { $0.channel == channel } ?? FeedbackPolicy.defaultSLA.first { $0.channel == channel }!
    }

    enum CodingKeys: String, CodingKey { case npsTarget, csatTarget, quarterlySamplePerMille, linkValidDays, sla }
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        npsTarget = try c.decodeIfPresent(Int.self, forKey: .npsTarget) ?? 40
        csatTarget = try c.decodeIfPresent(Int.self, forKey: .csatTarget) ?? 85
        quarterlySamplePerMille = try c.decodeIfPresent(Int.self, forKey: .quarterlySamplePerMille) ?? 50
        linkValidDays = try c.decodeIfPresent(Int.self, forKey: .linkValidDays) ?? 30
        sla = try c.decodeIfPresent([ChannelSLA].self, forKey: .sla) ?? FeedbackPolicy.defaultSLA
    }
}

/// Where a complaint or service request came in.
public enum FeedbackChannel: String, Codable, Sendable, CaseIterable {
    case desk, phone, email, member

    public var label: LocalizedName {
        switch self {
        case .desk: LocalizedName(zh: "服务台", en: "Desk")
        case .phone: LocalizedName(zh: "电话", en: "Phone")
        case .email: LocalizedName(zh: "邮件", en: "E-mail")
        case .member: LocalizedName(zh: "会员自助", en: "Member pages")
        }
    }
}

public struct ChannelSLA: Codable, Sendable, Equatable {
    public var channel: FeedbackChannel
    public var firstResponseMinutes: Int
    public var resolutionHours: Int
    public init(channel: FeedbackChannel, firstResponseMinutes: Int, resolutionHours: Int) {
        self.channel = channel
        self.firstResponseMinutes = firstResponseMinutes
        self.resolutionHours = resolutionHours
    }

    /// Met when the step happened within the target; a step not yet done is late once the target has passed at `nowMs`.
    public func firstResponseMet(openedMs: Int64, respondedMs: Int64?, nowMs: Int64) -> Bool? {
        Self.met(openedMs, respondedMs, Int64(firstResponseMinutes) * 60_000, nowMs)
    }

    public func resolutionMet(openedMs: Int64, resolvedMs: Int64?, nowMs: Int64) -> Bool? {
        Self.met(openedMs, resolvedMs, Int64(resolutionHours) * 3_600_000, nowMs)
    }

    /// nil = still open and within target (not decided yet).
    static func met(_ from: Int64, _ done: Int64?, _ limit: Int64, _ now: Int64) -> Bool? {
        if let done { return done - from <= limit }
        return now - from > limit ? false : nil
    }
}
