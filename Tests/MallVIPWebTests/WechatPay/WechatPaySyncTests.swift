import Foundation
import MallVIPCore
import MallVIPStore
@testable import MallVIPWeb
import SQLKit
import Testing
import Vapor
import _CryptoExtras

@Suite("WeChat Pay APIv3 request signing and answer verification")
struct WechatPayAuthorizationTests {
    @Test("a signed request verifies with the merchant public key (simulator's check); a changed body does not")
    func requestSignature() throws {
        let key = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        let platform = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        let keys = WechatPaySimulatorServer.Keys(mchid: "1900000109", merchantSerial: "SERIAL1", merchantPublic: key.publicKey,
                                                 platformSerial: "P1", platformPrivate: platform)
        let body = #"{"transaction_id":"4200000001"}"#
        let header = try WechatPayAuthorization.header(mchid: "1900000109", serialNo: "SERIAL1", key: key, method: "POST",
                                                       pathAndQuery: "/v3/businesscircle/points/notify", body: body,
                                                       timestamp: Int64(Date().timeIntervalSince1970))
        #expect(header.hasPrefix("WECHATPAY2-SHA256-RSA2048 mchid=\"1900000109\",nonce_str=\""))
        let fields = try #require(WechatPayAuthorization.parse(header: header))
        #expect(fields["serial_no"] == "SERIAL1" && fields["nonce_str"]?.count == 32 && fields["signature"] != nil)
        #expect(WechatPaySimulatorServer.verifyAuthorization(header, method: "POST", path: "/v3/businesscircle/points/notify", body: body, keys: keys))
        #expect(!WechatPaySimulatorServer.verifyAuthorization(header, method: "POST", path: "/v3/businesscircle/points/notify",
                                                              body: body.replacingOccurrences(of: "1", with: "2"), keys: keys))
        #expect(!WechatPaySimulatorServer.verifyAuthorization(header, method: "POST", path: "/v3/businesscircle/parkings", body: body, keys: keys))
        let other = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        let forged = try WechatPayAuthorization.header(mchid: "1900000109", serialNo: "SERIAL1", key: other, method: "POST",
                                                       pathAndQuery: "/v3/businesscircle/points/notify", body: body,
                                                       timestamp: Int64(Date().timeIntervalSince1970))
        #expect(!WechatPaySimulatorServer.verifyAuthorization(forged, method: "POST", path: "/v3/businesscircle/points/notify", body: body, keys: keys))
    }

    @Test("an answer is trusted only when signed by the platform key, with its serial, within 5 minutes")
    func answerVerification() throws {
        let platform = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        let now = Date()
        let ts = String(Int64(now.timeIntervalSince1970))
        let body = ""
        let sig = try WechatPayAuthorization.sign(WechatPayAuthorization.responseMessage(timestamp: ts, nonce: "N1", body: body), with: platform)
        func headers(serial: String = "P1", ts: String = ts, sig: String = sig) -> [(String, String)] {
            [("Wechatpay-Serial", serial), ("Wechatpay-Timestamp", ts), ("Wechatpay-Nonce", "N1"), ("Wechatpay-Signature", sig)]
        }
        func problem(_ h: [(String, String)], body: String = body) -> String? {
            WechatPayAuthorization.responseProblem(headers: h, body: body, platformSerial: "P1", platformKey: platform.publicKey, now: now)
        }
        #expect(problem(headers()) == nil)
        #expect(problem(headers(), body: "{}")?.contains("does not verify") == true, "a tampered answer is refused")
        #expect(problem(headers(serial: "P2"))?.contains("serial") == true)
        let old = String(Int64(now.timeIntervalSince1970) - 301)
        #expect(problem(headers(ts: old))?.contains("5 minutes") == true)
        #expect(problem([])?.contains("not signed") == true)
        let other = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        let forged = try WechatPayAuthorization.sign(WechatPayAuthorization.responseMessage(timestamp: ts, nonce: "N1", body: body), with: other)
        #expect(problem(headers(sig: forged)) != nil)
    }
}

@Suite("WeChat Pay 智慧商圈 sync: points, refunds, parking through the queue to the simulator")
struct WechatPaySyncTests {
    static let policy = WebhookRetryPolicy(maxAttempts: 4, backoffSeconds: 10)

    func withRig(_ body: (WechatSyncRig, TestContext) async throws -> Void) async throws {
        let rig = try await WechatSyncRig.start()
        do {
            try await withTestApp(now: Date()) { t in try await body(rig, t) }
            await rig.server.stop()
        } catch {
            await rig.server.stop()
            throw error
        }
    }

    @Test("a WeChat Pay purchase of a bound member → points/notify with its earned points and the new total; a till's purchase queues nothing")
    func pointsNotify() async throws {
        try await withRig { rig, t in
            let (card, memberId) = try await t.boundWechatMember(phone: "13900000001", openid: "oUser1")
            try await t.purchase("POS-1", fen: 20_000, card: card)
            #expect(try await t.syncRows().isEmpty, "a till's purchase is not WeChat's to hear about")
            let posted = try await t.wechatPurchase("4200000000202612070001", card: card, fen: 30_000)
            let earned = try #require(posted.outcome?.pointsEarned)
            #expect(earned > 0)
            let rows = try await t.syncRows()
            #expect(rows.count == 1 && rows[0].kind == .points && rows[0].state == .pending && rows[0].memberId == memberId)

            let s = try await t.store.deliverWechatPaySync(sender: rig.sender(t), policy: Self.policy)
            #expect(s.sent == 1 && s.retrying == 0 && s.dead == 0)
            let calls = rig.server.accepted
            #expect(calls.count == 1)
            let call = try #require(calls.first)
            #expect(call.path == "/v3/businesscircle/points/notify" && call.authorizationValid && call.fieldsValid)
            let j = call.json
            #expect(j["transaction_id"] as? String == "4200000000202612070001")
            #expect(j["appid"] as? String == WechatSyncRig.appid && j["openid"] as? String == "oUser1")
            #expect(j["earn_points"] as? Bool == true)
            #expect((j["increased_points"] as? NSNumber)?.int64Value == earned)
            #expect((j["total_points"] as? NSNumber)?.int64Value == (try await t.balance(memberId)))
            #expect((j["points_update_time"] as? String)?.hasSuffix("+08:00") == true)
            let after = try await t.syncRows()
            #expect(after[0].state == .sent && after[0].sentAt != nil && after[0].payload == call.body)
            // Nothing more to send.
            #expect(try await t.store.deliverWechatPaySync(sender: rig.sender(t), policy: Self.policy).handled == 0)
            #expect(rig.server.calls.count == 1)
        }
    }

    @Test("a refund of the WeChat purchase → the reversal synced on the same transaction id, after the points, with the new total")
    func refundReversal() async throws {
        try await withRig { rig, t in
            let (card, memberId) = try await t.boundWechatMember(phone: "13900000002", openid: "oUser2")
            try await t.wechatPurchase("4200000000202612070002", card: card, fen: 50_000)
            // The refund comes before the points were told: it waits for them.
            _ = try await t.store.postRefund(RefundRequest(refundNo: "WXR-1", receiptNo: "WX4200000000202612070002",
                                                           lines: [RefundLineRequest(counter: "C0001", amountFen: 20_000)]))
            let rows = try await t.syncRows()
            #expect(rows.map(\.kind) == [.points, .refund])
            rig.server.failNext(1, status: 500)
            let first = try await t.store.deliverWechatPaySync(sender: rig.sender(t), policy: Self.policy)
            #expect(first.retrying == 1 && first.sent == 0, "the refund is not sent before its points: \(first)")
            #expect(rig.server.calls.count == 1)
            t.clock.advance(11)
            let second = try await t.store.deliverWechatPaySync(sender: rig.sender(t), policy: Self.policy)
            #expect(second.sent == 1, "the points: \(second)")
            // The reversal is claimed on the pass after its points were told.
            let third = try await t.store.deliverWechatPaySync(sender: rig.sender(t), policy: Self.policy)
            #expect(third.sent == 1, "then the reversal: \(third)")
            let accepted = rig.server.accepted
            #expect(accepted.count == 2 && accepted.allSatisfy { $0.fieldsValid && $0.authorizationValid })
            let reversal = try #require(accepted.last).json
            #expect(reversal["transaction_id"] as? String == "4200000000202612070002")
            #expect(reversal["earn_points"] as? Bool == false && (reversal["increased_points"] as? NSNumber)?.intValue == 0)
            let reversed = try await t.store.sql.raw("SELECT points_reversed FROM refunds WHERE refund_no = 'WXR-1'").first()!
                .decode(column: "points_reversed", as: Int64.self)
            #expect(reversed > 0 && (reversal["no_points_remarks"] as? String)?.contains("\(reversed)") == true)
            #expect((reversal["total_points"] as? NSNumber)?.int64Value == (try await t.balance(memberId)))
        }
    }

    @Test("500 and 429 for a while: retried with backoff, delivered once; 400: dead at once, retried from the console's action")
    func retriesAndDead() async throws {
        try await withRig { rig, t in
            let (card, _) = try await t.boundWechatMember(phone: "13900000003", openid: "oUser3")
            try await t.wechatPurchase("4200000000202612070003", card: card, fen: 10_000)
            rig.server.failNext(2, status: 500)
            rig.server.failNext(1, status: 429)
            let sender = rig.sender(t)
            #expect(try await t.store.deliverWechatPaySync(sender: sender, policy: Self.policy).retrying == 1)
            var row = try #require(try await t.syncRows().first)
            #expect(row.state == .pending && row.attempts == 1 && row.lastHTTPStatus == 500 && row.lastError?.contains("SYSTEM_ERROR") == true)
            // Not due yet: nothing is sent before the backoff.
            #expect(try await t.store.deliverWechatPaySync(sender: sender, policy: Self.policy).handled == 0)
            t.clock.advance(11)
            #expect(try await t.store.deliverWechatPaySync(sender: sender, policy: Self.policy).retrying == 1)
            t.clock.advance(21)
            #expect(try await t.store.deliverWechatPaySync(sender: sender, policy: Self.policy).retrying == 1)
            row = try #require(try await t.syncRows().first)
            #expect(row.lastHTTPStatus == 429 && row.attempts == 3)
            t.clock.advance(41)
            #expect(try await t.store.deliverWechatPaySync(sender: sender, policy: Self.policy).sent == 1)
            #expect(rig.server.calls.count == 4 && rig.server.accepted.count == 1, "delivered once")
            #expect(Set(rig.server.calls.map(\.body)).count == 1, "every attempt carries the same body")

            // A refusal (PARAM_ERROR) is not repeated: dead, visible, until someone retries it.
            let (card2, _) = try await t.boundWechatMember(phone: "13900000004", openid: "oUser4")
            try await t.wechatPurchase("4200000000202612070004", card: card2, fen: 10_000)
            rig.server.failNext(1, status: 400)
            #expect(try await t.store.deliverWechatPaySync(sender: sender, policy: Self.policy).dead == 1)
            let dead = try #require(try await t.store.wechatPaySyncRows(state: .dead).first)
            #expect(dead.lastHTTPStatus == 400 && dead.lastError?.contains("PARAM_ERROR") == true)
            #expect(try await t.store.retryWechatPaySync(id: dead.id, actor: "admin"))
            #expect(try await !t.store.retryWechatPaySync(id: dead.id, actor: "admin"), "only a dead row is retried")
            #expect(try await t.store.deliverWechatPaySync(sender: sender, policy: Self.policy).sent == 1)
            #expect(try await t.store.wechatPaySyncRows(state: .sent).count == 2)
        }
    }

    @Test("an answer whose signature does not verify is not taken for success: sent again")
    func unverifiedAnswer() async throws {
        try await withRig { rig, t in
            let (card, _) = try await t.boundWechatMember(phone: "13900000005", openid: "oUser5")
            try await t.wechatPurchase("4200000000202612070005", card: card, fen: 10_000)
            rig.server.badSignatureNext(1)
            #expect(try await t.store.deliverWechatPaySync(sender: rig.sender(t), policy: Self.policy).retrying == 1)
            let row = try #require(try await t.syncRows().first)
            #expect(row.state == .pending && row.lastError?.contains("does not verify") == true)
            t.clock.advance(11)
            #expect(try await t.store.deliverWechatPaySync(sender: rig.sender(t), policy: Self.policy).sent == 1)
        }
    }

    @Test("no answer (nothing listening) and an unconfigured mall: retried, then dead after the last attempt")
    func unreachable() async throws {
        try await withRig { rig, t in
            let (card, _) = try await t.boundWechatMember(phone: "13900000006", openid: "oUser6")
            try await t.wechatPurchase("4200000000202612070006", card: card, fen: 10_000)
            let nowhere = WechatPayHTTPSender(config: WechatPayConfig(malls: [rig.mallConfig(mall: "OTHER")]),
                                              eventLoopGroup: t.app.eventLoopGroup, timeout: 2)
            let policy = WebhookRetryPolicy(maxAttempts: 2, backoffSeconds: 1)
            #expect(try await t.store.deliverWechatPaySync(sender: nowhere, policy: policy).retrying == 1)
            #expect(try await t.syncRows()[0].lastError?.contains("no WeChat Pay account") == true)
            t.clock.advance(2)
            #expect(try await t.store.deliverWechatPaySync(sender: nowhere, policy: policy).dead == 1)
            #expect(rig.server.calls.isEmpty)
        }
    }

    @Test("a bound member's parking exit with a plate → IN and OUT status synced; an unbound member's → nothing")
    func parking() async throws {
        try await withRig { rig, t in
            let (card, memberId) = try await t.boundWechatMember(phone: "13900000007", openid: "oUser7")
            _ = try await t.store.bindPlate("沪A12345", memberId: memberId, actor: "test")
            let entry = t.clock.now.addingTimeInterval(-7200), exit = t.clock.now.addingTimeInterval(-60)
            _ = try await t.store.recordParkingExit(ParkingExitRequest(idempotencyKey: "PK-1", card: nil, plate: "沪A12345",
                                                                      entryAt: entry, exitAt: exit, mall: "MAIN"))
            let other = try await t.enrolMember(phone: "13900000008")
            _ = try await t.store.recordParkingExit(ParkingExitRequest(idempotencyKey: "PK-2", card: other, plate: "沪B54321",
                                                                      entryAt: entry, exitAt: exit, mall: "MAIN"))
            #expect(try await t.syncRows().map(\.kind) == [.parkingIn, .parkingOut])
            #expect(try await t.store.deliverWechatPaySync(sender: rig.sender(t), policy: Self.policy).sent == 2)
            let calls = rig.server.accepted
            #expect(calls.count == 2 && calls.allSatisfy { $0.path == "/v3/businesscircle/parkings" && $0.fieldsValid && $0.authorizationValid })
            #expect(calls.map { $0.json["state"] as? String } == ["IN", "OUT"])
            #expect(calls[0].json["plate_number"] as? String == "沪A12345" && calls[0].json["openid"] as? String == "oUser7")
            _ = card
        }
    }
}
