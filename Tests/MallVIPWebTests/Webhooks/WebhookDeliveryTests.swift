import Foundation
import MallVIPCore
import MallVIPStore
@testable import MallVIPWeb
import SQLKit
import Testing
import Vapor

/// The delivery worker with a scripted sender: signature, body, retries with doubling backoff, the attempt log,
/// `failed` after the last attempt, replay, and the lease after a stopped worker.
@Suite("Webhook delivery")
struct WebhookDeliveryTests {
    static let policy = WebhookRetryPolicy(maxAttempts: 4, backoffSeconds: 10, maxBackoffSeconds: 3600)

    @Test func aDeliveryIsSignedAndCarriesTheDocumentedBody() async throws {
        try await withTestApp { t in
            let (subId, secret) = try await t.subscribe([.pointsChanged, .purchasePosted], url: "https://crm.example.com/hooks")
            let card = try await t.enrolMember(phone: "13800138000")
            try await t.purchase("SIG-1", fen: 150_000, card: card)
            let sender = FakeWebhookSender()
            let s = try await t.store.deliverWebhooks(sender: sender, policy: Self.policy)
            let rows = try await t.webhookRows()
            #expect(s.delivered == rows.count && rows.allSatisfy { $0.status == .delivered && $0.attempts == 1 })
            #expect(sender.requests.count == rows.count)

            for r in sender.requests {
                #expect(r.url == "https://crm.example.com/hooks")
                #expect(r.header("Content-Type") == "application/json")
                let ts = try #require(r.header("X-MallVIP-Timestamp"))
                #expect(ts == String(Int64(t.clock.now.timeIntervalSince1970)))
                #expect(r.header("X-MallVIP-Signature") == "sha256=" + hmacHex(secret: secret, message: ts + "." + r.body))
                #expect(WebhookSignature.verify(secret: secret, timestamp: ts, body: r.body, signature: r.header("X-MallVIP-Signature")!))
                #expect(!WebhookSignature.verify(secret: secret + "x", timestamp: ts, body: r.body, signature: r.header("X-MallVIP-Signature")!))
                let json = try #require(try JSONSerialization.jsonObject(with: Data(r.body.utf8)) as? [String: Any])
                #expect(json["id"] as? String == r.header("X-MallVIP-Delivery"))
                #expect(json["type"] as? String == r.header("X-MallVIP-Event"))
                #expect((json["occurredAt"] as? String)?.hasSuffix("Z") == true)
                // (The test's qualifying receipt is named after the phone; the phone itself is never sent.)
                #expect(!r.body.replacingOccurrences(of: "ENROL-13800138000", with: "").contains("13800138000"), "no phone number in clear")
            }
            let purchase = try #require(sender.requests.first { $0.header("X-MallVIP-Event") == "purchase.posted" && $0.body.contains("SIG-1") })
            let pj = try #require(try JSONSerialization.jsonObject(with: Data(purchase.body.utf8)) as? [String: Any])
            #expect(pj["receiptNo"] as? String == "SIG-1" && pj["cardNo"] as? String == card)
            #expect((pj["totalFen"] as? NSNumber)?.int64Value == 150_000)
            #expect((pj["pointsEarned"] as? NSNumber)?.int64Value ?? 0 > 0)
            let points = try #require(sender.requests.last { $0.header("X-MallVIP-Event") == "points.changed" })
            let lj = try #require(try JSONSerialization.jsonObject(with: Data(points.body.utf8)) as? [String: Any])
            #expect(lj["cardNo"] as? String == card)
            #expect((lj["balanceAfter"] as? NSNumber)?.int64Value == (try await t.store.lookup(card: card, phone: nil))?.pointsBalance)
            // The stored body is what was sent.
            for r in rows { #expect(sender.requests.contains { $0.header("X-MallVIP-Delivery") == r.eventId && $0.body == r.body }) }
            #expect(try await t.store.webhookSubscriptions().first { $0.id == subId }?.counts[.delivered] == rows.count)
        }
    }

    @Test func failuresBackOffDoublingThenFailAndAReplaySendsTheSameEventAgain() async throws {
        try await withTestApp { t in
            let (_, secret) = try await t.subscribe([.purchasePosted])
            try await t.purchase("BO-1", fen: 20_000, phone: "13800000011")
            let sender = FakeWebhookSender(.status(503))
            sender.script([.unreachable])
            let start = t.clock.now
            var dueTimes: [Date] = []
            for attempt in 1...Self.policy.maxAttempts {
                // Not due before its time: a pass just before it sends nothing.
                if attempt > 1 {
                    let early = try await t.store.deliverWebhooks(now: dueTimes.last!.addingTimeInterval(-1), sender: sender, policy: Self.policy)
                    #expect(early.handled == 0)
                    t.clock.set(dueTimes.last!)
                }
                let s = try await t.store.deliverWebhooks(sender: sender, policy: Self.policy)
                let row = try #require(try await t.webhookRows().first)
                #expect(row.attempts == attempt)
                if attempt < Self.policy.maxAttempts {
                    #expect(s.retrying == 1 && row.status == .pending)
                    dueTimes.append(row.nextAttemptAt)
                } else {
                    #expect(s.failed == 1 && row.status == .failed)
                }
            }
            // Waits of 10, 20, 40 s: each double the one before.
            var previous = start
            var waits: [Double] = []
            for d in dueTimes { waits.append(d.timeIntervalSince(previous)); previous = d }
            #expect(waits == [10, 20, 40])

            let row = try #require(try await t.webhookRows().first)
            #expect(Set(sender.requests.map { $0.header("X-MallVIP-Delivery") }) == [row.eventId], "one event id on every retry")
            #expect(Set(sender.requests.map(\.body)).count == 1, "the same body on every retry")
            let log = try await t.store.webhookAttempts(deliveryId: row.id)
            #expect(log.map(\.attempt) == [1, 2, 3, 4])
            #expect(log.first?.httpStatus == nil && log.first?.error?.contains("connection refused") == true)
            #expect(log.dropFirst().allSatisfy { $0.httpStatus == 503 && $0.error?.hasPrefix("HTTP 503") == true })

            // Nothing more happens to a failed delivery…
            t.clock.advance(86_400)
            #expect(try await t.store.deliverWebhooks(sender: sender, policy: Self.policy).handled == 0)
            // …until it is replayed: same id, attempts from zero, audited.
            try await t.store.replayWebhookDelivery(id: row.id, actor: "test")
            let queued = try #require(try await t.webhookRows().first)
            #expect(queued.status == .pending && queued.attempts == 0 && queued.replays == 1 && queued.eventId == row.eventId)
            await #expect(throws: DomainError.self) { try await t.store.replayWebhookDelivery(id: row.id, actor: "test") }
            let ok = FakeWebhookSender(.status(204))
            #expect(try await t.store.deliverWebhooks(sender: ok, policy: Self.policy).delivered == 1)
            let sent = try #require(ok.requests.first)
            #expect(sent.header("X-MallVIP-Delivery") == row.eventId && sent.body == sender.requests.first?.body)
            #expect(sent.header("X-MallVIP-Signature") == "sha256=" + hmacHex(secret: secret, message: sent.header("X-MallVIP-Timestamp")! + "." + sent.body))
            #expect(try await t.store.webhookAttempts(deliveryId: row.id).count == 5)
            let audited = try await t.store.sql.raw("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'webhook.replay'").first()!
                .decode(column: "n", as: Int.self)
            #expect(audited == 1)
        }
    }

    @Test func replayAllSinceADayQueuesThatSubscriptionsFinishedDeliveries() async throws {
        try await withTestApp(now: shanghai(2026, 11, 20, 10)) { t in
            let (id, _) = try await t.subscribe([.purchasePosted])
            let (other, _) = try await t.subscribe([.purchasePosted], url: "http://127.0.0.1:9/other")
            try await t.purchase("RS-1", fen: 20_000, phone: "13800000012")
            t.clock.set(shanghai(2026, 11, 22, 10))
            try await t.purchase("RS-2", fen: 20_000, phone: "13800000012")
            try await t.purchase("RS-3", fen: 20_000, phone: "13800000012")
            #expect(try await t.store.deliverWebhooks(sender: FakeWebhookSender(), policy: Self.policy).delivered == 6)
            let n = try await t.store.replayWebhooks(subscriptionId: id, since: LocalDate("2026-11-21")!, actor: "test")
            #expect(n == 2)
            let pending = try await t.webhookRows().filter { $0.status == .pending }
            #expect(pending.count == 2 && pending.allSatisfy { $0.subscriptionId == id && $0.replays == 1 })
            let again = FakeWebhookSender()
            #expect(try await t.store.deliverWebhooks(sender: again, policy: Self.policy).delivered == 2)
            #expect(Set(again.requests.compactMap { $0.header("X-MallVIP-Delivery") }) == Set(pending.map(\.eventId)))
            _ = other
        }
    }

    @Test func aDeliveryLeftSendingByAStoppedWorkerGoesAgainAfterTheLeaseWithTheSameId() async throws {
        try await withTestApp { t in
            _ = try await t.subscribe([.purchasePosted])
            try await t.purchase("LS-1", fen: 20_000, phone: "13800000013")
            // A worker that stops mid-POST: the receiver got the request, the outcome was never recorded.
            let stuck = FakeWebhookSender(delay: .seconds(30))
            let worker = Task { try await t.store.deliverWebhooks(sender: stuck, policy: Self.policy, lease: 60) }
            while stuck.requests.isEmpty { try await Task.sleep(for: .milliseconds(10)) }
            #expect(try await t.webhookRows().first?.status == .sending)
            // Another worker does not take it while the lease runs…
            let second = FakeWebhookSender()
            #expect(try await t.store.deliverWebhooks(sender: second, policy: Self.policy, lease: 60).handled == 0)
            worker.cancel()
            _ = try? await worker.value
            #expect(try await t.webhookRows().first?.status == .sending, "a stop mid-send leaves it claimed")
            // …and resends it, same id, once the lease ran out.
            t.clock.advance(61)
            let s = try await t.store.deliverWebhooks(sender: second, policy: Self.policy, lease: 60)
            #expect(s.recovered == 1 && s.delivered == 1)
            #expect(second.requests.first?.header("X-MallVIP-Delivery") == stuck.requests.first?.header("X-MallVIP-Delivery"))
            let row = try #require(try await t.webhookRows().first)
            #expect(row.status == .delivered && row.attempts == 2)
            let log = try await t.store.webhookAttempts(deliveryId: row.id)
            #expect(log.count == 2 && log[0].error?.contains("lease expired") == true && log[1].httpStatus == 200)
        }
    }

    @Test func twoWorkersAtOnceNeverSendTheSameDelivery() async throws {
        try await withTestApp { t in
            _ = try await t.subscribe([.purchasePosted])
            for i in 0..<12 { try await t.purchase("TW-\(i)", fen: 20_000, phone: "13800000014") }
            let a = FakeWebhookSender(delay: .milliseconds(5)), b = FakeWebhookSender(delay: .milliseconds(5))
            async let sa = t.store.deliverWebhooks(limit: 5, sender: a, policy: Self.policy)
            async let sb = t.store.deliverWebhooks(limit: 5, sender: b, policy: Self.policy)
            let (ra, rb) = try await (sa, sb)
            let ids = (a.requests + b.requests).compactMap { $0.header("X-MallVIP-Delivery") }
            #expect(ids.count == ra.delivered + rb.delivered && Set(ids).count == ids.count)
            #expect(ids.count == 10)
        }
    }

    @Test func backoffPolicyDoublesUpToItsCap() {
        let p = WebhookRetryPolicy(maxAttempts: 20, backoffSeconds: 30, maxBackoffSeconds: 600)
        #expect((1...7).map { p.delay(afterAttempts: $0) } == [30, 60, 120, 240, 480, 600, 600])
    }
}
