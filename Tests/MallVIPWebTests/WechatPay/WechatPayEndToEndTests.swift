import AsyncHTTPClient
import Foundation
import MallVIPCore
import MallVIPStore
@testable import MallVIPWeb
import SQLKit
import Testing
import Vapor
import VaporTesting

/// WeChat Pay 智慧商圈 end to end (issue 19): both halves of the simulator in one flow against one running app —
/// the sending half (WechatPaySimulator) POSTs signed, encrypted notifications to the app's HTTP server, and the
/// receiving half (WechatPaySimulatorServer, the mall's `apiBase`) verifies the signed points/notify calls the sync
/// worker makes. The worker is driven pass by pass with the test clock, as WechatPaySyncTests does.
@Suite("WeChat Pay end to end: notifications in, points/notify out")
struct WechatPayEndToEndTests {
    static let policy = WebhookRetryPolicy(maxAttempts: 4, backoffSeconds: 10)
    static let notifyPath = "/v3/businesscircle/points/notify"

    @Test("authorization → payment → points → points/notify (after two 500s, exactly once) → redelivery changes nothing → refund reversal after the points")
    func fullFlow() async throws {
        try await withWechatPayEndToEnd { w, server in
            let t = w.t
            let card = try await t.enrolMember(phone: "13900009001")
            let memberId = try await t.memberId(card: card)
            try await t.store.addWechatPayShop(shopNumber: "SHOP-E2E", counterCode: "C0001", actor: "test")
            let sender = try #require(t.app.wechatPaySyncSender, "WeChat Pay is configured: the app has a sender")

            // 1. Authorization binds the payer to the member named by the card code.
            let auth = try await w.send(w.sim.authorization(openid: "oE2E1", cardCode: card, now: t.clock.now))
            #expect(auth.status == 204, "authorization: \(auth)")
            let binding = try #require(try await t.store.wechatPayBinding(appid: w.sim.appid, openid: "oE2E1"))
            #expect(binding.state == "bound" && binding.memberId == memberId)
            #expect(try await t.syncRows().isEmpty, "the enrolment receipt (till) queues nothing")

            // 2. Payment → a purchase on the mapped counter, earning points.
            let before = try await t.balance(memberId)
            let pay = try w.sim.payment(openid: "oE2E1", shop: "SHOP-E2E", transactionId: "4200000000202612079001", amountFen: 50_000,
                                        at: t.clock.now.addingTimeInterval(-60), now: t.clock.now)
            let r1 = try await w.send(pay)
            #expect(r1.status == 204, "payment: \(r1)")
            #expect(try await t.store.wechatPayPaymentState(transactionId: "4200000000202612079001")?.state == "posted")
            let afterPay = try await t.balance(memberId)
            let earned = afterPay - before
            #expect(earned > 0)
            let purchase = try #require(try await t.store.sql.raw("""
                SELECT channel, channel_ref, member_id, points_earned FROM purchases WHERE receipt_no = 'WX4200000000202612079001'
                """).first())
            #expect(try purchase.decode(column: "channel", as: String.self) == "wechat_pay")
            #expect(try purchase.decode(column: "member_id", as: Int64.self) == memberId)
            #expect(try purchase.decode(column: "points_earned", as: Int64.self) == earned)
            var rows = try await t.syncRows()
            #expect(rows.count == 1 && rows.first?.kind == .points && rows.first?.state == .pending && rows.first?.memberId == memberId)

            // 3. The simulator answers 500 twice: retried after the backoff, then delivered once.
            server.failNext(2, status: 500)
            #expect(try await t.store.deliverWechatPaySync(sender: sender, policy: Self.policy).retrying == 1)
            #expect(try await t.store.deliverWechatPaySync(sender: sender, policy: Self.policy).handled == 0, "not due before the backoff")
            t.clock.advance(11)
            #expect(try await t.store.deliverWechatPaySync(sender: sender, policy: Self.policy).retrying == 1)
            t.clock.advance(21)
            #expect(try await t.store.deliverWechatPaySync(sender: sender, policy: Self.policy).sent == 1)
            #expect(server.calls.count == 3 && server.calls.map(\.status) == [500, 500, 204])
            #expect(Set(server.calls.map(\.body)).count == 1, "every attempt carries the same body")
            let points = try #require(server.accepted.first)
            #expect(server.accepted.count == 1)
            #expect(points.path == Self.notifyPath && points.authorizationValid && points.fieldsValid)
            let j = points.json
            #expect(j["transaction_id"] as? String == "4200000000202612079001")
            #expect(j["appid"] as? String == w.sim.appid && j["openid"] as? String == "oE2E1")
            #expect(j["earn_points"] as? Bool == true)
            #expect((j["increased_points"] as? NSNumber)?.int64Value == earned)
            #expect((j["total_points"] as? NSNumber)?.int64Value == afterPay)
            rows = try await t.syncRows()
            #expect(rows.count == 1 && rows[0].state == .sent && rows[0].payload == points.body)

            // 4. WeChat delivers the same payment notification again: acknowledged, nothing new earned or synced.
            t.clock.advance(30)
            let again = try await w.send(w.sim.redelivery(of: pay, now: t.clock.now))
            #expect(again.status == 204, "redelivery: \(again)")
            #expect(try await t.balance(memberId) == afterPay)
            let wxPurchases = try await t.store.sql.raw("SELECT COUNT(*) AS n FROM purchases WHERE channel = 'wechat_pay'").first()!
                .decode(column: "n", as: Int.self)
            #expect(wxPurchases == 1)
            #expect(try await t.syncRows().count == 1)
            t.clock.advance(3600)
            #expect(try await t.store.deliverWechatPaySync(sender: sender, policy: Self.policy).handled == 0)
            #expect(server.calls.count == 3 && server.accepted.count == 1, "still one points/notify")

            // 5. A refund (within 30 days): points reversed, the reversal synced on the same transaction, after the points.
            let refund = try await w.send(w.sim.refund(openid: "oE2E1", shop: "SHOP-E2E", transactionId: "4200000000202612079001",
                                                       refundId: "5000000000202612079001", payFen: 50_000, refundFen: 50_000,
                                                       at: t.clock.now, now: t.clock.now))
            #expect(refund.status == 204, "refund: \(refund)")
            #expect(try await t.store.wechatPayRefundState(refundId: "5000000000202612079001")?.state == "applied")
            let afterRefund = try await t.balance(memberId)
            #expect(afterRefund == before)
            rows = try await t.syncRows()
            #expect(rows.map(\.kind) == [.points, .refund])
            #expect(try await t.store.deliverWechatPaySync(sender: sender, policy: Self.policy).sent == 1)
            #expect(try await t.store.deliverWechatPaySync(sender: sender, policy: Self.policy).handled == 0)
            let accepted = server.accepted
            #expect(accepted.count == 2 && server.calls.count == 4)
            #expect(accepted.allSatisfy { $0.path == Self.notifyPath && $0.authorizationValid && $0.fieldsValid })
            #expect(accepted.first?.body == points.body, "the points call came first")
            let reversal = try #require(accepted.last).json
            #expect(reversal["transaction_id"] as? String == "4200000000202612079001")
            #expect(reversal["openid"] as? String == "oE2E1")
            #expect(reversal["earn_points"] as? Bool == false && (reversal["increased_points"] as? NSNumber)?.intValue == 0)
            #expect((reversal["no_points_remarks"] as? String)?.contains("\(earned)") == true)
            #expect((reversal["total_points"] as? NSNumber)?.int64Value == afterRefund)
            #expect(try await t.syncRows().allSatisfy { $0.state == .sent })
            try await t.expectVerifyClean()
        }
    }
}

/// An app configured with WeChat Pay from the sending simulator's config file, whose `apiBase` is the receiving
/// simulator (started first, with the same keys: the mall's merchant key verifies the calls, the platform key signs
/// the answers); the app's HTTP server listens on a free port. No background sync worker runs (that is `serve`'s).
private func withWechatPayEndToEnd(_ body: (WechatPayTestApp, WechatPaySimulatorServer) async throws -> Void) async throws {
    guard TestDatabase.isPostgres else { return try await startSimulators(body) }
    await TestDatabase.slots.acquire()
    do {
        try await startSimulators(body)
        await TestDatabase.slots.release()
    } catch {
        await TestDatabase.slots.release()
        throw error
    }
}

private func startSimulators(_ body: (WechatPayTestApp, WechatPaySimulatorServer) async throws -> Void) async throws {
    let sim = try WechatPaySimulator()
    let server = try await WechatPaySimulatorServer.start(keys: .init(
        mchid: sim.mchid, merchantSerial: sim.merchantSerial, merchantPublic: sim.merchantKey.publicKey,
        platformSerial: sim.platformSerial, platformPrivate: sim.platformKey))
    do {
        try await runEndToEndApp(sim: sim, server: server, body)
        await server.stop()
    } catch {
        await server.stop()
        throw error
    }
}

private func runEndToEndApp(sim: WechatPaySimulator, server: WechatPaySimulatorServer,
                            _ body: (WechatPayTestApp, WechatPaySimulatorServer) async throws -> Void) async throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wxpay-e2e-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: dir) }
    let configFile = try sim.writeConfig(dir: dir, apiBase: server.apiBase)
    let (location, cleanup) = TestDatabase.fresh()
    defer { cleanup() }
    let clock = TestClock(shanghai(2026, 11, 25, 10))
    try await withApp(configure: { app in
        app.logger.logLevel = .critical
        var config = AppConfig(database: location, databasePool: 4)
        config.wechatPay = try WechatPayConfig.fromEnvironment(["MALLVIP_WECHATPAY_CONFIG": configFile])
        try await configure(app, config: config,
                            env: StoreEnvironment(now: { clock.now }, cipher: PersonalDataCipher(keyData: Data("test-key-0123456789-0123456789-01".utf8))))
        try await app.autoMigrate()
    }) { app in
        func dropSchema() async {
            if case .postgres(_, let schema?) = location { try? await app.store.sql.raw("DROP SCHEMA \(ident: schema) CASCADE").run() }
        }
        let http = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup)
        do {
            let key = try await app.store.createAPIKey(name: "test-pos", actor: "test")
            try await app.server.start(address: .hostname("127.0.0.1", port: 0))
            let port = try #require(app.http.server.shared.localAddress?.port)
            let w = WechatPayTestApp(t: TestContext(app: app, clock: clock, apiKey: key), sim: sim, http: http,
                                     url: "http://127.0.0.1:\(port)\(WechatPayConfig.defaultCallbackPath)")
            try await body(w, server)
            await app.server.shutdown()
            try? await http.shutdown()
            await dropSchema()
        } catch {
            await app.server.shutdown()
            try? await http.shutdown()
            await dropSchema()
            throw error
        }
    }
}
