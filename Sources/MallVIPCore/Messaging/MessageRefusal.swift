/// Why the outbox refused a message; stored in `outbox_messages.refuse_reason` (docs/domain.md §7: a refused message
/// is recorded with its reason, never silently dropped).
public enum MessageRefusal: String, Codable, Sendable, CaseIterable {
    /// The member has not consented to this channel.
    case noConsent
    /// The member opted out (SMS reply keyword, e-mail link or at the desk).
    case optedOut
    /// No phone number or e-mail address for the channel.
    case noAddress
    /// The weekly marketing cap is reached.
    case weeklyCap
    /// The member is deactivated.
    case memberInactive

    public var zh: String {
        switch self {
        case .noConsent: "未同意接收"
        case .optedOut: "已退订"
        case .noAddress: "无联系方式"
        case .weeklyCap: "超过每周营销上限"
        case .memberInactive: "会员已停用"
        }
    }
    public var en: String {
        switch self {
        case .noConsent: "no consent for the channel"
        case .optedOut: "opted out"
        case .noAddress: "no address for the channel"
        case .weeklyCap: "weekly marketing cap reached"
        case .memberInactive: "member deactivated"
        }
    }
}

/// How an opt-out reached us.
public enum OptOutSource: String, Codable, Sendable, CaseIterable {
    case smsKeyword = "sms_keyword", emailLink = "email_link", desk
    /// The member withdrew it on their own profile page (/m/profile).
    case member
}
