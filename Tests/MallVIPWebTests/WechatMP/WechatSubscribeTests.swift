import Foundation
import Logging
import MallVIPCore
import MallVIPStore
@testable import MallVIPWeb
import NIOConcurrencyHelpers
import SQLKit
import Testing
import VaporTesting

/// Subscription messages (issue 22c): counted consent, the wechat outbox channel against the simulator, fallback
/// to SMS, exactly-once after a crash, quiet hours, costs; and the lead's access-token cache.
@Suite("WeChat subscription messages", .serialized) struct WechatSubscribeTests {
    static let appid = "wxsubscribe0000000001"
    static let secret = "SubscribeSecret0123456789abcdef"
    static let template = "TPL-points-expiring-01"

    @Test("accept twice → two WeChat messages; the third goes by SMS, with where it was meant to go and why")
    func acceptTwiceThirdBySMS() async throws {
        try await withSubscribe { w in
            let m = try await w.member(openid: "o-member-1", wechatAccepts: 2)
            _ = try await w.t.enqueue((1...3).map { w.draft(m, period: "p\($0)") })
            let s = try await w.t.store.deliverDue(sender: w.senders)
            #expect(s.sent == 3 && s.failed == 0)
            #expect(w.sim.deliveredSubscribeMessages.count == 2 && w.sms.sent.count == 1)
            #expect(w.sim.subscriptionsLeft(openid: "o-member-1", templateId: Self.template) == 0)
            let rows = try await w.rows()
            #expect(rows.map(\.channel) == ["wechat", "wechat", "sms"])
            #expect(rows[2].fallbackFrom == "wechat" && rows[2].fallbackReason?.contains("no subscription left") == true)
            #expect(rows[0].to == "o-member-1" && rows[2].to == w.sms.sent[0].to)
            #expect(try await w.t.store.wechatSubscriptions(memberId: m).map(\.remaining) == [0])
            // The data as WeChat requires it: thing ≤ 20 characters, time "2026年11月25日 10:00".
            let data = try #require(w.sim.deliveredSubscribeMessages.first?.data)
            #expect(data["time3"] == "2026年11月25日 10:00" && (data["thing2"]?.count ?? 99) <= 20 && data["thing2"]?.hasSuffix("…") == true)
            // A member with no bound openid goes by SMS at once.
            let n = try await w.t.messagingMember(phone: "13800000099")
            _ = try await w.t.enqueue([w.draft(n)])
            #expect(try await w.t.store.deliverDue(sender: w.senders).sent == 1)
            #expect(try await w.rows().last?.fallbackReason?.contains("openid") == true)
        }
    }

    @Test("WeChat answers 43101 (subscription cancelled in WeChat) → count 0 and the message goes by SMS on the next pass")
    func refused43101() async throws {
        try await withSubscribe { w in
            let m = try await w.member(openid: "o-member-2", wechatAccepts: 1, simulatorAccepts: 0)
            _ = try await w.t.enqueue([w.draft(m)])
            let s = try await w.t.store.deliverDue(sender: w.senders)
            #expect(s.fellBack == 1 && s.sent == 0)
            #expect(try await w.t.store.wechatSubscriptions(memberId: m).first?.remaining == 0)
            #expect(try await w.t.store.wechatSubscriptions(memberId: m).first?.lastResult == "43101")
            #expect(try await w.t.store.deliverDue(sender: w.senders).sent == 1)
            let row = try #require(try await w.rows().first)
            #expect(row.channel == "sms" && row.status == "sent" && row.fallbackReason?.contains("43101") == true)
            #expect(w.sms.sent.count == 1 && w.sim.deliveredSubscribeMessages.isEmpty)
        }
    }

    @Test("killed between WeChat's answer and marking sent: never sent twice, never spent twice (at most once)")
    func crashBetweenSendAndMark() async throws {
        try await withSubscribe { w in
            let m = try await w.member(openid: "o-member-3", wechatAccepts: 3)
            _ = try await w.t.enqueue([w.draft(m)])
            let dying = DyingAfterSend(inner: w.wechat)
            await #expect(throws: CancellationError.self) {
                try await w.t.store.deliverDue(sender: ChannelSenders([.wechat: dying, .sms: w.sms]))
            }
            #expect(w.sim.deliveredSubscribeMessages.count == 1)
            #expect(try await w.rows().first?.status == "sending")
            w.t.clock.advance(Store.sendingLeaseSeconds + 1)
            let s = try await w.t.store.deliverDue(sender: w.senders)
            #expect(s.sent == 0 && s.failed == 1)
            let row = try #require(try await w.rows().first)
            #expect(row.status == "failed" && row.lastError?.contains("outcome unknown") == true)
            #expect(w.sim.deliveredSubscribeMessages.count == 1 && w.sms.sent.isEmpty)
            #expect(try await w.t.store.wechatSubscriptions(memberId: m).first?.remaining == 2)   // spent once
            #expect(w.sim.subscriptionsLeft(openid: "o-member-3", templateId: Self.template) == 2)
        }
    }

    @Test("busy (−1) and 45009 retry with backoff spending one subscription; 40003 fails at once and gives it back")
    func transientAndPermanent() async throws {
        try await withSubscribe { w in
            let m = try await w.member(openid: "o-member-4", wechatAccepts: 2)
            _ = try await w.t.enqueue([w.draft(m)])
            w.sim.failNext("/cgi-bin/message/subscribe/send", code: -1)
            w.sim.failNext("/cgi-bin/message/subscribe/send", code: 45009)
            #expect(try await w.t.store.deliverDue(sender: w.senders).retrying == 1)
            w.t.clock.advance(60)
            #expect(try await w.t.store.deliverDue(sender: w.senders).retrying == 1)
            w.t.clock.advance(120)
            #expect(try await w.t.store.deliverDue(sender: w.senders).sent == 1)
            #expect(try await w.t.store.wechatSubscriptions(memberId: m).first?.remaining == 1)
            _ = try await w.t.enqueue([w.draft(m, period: "again")])
            w.sim.failNext("/cgi-bin/message/subscribe/send", code: 40003)
            #expect(try await w.t.store.deliverDue(sender: w.senders).failed == 1)
            #expect(try await w.t.store.wechatSubscriptions(memberId: m).first?.remaining == 1)
            #expect(try await w.rows().last?.lastError?.contains("40003") == true)
        }
    }

    @Test("quiet hours hold WeChat messages like SMS; sent at 09:00")
    func quietHours() async throws {
        try await withSubscribe(now: shanghai(2026, 11, 25, 21, 30)) { w in
            let m = try await w.member(openid: "o-member-5", wechatAccepts: 1)
            _ = try await w.t.enqueue([w.draft(m)])
            #expect(try await w.t.store.deliverDue(sender: w.senders).quietDeferred == 1)
            #expect(w.sim.deliveredSubscribeMessages.isEmpty)
            w.t.clock.set(shanghai(2026, 11, 26, 9))
            #expect(try await w.t.store.deliverDue(sender: w.senders).sent == 1)
            #expect(w.sim.deliveredSubscribeMessages.count == 1)
        }
    }

    @Test("costs: messaging.wechatCost per message sent (0 by default) in the cost roll-up")
    func costs() async throws {
        try await withSubscribe(programme: programmeYAML(replacing: [("  callCost: 0", "  callCost: 0\n  wechatCost: 0.02")])) { w in
            let m = try await w.member(openid: "o-member-6", wechatAccepts: 2)
            _ = try await w.t.enqueue([w.draft(m, period: "a"), w.draft(m, period: "b")])
            #expect(try await w.t.store.deliverDue(sender: w.senders).sent == 2)
            #expect(try await w.rows().map(\.costFen) == [2, 2])
            let report = try await w.t.store.messageCosts(month: LocalDate(year: 2026, month: 11, day: 1), history: 1)
            #expect(report.totalFen == 4)
        }
        try await withSubscribe { w in
            let policy = try await w.t.store.programme().1.messaging
            #expect(policy.wechatCostFen == 0 && policy.costFen(.wechat) == 0)
        }
    }

    @Test("POST /api/m/v1/subscriptions: accepts counted per template, others remembered, unknown ones ignored, bad values 400")
    func subscriptionsAPI() async throws {
        try await withSubscribe { w in
            let m = try await w.member(openid: "o-member-7", wechatAccepts: 0)
            let token = "session-token-subscribe-7"
            try await w.t.store.startMemberSession(memberId: m, tokenHash: sha256Hex(token), csrf: "c", ttl: 3600)
            func post(_ json: String, token: String? = token) async throws -> (HTTPStatus, [String: Any]) {
                var out: (HTTPStatus, [String: Any]) = (.internalServerError, [:])
                var headers: HTTPHeaders = ["Content-Type": "application/json"]
                if let token { headers.bearerAuthorization = BearerAuthorization(token: token) }
                try await w.t.app.testing().test(.POST, "/api/m/v1/subscriptions", headers: headers, body: ByteBuffer(string: json)) { res in
                    out = (res.status, (try? JSONSerialization.jsonObject(with: Data(res.body.string.utf8))) as? [String: Any] ?? [:])
                }
                return out
            }
            let body = "{\"results\": {\"\(Self.template)\": \"accept\", \"OTHER\": \"accept\"}}"
            var (status, json) = try await post(body)
            #expect(status == .ok && json["ignored"] as? [String] == ["OTHER"])
            (status, json) = try await post(body)
            let subs = json["subscriptions"] as? [[String: Any]]
            #expect(subs?.first?["remaining"] as? Int == 2)
            (status, _) = try await post("{\"results\": {\"\(Self.template)\": \"reject\"}}")
            let afterReject = try await w.t.store.wechatSubscriptions(memberId: m).first?.remaining
            #expect(status == .ok && afterReject == 2)
            (status, json) = try await post("{\"results\": {\"\(Self.template)\": \"yes\"}}")
            #expect(status == .badRequest && "\(json)".contains("results.\(Self.template)"))
            (status, _) = try await post(body, token: nil)
            #expect(status == .unauthorized)
        }
    }

    @Test("a journey and a campaign with channel wechat: subscribed members get WeChat, the others SMS; the weekly cap counts")
    func journeyAndCampaign() async throws {
        try await withSubscribe { w in
            try await w.t.enableJourney(.welcome, channel: .wechat)
            w.t.clock.set(shanghai(2026, 11, 25, 10))
            let subscribed = try await w.member(openid: "o-journey-1", wechatAccepts: 1)
            let plain = try await w.t.messagingMember(phone: "13800000077")
            let run = try await w.t.runJourneys("2026-11-25", hour: 11)
            #expect(run.result(.welcome)?.queued == 2)
            #expect(try await w.t.store.deliverDue(sender: w.senders).sent == 2)
            #expect(w.sim.deliveredSubscribeMessages.map(\.openid) == ["o-journey-1"])
            #expect(w.sms.sent.map(\.memberId) == [plain])
            // Campaign messages (marketing) by WeChat: the weekly cap (2) holds them as any channel.
            let drafts = (1...3).map { i in
                OutboxDraft(memberId: subscribed, channel: .wechat, purpose: .marketing, source: .campaign, sourceCode: "campaign:\(i)",
                            periodKey: "c\(i)", body: "双十二会员专享", campaignId: Int64(i))
            }
            let r = try await w.t.enqueue(drafts)
            #expect(r.queued == 2 && r.refused == 1)
        }
    }

    @Test("config: WeChat's value rules checked at load, errors name the field")
    func configRules() throws {
        let reader = WechatConfigReader(path: "/tmp/wechat.json", env: [:])
        func parse(_ fields: [String: Any]) throws -> WechatSubscribeConfig {
            try WechatSubscribeConfig.parse(["templates": [["templateId": "T1", "purposes": ["service"], "fields": fields]]],
                                            at: "malls[0].subscribe", reader: reader)
        }
        let ok = try parse(["thing1": "{title}", "time2": "{time}", "number3": "100", "phrase4": "已到账"])
        #expect(ok.template(purpose: .service, templateCode: nil)?.fields.count == 4)
        #expect(ok.template(purpose: .marketing, templateCode: nil) == nil)
        func problem(_ fields: [String: Any]) -> String {
            do { _ = try parse(fields); return "" } catch { return "\(error)" }
        }
        #expect(problem(["thing1": "一二三四五六七八九十一二三四五六七八九十一"]).contains("malls[0].subscribe.templates[0].fields.thing1"))
        #expect(problem(["time2": "{body}"]).contains("fields.time2"))
        #expect(problem(["number3": "{body}"]).contains("fields.number3"))
        #expect(problem(["bogus": "x"]).contains("fields.bogus"))
        #expect(problem(["thing1": "{nope}"]).contains("unknown placeholder"))
        #expect(SubscribeValueKind.thing.fit(String(repeating: "积", count: 30)).count == 20)
    }

    @Test("end to end: a running `mallvip serve` (config file, secret file) sends a queued WeChat message; its log holds no secret",
          .timeLimit(.minutes(10)))
    func throughServe() async throws {
        let yaml = programmeYAML(replacing: [(#"quietHours: {from: "21:00", to: "09:00"}"#, #"quietHours: {from: "00:00", to: "00:00"}"#)])
        try await withSubscribe(now: Date(), programme: yaml) { w in
            let m = try await w.member(openid: "o-serve-1", wechatAccepts: 1)
            _ = try await w.t.enqueue([w.draft(m)])
            let configDir = FileManager.default.temporaryDirectory.appendingPathComponent("mallvip-wechat-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: configDir, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: configDir) }
            try Data(Self.secret.utf8).write(to: configDir.appendingPathComponent("mp.secret"))
            let config: [String: Any] = ["apiBase": w.sim.base, "malls": [[
                "mall": "MAIN", "miniProgram": ["appid": Self.appid, "secretFile": "mp.secret"],
                "subscribe": ["templates": [["templateId": Self.template, "templateCodes": ["points_expiring"], "purposes": ["service"],
                                             "page": "pages/card/index", "fields": ["thing1": "{purpose}", "thing2": "{body}", "time3": "{time}"]]]],
            ]]]
            let configFile = configDir.appendingPathComponent("wechat.json")
            try JSONSerialization.data(withJSONObject: config).write(to: configFile)
            let env = try KillEnvironment.beside(w.t, tag: "wechat-serve", extraEnvironment: [
                "MALLVIP_WECHAT_CONFIG": configFile.path, "MALLVIP_OUTBOX_INTERVAL": "1", "MALLVIP_DB_POOL": "2"])
            defer { try? FileManager.default.removeItem(at: env.dir) }
            let servers = KillServers()
            defer { servers.killAll() }
            let port = try #require(TestNet.freePort(), "no free TCP port")
            try await servers.start(env: env, port: port, generation: 1)
            let deadline = ContinuousClock.now + .seconds(120)
            while try await w.rows().first?.status != "sent" {
                guard ContinuousClock.now < deadline, servers.isRunning else {
                    env.printLogs()
                    Issue.record("serve did not send the WeChat message")
                    return
                }
                try await Task.sleep(for: .milliseconds(100))
            }
            servers.killAll(signal: SIGTERM)
            try await servers.waitForExit()
            #expect(w.sim.deliveredSubscribeMessages.map(\.openid) == ["o-serve-1"])
            #expect(w.sim.calls("/cgi-bin/stable_token").count == 1)
            let token = try #require(w.sim.calls("/cgi-bin/message/subscribe/send").first?.query["access_token"])
            let log = (try? String(contentsOf: env.dir.appendingPathComponent("serve-1.log"), encoding: .utf8)) ?? ""
            #expect(!log.isEmpty && !log.contains(Self.secret) && !log.contains(token))
        }
    }

    // MARK: the access-token cache (lead's WechatAccessTokens)

    @Test("20 concurrent callers → one stable_token fetch, one token")
    func tokenOneFetch() async throws {
        try await withSubscribe { w in
            let app = WechatAppCredentials(appid: Self.appid, secret: Self.secret)
            let tokens = WechatAccessTokens(client: w.services.api)
            let got = try await withThrowingTaskGroup(of: String.self) { g in
                for _ in 0..<20 { g.addTask { try await tokens.token(for: app) } }
                return try await g.reduce(into: Set<String>()) { $0.insert($1) }
            }
            #expect(got.count == 1 && w.sim.tokenFetches == 1 && w.sim.calls("/cgi-bin/stable_token").count == 1)
            #expect(await tokens.fetches == 1)
        }
    }

    @Test("expired token → 42001 → one forced refresh and the call succeeds; simulator down → a clear error")
    func tokenExpiredAndDown() async throws {
        try await withSubscribe { w in
            let m = try await w.member(openid: "o-member-8", wechatAccepts: 2)
            _ = try await w.t.enqueue([w.draft(m, period: "a")])
            #expect(try await w.t.store.deliverDue(sender: w.senders).sent == 1)
            w.sim.expireTokens()
            _ = try await w.t.enqueue([w.draft(m, period: "b")])
            #expect(try await w.t.store.deliverDue(sender: w.senders).sent == 1)
            #expect(w.sim.calls("/cgi-bin/message/subscribe/send").map(\.errcode) == [0, 42001, 0])
            let forced = w.sim.calls("/cgi-bin/stable_token").map { $0.json["force_refresh"] as? Bool }
            #expect(forced == [false, true])
            // Down: no answer at all.
            let app = WechatAppCredentials(appid: Self.appid, secret: Self.secret)
            let client = WechatAPIClient(apiBase: "http://127.0.0.1:1", http: w.services.api.http, timeout: .seconds(2))
            do {
                _ = try await WechatAccessTokens(client: client).token(for: app)
                Issue.record("expected an error")
            } catch let e as WechatAPIError {
                #expect(e.isTransient && "\(e)".hasPrefix("WeChat /cgi-bin/stable_token: no answer"))
                #expect(!"\(e)".contains(Self.secret))
            }
        }
    }

    @Test("no secret or token in the config's description, nor in a failed call's log or stored error")
    func noSecretsLogged() async throws {
        try await withSubscribe { w in
            #expect(!"\(w.services.config)".contains(Self.secret) && !"\(w.services.config.malls)".contains(Self.secret))
            let m = try await w.member(openid: "o-member-9", wechatAccepts: 2)
            _ = try await w.t.enqueue([w.draft(m)])
            _ = try await w.t.store.deliverDue(sender: w.senders)   // fetches a token
            let token = try #require(w.sim.calls("/cgi-bin/message/subscribe/send").first?.query["access_token"])
            let capture = LogCapture()
            w.t.app.logger = Logger(label: "capture") { _ in capture }
            w.t.app.logger.logLevel = .trace
            _ = try await w.t.enqueue([w.draft(m, period: "b")])
            w.sim.failNext("/cgi-bin/message/subscribe/send", code: 47003)
            _ = try await w.t.app.deliverDueMessages()
            let stored = try await w.rows().map { $0.lastError ?? "" }.joined()
            #expect(stored.contains("47003"))
            for text in [stored, capture.text] {
                #expect(!text.contains(token) && !text.contains(Self.secret))
            }
        }
    }
}

// MARK: harness

struct SubscribeWorld {
    let t: TestContext
    let sim: WechatSimulator
    let services: WechatServices
    let sms: FakeSender
    var wechat: WechatSubscribeSender {
        let clock = t.clock
        return WechatSubscribeSender(services: services, clock: { clock.now })
    }
    var senders: ChannelSenders { ChannelSenders([.wechat: wechat, .sms: sms]) }

    func draft(_ m: Int64, period: String = "2026-11") -> OutboxDraft {
        OutboxDraft(memberId: m, channel: .wechat, purpose: .service, source: .journey, sourceCode: "points_expiring", periodKey: period,
                    body: "您的积分将于月底到期，请尽快使用。积分可在服务台兑换礼品或停车券。【尚峰百货】", templateCode: "points_expiring")
    }

    /// A member with SMS consent, bound to `openid` of the mini-program, who accepted the template `wechatAccepts`
    /// times (the simulator is told `simulatorAccepts`, by default the same).
    func member(openid: String, wechatAccepts: Int, simulatorAccepts: Int? = nil) async throws -> Int64 {
        let phone = "1390000" + String(format: "%04d", abs(openid.hashValue) % 10_000)
        let m = try await t.messagingMember(phone: phone)
        let mall = try #require(try await t.store.sql.raw("SELECT id FROM malls ORDER BY id LIMIT 1").first()).decode(column: "id", as: Int64.self)
        try await t.store.recordWechatIdentity(mallId: mall, appid: WechatSubscribeTests.appid, openid: openid, unionid: nil, kind: .miniProgram)
        _ = try await t.store.bindWechatIdentity(appid: WechatSubscribeTests.appid, openid: openid, memberId: m, actor: "test")
        for _ in 0..<wechatAccepts {
            try await t.store.recordSubscriptionResults(memberId: m, appid: WechatSubscribeTests.appid, results: [WechatSubscribeTests.template: "accept"])
        }
        sim.setSubscriptions(openid: openid, templateId: WechatSubscribeTests.template, count: simulatorAccepts ?? wechatAccepts)
        return m
    }

    struct Row { var channel: String; var status: String; var to: String?; var fallbackFrom: String?; var fallbackReason: String?
                 var lastError: String?; var costFen: Int64 }
    func rows() async throws -> [Row] {
        try await t.store.sql.raw("""
            SELECT channel, status, to_address, fallback_from, fallback_reason, last_error, cost_fen FROM outbox_messages ORDER BY id
            """).all().map {
            Row(channel: try $0.decode(column: "channel", as: String.self), status: try $0.decode(column: "status", as: String.self),
                to: try $0.decode(column: "to_address", as: String?.self), fallbackFrom: try $0.decode(column: "fallback_from", as: String?.self),
                fallbackReason: try $0.decode(column: "fallback_reason", as: String?.self),
                lastError: try $0.decode(column: "last_error", as: String?.self), costFen: try $0.decode(column: "cost_fen", as: Int64.self))
        }
    }
}

/// The sender hands the message to WeChat, which accepts it, and then the process dies before the outcome is stored.
struct DyingAfterSend: MessageSender, SubscriptionRouting {
    let inner: WechatSubscribeSender
    func subscriptionTemplate(mallCode: String?, purpose: MessagePurpose, templateCode: String?) -> SubscriptionTemplateRef? {
        inner.subscriptionTemplate(mallCode: mallCode, purpose: purpose, templateCode: templateCode)
    }
    func handles(_ channel: MessageChannel) -> Bool { channel == .wechat }
    func send(_ message: OutgoingMessage) async throws -> SendReceipt {
        _ = try await inner.send(message)
        throw CancellationError()
    }
}

final class LogCapture: LogHandler, @unchecked Sendable {
    private let lines = NIOLockedValueBox<[String]>([])
    var text: String { lines.withLockedValue { $0.joined(separator: "\n") } }
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace
    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }
    func log(level: Logger.Level, message: Logger.Message, metadata: Logger.Metadata?, source: String, file: String, function: String, line: UInt) {
        lines.withLockedValue { $0.append("\(message) \(metadata ?? [:])") }
    }
}

func withSubscribe(now: Date = shanghai(2026, 11, 25, 10), programme: String? = nil,
                   _ body: (SubscribeWorld) async throws -> Void) async throws {
    if TestDatabase.isPostgres { await TestDatabase.slots.acquire() }
    do {
        try await runSubscribe(now: now, programme: programme, body)
        if TestDatabase.isPostgres { await TestDatabase.slots.release() }
    } catch {
        if TestDatabase.isPostgres { await TestDatabase.slots.release() }
        throw error
    }
}

private func runSubscribe(now: Date, programme: String?, _ body: (SubscribeWorld) async throws -> Void) async throws {
    let sim = try await WechatSimulator.start(apps: [WechatSubscribeTests.appid: WechatSubscribeTests.secret])
    sim.addSubscribeTemplates(appid: WechatSubscribeTests.appid, [WechatSubscribeTests.template])
    let (location, cleanup) = TestDatabase.fresh()
    defer { cleanup() }
    let clock = TestClock(now)
    let subscribe = WechatSubscribeConfig(templates: [
        .init(templateId: WechatSubscribeTests.template, templateCodes: ["points_expiring"], purposes: [.service, .marketing], page: "pages/card/index",
              fields: [("thing1", "{purpose}"), ("thing2", "{body}"), ("time3", "{time}")]),
    ])
    do {
        try await VaporTesting.withApp(configure: { app in
            app.logger.logLevel = .critical
            var config = AppConfig(database: location, databasePool: 4)
            config.wechat = WechatConfig(apiBase: sim.base, malls: [
                WechatMallConfig(mall: "MAIN", miniProgram: WechatAppCredentials(appid: WechatSubscribeTests.appid, secret: WechatSubscribeTests.secret),
                                 subscribe: subscribe),
            ])
            try await configure(app, config: config,
                                env: StoreEnvironment(now: { clock.now }, cipher: PersonalDataCipher(keyData: Data("test-key-0123456789-0123456789-01".utf8))))
            try await app.autoMigrate()
        }) { app in
            if let programme { try await app.store.applyProgramme(yaml: programme, by: "test", note: "test programme") }
            let key = try await app.store.createAPIKey(name: "test-pos", actor: "test")
            let t = TestContext(app: app, clock: clock, apiKey: key)
            let services = try #require(app.wechat)
            let sms = FakeSender(channels: [.sms])
            app.messageSenders = ChannelSenders([.wechat: WechatSubscribeSender(services: services, clock: { clock.now }), .sms: sms])
            let world = SubscribeWorld(t: t, sim: sim, services: services, sms: sms)
            do {
                try await body(world)
                if case .postgres(_, let schema?) = location { try await app.store.sql.raw("DROP SCHEMA \(ident: schema) CASCADE").run() }
            } catch {
                if case .postgres(_, let schema?) = location { try? await app.store.sql.raw("DROP SCHEMA \(ident: schema) CASCADE").run() }
                throw error
            }
        }
        await sim.stop()
    } catch {
        await sim.stop()
        throw error
    }
}
