import Foundation
import MallVIPCore
import MallVIPStore
@testable import MallVIPWeb
import SQLKit
import Testing
import Vapor

/// Signed deliveries over real HTTP to a local receiver that is stopped mid-run and started again on the same
/// port: while it is down deliveries fail and back off; once it is back every event arrives, signed, each under
/// its own stable delivery id.
@Suite("Webhook receiver restart")
struct WebhookReceiverTests {
    @Test("deliveries survive the receiver's restart", .timeLimit(.minutes(20)))
    func deliveriesSurviveTheReceiversRestart() async throws {
        let receiver = try await WebhookReceiver.start()
        do {
            try await scenario(receiver)
            await receiver.stop()
        } catch {
            await receiver.stop()
            throw error
        }
    }

    private func scenario(_ receiver: WebhookReceiver) async throws {
        try await withTestApp { t in
            let (subId, secret) = try await t.subscribe(url: receiver.url)
            receiver.setSecret(secret)
            let policy = WebhookRetryPolicy(maxAttempts: 6, backoffSeconds: 30)
            let sender = WebhookHTTPSender(eventLoopGroup: t.app.eventLoopGroup, timeout: 2, targets: WebhookTargetPolicy(allowPrivate: true))
            func pass() async throws -> WebhookPassSummary {
                try await t.store.deliverWebhooks(sender: sender, policy: policy, lease: 60)
            }

            // Up: the first events arrive.
            let card = try await t.enrolMember(phone: "13700000001")
            let first = try await pass()
            #expect(first.delivered > 0 && first.retrying == 0)
            #expect(receiver.received.count == first.delivered)

            // Down mid-run: a purchase's and a coupon's events cannot be delivered. The first failure backs the
            // whole subscription off: the others wait for the same time without an attempt counted.
            await receiver.stop()
            try await t.purchase("RX-1", fen: 500_000, card: card)
            _ = try await t.issueCoupon(member: try await t.memberId(card: card))
            let down = try await pass()
            #expect(down.delivered == 0 && down.retrying == 1 && down.heldBack >= 2, "\(down)")
            var waiting = try await t.webhookRows().filter { $0.status == .pending }
            #expect(waiting.count == down.retrying + down.heldBack)
            #expect(waiting.allSatisfy { $0.nextAttemptAt == t.clock.now.addingTimeInterval(30) && $0.lastError != nil })
            #expect(waiting.map(\.attempts).sorted() == Array(repeating: 0, count: down.heldBack) + [1])
            t.clock.advance(30)
            let again = try await pass()
            #expect(again.retrying == 1 && again.heldBack == down.heldBack)
            waiting = try await t.webhookRows().filter { $0.status == .pending }
            #expect(waiting.allSatisfy { $0.nextAttemptAt == t.clock.now.addingTimeInterval(60) }, "the wait doubled")
            let tried = try #require(waiting.first { $0.attempts == 2 })

            // Back on the same port: after the backoff every event arrives, signed.
            try await receiver.restart()
            #expect(try await pass().handled == 0, "nothing is sent before its backoff ends")
            t.clock.advance(60)
            let back = try await pass()
            #expect(back.delivered == waiting.count && back.retrying == 0)

            let rows = try await t.webhookRows()
            #expect(rows.allSatisfy { $0.status == .delivered && $0.subscriptionId == subId })
            let got = receiver.received
            #expect(got.allSatisfy { $0.signatureValid }, "every delivery verifies with the secret")
            #expect(Set(got.map(\.delivery)) == Set(rows.map(\.eventId)), "every event arrived")
            #expect(got.count == rows.count, "none twice")
            for r in got {
                #expect(r.json["id"] as? String == r.delivery && r.json["type"] as? String == r.event)
            }
            #expect(Set(got.map(\.event)).isSuperset(of: ["member.enrolled", "purchase.posted", "points.changed", "coupon.issued"]))
            // The log shows both failures and the success of a delivery that waited.
            let log = try await t.store.webhookAttempts(deliveryId: tried.id)
            #expect(log.count == 3 && log[0].httpStatus == nil && log[1].httpStatus == nil && log[2].httpStatus == 204)
        }
    }
}
