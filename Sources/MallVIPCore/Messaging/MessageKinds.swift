/// Channels a message can go through. `call`: an account manager phones the member; the message becomes a task on
/// their call list instead of being sent by a machine.
public enum MessageChannel: String, Codable, Sendable, CaseIterable { case sms, email, call }

/// Why a message is sent. Care (birthday, holiday, season, miss-you) must carry no promotion; marketing counts toward
/// the weekly cap; service messages (points or coupons expiring, tier upgrade, welcome) are neither.
public enum MessagePurpose: String, Codable, Sendable, CaseIterable { case care, marketing, service }

/// Where an outbox message came from.
public enum MessageSource: String, Codable, Sendable, CaseIterable { case journey, campaign, manual }

/// Life of an outbox message. `holdout`: the member was drawn into the control group and is deliberately not
/// contacted (kept so that reports can compare). `refused`: consent, opt-out, cap or template rule; the reason is kept.
/// `deferred`: quiet hours or a retry wait; the worker picks it up at `next_attempt_at`.
public enum MessageStatus: String, Codable, Sendable, CaseIterable {
    case queued, deferred, sending, sent, delivered, failed, refused, holdout, cancelled
}
