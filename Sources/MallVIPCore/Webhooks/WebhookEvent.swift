import Foundation

/// The events a webhook subscription can ask for (issue 9). The raw values are the contract with receivers: the
/// body's `type` and the `X-MallVIP-Event` header.
public enum WebhookEvent: String, CaseIterable, Sendable, Codable {
    case memberEnrolled = "member.enrolled"
    case memberUpdated = "member.updated"
    case tierChanged = "tier.changed"
    case pointsChanged = "points.changed"
    case couponIssued = "coupon.issued"
    case purchasePosted = "purchase.posted"

    public var label: (zh: String, en: String) {
        switch self {
        case .memberEnrolled: ("会员入会", "member enrolled")
        case .memberUpdated: ("会员资料变更", "member updated")
        case .tierChanged: ("等级变化", "tier changed")
        case .pointsChanged: ("积分变动", "points changed")
        case .couponIssued: ("发券", "coupon issued")
        case .purchasePosted: ("消费入账", "purchase posted")
        }
    }

    /// "member.enrolled,points.changed" (commas, spaces tolerated) → events, or an error naming the unknown one.
    public static func parseList(_ text: String, field: String = "events") throws -> [WebhookEvent] {
        let names = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        var events: [WebhookEvent] = []
        for name in names {
            guard let e = WebhookEvent(rawValue: name) else {
                let known = allCases.map(\.rawValue).joined(separator: ", ")
                throw DomainError.invalid(field, "webhook.event.known", zh: "未知事件：\(name)（可选：\(known)）",
                                          en: "unknown event \(name) (known: \(known))")
            }
            if !events.contains(e) { events.append(e) }
        }
        guard !events.isEmpty else {
            throw DomainError.invalid(field, "webhook.events.required", zh: "请至少选择一个事件", en: "choose at least one event")
        }
        return events
    }
}

public enum WebhookDeliveryStatus: String, CaseIterable, Sendable, Codable {
    /// Waiting for its (next) attempt.
    case pending
    /// Claimed by a worker and being sent; back to the queue if its lease runs out (the worker stopped).
    case sending
    /// The receiver answered 2xx.
    case delivered
    /// Every allowed attempt failed; a replay queues it again.
    case failed
    /// Its subscription was deactivated before it went out.
    case cancelled
}

/// Retries: the delay doubles after each failed attempt, from `backoffSeconds`, at most `maxBackoffSeconds`;
/// after `maxAttempts` attempts the delivery is `failed`. Defaults: 8 attempts over about two hours.
public struct WebhookRetryPolicy: Sendable, Equatable {
    public var maxAttempts: Int
    public var backoffSeconds: Double
    public var maxBackoffSeconds: Double

    public init(maxAttempts: Int = 8, backoffSeconds: Double = 30, maxBackoffSeconds: Double = 6 * 3600) {
        self.maxAttempts = maxAttempts
        self.backoffSeconds = backoffSeconds
        self.maxBackoffSeconds = maxBackoffSeconds
    }

    /// The wait after the `attempts`-th failed attempt: backoff, 2×, 4× … capped.
    public func delay(afterAttempts attempts: Int) -> Double {
        let doublings = max(0, min(attempts - 1, 40))
        return min(backoffSeconds * pow(2, Double(doublings)), maxBackoffSeconds)
    }
}
