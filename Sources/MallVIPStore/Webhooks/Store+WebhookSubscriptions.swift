import FluentKit
import Foundation
import MallVIPCore
import SQLKit

public struct WebhookSubscription: Sendable, Equatable {
    public var id: Int64
    public var url: String
    public var events: [WebhookEvent]
    public var description: String
    public var active: Bool
    public var createdBy: String
    public var createdAt: Date
    public var deactivatedAt: Date?
    /// Deliveries by status, for the list.
    public var counts: [WebhookDeliveryStatus: Int] = [:]
}

extension Store {
    static let webhookURLMax = 500

    /// A receiver's URL: http or https with a host, no credentials, no fragment.
    public static func validateWebhookURL(_ text: String) throws -> String {
        let url = text.trimmingCharacters(in: .whitespaces)
        guard !url.isEmpty else {
            throw DomainError.invalid("url", "webhook.url.required", zh: "请填写接收地址", en: "url is required")
        }
        guard url.count <= webhookURLMax, let c = URLComponents(string: url), let scheme = c.scheme?.lowercased(),
              ["http", "https"].contains(scheme), let host = c.host, !host.isEmpty, c.fragment == nil,
              !url.unicodeScalars.contains(where: { $0.value <= 0x20 || $0.value == 0x7f || $0 == "\\" }) else {
            throw DomainError.invalid("url", "webhook.url.http", zh: "接收地址须是 http:// 或 https:// 开头的完整网址",
                                      en: "url must be a full http:// or https:// address, e.g. https://crm.example.com/hooks/mallvip")
        }
        // user:password@ would be sent to (and logged by) whatever the host turns out to be; the signature is the
        // authentication.
        guard c.user == nil, c.password == nil, c.percentEncodedHost.map({ !$0.contains("@") }) ?? true else {
            throw DomainError.invalid("url", "webhook.url.credentials", zh: "接收地址不能包含用户名或密码",
                                      en: "url must not carry a user name or password: receivers check X-MallVIP-Signature instead")
        }
        return url
    }

    /// Creates a subscription and returns it with its signing secret, which is stored encrypted and never shown
    /// again. Audited. `targets` decides which addresses the URL may resolve to (public only unless the
    /// deployment allows private receivers); the same rule is applied again before each send.
    public func createWebhook(url: String, events: [WebhookEvent], description: String = "",
                              actor: String, targets: WebhookTargetPolicy = .strict) async throws -> (WebhookSubscription, secret: String) {
        let url = try Self.validateWebhookURL(url)
        try await targets.checkSubscription(url)
        guard !events.isEmpty else {
            throw DomainError.invalid("events", "webhook.events.required", zh: "请至少选择一个事件", en: "choose at least one event")
        }
        let description = String(description.trimmingCharacters(in: .whitespaces).prefix(200))
        let ordered = WebhookEvent.allCases.filter(events.contains)
        var bytes = [UInt8](repeating: 0, count: 32)
        var rng = SystemRandomNumberGenerator()
        for i in bytes.indices { bytes[i] = UInt8.random(in: 0...255, using: &rng) }
        let secret = "whsec_" + bytes.map { String(format: "%02x", $0) }.joined()
        let cipherText = try env.cipher.encrypt(secret)
        let nowMs = epochMillis(now)
        let eventsText = "," + ordered.map(\.rawValue).joined(separator: ",") + ","
        let id = try await write { tx in
            let id = try await tx.sql.row("""
                INSERT INTO webhook_subscriptions (url, events, secret_cipher, description, active, created_by, created_at_ms)
                VALUES (\(bind: url), \(bind: eventsText), \(bind: cipherText), \(bind: description), \(bind: true), \(bind: actor), \(bind: nowMs))
                RETURNING id
                """)!.int64("id")
            try await self.audit(tx, actor: actor, action: "webhook.create", subject: "webhook:\(id)",
                                 detail: "\(url) \(ordered.map(\.rawValue).joined(separator: ","))")
            return id
        }
        let sub = WebhookSubscription(id: id, url: url, events: ordered, description: description, active: true,
                                      createdBy: actor, createdAt: dateFromMillis(nowMs), deactivatedAt: nil)
        return (sub, secret)
    }

    /// Stops new events for the subscription; what was still waiting is cancelled. Audited.
    public func deactivateWebhook(id: Int64, actor: String) async throws {
        let nowMs = epochMillis(now)
        try await write { tx in
            let changed = try await tx.sql.rows("""
                UPDATE webhook_subscriptions SET active = \(bind: false), deactivated_at_ms = \(bind: nowMs)
                WHERE id = \(bind: id) AND active RETURNING id
                """)
            guard !changed.isEmpty else {
                throw DomainError(.notFound, field: "id", rule: "webhook.active", zh: "没有这个有效的订阅：\(id)",
                                  en: "no active webhook subscription \(id)")
            }
            let cancelled = try await tx.sql.rows("""
                UPDATE webhook_deliveries SET status = 'cancelled', last_error = 'subscription deactivated'
                WHERE subscription_id = \(bind: id) AND status = 'pending' RETURNING id
                """).count
            try await self.audit(tx, actor: actor, action: "webhook.deactivate", subject: "webhook:\(id)",
                                 detail: "\(cancelled) waiting deliveries cancelled")
        }
    }

    public func webhookSubscriptions() async throws -> [WebhookSubscription] {
        var subs = try await sql.rows("""
            SELECT id, url, events, description, active, created_by, created_at_ms, deactivated_at_ms
            FROM webhook_subscriptions ORDER BY id
            """).map(Self.subscription)
        var counts: [Int64: [WebhookDeliveryStatus: Int]] = [:]
        for r in try await sql.rows("SELECT subscription_id, status, COUNT(*) AS n FROM webhook_deliveries GROUP BY subscription_id, status") {
            if let s = WebhookDeliveryStatus(rawValue: try r.string("status")) {
                counts[try r.int64("subscription_id"), default: [:]][s] = try r.int("n")
            }
        }
        for i in subs.indices { subs[i].counts = counts[subs[i].id] ?? [:] }
        return subs
    }

    public func webhookSubscription(id: Int64) async throws -> WebhookSubscription? {
        try await sql.row("""
            SELECT id, url, events, description, active, created_by, created_at_ms, deactivated_at_ms
            FROM webhook_subscriptions WHERE id = \(bind: id)
            """).map(Self.subscription)
    }

    static func subscription(_ r: any SQLRow) throws -> WebhookSubscription {
        WebhookSubscription(id: try r.int64("id"), url: try r.string("url"),
                            events: try r.string("events").split(separator: ",").compactMap { WebhookEvent(rawValue: String($0)) },
                            description: try r.string("description"), active: try r.bool("active"),
                            createdBy: try r.string("created_by"), createdAt: dateFromMillis(try r.int64("created_at_ms")),
                            deactivatedAt: try r.optInt64("deactivated_at_ms").map(dateFromMillis))
    }

    /// Deliveries by status across every subscription (`/metrics`).
    public func webhookStatusCounts() async throws -> [WebhookDeliveryStatus: Int] {
        var out: [WebhookDeliveryStatus: Int] = [:]
        for r in try await sql.rows("SELECT status, COUNT(*) AS n FROM webhook_deliveries GROUP BY status") {
            if let s = WebhookDeliveryStatus(rawValue: try r.string("status")) { out[s] = try r.int("n") }
        }
        return out
    }
}
