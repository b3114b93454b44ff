import AsyncHTTPClient
import Foundation
import MallVIPCore
import MallVIPStore
@testable import MallVIPWeb
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import SQLKit
import Testing
import Vapor
import VaporTesting

/// Official-account sign-in (issue 22b) end to end: the app's HTTP server on a free port, configured with
/// MALLVIP_WECHAT_CONFIG pointing at the WeChat simulator, and a browser (cookie jar, redirects followed by hand).
@Suite("WeChat official-account sign-in (网页授权)")
struct WechatSignInTests {
    static let appid = "wxOA0000000000001"
    static let phone = "13900002201"

    @Test("first time: WeChat → SMS code → bound, back to the page wanted; second time straight in; profile shows and unbinds it")
    func firstThenSecond() async throws {
        try await withWechatSignIn { w in
            let card = try await w.t.enrolMember(phone: Self.phone)
            let memberId = try await w.t.memberId(card: card)
            w.sim.oauthUser(openid: "oOA-first", unionid: "uUNION-1")
            let b = w.browser()

            // 1. To WeChat: the documented authorize URL, the state in a signed HttpOnly cookie.
            let start = try await b.get(w.app("/m/wechat?next=%2Fm%2Fpoints"))
            #expect(start.status == 302)
            let location = try #require(start.location)
            let callback = WechatSignInController.encode(w.appBase + "/m/wechat/callback")
            #expect(location.hasPrefix("\(w.sim.base)/connect/oauth2/authorize?appid=\(Self.appid)&redirect_uri=\(callback)&response_type=code&scope=snsapi_base&state="))
            #expect(location.hasSuffix("#wechat_redirect"))
            let stateCookie = try #require(start.setCookies.first { $0.hasPrefix("mallvip_wx_state=") })
            #expect(stateCookie.contains("HttpOnly") && stateCookie.lowercased().contains("samesite=lax") && stateCookie.contains("Max-Age=600"))

            // 2. WeChat sends the browser back with a code; the openid is new: the SMS-code sign-in, with a pending cookie.
            let back = try await b.follow(location)
            #expect(back.status == 200 && back.url.hasSuffix("/m/login"), "\(back.url) \(back.status)")
            #expect(b.cookie("mallvip_wx_pending") != nil && b.cookie("mallvip_wx_state") == nil)
            let exchange = try #require(w.sim.calls("/sns/oauth2/access_token").last)
            #expect(exchange.query["appid"] == Self.appid && exchange.query["secret"] == "oasecret0123456789abcdef" && exchange.query["grant_type"] == "authorization_code")
            let recorded = try #require(try await w.t.store.wechatIdentity(appid: Self.appid, openid: "oOA-first"))
            #expect(recorded.memberId == nil && recorded.kind == .officialAccount && recorded.unionid == "uUNION-1")

            let sent = try await b.post(w.app("/m/login"), ["phone": Self.phone])
            #expect(sent.status == 200)
            let code = try await w.sms.lastCode(to: Self.phone)
            let signedIn = try await b.post(w.app("/m/login/verify"), ["phone": Self.phone, "code": code])
            #expect(signedIn.status == 303 && signedIn.location == "/m/points", "the page wanted before WeChat")
            #expect(b.cookie("mallvip_wx_pending") == nil && b.cookie(MemberAuth.cookieName) != nil)
            #expect(try await w.t.store.wechatIdentity(appid: Self.appid, openid: "oOA-first")?.memberId == memberId)
            #expect(try await b.get(w.app("/m/points")).status == 200)
            let profile = try await b.get(w.app("/m/profile"))
            #expect(profile.body.contains("已绑定微信"))

            // 3. Second visit, a fresh browser, the same WeChat user: straight in, no SMS.
            let smsBefore = w.sms.sms.sent.count
            let b2 = w.browser()
            let direct = try await b2.follow(w.app("/m/wechat"))
            #expect(direct.status == 200 && direct.url.hasSuffix("/m/card"), "\(direct.url)")
            #expect(b2.cookie(MemberAuth.cookieName) != nil && b2.cookie("mallvip_wx_pending") == nil)
            #expect(w.sms.sms.sent.count == smsBefore)

            // 4. Unbind on the profile page: the next WeChat visit asks for the SMS code again.
            let profile2 = try await b2.get(w.app("/m/profile"))
            let csrf = try #require(ConsolePage.firstMatch(#"name="_csrf" value="([^"]+)""#, in: profile2.body))
            let unbound = try await b2.post(w.app("/m/profile/wechat/unbind"), ["_csrf": csrf])
            #expect(unbound.status == 303)
            #expect(try await w.t.store.wechatIdentity(appid: Self.appid, openid: "oOA-first")?.memberId == nil)
            let afterUnbind = try await b2.get(w.app("/m/profile"))
            #expect(!afterUnbind.body.contains("已绑定微信"))
            let again = try await w.browser().follow(w.app("/m/wechat"))
            #expect(again.url.hasSuffix("/m/login"))
        }
    }

    @Test("state: no cookie, a forged state, a replayed callback are refused (403) and sign no one in")
    func stateChecked() async throws {
        try await withWechatSignIn { w in
            let card = try await w.t.enrolMember(phone: Self.phone)
            let memberId = try await w.t.memberId(card: card)
            _ = try await w.t.store.recordWechatIdentity(mallId: try #require(try await w.t.store.mallId(code: "MAIN")), appid: Self.appid, openid: "oOA-victim", unionid: nil, kind: .officialAccount)
            try await w.t.store.bindWechatIdentity(appid: Self.appid, openid: "oOA-victim", memberId: memberId, actor: "test")
            w.sim.oauthUser(openid: "oOA-victim")

            // A real callback URL (code + state) captured from WeChat's redirect.
            let b = w.browser()
            let start = try await b.get(w.app("/m/wechat"))
            let toCallback = try await b.get(try #require(start.location))
            let callbackURL = try #require(toCallback.location)
            let stateValue = try #require(b.cookie("mallvip_wx_state"))

            // Another browser (no cookie) with that URL: refused, the code is not even exchanged.
            let exchanges = w.sim.calls("/sns/oauth2/access_token").count
            let stranger = try await w.browser().get(callbackURL)
            #expect(stranger.status == 403 && stranger.body.contains("state") && stranger.body.contains("重试"))
            #expect(w.sim.calls("/sns/oauth2/access_token").count == exchanges)

            // The right cookie but another state in the query: refused.
            let forged = w.browser()
            forged.set("mallvip_wx_state", stateValue)
            let forgedURL = callbackURL.replacingOccurrences(of: "state=", with: "state=0")
            #expect(try await forged.get(forgedURL).status == 403)
            // A tampered cookie: refused.
            let tampered = w.browser()
            tampered.set("mallvip_wx_state", "x" + stateValue.dropFirst())
            #expect(try await tampered.get(callbackURL).status == 403)

            // The browser's own callback signs in once; the same callback replayed with the same cookie is refused.
            let ok = try await b.get(callbackURL)
            #expect(ok.status == 303 && ok.location == "/m/card" && b.cookie(MemberAuth.cookieName) != nil)
            let replay = w.browser()
            replay.set("mallvip_wx_state", stateValue)
            let r = try await replay.get(callbackURL)
            #expect(r.status == 403 && replay.cookie(MemberAuth.cookieName) == nil)
            #expect(try await w.t.count("member_sessions") == 1)
        }
    }

    @Test("WeChat's errors are pages with a retry link: code used (40163), invalid (40029), busy (-1, HTTP 500), secret (40125), declined")
    func wechatErrors() async throws {
        try await withWechatSignIn { w in
            w.sim.oauthUser(openid: "oOA-err")
            // A code used once already (the first callback exchanged it): 40163 on a fresh state.
            let b = w.browser()
            let toWechat = try await b.get(w.app("/m/wechat"))
            let first = try await b.get(try #require(toWechat.location))
            let firstCallback = try #require(first.location)
            _ = try await b.get(firstCallback)
            let code = try #require(URLComponents(string: firstCallback)?.queryItems?.first { $0.name == "code" }?.value)
            func withFreshState(code: String) async throws -> Browser.Page {
                let c = w.browser()
                let started = try await c.get(w.app("/m/wechat"))
                let toWechat = try #require(started.location)
                let state = try #require(URLComponents(string: toWechat.replacingOccurrences(of: "#wechat_redirect", with: ""))?
                    .queryItems?.first { $0.name == "state" }?.value)
                return try await c.get(w.app("/m/wechat/callback?code=\(code)&state=\(state)"))
            }
            let used = try await withFreshState(code: code)
            #expect(used.status == 400 && used.body.contains("40163") && used.body.contains("wechat-retry"))
            let invalid = try await withFreshState(code: "NOSUCHCODE")
            #expect(invalid.status == 400 && invalid.body.contains("40029"))

            for (failure, status) in [(-1, 503), (500, 503), (40125, 502)] {
                w.sim.failNext("/sns/oauth2/access_token", code: failure)
                let c = w.browser()
                let page = try await c.follow(w.app("/m/wechat"))
                #expect(page.status == status, "failure \(failure): \(page.status)")
                #expect(page.body.contains("重试") && page.body.contains("Try again") && c.cookie(MemberAuth.cookieName) == nil)
            }

            // No code (the member declined): a page, not an error.
            w.sim.oauthUser(openid: nil)
            let declined = try await w.browser().follow(w.app("/m/wechat"))
            #expect(declined.status == 403 && declined.body.contains("没有授权"))
            #expect(try await w.t.count("member_sessions") == 0)
        }
    }

    @Test("404 for a mall without an official account, an unknown mall, and when WeChat is not configured")
    func notConfigured() async throws {
        try await withWechatSignIn { w in
            let noAccount = try await w.browser().get(w.app("/m/wechat?mall=NOOA"))
            let unknown = try await w.browser().get(w.app("/m/wechat?mall=NOPE"))
            let main = try await w.browser().get(w.app("/m/wechat?mall=MAIN"))
            #expect(noAccount.status == 404 && unknown.status == 404 && main.status == 302)
        }
        try await withTestApp { t in
            try await t.app.testing().test(.GET, "/m/wechat") { res in #expect(res.status == .notFound) }
            try await t.app.testing().test(.GET, "/m/wechat/callback?code=a&state=b") { res in #expect(res.status == .notFound) }
        }
    }
}

// MARK: - support

/// A browser for the tests: a cookie jar (name → value, with the cookie's path), no automatic redirects.
final class Browser: Sendable {
    struct Page: Sendable {
        var url: String
        var status: Int
        var headers: HTTPHeaders
        var body: String
        var location: String? { headers.first(name: "Location") }
        var setCookies: [String] { headers["Set-Cookie"] }
    }

    let http: HTTPClient
    private let jar = NIOLockedValueBox([String: (value: String, path: String)]())

    init(http: HTTPClient) { self.http = http }

    func cookie(_ name: String) -> String? { jar.withLockedValue { $0[name]?.value } }
    func set(_ name: String, _ value: String, path: String = "/") { jar.withLockedValue { $0[name] = (value, path) } }

    func get(_ url: String) async throws -> Page { try await send(.GET, url, body: nil) }

    func post(_ url: String, _ form: [String: String]) async throws -> Page {
        let body = form.map { "\($0.key)=\(WechatSignInController.encode($0.value))" }.joined(separator: "&")
        return try await send(.POST, url, body: body)
    }

    /// GETs `url` and follows redirects (as a browser would, dropping the #fragment) to the final page.
    func follow(_ url: String) async throws -> Page {
        var page = try await get(url)
        for _ in 0..<10 {
            guard (300..<400).contains(page.status), let loc = page.location else { return page }
            page = try await get(Self.absolute(loc, from: page.url))
        }
        return page
    }

    static func absolute(_ loc: String, from: String) -> String {
        if loc.hasPrefix("http") { return loc }
        let u = URLComponents(string: from)!
        return "\(u.scheme!)://\(u.host!):\(u.port!)\(loc)"
    }

    private func send(_ method: HTTPMethod, _ url: String, body: String?) async throws -> Page {
        let clean = url.components(separatedBy: "#")[0]
        var req = HTTPClientRequest(url: clean)
        req.method = method
        let path = URLComponents(string: clean)?.path ?? "/"
        let cookies = jar.withLockedValue { j in j.filter { path.hasPrefix($0.value.path) }.map { "\($0.key)=\($0.value.value)" } }
        if !cookies.isEmpty { req.headers.add(name: "Cookie", value: cookies.joined(separator: "; ")) }
        req.headers.add(name: "User-Agent", value: "Mozilla/5.0 (iPhone) MicroMessenger/8.0.50")
        req.headers.add(name: "Accept", value: "text/html")
        if let body {
            req.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
            req.body = .bytes(ByteBuffer(string: body))
        }
        let res = try await http.execute(req, timeout: .seconds(20))
        let bytes = try await res.body.collect(upTo: 4 * 1024 * 1024)
        for c in res.headers["Set-Cookie"] {
            let parts = c.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard let nv = parts.first, let eq = nv.firstIndex(of: "=") else { continue }
            let name = String(nv[..<eq]), value = String(nv[nv.index(after: eq)...])
            let cpath = parts.first { $0.lowercased().hasPrefix("path=") }.map { String($0.dropFirst(5)) } ?? "/"
            let expired = parts.contains { $0.lowercased() == "max-age=0" } || value.isEmpty
            jar.withLockedValue { $0[name] = expired ? nil : (value, cpath) }
        }
        return Page(url: clean, status: Int(res.status.code), headers: res.headers, body: String(buffer: bytes))
    }
}

struct WechatSignInWorld {
    let t: TestContext
    let sim: WechatSimulator
    let sms: MemberLoginHarness
    let http: HTTPClient
    let appBase: String
    func app(_ path: String) -> String { appBase + path }
    func browser() -> Browser { Browser(http: http) }
}

/// The app on a free port with MALLVIP_WECHAT_CONFIG: mall MAIN with an official account (secret from a file) and
/// mall NOOA with a mini-program only; apiBase and openBase are the simulator.
func withWechatSignIn(_ body: (WechatSignInWorld) async throws -> Void) async throws {
    guard TestDatabase.isPostgres else { return try await runWechatSignIn(body) }
    await TestDatabase.slots.acquire()
    do {
        try await runWechatSignIn(body)
        await TestDatabase.slots.release()
    } catch {
        await TestDatabase.slots.release()
        throw error
    }
}

private func runWechatSignIn(_ body: (WechatSignInWorld) async throws -> Void) async throws {
    let sim = try await WechatSimulator.start(apps: [WechatSignInTests.appid: "oasecret0123456789abcdef", "wxMP0000000000009": "mpsecret0123456789abcdef"])
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wx-signin-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    try "oasecret0123456789abcdef".write(to: dir.appendingPathComponent("oa.secret"), atomically: true, encoding: .utf8)
    let configJSON: [String: Any] = [
        "apiBase": sim.base, "openBase": sim.base,
        "malls": [["mall": "MAIN", "officialAccount": ["appid": WechatSignInTests.appid, "secretFile": "oa.secret"]],
                  ["mall": "NOOA", "miniProgram": ["appid": "wxMP0000000000009", "secretEnv": "WX_TEST_MP_SECRET"]]],
    ]
    let configFile = dir.appendingPathComponent("wechat.json")
    try JSONSerialization.data(withJSONObject: configJSON).write(to: configFile)
    let wechat = try WechatConfig.load(file: configFile.path, env: ["WX_TEST_MP_SECRET": "mpsecret0123456789abcdef"])
    let (location, cleanup) = TestDatabase.fresh()
    defer { cleanup() }
    let clock = TestClock(shanghai(2026, 11, 25, 10))
    do {
        try await withApp(configure: { app in
            app.logger.logLevel = .critical
            var config = AppConfig(database: location, secureCookies: false, databasePool: 4)
            config.wechat = wechat
            try await configure(app, config: config,
                                env: StoreEnvironment(now: { clock.now }, cipher: PersonalDataCipher(keyData: Data("test-key-0123456789-0123456789-01".utf8))))
            try await app.autoMigrate()
        }) { app in
            let http = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup,
                                  configuration: .init(redirectConfiguration: .disallow))
            func finish() async {
                await app.server.shutdown()
                try? await http.shutdown()
                if case .postgres(_, let schema?) = location { try? await app.store.sql.raw("DROP SCHEMA \(ident: schema) CASCADE").run() }
            }
            do {
                let key = try await app.store.createAPIKey(name: "test-pos", actor: "test")
                try await app.server.start(address: .hostname("127.0.0.1", port: 0))
                let port = try #require(app.http.server.shared.localAddress?.port)
                let t = TestContext(app: app, clock: clock, apiKey: key)
                try await body(WechatSignInWorld(t: t, sim: sim, sms: MemberLoginHarness(t), http: http, appBase: "http://127.0.0.1:\(port)"))
                await finish()
            } catch {
                await finish()
                throw error
            }
        }
        await sim.stop()
    } catch {
        await sim.stop()
        throw error
    }
}
