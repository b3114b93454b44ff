import FluentKit
import Foundation
import MallVIPCore
import SQLKit

/// What one pass of the delivery worker did.
public struct DeliverySummary: Sendable, Equatable {
    public var sent = 0
    /// Failed this time, deferred for a retry with backoff.
    public var retrying = 0
    /// Failed for the last allowed time.
    public var failed = 0
    /// Consent withdrawn or opted out since the message was queued.
    public var refused = 0
    /// SMS due in quiet hours, deferred to the end of the span.
    public var quietDeferred = 0
    /// Left `sending` by a worker that stopped mid-send (lease expired), put back in the queue.
    public var recovered = 0
    /// Due messages of a channel with no sender configured (left queued).
    public var notConfigured = 0
    /// WeChat subscription messages sent back to the queue as SMS (WeChat answered 43101: no subscription).
    public var fellBack = 0
    public init() {}
    public var isEmpty: Bool { self == DeliverySummary() }
}

/// A message claimed by this worker: `attempts` after the claim is the fencing token for the final update, so a
/// worker whose lease expired cannot overwrite the outcome of the worker that took the message over.
struct ClaimedMessage: Sendable {
    var message: OutgoingMessage
    var attempts: Int
}

extension Store {
    /// A message left `sending` longer than this is assumed lost by a stopped worker and is retried. The gateway
    /// receives the outbox id as its idempotency reference, so if the first call did reach it, the provider drops
    /// the repeat: nothing is sent twice, nothing is dropped.
    public static let sendingLeaseSeconds: TimeInterval = 300
    static let channelNotConfigured = "channel not configured"

    /// Delivers due messages (queued or deferred, `next_attempt_at` ≤ now) of the channels `sender` handles, at most
    /// `limit` per call. Claims first (status `sending`, one transaction; `FOR UPDATE SKIP LOCKED` on PostgreSQL and
    /// a conditional update everywhere, so two workers never take one message), re-checks consent, then sends each
    /// and records the outcome: `sent` with provider id and cost, or a retry with exponential backoff, `failed`
    /// after `messaging.maxAttempts`. SMS due in quiet hours is deferred to the end of the span. Call tasks are
    /// never sent here: they wait on the account manager's call list.
    public func deliverDue(now: Date? = nil, limit: Int = 100, sender: any MessageSender,
                           lease: TimeInterval = Store.sendingLeaseSeconds) async throws -> DeliverySummary {
        let now = now ?? self.now
        let programme = try await programme().1
        let (claimed, prepared) = try await claimDue(now: now, limit: limit, sender: sender, programme: programme, lease: lease)
        var summary = prepared
        for (i, c) in claimed.enumerated() {
            if Task.isCancelled {
                try? await release(claimed[i...].map { $0 })
                throw CancellationError()
            }
            do {
                let receipt: SendReceipt
                do {
                    receipt = try await sender.send(c.message)
                } catch let f as any MessageFallbackFailure where c.message.channel == .wechat {
                    if try await markFallback(c, reason: f.fallbackReason, now: now) { summary.fellBack += 1 }
                    continue
                }
                if try await markSent(c, receipt: receipt, cost: programme.messaging.costFen(c.message.channel), now: now) {
                    summary.sent += 1
                }
            } catch is CancellationError {
                // Stopping mid-send: the gateway may or may not have the message. It stays `sending`; after the
                // lease it is sent again under the same reference, which the provider de-duplicates.
                try? await release(claimed[(i + 1)...].map { $0 })
                throw CancellationError()
            } catch {
                // A permanent refusal (bad address, rejected content) fails at once instead of using up attempts.
                let permanent = (error as? any MessageSendFailure)?.isTransient == false
                let final = permanent || c.attempts >= programme.messaging.maxAttempts
                try await markFailed(c, error: error, final: final, policy: programme.messaging, now: now)
                if final { summary.failed += 1 } else { summary.retrying += 1 }
            }
        }
        return summary
    }

    /// One transaction: recover expired leases, note unconfigured channels, defer quiet-hour SMS, claim the due
    /// messages and drop (as refused) those whose member withdrew consent since they were queued.
    func claimDue(now: Date, limit: Int, sender: any MessageSender, programme: Programme,
                  lease: TimeInterval) async throws -> ([ClaimedMessage], DeliverySummary) {
        let nowMs = epochMillis(now)
        let policy = programme.messaging
        let handled = [MessageChannel.sms, .email, .wechat].filter { sender.handles($0) }.map(\.rawValue)
        let unhandled = [MessageChannel.sms, .email, .wechat].map(\.rawValue).filter { !handled.contains($0) }
        // Quiet hours hold WeChat subscription messages as they hold SMS: both ring the member's phone.
        let quietChannels = ["sms", "wechat"].filter { handled.contains($0) }
        let routing = (sender as? ChannelSenders)?.subscriptionRouting ?? (sender as? any SubscriptionRouting)
        let quietEnd = policy.quietEnd(containing: now, in: programme.timeZone).map(epochMillis)
        return try await write { tx in
            let sql = tx.sql
            var summary = DeliverySummary()
            let wechatLost = try await self.recoverWechatLeases(sql, nowMs: nowMs, lease: lease)
            summary.failed += wechatLost
            summary.recovered = try await sql.rows("""
                UPDATE outbox_messages SET status = 'deferred', next_attempt_at_ms = \(bind: nowMs),
                  last_error = 'lease expired: worker stopped while sending', updated_at_ms = \(bind: nowMs)
                WHERE status = 'sending' AND updated_at_ms <= \(bind: nowMs - Int64(lease * 1000)) RETURNING id
                """).count
            if !handled.contains("wechat"), handled.contains("sms") {
                // No WeChat sender in this deployment (no subscribe config): WeChat messages go by SMS.
                for r in try await sql.rows("""
                    SELECT id FROM outbox_messages WHERE status IN ('queued', 'deferred') AND channel = 'wechat'
                      AND next_attempt_at_ms <= \(bind: nowMs) LIMIT \(unsafeRaw: String(max(limit, 1)))
                    """) {
                    try await self.fallBackToSMS(sql, id: try r.int64("id"), reason: "WeChat not configured / 未配置微信订阅消息", nowMs: nowMs)
                }
            }
            if !unhandled.isEmpty {
                summary.notConfigured = try await sql.rows("""
                    UPDATE outbox_messages SET last_error = \(bind: Store.channelNotConfigured), updated_at_ms = \(bind: nowMs)
                    WHERE status IN ('queued', 'deferred') AND next_attempt_at_ms <= \(bind: nowMs) AND channel IN \(list: unhandled)
                      AND (last_error IS NULL OR last_error <> \(bind: Store.channelNotConfigured))
                    RETURNING id
                    """).count
            }
            if let quietEnd, !quietChannels.isEmpty {
                summary.quietDeferred = try await sql.rows("""
                    UPDATE outbox_messages SET status = 'deferred', next_attempt_at_ms = \(bind: quietEnd), updated_at_ms = \(bind: nowMs)
                    WHERE status IN ('queued', 'deferred') AND channel IN \(list: quietChannels) AND next_attempt_at_ms <= \(bind: nowMs) RETURNING id
                    """).count
            }
            guard !handled.isEmpty, limit > 0 else { return ([], summary) }
            let skipLocked = sql.storeDialect.forUpdateSkipLocked
            let ids = try await sql.rows("""
                SELECT id FROM outbox_messages
                WHERE status IN ('queued', 'deferred') AND next_attempt_at_ms <= \(bind: nowMs) AND channel IN \(list: handled)
                ORDER BY next_attempt_at_ms, id LIMIT \(unsafeRaw: String(limit))\(unsafeRaw: skipLocked)
                """).map { try $0.int64("id") }
            guard !ids.isEmpty else { return ([], summary) }
            let rows = try await sql.rows("""
                UPDATE outbox_messages SET status = 'sending', attempts = attempts + 1, updated_at_ms = \(bind: nowMs)
                WHERE id IN \(list: ids) AND status IN ('queued', 'deferred')
                RETURNING id, member_id, channel, purpose, subject, body, attempts, template_code, wechat_appid, wechat_template_id
                """)
            let memberIds = Array(Set(try rows.map { try $0.int64("member_id") })).sorted()
            var recipients: [Int64: OutboxRecipient] = [:]
            for r in try await self.outboxRecipients(sql, memberIds, lock: false) { recipients[r.id] = r }
            var claimed: [ClaimedMessage] = []
            for r in rows {
                let id = try r.int64("id"), memberId = try r.int64("member_id")
                var channel = MessageChannel(rawValue: try r.string("channel")) ?? .sms
                let purpose = MessagePurpose(rawValue: try r.string("purpose")) ?? .service
                let m = recipients[memberId]
                var wechat: (openid: String, ref: SubscriptionTemplateRef)? = nil
                if channel == .wechat, m?.active == true {
                    let spent = try r.optString("wechat_appid").flatMap { a in
                        try r.optString("wechat_template_id").map { SubscriptionTemplateRef(appid: a, templateId: $0) }
                    }
                    switch try await self.claimWechat(sql, id: id, memberId: memberId, purpose: purpose,
                                                      templateCode: try r.optString("template_code"), spent: spent,
                                                      routing: routing, nowMs: nowMs) {
                    case .send(let openid, let ref):
                        wechat = (openid, ref)
                    case .fallback(let reason):
                        // No subscription left, no openid or no template: the message goes by SMS — now when SMS
                        // is sent by this worker and it is not quiet, else back to the queue (the claim not counted).
                        try await self.fallBackToSMS(sql, id: id, reason: reason, nowMs: nowMs)
                        channel = .sms
                        if quietEnd != nil || !handled.contains("sms") {
                            try await sql.exec("""
                                UPDATE outbox_messages SET status = 'deferred', attempts = attempts - 1,
                                  next_attempt_at_ms = \(bind: quietEnd ?? nowMs), updated_at_ms = \(bind: nowMs)
                                WHERE id = \(bind: id)
                                """)
                            if quietEnd != nil { summary.quietDeferred += 1 }
                            continue
                        }
                    }
                }
                if let refusal = m.map({ $0.refusal(channel) }) ?? .memberInactive {
                    try await sql.exec("""
                        UPDATE outbox_messages SET status = 'refused', refuse_reason = \(bind: refusal.rawValue), updated_at_ms = \(bind: nowMs)
                        WHERE id = \(bind: id)
                        """)
                    summary.refused += 1
                    continue
                }
                let to = wechat?.openid ?? m!.address(channel)!
                var message = OutgoingMessage(id: id, memberId: memberId, channel: channel, purpose: purpose, to: to,
                                              subject: try r.optString("subject"), body: try r.string("body"),
                                              unsubscribePath: channel == .email ? self.unsubscribePath(memberId: memberId, channel: .email) : nil)
                message.wechatAppid = wechat?.ref.appid
                message.wechatTemplateId = wechat?.ref.templateId
                claimed.append(ClaimedMessage(message: message, attempts: try r.int("attempts")))
            }
            // Members changed address since enqueue are written to where the message actually went.
            for c in claimed {
                try await sql.exec("UPDATE outbox_messages SET to_address = \(bind: c.message.to) WHERE id = \(bind: c.message.id)")
            }
            return (claimed.sorted { $0.message.id < $1.message.id }, summary)
        }
    }

    func markSent(_ c: ClaimedMessage, receipt: SendReceipt, cost: Int64, now: Date) async throws -> Bool {
        let nowMs = epochMillis(now)
        return try await write { tx in
            try await tx.sql.rows("""
                UPDATE outbox_messages SET status = 'sent', provider_id = \(bind: receipt.providerId), cost_fen = \(bind: cost),
                  sent_at_ms = \(bind: nowMs), last_error = NULL, updated_at_ms = \(bind: nowMs)
                WHERE id = \(bind: c.message.id) AND status = 'sending' AND attempts = \(bind: c.attempts) RETURNING id
                """).count == 1
        }
    }

    func markFailed(_ c: ClaimedMessage, error: any Error, final: Bool, policy: MessagingPolicy, now: Date) async throws {
        let nowMs = epochMillis(now)
        let next = nowMs + Int64(policy.retryDelaySeconds(afterAttempts: c.attempts)) * 1000
        let text = String(String(describing: error).prefix(500))
        try await write { tx in
            let taken = try await tx.sql.rows("""
                UPDATE outbox_messages SET status = \(bind: final ? "failed" : "deferred"), next_attempt_at_ms = \(bind: final ? nowMs : next),
                  last_error = \(bind: text), updated_at_ms = \(bind: nowMs)
                WHERE id = \(bind: c.message.id) AND status = 'sending' AND attempts = \(bind: c.attempts) RETURNING id
                """).count == 1
            if final && taken { try await self.refundSubscription(tx, c.message, nowMs: nowMs) }
        }
    }

    /// Claimed but never handed to a sender (the worker is stopping): back to the queue, the claim not counted.
    func release(_ claimed: [ClaimedMessage]) async throws {
        guard !claimed.isEmpty else { return }
        try await write { tx in
            for c in claimed {
                try await tx.sql.exec("""
                    UPDATE outbox_messages SET status = 'deferred', attempts = attempts - 1
                    WHERE id = \(bind: c.message.id) AND status = 'sending' AND attempts = \(bind: c.attempts)
                    """)
            }
        }
    }
}
