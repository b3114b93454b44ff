import Foundation
import MallVIPCore
import MallVIPStore
@testable import MallVIPWeb
import SQLKit
import Testing
import Vapor

#if canImport(Glibc)
import Glibc
#endif

/// Webhooks across a real crash: `mallvip serve` delivers to a slow local receiver, is SIGKILLed mid-delivery and
/// started again. Every event must arrive, signed; only the one whose POST was in flight at the kill may arrive
/// twice, under the same delivery id.
@Suite("Webhook serve SIGKILL and restart")
struct WebhookKillTests {
    static let purchases = 24

    @Test("serve killed mid-delivery and restarted: every webhook arrives, only the one in flight twice, same id",
          .timeLimit(.minutes(20)))
    func webhooksSurviveKill() async throws {
        let receiver = try await WebhookReceiver.start(delay: .milliseconds(150))
        do {
            try await scenario(receiver)
            await receiver.stop()
        } catch {
            await receiver.stop()
            throw error
        }
    }

    private func scenario(_ receiver: WebhookReceiver) async throws {
        try await withTestApp(now: Date()) { t in
            let (_, secret) = try await t.subscribe([.purchasePosted], url: receiver.url)
            receiver.setSecret(secret)
            for i in 0..<Self.purchases { try await t.purchase("WK-\(i)", fen: 10_000 + Int64(i), phone: "13600000001") }
            let ids = Set(try await t.webhookRows().map(\.eventId))
            #expect(ids.count == Self.purchases)

            let env = try KillEnvironment.beside(t, tag: "webhook-kill", extraEnvironment: [
                "MALLVIP_WEBHOOK_INTERVAL": "0.5", "MALLVIP_WEBHOOK_LEASE": "12", "MALLVIP_WEBHOOK_BACKOFF": "1",
                // A call's timeout well above a loaded machine's answer time: a timed-out call is retried, and a
                // retry is a repeat this test counts (2 s repeated deliveries under a full CI run).
                "MALLVIP_WEBHOOK_TIMEOUT": "10", "MALLVIP_WEBHOOK_ALLOW_PRIVATE": "1", "MALLVIP_OUTBOX_INTERVAL": "3600", "MALLVIP_DB_POOL": "2",
                // The test app's key: serve must decrypt the secret it stored.
                "MALLVIP_DATA_KEY": Data("test-key-0123456789-0123456789-01".utf8).base64EncodedString()])
            defer { try? FileManager.default.removeItem(at: env.dir) }
            let atKill = try await killMidway(
                env: env, started: ("a third of the webhooks did not arrive", 30),
                finished: ("not every webhook was delivered after the restart", 60),
                progress: { receiver.received.count }, atLeast: Self.purchases / 3,
                done: { try await t.webhookRows().allSatisfy { $0.status == .delivered } })
            #expect(atKill < Self.purchases, "everything arrived before the kill; nothing was tested mid-delivery")

            let got = receiver.received
            print("webhook kill test: \(atKill)/\(Self.purchases) at the kill, \(got.count) POSTs received in all")
            #expect(got.allSatisfy { $0.signatureValid }, "every delivery is signed with the subscription's secret")
            #expect(Set(got.map(\.delivery)) == ids, "every event arrived")
            var times: [String: Int] = [:]
            for r in got { times[r.delivery, default: 0] += 1 }
            let repeated = times.filter { $0.value > 1 }
            #expect(repeated.count <= 1 && repeated.values.allSatisfy { $0 == 2 },
                    "only the POST in flight at the kill may be repeated, once: \(repeated)")
            // A repeat carries the same body: receivers can de-duplicate on the delivery id alone.
            for (id, _) in repeated {
                #expect(Set(got.filter { $0.delivery == id }.map(\.body)).count == 1)
            }
        }
    }
}
