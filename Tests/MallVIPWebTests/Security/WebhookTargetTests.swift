import Foundation
import MallVIPCore
@testable import MallVIPStore
@testable import MallVIPWeb
import NIOConcurrencyHelpers
import SQLKit
import Testing
import Vapor

/// Issue 14, finding 7 (SSRF through webhooks): targets must resolve to public addresses only — at creation
/// (console and CLI, a 4xx naming `url`) and again right before each send —, redirects are never followed, and
/// the receivers' answers are neither stored nor shown.
@Suite("Webhook targets (SSRF)")
struct WebhookTargetTests {
    /// One URL per refused address class; the literal forms are resolved by getaddrinfo (no DNS needed).
    static let refused: [(url: String, label: String)] = [
        ("http://127.0.0.1:8080/h", "本机回环地址"),
        ("http://127.1/h", "本机回环地址"),
        ("http://2130706433/h", "本机回环地址"),                      // 127.0.0.1 as one decimal number
        ("http://[::1]/h", "本机回环地址"),
        ("http://localhost:8080/h", "本机回环地址"),
        ("http://api.localhost/h", "本机回环地址"),
        ("http://10.1.2.3/h", "内网地址"),
        ("http://172.16.0.5/h", "内网地址"),
        ("http://192.168.1.10/h", "内网地址"),
        ("http://[fd00::1]/h", "内网地址"),
        ("http://169.254.169.254/latest/meta-data/", "链路本地地址"),
        ("http://[fe80::1]/h", "链路本地地址"),
        ("http://0.0.0.0/h", "未指定地址"),
        ("http://[::]/h", "未指定地址"),
        ("http://100.64.0.1/h", "运营商共享地址"),
        ("http://224.0.0.1/h", "组播地址"),
        ("http://255.255.255.255/h", "广播或保留地址"),
        ("http://[::ffff:127.0.0.1]/h", "本机回环地址"),
        ("http://[::ffff:169.254.169.254]/h", "链路本地地址"),
    ]

    @Test("the console refuses every non-public address class, naming url and the rule; allowed with MALLVIP_WEBHOOK_ALLOW_PRIVATE")
    func consoleRefusesPrivateTargets() async throws {
        try await withTestApp { t in
            let admin = try await t.console(as: "admin", .admin)
            _ = try await admin.get("/console/webhooks")
            for (url, label) in Self.refused {
                let page = try await admin.post("/console/webhooks", [("url", url), ("event_points.changed", "1")])
                #expect(page.status == .unprocessableEntity, "\(url)")
                #expect(page.contains("接收地址（url）") && page.contains(label) && page.contains("MALLVIP_WEBHOOK_ALLOW_PRIVATE=1"),
                        "\(url): \(ConsolePage.firstMatch(#"class="error"[^>]*>([^<]*)"#, in: page.body) ?? "no error shown")")
            }
            let withUser = try await admin.post("/console/webhooks", [("url", "https://user:pw@crm.example.com/h"), ("event_points.changed", "1")])
            #expect(withUser.status == .unprocessableEntity && withUser.contains("不能包含用户名或密码"))
            let gopher = try await admin.post("/console/webhooks", [("url", "gopher://127.0.0.1:25/"), ("event_points.changed", "1")])
            #expect(gopher.status == .unprocessableEntity && gopher.contains("http://"))
            #expect(try await t.count("webhook_subscriptions") == 0)

            // A deployment whose CRM sits inside its network says so.
            t.app.storage[ConfigKey.self]!.webhooks.allowPrivate = true
            let inside = try await admin.post("/console/webhooks", [("url", "http://10.1.2.3/h"), ("event_points.changed", "1")])
            #expect(inside.status == .created)
            #expect(try await t.count("webhook_subscriptions") == 1)
        }
    }

    @Test("every address of a name is checked: one private address among public ones refuses it; a name not resolving yet is accepted, then refused at send")
    func everyAddressCounts() async throws {
        let mixed = WebhookTargetPolicy(resolve: { _ in [ResolvedAddress(bytes: [203, 0, 113, 7]), ResolvedAddress(bytes: [10, 0, 0, 1])] })
        do {
            try await mixed.checkSubscription("https://crm.example.test/h")
            Issue.record("a name with a private address was accepted")
        } catch let e as DomainError {
            #expect(e.field == "url" && e.rule == "webhook.url.private" && e.en.contains("10.0.0.1") && e.en.contains("private-network"))
        }
        let public1 = WebhookTargetPolicy(resolve: { _ in [ResolvedAddress(bytes: [203, 0, 113, 7])] })
        try await public1.checkSubscription("https://crm.example.test/h")
        let target = try await public1.checkBeforeSending("https://crm.example.test:8443/h")
        #expect(target.host == "crm.example.test" && target.port == 8443 && target.pinned == "203.0.113.7")

        let nowhere = WebhookTargetPolicy(resolve: { _ in [] })
        try await nowhere.checkSubscription("https://not-yet.example.test/h")
        await #expect(throws: WebhookTargetRefused.self) { try await nowhere.checkBeforeSending("https://not-yet.example.test/h") }
        await #expect(throws: WebhookTargetRefused.self) {
            try await WebhookTargetPolicy.strict.checkBeforeSending("http://169.254.169.254/latest/meta-data/")
        }
    }

    @Test("mallvip webhooks create refuses a private target naming --url; MALLVIP_WEBHOOK_ALLOW_PRIVATE=1 allows it",
          .timeLimit(.minutes(20)))
    func commandLineRefusesPrivateTargets() async throws {
        var env = try await KillEnvironment.make()
        do {
            let meta = try await env.run(["webhooks", "create", "--url", "http://169.254.169.254/latest/meta-data/", "--events", "points.changed"])
            #expect(meta.status != 0 && meta.stderr.contains("--url") && meta.stderr.contains("link-local"), "\(meta.output)")
            let local = try await env.run(["webhooks", "create", "--url", "http://127.0.0.1:9/h", "--events", "points.changed"])
            #expect(local.status != 0 && local.stderr.contains("loopback") && local.stderr.contains("MALLVIP_WEBHOOK_ALLOW_PRIVATE"), "\(local.output)")
            let list = try await env.run(["webhooks", "list"])
            #expect(list.status == 0 && list.stdout.contains("no webhook subscriptions"), "\(list.output)")
            env.extraEnvironment["MALLVIP_WEBHOOK_ALLOW_PRIVATE"] = "1"
            let allowed = try await env.run(["webhooks", "create", "--url", "http://127.0.0.1:9/h", "--events", "points.changed"])
            #expect(allowed.status == 0, "\(allowed.output)")
            env.extraEnvironment["MALLVIP_WEBHOOK_ALLOW_PRIVATE"] = "yes"
            let bad = try await env.run(["webhooks", "list"])
            #expect(bad.status != 0 && bad.output.contains("MALLVIP_WEBHOOK_ALLOW_PRIVATE must be 0 or 1"), "\(bad.output)")
            await env.cleanUp(keepFiles: false)
        } catch {
            await env.cleanUp(keepFiles: true)
            throw error
        }
    }

    @Test("a subscription stored while private targets were allowed is refused at send time: nothing sent, the reason recorded")
    func refusedAtSendTime() async throws {
        let receiver = try await WebhookReceiver.start()
        do {
            try await withTestApp { t in
                let (_, secret) = try await t.subscribe([.purchasePosted], url: receiver.url)
                receiver.setSecret(secret)
                try await t.purchase("SSRF-1", fen: 20_000, phone: "13500000011")
                // The deployment's own sender, with the default rule (public targets only).
                #expect(t.app.webhookConfig.allowPrivate == false)
                let pass = try await t.app.deliverDueWebhooks()
                #expect(pass.delivered == 0 && pass.retrying == 1)
                #expect(receiver.received.isEmpty, "a refused target got a request")
                let row = try #require(try await t.webhookRows().first)
                #expect(row.status == .pending && row.lastHTTPStatus == nil)
                #expect(row.lastError?.contains("not sent") == true && row.lastError?.contains("loopback") == true, "\(row.lastError ?? "")")
                let attempts = try await t.store.webhookAttempts(deliveryId: row.id)
                #expect(attempts.count == 1 && attempts[0].error?.contains("loopback") == true)
            }
            await receiver.stop()
        } catch {
            await receiver.stop()
            throw error
        }
    }

    @Test("a name that resolved to a public address at creation and to loopback now (DNS rebinding) is refused at send")
    func rebindingIsRefused() async throws {
        let receiver = try await WebhookReceiver.start()
        do {
            try await withTestApp { t in
                let name = "hooks.rebind.example.test"
                let url = "http://\(name):\(receiver.port)/hooks/mallvip"
                let atCreation = WebhookTargetPolicy(resolve: { _ in [ResolvedAddress(bytes: [203, 0, 113, 7])] })
                let (sub, secret) = try await t.store.createWebhook(url: url, events: [.purchasePosted], actor: "test", targets: atCreation)
                receiver.setSecret(secret)
                #expect(sub.url == url)
                try await t.purchase("SSRF-2", fen: 20_000, phone: "13500000012")
                let now = WebhookTargetPolicy(resolve: { _ in [ResolvedAddress(bytes: [127, 0, 0, 1])] })
                let sender = WebhookHTTPSender(eventLoopGroup: t.app.eventLoopGroup, timeout: 2, targets: now)
                let pass = try await t.store.deliverWebhooks(sender: sender, policy: WebhookRetryPolicy(maxAttempts: 1))
                #expect(pass.failed == 1 && pass.delivered == 0)
                #expect(receiver.received.isEmpty)
                let row = try #require(try await t.webhookRows().first)
                #expect(row.status == .failed && row.lastError?.contains("\(name) (127.0.0.1)") == true, "\(row.lastError ?? "")")
            }
            await receiver.stop()
        } catch {
            await receiver.stop()
            throw error
        }
    }

    @Test("a 302 is not followed: the redirect's target gets no request and the attempt fails with a fixed reason")
    func redirectsAreNotFollowed() async throws {
        let recorder = try await TinyHTTPServer.start { _ in (.ok, "recorded") }
        let redirector = try await TinyHTTPServer.start { _ in (.found, "") }
        redirector.location = "http://127.0.0.1:\(recorder.port)/hooks/mallvip"
        do {
            try await withTestApp { t in
                _ = try await t.subscribe([.purchasePosted], url: "http://127.0.0.1:\(redirector.port)/hooks/mallvip")
                try await t.purchase("SSRF-3", fen: 20_000, phone: "13500000013")
                let sender = WebhookHTTPSender(eventLoopGroup: t.app.eventLoopGroup, timeout: 2, targets: WebhookTargetPolicy(allowPrivate: true))
                let pass = try await t.store.deliverWebhooks(sender: sender, policy: WebhookRetryPolicy(maxAttempts: 3))
                #expect(pass.retrying == 1 && pass.delivered == 0)
                #expect(redirector.hits == 1)
                #expect(recorder.hits == 0, "the redirect was followed")
                let row = try #require(try await t.webhookRows().first)
                #expect(row.lastHTTPStatus == 302 && row.lastError?.contains("redirects are not followed") == true, "\(row.lastError ?? "")")
            }
            await recorder.stop(); await redirector.stop()
        } catch {
            await recorder.stop(); await redirector.stop()
            throw error
        }
    }

    @Test("a receiver's answer is never stored nor shown: list, delivery page and database keep the status only")
    func responseBodiesAreNotKept() async throws {
        let marker = "INTERNAL-PAGE-" + UUID().uuidString
        let server = try await TinyHTTPServer.start { _ in (.internalServerError, "<html>\(marker) root:x:0:0</html>") }
        do {
            try await withTestApp { t in
                _ = try await t.subscribe([.purchasePosted], url: "http://127.0.0.1:\(server.port)/hooks/mallvip")
                try await t.purchase("SSRF-4", fen: 20_000, phone: "13500000014")
                let sender = WebhookHTTPSender(eventLoopGroup: t.app.eventLoopGroup, timeout: 2, targets: WebhookTargetPolicy(allowPrivate: true))
                _ = try await t.store.deliverWebhooks(sender: sender, policy: WebhookRetryPolicy(maxAttempts: 1))
                #expect(server.hits == 1)
                let row = try #require(try await t.webhookRows().first)
                #expect(row.status == .failed && row.lastHTTPStatus == 500 && row.lastError == "HTTP 500: the receiver failed")
                let admin = try await t.console(as: "admin", .admin)
                let list = try await admin.get("/console/webhooks?status=failed")
                let detail = try await admin.get("/console/webhooks/deliveries/\(row.id)")
                #expect(list.status == .ok && detail.status == .ok && detail.contains("HTTP 500"))
                #expect(!list.contains(marker) && !detail.contains(marker) && !detail.contains("root:x"))
                for (table, column) in [("webhook_deliveries", "last_error"), ("webhook_attempts", "error")] {
                    let n = try await t.store.sql.raw("SELECT COUNT(*) AS n FROM \(ident: table) WHERE \(ident: column) LIKE \(bind: "%" + marker + "%")")
                        .first()!.decode(column: "n", as: Int.self)
                    #expect(n == 0, "\(table).\(column) keeps the receiver's answer")
                }
            }
            await server.stop()
        } catch {
            await server.stop()
            throw error
        }
    }

    @Test("migration 029 reduces bodies stored by earlier versions to their status line")
    func oldBodiesAreRemoved() async throws {
        try await withTestApp { t in
            _ = try await t.subscribe([.purchasePosted])
            try await t.purchase("SSRF-5", fen: 20_000, phone: "13500000015")
            let id = try #require(try await t.webhookRows().first?.id)
            try await t.store.sql.raw("""
                UPDATE webhook_deliveries SET last_http_status = 500, last_error = 'HTTP 500: <html>secret page</html>' WHERE id = \(bind: id)
                """).run()
            try await t.store.sql.raw("""
                INSERT INTO webhook_attempts (delivery_id, attempt, at_ms, http_status, error, duration_ms)
                VALUES (\(bind: id), 1, 0, 404, 'HTTP 404: not here', 3), (\(bind: id), 2, 0, NULL, 'connection refused', 1)
                """).run()
            try await M029_WebhookResponseBodies().prepare(on: t.app.db)
            #expect(try await t.webhookRows().first?.lastError == "HTTP 500")
            #expect(try await t.store.webhookAttempts(deliveryId: id).map(\.error) == ["HTTP 404", "connection refused"])
        }
    }
}

/// A one-route HTTP server on 127.0.0.1 that counts requests and answers from `reply` (plus `location` when set).
final class TinyHTTPServer: @unchecked Sendable {
    private let count = NIOLockedValueBox(0)
    private let redirect = NIOLockedValueBox<String?>(nil)
    private var app: Application?
    private(set) var port = 0

    var hits: Int { count.withLockedValue { $0 } }
    var location: String? {
        get { redirect.withLockedValue { $0 } }
        set { redirect.withLockedValue { $0 = newValue } }
    }

    static func start(_ reply: @escaping @Sendable (Request) -> (HTTPStatus, String)) async throws -> TinyHTTPServer {
        let s = TinyHTTPServer()
        let app = try await Application.make(Environment(name: "testing", arguments: ["tiny-http"]))
        app.logger.logLevel = .critical
        app.http.server.configuration.hostname = "127.0.0.1"
        app.http.server.configuration.port = 0
        let count = s.count, redirect = s.redirect
        // Any method: a client following a 302 would come back with a GET.
        for method in [HTTPMethod.POST, .GET, .PUT] {
            app.on(method, "hooks", "mallvip", body: .collect(maxSize: "1mb")) { req async throws -> Response in
                count.withLockedValue { $0 += 1 }
                let (status, body) = reply(req)
                var headers = HTTPHeaders()
                if let to = redirect.withLockedValue({ $0 }) { headers.add(name: .location, value: to) }
                return Response(status: status, headers: headers, body: .init(string: body))
            }
        }
        try await app.server.start(address: .hostname("127.0.0.1", port: 0))
        guard let bound = app.http.server.shared.localAddress?.port else {
            try await app.asyncShutdown()
            throw WebhookTestError("the server did not report its port")
        }
        s.port = bound
        s.app = app
        return s
    }

    func stop() async {
        guard let app else { return }
        await app.server.shutdown()
        try? await app.asyncShutdown()
        self.app = nil
    }
}
