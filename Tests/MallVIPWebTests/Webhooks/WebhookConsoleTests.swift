import Foundation
import MallVIPCore
import MallVIPStore
@testable import MallVIPWeb
import SQLKit
import Testing
import Vapor

/// The console page (admins only) and the `mallvip webhooks` commands.
@Suite("Webhook console and CLI")
struct WebhookConsoleTests {
    @Test func onlyAdminsReachTheWebhookPages() async throws {
        try await withTestApp { t in
            for role in [StaffRole.manager, .planner, .desk] {
                let user = try await t.console(as: "u-\(role.rawValue)", role)
                #expect(try await user.get("/console/webhooks").status == .forbidden, "\(role.rawValue) may not see webhooks")
                let dashboard = try await user.get("/console")
                #expect(try await user.post("/console/webhooks", [("url", "https://x.example.com/h"), ("event_points.changed", "1")]).status == .forbidden)
                #expect(!dashboard.contains("/console/webhooks"))
            }
            #expect(try await t.count("webhook_subscriptions") == 0)
        }
    }

    @Test func anAdminCreatesSeesTheSecretOnceReplaysAndDeactivates() async throws {
        try await withTestApp { t in
            let admin = try await t.console(as: "admin", .admin)
            let page = try await admin.get("/console/webhooks")
            #expect(page.status == .ok && page.contains("还没有订阅"))
            #expect(try await admin.get("/console").contains("/console/webhooks"))

            let bad = try await admin.post("/console/webhooks", [("url", "ftp://crm.example.com/h"), ("event_points.changed", "1")])
            #expect(bad.status == .unprocessableEntity && bad.contains("http://"))
            let none = try await admin.post("/console/webhooks", [("url", "https://crm.example.com/h")])
            #expect(none.status == .unprocessableEntity && none.contains("请至少选择一个事件"))

            let created = try await admin.post("/console/webhooks", [("url", "https://crm.example.com/h"), ("description", "CRM"),
                                                                     ("event_points.changed", "1"), ("event_purchase.posted", "1")])
            #expect(created.status == .created)
            let secret = try #require(ConsolePage.firstMatch(#"<code class="secret">(whsec_[0-9a-f]+)</code>"#, in: created.body))
            let sub = try #require(try await t.store.webhookSubscriptions().first)
            #expect(sub.events == [.pointsChanged, .purchasePosted] && sub.url == "https://crm.example.com/h")
            let list = try await admin.get("/console/webhooks")
            #expect(!list.contains(secret) && list.contains("https://crm.example.com/h"))

            // A delivery that failed, shown with its attempts, then replayed from the page.
            try await t.purchase("WC-1", fen: 20_000, phone: "13500000001")
            let sender = FakeWebhookSender(.status(500))
            _ = try await t.store.deliverWebhooks(sender: sender, policy: WebhookRetryPolicy(maxAttempts: 1))
            let row = try #require(try await t.webhookRows().first)
            #expect(row.status == .failed)
            let failed = try await admin.get("/console/webhooks?status=failed")
            #expect(failed.contains("/console/webhooks/deliveries/\(row.id)"))
            #expect(!(try await admin.get("/console/webhooks?status=delivered")).contains("/console/webhooks/deliveries/\(row.id)\""))
            let detail = try await admin.get("/console/webhooks/deliveries/\(row.id)")
            #expect(detail.status == .ok && detail.contains(row.eventId) && detail.contains("HTTP 500"))
            let replayed = try await admin.follow(try await admin.post("/console/webhooks/deliveries/\(row.id)/replay", []))
            #expect(replayed.status == .ok)
            #expect(try await t.webhookRows().first?.status == .pending)
            _ = try await t.store.deliverWebhooks(sender: FakeWebhookSender(), policy: WebhookRetryPolicy(maxAttempts: 1))
            let since = try await admin.follow(try await admin.post("/console/webhooks/\(sub.id)/replay", [("since", "2026-11-01")]))
            #expect(since.contains("1"))
            #expect(try await t.webhookRows().first?.replays == 2)

            let off = try await admin.follow(try await admin.post("/console/webhooks/\(sub.id)/deactivate", []))
            #expect(off.contains("已停用订阅 #\(sub.id)"))
            #expect(try await t.store.webhookSubscriptions().first?.active == false)
            let actions = try await t.store.sql.raw("SELECT action FROM audit_log WHERE action LIKE 'webhook.%' ORDER BY id").all()
                .map { try $0.decode(column: "action", as: String.self) }
            #expect(actions == ["webhook.create", "webhook.replay", "webhook.replay", "webhook.deactivate"])
        }
    }

    @Test func metricsShowDeliveriesByStatus() async throws {
        try await withTestApp { t in
            _ = try await t.subscribe([.purchasePosted])
            try await t.purchase("WM-1", fen: 20_000, phone: "13500000002")
            let res = try await t.app.testing().sendRequest(.GET, "/metrics")
            #expect(res.body.string.contains(#"mallvip_webhook_deliveries{status="pending"} 1"#))
            #expect(res.body.string.contains(#"mallvip_webhook_deliveries{status="delivered"} 0"#))
        }
    }

    @Test("mallvip webhooks create, list, deliver and replay", .timeLimit(.minutes(10)))
    func commandLine() async throws {
        var env = try await KillEnvironment.make()
        env.extraEnvironment["MALLVIP_WEBHOOK_ALLOW_PRIVATE"] = "1"  // the receiver listens on 127.0.0.1
        let receiver = try await WebhookReceiver.start()
        do {
            try await cli(env, receiver)
            await receiver.stop()
            await env.cleanUp(keepFiles: false)
        } catch {
            await receiver.stop()
            await env.cleanUp(keepFiles: true)
            throw error
        }
    }

    private func cli(_ env: KillEnvironment, _ receiver: WebhookReceiver) async throws {
        let badURL = try await env.run(["webhooks", "create", "--url", "ftp://crm.example.com/h", "--events", "points.changed"])
        #expect(badURL.status != 0 && badURL.stderr.contains("http://"), "\(badURL.output)")
        let badEvent = try await env.run(["webhooks", "create", "--url", receiver.url, "--events", "points.changed,points.spent"])
        #expect(badEvent.status != 0 && badEvent.stderr.contains("points.spent"), "\(badEvent.output)")

        let created = try await env.run(["webhooks", "create", "--url", receiver.url, "--events", "member.enrolled, coupon.issued"])
        try #require(created.status == 0, "\(created.output)")
        let secret = try #require(created.stdout.split(whereSeparator: \.isNewline).last.map(String.init))
        #expect(secret.hasPrefix("whsec_") && secret.count == 6 + 64)
        receiver.setSecret(secret)

        let list = try await env.run(["webhooks", "list"])
        #expect(list.status == 0 && list.stdout.contains(receiver.url) && list.stdout.contains("member.enrolled,coupon.issued"), "\(list.output)")
        #expect(!list.stdout.contains(secret))

        // A demo bulk load enrols members: the triggers record them too, and one pass sends them.
        let demo = try await env.run(["demo", "--scale", "0.003"])
        try #require(demo.status == 0, "mallvip demo failed: \(demo.output)")
        let deliver = try await env.run(["webhooks", "deliver"])
        #expect(deliver.status == 0 && deliver.stdout.contains("delivered"), "\(deliver.output)")
        let got = receiver.received
        #expect(!got.isEmpty && got.allSatisfy { $0.signatureValid })
        #expect(Set(got.map(\.event)).isSubset(of: ["member.enrolled", "coupon.issued"]))

        let replay = try await env.run(["webhooks", "replay", "--subscription", "1", "--since", "2000-01-01"])
        #expect(replay.status == 0 && replay.stdout.contains("\(got.count) deliveries"), "\(replay.output)")
        let again = try await env.run(["webhooks", "deliver"])
        #expect(again.status == 0, "\(again.output)")
        #expect(receiver.received.count == 2 * got.count)
        #expect(Set(receiver.received.map(\.delivery)) == Set(got.map(\.delivery)), "a replay sends the same delivery ids")
        let usage = try await env.run(["webhooks", "replay", "--subscription", "1"])
        #expect(usage.status != 0)
    }
}
