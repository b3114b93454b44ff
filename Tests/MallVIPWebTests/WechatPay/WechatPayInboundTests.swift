import AsyncHTTPClient
import Foundation
import MallVIPCore
import MallVIPStore
@testable import MallVIPWeb
import SQLKit
import Testing
import Vapor
import VaporTesting

/// A test app with WeChat Pay configured from a simulator's config file, its HTTP server running on a free port.
struct WechatPayTestApp {
    let t: TestContext
    let sim: WechatPaySimulator
    let http: HTTPClient
    let url: String

    func send(_ n: WechatPaySimulator.Notification) async throws -> (status: Int, body: String) {
        try await sim.send(n, to: url, http: http)
    }

    func count(_ table: String) async throws -> Int {
        try await t.store.sql.raw("SELECT COUNT(*) AS n FROM \(ident: table)").first()!.decode(column: "n", as: Int.self)
    }

    func points(card: String) async throws -> Int64 {
        try #require(try await t.store.lookup(card: card, phone: nil)).pointsBalance
    }
}

/// Like withTestApp, with `MALLVIP_WECHATPAY_CONFIG` pointing at a file the simulator wrote, and the server listening.
func withWechatPayApp<T>(programme: String? = nil, callbackPath: String? = nil,
                         _ body: (WechatPayTestApp) async throws -> T) async throws -> T {
    guard TestDatabase.isPostgres else { return try await runWechatPayApp(programme: programme, callbackPath: callbackPath, body) }
    await TestDatabase.slots.acquire()
    do {
        let result = try await runWechatPayApp(programme: programme, callbackPath: callbackPath, body)
        await TestDatabase.slots.release()
        return result
    } catch {
        await TestDatabase.slots.release()
        throw error
    }
}

private func runWechatPayApp<T>(programme: String?, callbackPath: String?,
                                _ body: (WechatPayTestApp) async throws -> T) async throws -> T {
    let sim = try WechatPaySimulator()
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wxpay-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: dir) }
    let configFile = try sim.writeConfig(dir: dir, callbackPath: callbackPath)
    let (location, cleanup) = TestDatabase.fresh()
    defer { cleanup() }
    let clock = TestClock(shanghai(2026, 11, 25, 10))
    return try await withApp(configure: { app in
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
            if let programme { try await app.store.applyProgramme(yaml: programme, by: "test", note: "test programme") }
            let key = try await app.store.createAPIKey(name: "test-pos", actor: "test")
            try await app.server.start(address: .hostname("127.0.0.1", port: 0))
            let port = try #require(app.http.server.shared.localAddress?.port)
            let w = WechatPayTestApp(t: TestContext(app: app, clock: clock, apiKey: key), sim: sim, http: http,
                                     url: "http://127.0.0.1:\(port)\(callbackPath ?? WechatPayConfig.defaultCallbackPath)")
            let result = try await body(w)
            await app.server.shutdown()
            try? await http.shutdown()
            await dropSchema()
            return result
        } catch {
            await app.server.shutdown()
            try? await http.shutdown()
            await dropSchema()
            throw error
        }
    }
}

/// WeChat Pay 智慧商圈 inbound end to end (issue 19, 19a): the simulator signs and encrypts notifications as the
/// protocol documents and POSTs them to the running server.
@Suite("WeChat Pay inbound notifications")
struct WechatPayInboundTests {
    @Test("authorization, payment, duplicate delivery, replayed nonce and refund: points follow")
    func paymentEarnsAndRefundReverses() async throws {
        try await withWechatPayApp { w in
            let t = w.t
            let card = try await t.enrolMember(phone: "13900001111")
            try await t.store.addWechatPayShop(shopNumber: "SHOP-1", counterCode: "C0001", actor: "test")
            let auth = try await w.send(w.sim.authorization(openid: "oPayer1", cardCode: card, now: t.clock.now))
            #expect(auth.status == 204, "authorization: \(auth)")
            #expect(try await t.store.wechatPayBinding(appid: w.sim.appid, openid: "oPayer1")?.state == "bound")

            let before = try await w.points(card: card)
            let pay = try w.sim.payment(openid: "oPayer1", shop: "SHOP-1", transactionId: "4200001", amountFen: 50_000,
                                        at: t.clock.now.addingTimeInterval(-60), now: t.clock.now)
            let r1 = try await w.send(pay)
            #expect(r1.status == 204, "payment: \(r1)")
            let after = try await w.points(card: card)
            #expect(after > before)
            let row = try #require(try await t.store.sql.raw("SELECT channel, channel_ref FROM purchases WHERE receipt_no = 'WX4200001'").first())
            #expect(try row.decode(column: "channel", as: String.self) == "wechat_pay")
            #expect(try row.decode(column: "channel_ref", as: String.self) == "4200001")

            // WeChat delivers the same notification again (new nonce and timestamp): success, nothing changes.
            t.clock.advance(30)
            let again = try await w.send(w.sim.redelivery(of: pay, now: t.clock.now))
            #expect(again.status == 204)
            #expect(try await w.points(card: card) == after)
            #expect(try await w.count("purchases") == 2)   // the enrolment receipt and WX4200001

            // The exact request replayed (same nonce): refused with the protocol's error body, logged, nothing written.
            let notifications = try await w.count("wechatpay_notifications")
            let replay = try await w.send(pay)
            #expect(replay.status == 401)
            #expect(replay.body.contains("\"code\":\"FAIL\""))
            #expect(try await w.count("wechatpay_notifications") == notifications)

            // A full refund within 30 days reverses the points.
            t.clock.advance(3 * 86_400)
            let refund = try await w.send(w.sim.refund(openid: "oPayer1", shop: "SHOP-1", transactionId: "4200001", refundId: "5000001",
                                                       payFen: 50_000, refundFen: 50_000, at: t.clock.now, now: t.clock.now))
            #expect(refund.status == 204, "refund: \(refund)")
            #expect(try await t.store.wechatPayRefundState(refundId: "5000001")?.state == "applied")
            #expect(try await w.points(card: card) == before)
        }
    }

    @Test("tampered body, wrong serial, stale timestamp, wrong APIv3 key: refused and nothing written")
    func refusedNotifications() async throws {
        try await withWechatPayApp { w in
            let t = w.t
            try await t.store.addWechatPayShop(shopNumber: "SHOP-1", counterCode: "C0001", actor: "test")
            let pay = try w.sim.payment(openid: "oPayer2", shop: "SHOP-1", transactionId: "4200002", amountFen: 10_000,
                                        at: t.clock.now, now: t.clock.now)
            var tampered = pay
            tampered.body = Array(String(decoding: pay.body, as: UTF8.self).replacingOccurrences(of: "\"summary\":\"", with: "\"summary\":\"x").utf8)
            let r1 = try await w.send(tampered)
            #expect(r1.status == 401 && r1.body.contains("FAIL") && r1.body.contains("Wechatpay-Signature"))
            var serial = pay
            serial.serial = "PUB_KEY_ID_0000000000000000"
            let r2 = try await w.send(serial)
            #expect(r2.status == 401 && r2.body.contains("Wechatpay-Serial"))
            let stale = try w.sim.payment(openid: "oPayer2", shop: "SHOP-1", transactionId: "4200002", amountFen: 10_000,
                                          at: t.clock.now, now: t.clock.now.addingTimeInterval(-400))
            let r3 = try await w.send(stale)
            #expect(r3.status == 401 && r3.body.contains("Wechatpay-Timestamp"))
            let wrongKey = try w.sim.notification(eventType: "MALL_TRANSACTION.SUCCESS", resource: ["mchid": w.sim.mchid], now: t.clock.now,
                                                  apiV3Key: String(repeating: "z", count: 32))
            let r4 = try await w.send(wrongKey)
            #expect(r4.status == 400 && r4.body.contains("APIv3"))
            for table in ["wechatpay_nonces", "wechatpay_notifications", "wechatpay_payments", "wechatpay_bindings"] {
                #expect(try await w.count(table) == 0, "\(table) was written")
            }
            #expect(try await w.count("purchases") == 0)
            // The untouched notification still goes through afterwards (held: the payer is not bound).
            let ok = try await w.send(pay)
            #expect(ok.status == 204)
            #expect(try await t.store.wechatPayPaymentState(transactionId: "4200002")?.state == "held")
        }
    }

    @Test("refund before payment is applied when the payment arrives; a refund after 30 days is refused; held payer posts when linked")
    func outOfOrderAndWindow() async throws {
        try await withWechatPayApp { w in
            let t = w.t
            let card = try await t.enrolMember(phone: "13900002222")
            try await t.store.addWechatPayShop(shopNumber: "SHOP-1", counterCode: "C0001", actor: "test")
            #expect(try await w.send(w.sim.authorization(openid: "oPayer3", cardCode: card, now: t.clock.now)).status == 204)
            let base = try await w.points(card: card)

            // Refund first (out of order): held pending; the payment then posts and the refund is applied at once.
            let paidAt = t.clock.now.addingTimeInterval(-120)
            let early = try await w.send(w.sim.refund(openid: "oPayer3", shop: "SHOP-1", transactionId: "4200003", refundId: "5000003",
                                                      payFen: 30_000, refundFen: 30_000, at: t.clock.now, now: t.clock.now))
            #expect(early.status == 204)
            #expect(try await t.store.wechatPayRefundState(refundId: "5000003")?.state == "pending")
            #expect(try await w.send(w.sim.payment(openid: "oPayer3", shop: "SHOP-1", transactionId: "4200003", amountFen: 30_000,
                                                   at: paidAt, now: t.clock.now)).status == 204)
            #expect(try await t.store.wechatPayPaymentState(transactionId: "4200003")?.state == "posted")
            #expect(try await t.store.wechatPayRefundState(refundId: "5000003")?.state == "applied")
            #expect(try await w.points(card: card) == base)

            // A refund 31 days after its payment is refused by wechatPay.refundWindowDays (30): the points stay.
            #expect(try await w.send(w.sim.payment(openid: "oPayer3", shop: "SHOP-1", transactionId: "4200004", amountFen: 40_000,
                                                   at: t.clock.now.addingTimeInterval(-60), now: t.clock.now)).status == 204)
            let earned = try await w.points(card: card)
            #expect(earned > base)
            let late = try await w.send(w.sim.refund(openid: "oPayer3", shop: "SHOP-1", transactionId: "4200004", refundId: "5000004",
                                                     payFen: 40_000, refundFen: 40_000, at: t.clock.now.addingTimeInterval(31 * 86_400),
                                                     now: t.clock.now))
            #expect(late.status == 204)
            let state = try await t.store.wechatPayRefundState(refundId: "5000004")
            #expect(state?.state == "refused" && state?.detail.contains("refundWindowDays") == true)
            #expect(try await w.points(card: card) == earned)

            // A payer whose authorization names no card: pending; their payment is held, and posts when the desk links them.
            #expect(try await w.send(w.sim.authorization(openid: "oPayer4", cardCode: nil, now: t.clock.now)).status == 204)
            let binding = try #require(try await t.store.wechatPayBinding(appid: w.sim.appid, openid: "oPayer4"))
            #expect(binding.state == "pending")
            #expect(try await w.send(w.sim.payment(openid: "oPayer4", shop: "SHOP-1", transactionId: "4200005", amountFen: 20_000,
                                                   at: t.clock.now.addingTimeInterval(-30), now: t.clock.now)).status == 204)
            #expect(try await t.store.wechatPayPaymentState(transactionId: "4200005")?.state == "held")
            #expect(try await t.store.linkWechatPayBinding(id: binding.id, card: card, actor: "desk") == 1)
            #expect(try await t.store.wechatPayPaymentState(transactionId: "4200005")?.state == "posted")
            #expect(try await w.points(card: card) > earned)
        }
    }

    @Test("an unmapped shop holds the payment until the mapping is added; unknown event types are acknowledged")
    func unmappedShop() async throws {
        try await withWechatPayApp(callbackPath: "/wx/notify") { w in
            let t = w.t
            let card = try await t.enrolMember(phone: "13900003333")
            #expect(try await w.send(w.sim.authorization(openid: "oPayer5", cardCode: card, now: t.clock.now)).status == 204)
            #expect(try await w.send(w.sim.payment(openid: "oPayer5", shop: "SHOP-9", transactionId: "4200006", amountFen: 20_000,
                                                   at: t.clock.now.addingTimeInterval(-30), now: t.clock.now)).status == 204)
            let held = try await t.store.wechatPayPaymentState(transactionId: "4200006")
            #expect(held?.state == "held" && held?.detail.contains("SHOP-9") == true)
            try await t.store.addWechatPayShop(shopNumber: "SHOP-9", counterCode: "C0001", actor: "test")
            #expect(try await t.store.wechatPayPaymentState(transactionId: "4200006")?.state == "posted")
            let other = try await w.send(w.sim.notification(eventType: "MALL_PARKING.SOMETHING", resource: ["mchid": w.sim.mchid], now: t.clock.now))
            #expect(other.status == 204)
            // The default path is not registered when another is configured.
            var wrongPath = try w.sim.payment(openid: "oPayer5", shop: "SHOP-9", transactionId: "4200007", amountFen: 1, at: t.clock.now, now: t.clock.now)
            wrongPath.id = "x"
            let r = try await w.sim.send(wrongPath, to: w.url.replacingOccurrences(of: "/wx/notify", with: "/wechatpay/notify"), http: w.http)
            #expect(r.status == 404)
        }
    }
}
