import Foundation
import MallVIPCore
import MallVIPStore
@testable import MallVIPWeb
import Testing
import Vapor
import VaporTesting

/// Issue 14, findings 3 and 7 (staff sign-in): `next` and Referer redirects, one message and the same bcrypt work
/// for every failure, per-address throttling instead of an account lock anyone could trigger, Origin checks,
/// Secure cookies, /metrics closed in production.
@Suite("Staff sign-in security (issue 14)") struct LoginSecurityTests {
    /// Trusts X-Forwarded-For so that one test can be several client addresses.
    static func trustProxy(_ t: TestContext) {
        var c = t.app.appConfig
        c.trustProxy = true
        t.app.storage[ConfigKey.self] = c
    }

    static func client(_ t: TestContext, ip: String) -> ConsoleClient {
        let c = ConsoleClient(t)
        c.extraHeaders = [("X-Forwarded-For", ip)]
        return c
    }

    // MARK: next and Referer

    @Test func nextWithCRLFOrAnotherHostNeverReachesLocation() async throws {
        try await withTestApp { t in
            try await t.makeStaff("desk", .desk)
            let hostile = ["/console\r\nSet-Cookie: evil=1", "/console%0d%0aSet-Cookie:%20evil=1", "//evil.example", "//evil.example/console",
                           "/\\evil.example", "/console\\..\\x", "https://evil.example/console", "javascript:alert(1)", "/m/card",
                           "/console/../m/card", "/console/%2e%2e/m/card", " /console", "/consolex", "/console/\u{202E}x"]
            for next in hostile {
                let browser = ConsoleClient(t)
                let page = try await browser.post("/login", [("username", "desk"), ("password", ConsoleClient.password), ("next", next)], csrf: .none)
                #expect(page.status == .seeOther)
                #expect(page.location == "/console", "next \(next.debugDescription) led to \(page.location.debugDescription)")
                #expect(browser.cookies["evil"] == nil)
            }
            // Good targets survive, with their query.
            let ok = try await ConsoleClient(t).post("/login", [("username", "desk"), ("password", ConsoleClient.password),
                                                                ("next", "/console/members?q=%E5%BC%A0")], csrf: .none)
            #expect(ok.location == "/console/members?q=%E5%BC%A0")
        }
    }

    @Test func theLoginFormDoesNotReflectAHostileNext() async throws {
        try await withTestApp { t in
            for next in ["%0d%0aSet-Cookie:x", "/console%0d%0aX:1", "%22%3E%3Csvg%20onload%3Dalert(1)%3E", "//evil.example"] {
                let page = try await ConsoleClient(t).get("/login?next=\(next)")
                #expect(page.status == .ok)
                let value = ConsolePage.firstMatch(#"name="next" value="([^"]*)""#, in: page.body) ?? ""
                #expect(value.isEmpty && page.contains("name=\"next\""), "GET /login?next=\(next) reflected it as \(value)")
                #expect(!page.contains("evil.example") && !page.contains("<svg"))
            }
            let good = try await ConsoleClient(t).get("/login?next=/console/members%3Fq%3D1")
            #expect(good.contains("name=\"next\" value=\"/console/members?q=1\""))
        }
    }

    @Test func theLanguageSwitchesGoBackOnlyToTheirOwnPages() async throws {
        try await withTestApp { t in
            let browser = try await t.console(as: "desk", .desk)
            for referer in ["http://127.0.0.1/console/%0d%0aSet-Cookie:%20evil=1", "http://127.0.0.1//evil.example", "http://127.0.0.1/m/card"] {
                browser.extraHeaders = [("Referer", referer), ("Host", "127.0.0.1")]
                let page = try await browser.post("/console/language", [("lang", "en")])
                #expect(page.status == .seeOther)
                #expect(page.location == "/console", "Referer \(referer) led to \(page.location.debugDescription)")
            }
            browser.extraHeaders = [("Referer", "http://127.0.0.1/console/members?q=1"), ("Host", "127.0.0.1")]
            #expect(try await browser.post("/console/language", [("lang", "zh")]).location == "/console/members?q=1")
            // The member pages' switch: the same check.
            let member = ConsoleClient(t)
            member.extraHeaders = [("Referer", "http://127.0.0.1/m/%0d%0aSet-Cookie:%20evil=1")]
            let m = try await member.post("/m/language", [("lang", "en")], csrf: .none)
            #expect(m.location == "/m/card")
        }
    }

    @Test func safeRedirectRules() {
        #expect(SafeRedirect.path("/console") == "/console")
        #expect(SafeRedirect.path("/console/members/3/edit?x=1") == "/console/members/3/edit?x=1")
        for bad in [nil, "", "/", "//x", "/\\x", "/console\n", "/console%0A", "/console%5c..", "/console/..", "http://x/console",
                    "/consoles", "/console/%2F%2Fx/../..", "/console\u{0}"] as [String?] {
            #expect(SafeRedirect.path(bad) == nil, "\(bad.debugDescription) should be refused")
        }
        #expect(SafeRedirect.path("/m/card", under: ["/m/"]) == "/m/card")
        #expect(SafeRedirect.path("/mx", under: ["/m/"]) == nil)
    }

    // MARK: one answer

    @Test func everyFailureGetsTheSameAnswer() async throws {
        try await withTestApp { t in
            let deskID = try await t.makeStaff("desk", .desk)
            let off = try await t.makeStaff("off", .desk)
            try await t.store.setStaffActive(id: off, active: false, actor: "test")
            try await t.makeStaff("locked", .desk)
            try await t.store.lockStaff(userId: try await t.store.staff(username: "locked")!.id, until: t.clock.now.addingTimeInterval(600), detail: "test")
            var bodies: [String] = []
            for (user, password) in [("nobody", ConsoleClient.password), ("desk", "wrong-password-1"), ("off", ConsoleClient.password),
                                     ("locked", ConsoleClient.password)] {
                let page = try await ConsoleClient(t).login(user, password)
                #expect(page.status == .unauthorized, "\(user)")
                #expect(page.contains("用户名或密码错误"))
                #expect(!page.contains("锁定") && !page.contains("停用"))
                bodies.append(page.body)
            }
            #expect(Set(bodies).count == 1, "the four failures must be indistinguishable")
            _ = deskID
        }
    }

    @Test("unknown users cost the same bcrypt work as real ones")
    func dummyHashHasTheRealCost() throws {
        func cost(_ hash: String) -> Int? { let parts = hash.split(separator: "$"); return parts.count > 2 ? Int(parts[1]) : nil }   // $2b$12$…
        let real = try Bcrypt.hash("anything-at-all")            // what `users create` and `serve` store
        #expect(cost(LoginController.dummyHash) != nil)
        #expect(cost(LoginController.dummyHash) == cost(real))
        #expect(cost(real) == LoginController.bcryptCost)
    }

    // MARK: throttle and lock

    @Test func oneAddressIsThrottledButCannotLockTheAccount() async throws {
        try await withTestApp { t in
            Self.trustProxy(t)
            try await t.makeStaff("desk", .desk)
            let limit = t.app.appConfig.loginFailureLimit
            let attacker = Self.client(t, ip: "203.0.113.9")
            for i in 0..<limit {
                #expect(try await attacker.login(i.isMultiple(of: 2) ? "desk" : "nobody", "guess-guess-\(i)").status == .unauthorized)
            }
            // The address now waits, whatever it sends, even the right password.
            let blocked = try await attacker.login("desk")
            #expect(blocked.status == .tooManyRequests)
            let retry = try #require(blocked.headers.first(name: .retryAfter).flatMap(Int.init))
            #expect(retry > 0 && retry <= 15 * 60)
            #expect(attacker.sessionCookie == nil)
            // The account is not locked: the clerk signs in from their own address.
            #expect(try await t.store.staff(username: "desk")!.lockedUntil == nil)
            #expect(try await Self.client(t, ip: "198.51.100.7").login("desk").status == .seeOther)
            // After the window the address may try again.
            t.clock.advance(15 * 60 + 1)
            #expect(try await attacker.login("desk").status == .seeOther)
        }
    }

    @Test func guessingFromManyAddressesLocksButSparesKnownAddresses() async throws {
        try await withTestApp { t in
            Self.trustProxy(t)
            try await t.makeStaff("desk", .desk)
            let limit = t.app.appConfig.loginFailureLimit
            // The clerk's usual desk.
            #expect(try await Self.client(t, ip: "10.1.1.1").login("desk").status == .seeOther)
            for a in 1...3 {
                let bot = Self.client(t, ip: "203.0.113.\(a)")
                for i in 0..<limit { _ = try await bot.login("desk", "guess-\(a)-\(i)-xx") }
            }
            #expect(try await t.auditCount("staff.locked") == 1)
            // A new address with the right password: the same answer as a wrong one.
            let fresh = try await Self.client(t, ip: "192.0.2.50").login("desk")
            #expect(fresh.status == .unauthorized)
            #expect(fresh.contains("用户名或密码错误"))
            // The usual desk still gets in.
            #expect(try await Self.client(t, ip: "10.1.1.1").login("desk").status == .seeOther)
        }
    }

    // MARK: Origin

    @Test func postsFromAnotherOriginAreRefused() async throws {
        try await withTestApp { t in
            try await t.makeStaff("desk", .desk)
            let evil = ConsoleClient(t)
            evil.extraHeaders = [("Origin", "https://evil.example"), ("Host", "127.0.0.1:8080")]
            #expect(try await evil.login("desk").status == .forbidden)
            #expect(evil.sessionCookie == nil)
            let sameSite = ConsoleClient(t)
            sameSite.extraHeaders = [("Origin", "http://127.0.0.1:8080"), ("Host", "127.0.0.1:8080")]
            #expect(try await sameSite.login("desk").status == .seeOther)

            // Every console POST: Origin, else Referer, must be ours; neither is allowed (scripts; CSRF still applies).
            let browser = try await t.console(as: "admin", .admin)
            browser.extraHeaders = [("Origin", "https://evil.example"), ("Host", "127.0.0.1:8080")]
            #expect(try await browser.post("/console/language", [("lang", "en")]).status == .forbidden)
            browser.extraHeaders = [("Referer", "https://evil.example/page"), ("Host", "127.0.0.1:8080")]
            #expect(try await browser.post("/console/language", [("lang", "en")]).status == .forbidden)
            browser.extraHeaders = [("Origin", "null"), ("Host", "127.0.0.1:8080")]
            #expect(try await browser.post("/logout", []).status == .forbidden)
            browser.extraHeaders = [("Sec-Fetch-Site", "cross-site"), ("Host", "127.0.0.1:8080")]
            #expect(try await browser.post("/console/language", [("lang", "en")]).status == .forbidden)
            browser.extraHeaders = [("Referer", "http://127.0.0.1:8080/console"), ("Host", "127.0.0.1:8080")]
            #expect(try await browser.post("/console/language", [("lang", "en")]).status == .seeOther)
            browser.extraHeaders = []
            #expect(try await browser.post("/console/language", [("lang", "zh")]).status == .seeOther)
        }
    }

    // MARK: cookies

    @Test func everyCookieIsSecureUnlessPlainHTTPDevelopmentSaysSo() async throws {
        let base = ["DATABASE_URL": "sqlite:unused.sqlite"]
        #expect(try AppConfig.fromEnvironment(base).secureCookies)
        #expect(try AppConfig.fromEnvironment(base.merging(["MALLVIP_SECURE_COOKIES": "1"]) { $1 }).secureCookies)
        #expect(try AppConfig.fromEnvironment(base.merging(["MALLVIP_INSECURE_COOKIES": "1"]) { $1 }).secureCookies == false)
        try await withTestApp { t in
            try await t.makeStaff("desk", .desk)
            let browser = ConsoleClient(t)
            let login = try await browser.login("desk")
            let session = try #require(login.headers[.setCookie].first { $0.hasPrefix(StaffAuth.cookieName + "=") })
            #expect(session.contains("Secure") && session.contains("HttpOnly") && session.contains("SameSite=Lax"))
            _ = try await browser.get("/console")
            let lang = try await browser.post("/console/language", [("lang", "en")])
            let langCookie = try #require(lang.headers[.setCookie].first { $0.hasPrefix("mallvip_lang=") })
            #expect(langCookie.contains("Secure") && langCookie.contains("HttpOnly"))
            let memberLang = try await ConsoleClient(t).post("/m/language", [("lang", "en")], csrf: .none)
            #expect(memberLang.headers[.setCookie].allSatisfy { $0.contains("Secure") })
            #expect(MemberAuth.cookie("x", config: t.app.appConfig, maxAge: 60).isSecure)
            let out = try await browser.post("/logout", [])
            #expect(out.headers[.setCookie].allSatisfy { $0.contains("Secure") })
        }
    }

    // MARK: /metrics

    @Test func metricsIsClosedInProductionWithoutItsToken() async throws {
        try await withTestApp { t in
            #expect(try await t.app.testing().sendRequest(.GET, "/metrics").status == .ok)     // development: open
            var c = t.app.appConfig
            c.production = true
            t.app.storage[ConfigKey.self] = c
            let closed = try await t.app.testing().sendRequest(.GET, "/metrics")
            #expect(closed.status == .forbidden)
            #expect(closed.body.string.contains("MALLVIP_METRICS_TOKEN"))
            c.metricsToken = "scrape-me-please"
            t.app.storage[ConfigKey.self] = c
            #expect(try await t.app.testing().sendRequest(.GET, "/metrics").status == .unauthorized)
            #expect(try await t.app.testing().sendRequest(.GET, "/metrics", headers: ["Authorization": "Bearer nope"]).status == .unauthorized)
            #expect(try await t.app.testing().sendRequest(.GET, "/metrics", headers: ["Authorization": "Bearer scrape-me-please"]).status == .ok)
        }
    }
}
