/// Channels a message can go through. `call`: an account manager phones the member; the message becomes a task on
/// their call list instead of being sent by a machine. `wechat`: a WeChat subscription message (订阅消息) to the
/// member's mini-program openid; consent is the member's subscription to the template (one message per accept), and a
/// member with none left, or no bound openid, gets the message by SMS instead (issue 22, docs/wechat.md).
public enum MessageChannel: String, Codable, Sendable, CaseIterable { case sms, email, call, wechat }

/// Why a message is sent. Care (birthday, holiday, season, miss-you) must carry no promotion; marketing counts toward
/// the weekly cap; service messages (points or coupons expiring, tier upgrade, welcome) are neither.
public enum MessagePurpose: String, Codable, Sendable, CaseIterable { case care, marketing, service }

/// Where an outbox message came from.
/// `login`: a sign-in code the member asked for on the member pages (sent at once, never through the queue).
public enum MessageSource: String, Codable, Sendable, CaseIterable { case journey, campaign, manual, login }

/// Life of an outbox message. `holdout`: the member was drawn into the control group and is deliberately not
/// contacted (kept so that reports can compare). `refused`: consent, opt-out, cap or template rule; the reason is kept.
/// `deferred`: quiet hours or a retry wait; the worker picks it up at `next_attempt_at`.
public enum MessageStatus: String, Codable, Sendable, CaseIterable {
    case queued, deferred, sending, sent, delivered, failed, refused, holdout, cancelled
}

// Names as staff read them, one set for every page (outbox, campaigns, member page).
extension MessageChannel {
    public var label: LocalizedName {
        switch self {
        case .sms: LocalizedName(zh: "短信", en: "SMS")
        case .email: LocalizedName(zh: "邮件", en: "E-mail")
        case .call: LocalizedName(zh: "电话回访", en: "Call")
        case .wechat: LocalizedName(zh: "微信订阅消息", en: "WeChat subscription")
        }
    }
}

extension MessagePurpose {
    public var label: LocalizedName {
        switch self {
        case .marketing: LocalizedName(zh: "营销", en: "Marketing")
        case .care: LocalizedName(zh: "关怀", en: "Care")
        case .service: LocalizedName(zh: "服务通知", en: "Service")
        }
    }
}

extension MessageStatus {
    public var label: LocalizedName {
        switch self {
        case .queued: LocalizedName(zh: "待发送", en: "Queued")
        case .deferred: LocalizedName(zh: "延后", en: "Deferred")
        case .sending: LocalizedName(zh: "发送中", en: "Sending")
        case .sent: LocalizedName(zh: "已发送", en: "Sent")
        case .delivered: LocalizedName(zh: "已送达", en: "Delivered")
        case .failed: LocalizedName(zh: "失败", en: "Failed")
        case .refused: LocalizedName(zh: "未发送", en: "Refused")
        case .holdout: LocalizedName(zh: "对照组（不发送）", en: "Holdout (not sent)")
        case .cancelled: LocalizedName(zh: "已取消", en: "Cancelled")
        }
    }
}
