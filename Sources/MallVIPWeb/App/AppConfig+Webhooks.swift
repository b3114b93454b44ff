import Foundation
import MallVIPCore
import MallVIPStore

/// The webhook worker's timing, from the environment. Retries live here rather than in the programme: they are
/// about the receivers' availability, an operations matter, not a rule of the loyalty programme.
public struct WebhookConfig: Sendable, Equatable {
    /// Seconds between `serve`'s passes over the deliveries (`MALLVIP_WEBHOOK_INTERVAL`).
    public var interval: TimeInterval = 5
    /// A delivery claimed longer ago than this is taken for lost by a stopped worker and sent again under the same
    /// delivery id (`MALLVIP_WEBHOOK_LEASE`); keep it above the timeout.
    public var lease: TimeInterval = Store.webhookLeaseSeconds
    /// How long one POST may take before it counts as failed (`MALLVIP_WEBHOOK_TIMEOUT`).
    public var timeout: TimeInterval = 10
    /// `MALLVIP_WEBHOOK_MAX_ATTEMPTS` (default 8) and `MALLVIP_WEBHOOK_BACKOFF` (seconds before the first retry,
    /// default 30, doubling after each failure, at most 6 hours).
    public var retry = WebhookRetryPolicy()
    /// `MALLVIP_WEBHOOK_ALLOW_PRIVATE=1`: receivers may be on loopback, private or link-local addresses (a CRM
    /// inside the mall's network). Off by default: a subscription then can only reach public addresses (SSRF).
    public var allowPrivate = false

    /// The address rule for subscriptions and sends.
    public var targets: WebhookTargetPolicy { WebhookTargetPolicy(allowPrivate: allowPrivate) }

    public init() {}

    public static func fromEnvironment(_ env: [String: String]) throws -> WebhookConfig {
        let settings = EnvironmentSettings(env: env)
        let (value, seconds) = (settings.value, settings.seconds)
        var c = WebhookConfig()
        c.interval = try seconds("MALLVIP_WEBHOOK_INTERVAL", 0.2...3600) ?? c.interval
        c.lease = try seconds("MALLVIP_WEBHOOK_LEASE", 1...86_400) ?? c.lease
        c.timeout = try seconds("MALLVIP_WEBHOOK_TIMEOUT", 0.5...300) ?? c.timeout
        c.retry.backoffSeconds = try seconds("MALLVIP_WEBHOOK_BACKOFF", 0.1...86_400) ?? c.retry.backoffSeconds
        if let v = value("MALLVIP_WEBHOOK_ALLOW_PRIVATE") {
            guard ["0", "1"].contains(v) else { throw StoreConfigurationError("MALLVIP_WEBHOOK_ALLOW_PRIVATE must be 0 or 1") }
            c.allowPrivate = v == "1"
        }
        c.retry.maxAttempts = try settings.integer("MALLVIP_WEBHOOK_MAX_ATTEMPTS", 1...100) ?? c.retry.maxAttempts
        return c
    }
}

/// "0.2", "3600": a bound as people write it.
enum MetricsNumber {
    static func text(_ v: Double) -> String { v == v.rounded() ? String(Int(v)) : String(v) }
}
