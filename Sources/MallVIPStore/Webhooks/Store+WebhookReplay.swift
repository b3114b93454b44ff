import FluentKit
import Foundation
import MallVIPCore
import SQLKit

extension Store {
    /// Queues a delivered, failed or cancelled delivery again: same event id and body, attempts from zero.
    /// Audited.
    public func replayWebhookDelivery(id: Int64, actor: String) async throws {
        let nowMs = epochMillis(now)
        try await write { tx in
            guard let r = try await tx.sql.row("""
                SELECT d.status, s.active FROM webhook_deliveries d JOIN webhook_subscriptions s ON s.id = d.subscription_id
                WHERE d.id = \(bind: id)
                """) else {
                throw DomainError(.notFound, field: "delivery", rule: "webhook.delivery.exists", zh: "没有这条推送：\(id)",
                                  en: "no webhook delivery \(id)")
            }
            guard try r.bool("active") else {
                throw DomainError(.notEligible, field: "delivery", rule: "webhook.subscription.active",
                                  zh: "订阅已停用，不能重发", en: "the subscription is deactivated: nothing can be replayed to it")
            }
            let requeued = try await tx.sql.rows("""
                UPDATE webhook_deliveries SET status = 'pending', attempts = 0, next_attempt_at_ms = \(bind: nowMs),
                  claimed_at_ms = NULL, last_error = NULL, last_http_status = NULL, delivered_at_ms = NULL, replays = replays + 1
                WHERE id = \(bind: id) AND status IN ('delivered', 'failed', 'cancelled') RETURNING id
                """)
            guard !requeued.isEmpty else {
                throw DomainError(.conflict, field: "delivery", rule: "webhook.replay.finished",
                                  zh: "这条推送还在队列中，无需重发", en: "delivery \(id) is still queued or being sent; replay is for delivered or failed ones")
            }
            try await self.audit(tx, actor: actor, action: "webhook.replay", subject: "webhook-delivery:\(id)",
                                 detail: "was \(try r.string("status"))")
        }
    }

    /// Queues again every finished delivery of the subscription whose event happened on or after `since` (a
    /// business day in the programme's time zone). Returns how many. Audited.
    public func replayWebhooks(subscriptionId: Int64, since: LocalDate, actor: String) async throws -> Int {
        let (_, programme) = try await programme()
        let sinceMs = epochMillis(since.start(in: programme.timeZone))
        let nowMs = epochMillis(now)
        return try await write { tx in
            guard let s = try await tx.sql.row("SELECT active FROM webhook_subscriptions WHERE id = \(bind: subscriptionId)") else {
                throw DomainError(.notFound, field: "subscription", rule: "webhook.exists", zh: "没有这个订阅：\(subscriptionId)",
                                  en: "no webhook subscription \(subscriptionId)")
            }
            guard try s.bool("active") else {
                throw DomainError(.notEligible, field: "subscription", rule: "webhook.subscription.active",
                                  zh: "订阅已停用，不能重发", en: "the subscription is deactivated: nothing can be replayed to it")
            }
            let n = try await tx.sql.rows("""
                UPDATE webhook_deliveries SET status = 'pending', attempts = 0, next_attempt_at_ms = \(bind: nowMs),
                  claimed_at_ms = NULL, last_error = NULL, last_http_status = NULL, delivered_at_ms = NULL, replays = replays + 1
                WHERE subscription_id = \(bind: subscriptionId) AND occurred_at_ms >= \(bind: sinceMs)
                  AND status IN ('delivered', 'failed', 'cancelled')
                RETURNING id
                """).count
            try await self.audit(tx, actor: actor, action: "webhook.replay", subject: "webhook:\(subscriptionId)",
                                 detail: "since \(since): \(n) deliveries queued again")
            return n
        }
    }
}
