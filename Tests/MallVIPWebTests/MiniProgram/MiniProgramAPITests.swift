import Foundation
import MallVIPCore
import MallVIPStore
@testable import MallVIPWeb
import NIOCore
import OpenAPIKit30
import Testing
import Vapor
import VaporTesting

/// The mini-program member API (issue 22a) against the WeChat simulator's code2Session: first sign-in → SMS bind →
/// token → card, points, purchases, coupons; second sign-in straight in; code2Session errors; object checks.
@Suite("Mini-program API")
struct MiniProgramAPITests {
    static let appid = "wxminiprogram000001"
    static let secret = "MPSECRET0123456789abcdef"
    static let phone = "13900002201"

    @Test("first sign-in: bindToken → SMS code → bind → token; data routes; second sign-in straight in; sign-out")
    func firstSignInAndData() async throws {
        try await withMiniProgram { w in
            let t = w.t
            let card = try await t.enrolMember(phone: Self.phone)
            let memberId = try await t.memberId(card: card)
            // 1. Unknown openid: binding required, the bind token hides the openid.
            let first = try await w.post("/api/m/v1/session", ["code": w.sim.issueLoginCode(appid: Self.appid, openid: "oMP-1", unionid: "uMP-1"), "appid": Self.appid])
            #expect(first.status == .ok, "\(first.json)")
            #expect(first.json["bindingRequired"] as? Bool == true && first.json["token"] == nil)
            let bindToken = try #require(first.json["bindToken"] as? String)
            #expect(!bindToken.contains("oMP-1"))
            let call = try #require(w.sim.calls("/sns/jscode2session").last)
            #expect(call.query["appid"] == Self.appid && call.query["secret"] == Self.secret && call.query["grant_type"] == "authorization_code")
            #expect(try await t.store.wechatIdentity(appid: Self.appid, openid: "oMP-1")?.memberId == nil)
            // Without a bearer: 401 naming Authorization.
            let anon = try await w.get("/api/m/v1/card", token: nil)
            #expect(anon.status == .unauthorized && w.field(anon) == "Authorization")
            // 2. SMS code (the /m/ sign-in code path) and binding.
            let sms = try await w.post("/api/m/v1/session/sms-code", ["bindToken": bindToken, "phone": Self.phone])
            #expect(sms.status == .accepted, "\(sms.json)")
            let code = try await w.harness.lastCode(to: Self.phone)
            let forged = try await w.post("/api/m/v1/session/bind", ["bindToken": bindToken + "x", "phone": Self.phone, "code": code])
            #expect(forged.status == .unauthorized && w.field(forged) == "bindToken")
            let wrong = try await w.post("/api/m/v1/session/bind", ["bindToken": bindToken, "phone": Self.phone, "code": MemberLoginHarness.wrong(code)])
            #expect(wrong.status == .unauthorized && w.field(wrong) == "code")
            let bound = try await w.post("/api/m/v1/session/bind", ["bindToken": bindToken, "phone": Self.phone, "code": code])
            #expect(bound.status == .ok, "\(bound.json)")
            let token = try #require(bound.json["token"] as? String)
            #expect((bound.json["member"] as? [String: Any])?["cardNo"] as? String == card)
            #expect(try await t.store.wechatIdentity(appid: Self.appid, openid: "oMP-1")?.memberId == memberId)
            // 3. Data.
            let cardRes = try await w.get("/api/m/v1/card", token: token)
            #expect(cardRes.status == .ok && cardRes.json["qrPayload"] as? String == card && cardRes.json["cardState"] as? String == "active")
            let points = try await w.get("/api/m/v1/points", token: token)
            let balance = try #require(try await t.store.member(id: memberId)?.pointsBalance)
            #expect(points.status == .ok && (points.json["balance"] as? NSNumber)?.int64Value == balance && balance > 0)
            #expect((points.json["items"] as? [[String: Any]])?.isEmpty == false)
            #expect(try await w.get("/api/m/v1/points?page=0", token: token).status == .unprocessableEntity)
            let purchases = try await w.get("/api/m/v1/purchases", token: token)
            let items = try #require(purchases.json["items"] as? [[String: Any]])
            #expect(purchases.status == .ok && items.first?["receiptNo"] as? String == "ENROL-\(Self.phone)")
            let pid = try #require((items.first?["id"] as? NSNumber)?.int64Value)
            let detail = try await w.get("/api/m/v1/purchases/\(pid)", token: token)
            #expect(detail.status == .ok && (detail.json["lines"] as? [Any])?.count == 1)
            #expect(try await w.get("/api/m/v1/coupons", token: token).status == .ok)
            let rewards = try await w.get("/api/m/v1/rewards", token: token)
            #expect(rewards.status == .ok && (rewards.json["balance"] as? NSNumber)?.int64Value == balance)
            // 4. Another member's purchase: 404, as if it did not exist.
            let other = try await t.enrolMember(phone: "13900002202")
            let otherId = try await t.memberId(card: other)
            let otherPurchase = try #require(try await t.store.purchasesPage(memberId: otherId, page: 1).items.first?.id)
            #expect(try await w.get("/api/m/v1/purchases/\(otherPurchase)", token: token).status == .notFound)
            #expect(try await w.get("/api/m/v1/coupons/NOPE-0000", token: token).status == .notFound)
            // 5. Second sign-in with another code of the same openid: straight in.
            let again = try await w.post("/api/m/v1/session", ["code": w.sim.issueLoginCode(appid: Self.appid, openid: "oMP-1", unionid: "uMP-1")])
            #expect(again.status == .ok && again.json["bindingRequired"] as? Bool == false)
            let token2 = try #require(again.json["token"] as? String)
            #expect(token2 != token && ((again.json["member"] as? [String: Any])?["id"] as? NSNumber)?.int64Value == memberId)
            // 6. Sign-out ends that session only.
            let out = try await w.send(.DELETE, "/api/m/v1/session", token: token2)
            #expect(out.status == .noContent)
            #expect(try await w.get("/api/m/v1/me", token: token2).status == .unauthorized)
            #expect(try await w.get("/api/m/v1/me", token: token).status == .ok)
        }
    }

    @Test("code2Session errors: invalid code 401, used code 401, rate limit 429, busy 503, down 503, wrong secret 502; appid checked")
    func code2SessionErrors() async throws {
        try await withMiniProgram { w in
            let bad = try await w.post("/api/m/v1/session", ["code": "NOT-ISSUED"])
            #expect(bad.status == .unauthorized && w.field(bad) == "code" && w.rule(bad) == "wechat.code.invalid")
            let code = w.sim.issueLoginCode(appid: Self.appid, openid: "oMP-2")
            #expect(try await w.post("/api/m/v1/session", ["code": code]).status == .ok)
            let reused = try await w.post("/api/m/v1/session", ["code": code])
            #expect(reused.status == .unauthorized && w.sim.calls("/sns/jscode2session").last?.errcode == 40163)
            w.sim.failNext("/sns/jscode2session", code: 45011)
            let limited = try await w.post("/api/m/v1/session", ["code": w.sim.issueLoginCode(appid: Self.appid, openid: "oMP-2")])
            #expect(limited.status == .tooManyRequests && limited.headers.first(name: .retryAfter) != nil)
            w.sim.failNext("/sns/jscode2session", code: -1)
            #expect(try await w.post("/api/m/v1/session", ["code": "X"]).status == .serviceUnavailable)
            w.sim.failNext("/sns/jscode2session", code: 502)
            #expect(try await w.post("/api/m/v1/session", ["code": "X"]).status == .serviceUnavailable)
            w.sim.state.withLockedValue { $0.apps[Self.appid] = "ANOTHERSECRET0123456789" }
            let secret = try await w.post("/api/m/v1/session", ["code": w.sim.issueLoginCode(appid: Self.appid, openid: "oMP-2")])
            #expect(secret.status == .badGateway && !secret.body.contains(Self.secret))
            let appid = try await w.post("/api/m/v1/session", ["code": "X", "appid": "wxsomeoneelse00000001"])
            #expect(appid.status == .unprocessableEntity && w.field(appid) == "appid")
            let missing = try await w.post("/api/m/v1/session", [:])
            #expect(missing.status == .unprocessableEntity && w.field(missing) == "code")
            await w.sim.stop()
            let down = try await w.post("/api/m/v1/session", ["code": "X"])
            #expect(down.status == .serviceUnavailable && w.rule(down) == "wechat.unavailable")
        }
    }

    @Test("the OpenAPI document parses, validates and names every registered /api/m/v1 route")
    func openAPIComplete() async throws {
        try await withMiniProgram { w in
            let res = try await w.get("/api/m/v1/openapi.json", token: nil)
            #expect(res.status == .ok)
            let doc = try JSONDecoder().decode(OpenAPI.Document.self, from: Data(res.body.utf8))
            try doc.validate()
            var documented: Set<String> = []
            for (path, item) in doc.paths {
                guard let item = item.pathItemValue else { continue }
                for endpoint in item.endpoints { documented.insert("\(endpoint.method.rawValue.uppercased()) \(path.rawValue)") }
            }
            let registered = w.t.app.routes.all.filter { $0.path.first?.description == "api" && $0.path.dropFirst().first?.description == "m" }
            #expect(!registered.isEmpty)
            for route in registered where route.path.last?.description != "openapi.json" {
                let path = "/" + route.path.dropFirst(3).map { c -> String in
                    if case .parameter(let name) = c { return "{\(name)}" }
                    return c.description
                }.joined(separator: "/")
                #expect(documented.contains("\(route.method.rawValue) \(path)"), "\(route.method.rawValue) \(path) is not in the document")
            }
        }
    }

    @Test("without a mini-program in the WeChat config, /api/m/v1 answers 404")
    func offWithoutConfig() async throws {
        try await withTestApp { t in
            try await t.app.testing().test(.POST, "/api/m/v1/session", beforeRequest: { req in
                try req.content.encode(["code": "X"])
            }) { res in #expect(res.status == .notFound) }
        }
    }
}

/// An app with a mini-program whose code2Session is the simulator; SMS captured as the member-login tests do.
struct MiniProgramWorld {
    let t: TestContext
    let sim: WechatSimulator
    let harness: MemberLoginHarness

    struct Answer {
        var status: HTTPStatus
        var headers: HTTPHeaders
        var body: String
        var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any] ?? [:] }
    }

    func field(_ a: Answer) -> String? { (a.json["error"] as? [String: Any])?["field"] as? String }
    func rule(_ a: Answer) -> String? { (a.json["error"] as? [String: Any])?["rule"] as? String }

    func send(_ method: HTTPMethod, _ path: String, token: String?, json: [String: String]? = nil) async throws -> Answer {
        var answer: Answer?
        try await t.app.testing().test(method, path, beforeRequest: { req in
            if let token { req.headers.bearerAuthorization = .init(token: token) }
            if let json { try req.content.encode(json, as: .json) }
        }) { res in answer = Answer(status: res.status, headers: res.headers, body: res.body.string) }
        return answer!
    }

    func post(_ path: String, _ json: [String: String], token: String? = nil) async throws -> Answer {
        try await send(.POST, path, token: token, json: json)
    }

    func get(_ path: String, token: String?) async throws -> Answer { try await send(.GET, path, token: token) }
}

func withMiniProgram(_ body: (MiniProgramWorld) async throws -> Void) async throws {
    if TestDatabase.isPostgres { await TestDatabase.slots.acquire() }
    do {
        try await runMiniProgram(body)
        if TestDatabase.isPostgres { await TestDatabase.slots.release() }
    } catch {
        if TestDatabase.isPostgres { await TestDatabase.slots.release() }
        throw error
    }
}

private func runMiniProgram(_ body: (MiniProgramWorld) async throws -> Void) async throws {
    let sim = try await WechatSimulator.start(apps: [MiniProgramAPITests.appid: MiniProgramAPITests.secret])
    let (location, cleanup) = TestDatabase.fresh()
    defer { cleanup() }
    let clock = TestClock(shanghai(2026, 11, 25, 10))
    do {
        try await VaporTesting.withApp(configure: { app in
            app.logger.logLevel = .critical
            var config = AppConfig(database: location, databasePool: 4)
            config.wechat = WechatConfig(apiBase: sim.base, malls: [
                WechatMallConfig(mall: "MAIN", miniProgram: WechatAppCredentials(appid: MiniProgramAPITests.appid, secret: MiniProgramAPITests.secret)),
            ])
            try await configure(app, config: config,
                                env: StoreEnvironment(now: { clock.now }, cipher: PersonalDataCipher(keyData: Data("test-key-0123456789-0123456789-01".utf8))))
            try await app.autoMigrate()
        }) { app in
            let key = try await app.store.createAPIKey(name: "test-pos", actor: "test")
            let t = TestContext(app: app, clock: clock, apiKey: key)
            let world = MiniProgramWorld(t: t, sim: sim, harness: MemberLoginHarness(t))
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
