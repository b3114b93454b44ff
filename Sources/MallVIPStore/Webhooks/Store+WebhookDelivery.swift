import FluentKit
import Foundation
import MallVIPCore
import SQLKit

/// What one pass of the webhook worker did.
public struct WebhookPassSummary: Sendable, Equatable {
    public var delivered = 0
    /// Failed this time, waiting for a retry with backoff.
    public var retrying = 0
    /// Failed for the last allowed time.
    public var failed = 0
    /// Left `sending` by a worker that stopped mid-send (lease expired), queued again under the same event id.
    public var recovered = 0
    /// Not tried this pass because their receiver had just failed to answer: they wait for its retry time
    /// without an attempt counted against them.
    public var heldBack = 0
    public init() {}

    public mutating func add(_ o: WebhookPassSummary) {
        delivered += o.delivered
        retrying += o.retrying
        failed += o.failed
        recovered += o.recovered
        heldBack += o.heldBack
    }

    public var handled: Int { delivered + retrying + failed }
    public var line: String {
        "webhooks: \(delivered) delivered, \(retrying) to retry, \(failed) failed"
            + (heldBack > 0 ? ", \(heldBack) held back behind a receiver that did not answer" : "")
            + (recovered > 0 ? ", \(recovered) recovered after a stopped worker" : "")
    }
}

/// A delivery claimed by this worker; `attempts` after the claim fences the final update, so a worker whose lease
/// ran out cannot overwrite the outcome recorded by the worker that took the delivery over.
struct ClaimedWebhook: Sendable {
    var row: WebhookDeliveryRow
    var url: String
    /// Nil when it cannot be decrypted (MALLVIP_DATA_KEY changed): the delivery fails with that reason, unsent.
    var secret: String?
}

extension Store {
    /// A delivery left `sending` longer than this is taken for lost by a stopped worker and sent again.
    public static let webhookLeaseSeconds: TimeInterval = 60

    /// Sends the deliveries due now (at most `limit`): claims them (conditional update, `FOR UPDATE SKIP LOCKED` on
    /// PostgreSQL, so two workers never send one at once), signs and POSTs each, logs every attempt, and records
    /// the outcome: `delivered` on 2xx; otherwise another try after the policy's doubling backoff, `failed` after
    /// the last allowed attempt.
    public func deliverWebhooks(now: Date? = nil, limit: Int = 50, sender: any WebhookSender,
                                policy: WebhookRetryPolicy = WebhookRetryPolicy(),
                                lease: TimeInterval = Store.webhookLeaseSeconds) async throws -> WebhookPassSummary {
        // A pass given a time keeps it (tests); otherwise each step reads the clock afresh.
        let fixed = now
        func clock() -> Date { fixed ?? self.now }
        var (claimed, summary) = try await claimWebhooks(now: clock(), limit: limit, lease: lease)
        guard !claimed.isEmpty else { return summary }
        let programme = try await programme().1
        // The body is built once and kept before the first send: retries, a resend after a crash and replays
        // all carry the same bytes.
        var built: [(Int64, String)] = []
        for i in claimed.indices where claimed[i].row.body == nil {
            let body = try await webhookBody(claimed[i].row, programme: programme)
            claimed[i].row.body = body
            built.append((claimed[i].row.id, body))
        }
        if !built.isEmpty {
            let toStore = built
            try await write { tx in
                for (id, body) in toStore {
                    try await tx.sql.exec("UPDATE webhook_deliveries SET body_json = \(bind: body) WHERE id = \(bind: id) AND body_json IS NULL")
                }
            }
        }
        // A receiver that is down (no answer, 429, 502–504) is not hammered: after its first failure in a pass, its
        // other deliveries wait for the same retry time, uncounted, so the subscription as a whole backs off.
        var down: [Int64: Date] = [:]
        for (i, c) in claimed.enumerated() {
            if let until = down[c.row.subscriptionId] {
                if try await holdBackWebhook(c, until: until) { summary.heldBack += 1 }
                continue
            }
            if Task.isCancelled {
                try? await releaseWebhooks(Array(claimed[i...]))
                throw CancellationError()
            }
            // The lease runs from the moment of sending, not of the claim: a long queue in this pass is not
            // taken for a stopped worker. Another worker that took the delivery over meanwhile wins.
            let now = clock()
            guard try await touchWebhook(c, now: now) else { continue }
            let body = c.row.body ?? ""
            let timestamp = Int64(now.timeIntervalSince1970)
            guard let secret = c.secret else {
                let final = c.row.attempts >= policy.maxAttempts
                if try await recordWebhookAttempt(c, outcome: final ? .failed : .pending, httpStatus: nil,
                                                  error: "the signing secret cannot be decrypted: MALLVIP_DATA_KEY is not the key it was stored with",
                                                  durationMs: 0, next: now.addingTimeInterval(policy.delay(afterAttempts: c.row.attempts)), now: now) {
                    if final { summary.failed += 1 } else { summary.retrying += 1 }
                }
                down[c.row.subscriptionId] = now.addingTimeInterval(policy.delay(afterAttempts: c.row.attempts))
                continue
            }
            let request = WebhookRequest(url: c.url, headers: [
                ("Content-Type", "application/json"),
                ("User-Agent", "MallVIP-Webhooks/1"),
                ("X-MallVIP-Event", c.row.event.rawValue),
                ("X-MallVIP-Delivery", c.row.eventId),
                ("X-MallVIP-Timestamp", String(timestamp)),
                ("X-MallVIP-Signature", WebhookSignature.sign(secret: secret, timestamp: timestamp, body: body)),
            ], body: body)
            let start = ContinuousClock.now
            var status: Int?
            var error: String?
            do {
                let response = try await sender.send(request)
                status = response.status
                if !(200..<300).contains(response.status) { error = WebhookResponse.failureReason(status: response.status) }
            } catch is CancellationError {
                // Stopping mid-send: the receiver may have it. It stays `sending` and goes again after the lease
                // under the same delivery id, which receivers de-duplicate.
                try? await releaseWebhooks(Array(claimed[(i + 1)...]))
                throw CancellationError()
            } catch let e as WebhookTargetRefused {
                error = String(e.reason.prefix(300))
            } catch let e {
                // The client's own error (refused, timed out, TLS), never text from the receiver.
                error = String(String(describing: e).prefix(300))
            }
            let elapsed = ContinuousClock.now - start
            let durationMs = elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000
            let outcome: WebhookDeliveryStatus = error == nil ? .delivered : (c.row.attempts >= policy.maxAttempts ? .failed : .pending)
            let recorded = try await recordWebhookAttempt(c, outcome: outcome, httpStatus: status, error: error, durationMs: durationMs,
                                                          next: now.addingTimeInterval(policy.delay(afterAttempts: c.row.attempts)), now: now)
            if outcome != .delivered, status == nil || [429, 502, 503, 504].contains(status!) {
                down[c.row.subscriptionId] = outcome == .pending ? now.addingTimeInterval(policy.delay(afterAttempts: c.row.attempts))
                                                                 : now.addingTimeInterval(policy.backoffSeconds)
            }
            guard recorded else { continue }
            switch outcome {
            case .delivered: summary.delivered += 1
            case .failed: summary.failed += 1
            default: summary.retrying += 1
            }
        }
        return summary
    }

    /// One transaction: put back deliveries whose worker stopped mid-send (the lost attempt is logged), then claim
    /// the due ones of active subscriptions, oldest first.
    func claimWebhooks(now: Date, limit: Int, lease: TimeInterval) async throws -> ([ClaimedWebhook], WebhookPassSummary) {
        let nowMs = epochMillis(now)
        let (claimedRows, recovered): ([WebhookDeliveryRow], Int) = try await write { tx in
            let sql = tx.sql
            let lost = try await sql.rows("""
                UPDATE webhook_deliveries SET status = 'pending', next_attempt_at_ms = \(bind: nowMs),
                  last_error = 'lease expired: the worker stopped while sending'
                WHERE status = 'sending' AND claimed_at_ms <= \(bind: nowMs - Int64(lease * 1000))
                RETURNING id, attempts, claimed_at_ms
                """)
            for r in lost {
                try await sql.exec("""
                    INSERT INTO webhook_attempts (delivery_id, attempt, at_ms, http_status, error, duration_ms)
                    VALUES (\(bind: try r.int64("id")), \(bind: try r.int("attempts")), \(bind: try r.optInt64("claimed_at_ms") ?? nowMs),
                      NULL, 'no outcome recorded: the worker stopped while sending (lease expired)', 0)
                    """)
            }
            guard limit > 0 else { return ([], lost.count) }
            let skipLocked = sql.storeDialect.forUpdateSkipLocked
            let ids = try await sql.rows("""
                SELECT id FROM webhook_deliveries
                WHERE status = 'pending' AND next_attempt_at_ms <= \(bind: nowMs)
                  AND subscription_id IN (SELECT id FROM webhook_subscriptions WHERE active)
                ORDER BY next_attempt_at_ms, id LIMIT \(unsafeRaw: String(limit))\(unsafeRaw: skipLocked)
                """).map { try $0.int64("id") }
            guard !ids.isEmpty else { return ([], lost.count) }
            let rows = try await sql.rows("""
                UPDATE webhook_deliveries SET status = 'sending', attempts = attempts + 1, claimed_at_ms = \(bind: nowMs)
                WHERE id IN \(list: ids) AND status = 'pending'
                RETURNING id, subscription_id, event_id, event_type, subject_table, subject_id, member_id, occurred_at_ms,
                  attempts, body_json
                """)
            return (try rows.map { r in
                WebhookDeliveryRow(id: try r.int64("id"), subscriptionId: try r.int64("subscription_id"),
                                   eventId: try r.string("event_id"),
                                   event: WebhookEvent(rawValue: try r.string("event_type")) ?? .memberUpdated,
                                   subjectTable: try r.string("subject_table"), subjectId: try r.int64("subject_id"),
                                   memberId: try r.optInt64("member_id"), occurredAtMs: try r.int64("occurred_at_ms"),
                                   attempts: try r.int("attempts"), body: try r.optString("body_json"))
            }, lost.count)
        }
        var summary = WebhookPassSummary()
        summary.recovered = recovered
        guard !claimedRows.isEmpty else { return ([], summary) }
        let subIds = Array(Set(claimedRows.map(\.subscriptionId))).sorted()
        var targets: [Int64: (url: String, secret: String?)] = [:]
        for r in try await sql.rows("SELECT id, url, secret_cipher FROM webhook_subscriptions WHERE id IN \(list: subIds)") {
            targets[try r.int64("id")] = (try r.string("url"), try? env.cipher.decrypt(try r.string("secret_cipher")))
        }
        var out: [ClaimedWebhook] = []
        for row in claimedRows {
            guard let t = targets[row.subscriptionId] else { continue }
            out.append(ClaimedWebhook(row: row, url: t.url, secret: t.secret))
        }
        return (out.sorted { $0.row.id < $1.row.id }, summary)
    }

    func touchWebhook(_ c: ClaimedWebhook, now: Date) async throws -> Bool {
        try await write { tx in
            try await tx.sql.rows("""
                UPDATE webhook_deliveries SET claimed_at_ms = \(bind: epochMillis(now))
                WHERE id = \(bind: c.row.id) AND status = 'sending' AND attempts = \(bind: c.row.attempts) RETURNING id
                """).count == 1
        }
    }

    /// The attempt goes to the log and the outcome onto the delivery, in one transaction, only if this worker
    /// still holds the claim.
    func recordWebhookAttempt(_ c: ClaimedWebhook, outcome: WebhookDeliveryStatus, httpStatus: Int?, error: String?,
                              durationMs: Int64, next: Date, now: Date) async throws -> Bool {
        let nowMs = epochMillis(now)
        return try await write { tx in
            let updated = try await tx.sql.rows("""
                UPDATE webhook_deliveries SET status = \(bind: outcome.rawValue), last_http_status = \(bind: httpStatus),
                  last_error = \(bind: error), next_attempt_at_ms = \(bind: outcome == .pending ? epochMillis(next) : nowMs),
                  delivered_at_ms = \(bind: outcome == .delivered ? nowMs : nil)
                WHERE id = \(bind: c.row.id) AND status = 'sending' AND attempts = \(bind: c.row.attempts) RETURNING id
                """)
            try await tx.sql.exec("""
                INSERT INTO webhook_attempts (delivery_id, attempt, at_ms, http_status, error, duration_ms)
                VALUES (\(bind: c.row.id), \(bind: c.row.attempts), \(bind: nowMs), \(bind: httpStatus), \(bind: error), \(bind: durationMs))
                """)
            return updated.count == 1
        }
    }

    func holdBackWebhook(_ c: ClaimedWebhook, until: Date) async throws -> Bool {
        try await write { tx in
            try await tx.sql.rows("""
                UPDATE webhook_deliveries SET status = 'pending', attempts = attempts - 1, next_attempt_at_ms = \(bind: epochMillis(until)),
                  last_error = 'held back: the receiver did not answer an earlier delivery'
                WHERE id = \(bind: c.row.id) AND status = 'sending' AND attempts = \(bind: c.row.attempts) RETURNING id
                """).count == 1
        }
    }

    /// Claimed but never sent (the worker is stopping): back to the queue, the claim not counted.
    func releaseWebhooks(_ claimed: [ClaimedWebhook]) async throws {
        guard !claimed.isEmpty else { return }
        try await write { tx in
            for c in claimed {
                try await tx.sql.exec("""
                    UPDATE webhook_deliveries SET status = 'pending', attempts = attempts - 1
                    WHERE id = \(bind: c.row.id) AND status = 'sending' AND attempts = \(bind: c.row.attempts)
                    """)
            }
        }
    }
}
