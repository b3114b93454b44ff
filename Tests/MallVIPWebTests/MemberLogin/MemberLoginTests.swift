import Foundation
import MallVIPCore
@testable import MallVIPStore
@testable import MallVIPWeb
import SQLKit
import Testing
import Vapor

/// Member sign-in by SMS code (issue 8): code rules, limits, logging, no phone enumeration, the session cookie.
@Suite("Member login") struct MemberLoginTests {
    static let phone = "13900001111"

    @Test("code by SMS at once, recorded in the outbox masked with its cost; hashed code; right code → member cookie and pages; logout ends the session")
    func fullFlow() async throws {
        try await withTestApp { t in
            let h = MemberLoginHarness(t)
            let card = try await t.enrolMember(phone: Self.phone)
            let memberId = try await t.memberId(card: card)
            // Signed out: the member pages send to the sign-in.
            let signedOut = try await h.browser.get("/m/card")
            #expect(signedOut.status == .seeOther && signedOut.location == "/m/login")
            let login = try await h.browser.get("/m/login")
            #expect(login.status == .ok && login.contains("获取验证码") && !login.contains("m-nav"))

            let sent = try await h.requestCode(Self.phone)
            #expect(sent.status == .ok && sent.contains("139****1111"))
            let code = try await h.lastCode(to: Self.phone)
            try await h.waitForSMS(1)
            #expect(h.sms.sent.count == 1 && h.sms.sent[0].purpose == .service && h.sms.sent[0].memberId == memberId)

            let programme = try await t.store.programme().1
            let outbox = try #require(try await t.store.sql.raw("""
                SELECT status, purpose, source, body, cost_fen, provider_id FROM outbox_messages WHERE member_id = \(bind: memberId) AND source = 'login'
                """).first())
            #expect(try outbox.decode(column: "status", as: String.self) == "sent")
            #expect(try outbox.decode(column: "purpose", as: String.self) == "service")
            #expect(try outbox.decode(column: "cost_fen", as: Int64.self) == programme.messaging.costFen(.sms))
            #expect(try outbox.decode(column: "provider_id", as: String?.self) != nil)
            let stored = try outbox.decode(column: "body", as: String.self)
            #expect(!stored.contains(code) && stored.contains("******"))
            let hash = try await t.store.sql.raw("SELECT code_hash FROM member_login_codes WHERE phone = \(bind: Self.phone)").first()!
                .decode(column: "code_hash", as: String.self)
            #expect(hash != code && !hash.contains(code) && hash != sha256Hex(code))

            // Straight to the card with a cookie of its own, HttpOnly and SameSite=Lax, scoped to /m.
            let res = try await t.app.testing().sendRequest(.POST, "/m/login/verify",
                headers: ["Content-Type": "application/x-www-form-urlencoded", "Accept": "text/html"],
                body: ByteBuffer(string: "phone=\(Self.phone)&code=\(code)"))
            #expect(res.status == .seeOther && res.headers.first(name: .location) == "/m/card")
            let cookie = try #require(res.headers[.setCookie].first { $0.hasPrefix("\(MemberAuth.cookieName)=") })
            #expect(cookie.contains("HttpOnly") && cookie.lowercased().contains("samesite=lax") && cookie.contains("Path=/m"))
            #expect(!res.headers[.setCookie].contains { $0.hasPrefix("\(StaffAuth.cookieName)=") })
            let token = String(cookie.dropFirst(MemberAuth.cookieName.count + 1).prefix { $0 != ";" })
            let session = try #require(try await t.store.sql.raw("SELECT token_hash, member_id FROM member_sessions").first())
            #expect(try session.decode(column: "token_hash", as: String.self) == sha256Hex(token))
            #expect(try session.decode(column: "member_id", as: Int64.self) == memberId)
            // The code is used up.
            let again = try await h.verify(Self.phone, code)
            #expect(again.status == .unauthorized)

            // Through the browser this time (fresh code after the resend wait), then the pages and sign-out.
            t.clock.advance(61)
            try await h.requestCode(Self.phone)
            let ok = try await h.verify(Self.phone, try h.lastCode(to: Self.phone))
            #expect(ok.status == .seeOther && h.browser.cookies[MemberAuth.cookieName] != nil)
            let home = try await h.browser.get("/m")
            #expect(home.status == .seeOther && home.location == "/m/card")
            let card2 = try await h.browser.get("/m/card")
            #expect(card2.status == .ok && card2.contains("m-nav") && card2.contains("/m/logout"))
            #expect(card2.contains(#"href="/m/card" aria-current="page""#) && !card2.contains(#"href="/m/profile" aria-current"#))
            // A member session opens no console page.
            let console = try await h.browser.get("/console")
            #expect(console.status == .seeOther && console.location?.hasPrefix("/login") == true)
            // Sign-out needs the form's CSRF token.
            let forged = try await h.browser.post("/m/logout", [], csrf: .value("forged"))
            #expect(forged.status == .forbidden)
            let out = try await h.browser.post("/m/logout", [])
            #expect(out.status == .seeOther && out.location == "/m/login" && h.browser.cookies[MemberAuth.cookieName] == nil)
            let sessions = try await t.store.sql.raw("SELECT COUNT(*) AS n FROM member_sessions").first()!.decode(column: "n", as: Int.self)
            #expect(sessions == 1) // the first session (from the raw request) is still there; the browser's is gone
            #expect(try await h.attempts(Self.phone) == ["send:issued", "verify:ok", "verify:no_code", "send:issued", "verify:ok"])
        }
    }

    @Test("a code is valid for 5 minutes (configurable)")
    func expiry() async throws {
        try await withTestApp { t in
            let h = MemberLoginHarness(t)
            _ = try await t.enrolMember(phone: Self.phone)
            try await h.requestCode(Self.phone)
            t.clock.advance(5 * 60 - 1)
            let late = try await h.lastCode(to: Self.phone)
            t.clock.advance(1)
            let expired = try await h.verify(Self.phone, late)
            #expect(expired.status == .unauthorized && expired.contains("已过期"))

            h.setPolicy { $0.codeTTL = 120 }
            try await h.requestCode(Self.phone)
            t.clock.advance(119)
            #expect(try await h.verify(Self.phone, try h.lastCode(to: Self.phone)).status == .seeOther)
            t.clock.advance(61)
            try await h.requestCode(Self.phone)
            t.clock.advance(120)
            #expect(try await h.verify(Self.phone, try h.lastCode(to: Self.phone)).status == .unauthorized)
            #expect(try await h.attempts(Self.phone).filter { $0 == "verify:expired" }.count == 2)
            #expect(h.sms.sent.last!.body.contains("2 分钟"))
        }
    }

    @Test("5 wrong entries kill the code, even for the right one afterwards; a new code works")
    func fiveTries() async throws {
        try await withTestApp { t in
            let h = MemberLoginHarness(t)
            _ = try await t.enrolMember(phone: Self.phone)
            try await h.requestCode(Self.phone)
            let code = try await h.lastCode(to: Self.phone)
            for left in (0..<4).reversed() {
                let page = try await h.verify(Self.phone, MemberLoginHarness.wrong(code))
                #expect(page.status == .unauthorized && page.contains("还可尝试 \(left + 1) 次"))
            }
            let fifth = try await h.verify(Self.phone, MemberLoginHarness.wrong(code))
            #expect(fifth.status == .unauthorized && fifth.contains("错误次数过多"))
            let right = try await h.verify(Self.phone, code)
            #expect(right.status == .unauthorized && right.contains("错误次数过多") && h.browser.cookies[MemberAuth.cookieName] == nil)
            t.clock.advance(60)
            try await h.requestCode(Self.phone)
            #expect(try await h.verify(Self.phone, try h.lastCode(to: Self.phone)).status == .seeOther)
            let log = try await h.attempts(Self.phone)
            #expect(log.filter { $0 == "verify:wrong" }.count == 5 && log.contains("verify:too_many_tries"))
        }
    }

    @Test("resend only after 60 s (429 before, with the wait); the new code replaces the old one")
    func resend() async throws {
        try await withTestApp { t in
            let h = MemberLoginHarness(t)
            _ = try await t.enrolMember(phone: Self.phone)
            try await h.requestCode(Self.phone)
            let first = try await h.lastCode(to: Self.phone)
            t.clock.advance(45)
            let early = try await h.requestCode(Self.phone)
            #expect(early.status == .tooManyRequests && early.contains("请 15 秒后再获取新验证码"))
            #expect(h.sms.sent.count == 1)
            t.clock.advance(15)
            let later = try await h.requestCode(Self.phone)
            try await h.waitForSMS(2)
            #expect(later.status == .ok && h.sms.sent.count == 2)
            let second = try await h.lastCode(to: Self.phone)
            if first != second {
                #expect(try await h.verify(Self.phone, first).status == .unauthorized)
            }
            #expect(try await h.verify(Self.phone, second).status == .seeOther)
            #expect(try await h.attempts(Self.phone).prefix(3) == ["send:issued", "send:too_soon", "send:issued"])
        }
    }

    @Test("codes per phone per hour are limited (429 with a clear message); the window moves on")
    func phoneLimit() async throws {
        try await withTestApp { t in
            let h = MemberLoginHarness(t)
            _ = try await t.enrolMember(phone: Self.phone)
            for _ in 0..<5 {
                #expect(try await h.requestCode(Self.phone).status == .ok)
                t.clock.advance(61)
            }
            let limited = try await h.requestCode(Self.phone)
            #expect(limited.status == .tooManyRequests && limited.contains("尝试次数过多，请") && limited.contains("分钟后再试"))
            try await h.waitForSMS(5)
            #expect(h.sms.sent.count == 5)
            // An hour after the first code, one more is allowed.
            t.clock.advance(3600 - 5 * 61 + 1)
            #expect(try await h.requestCode(Self.phone).status == .ok)
            try await h.waitForSMS(6)
            #expect(h.sms.sent.count == 6)
            #expect(try await h.attempts(Self.phone).contains("send:limited_phone"))
        }
    }

    @Test("code requests and code entries per IP are limited, other addresses are not affected")
    func ipLimits() async throws {
        try await withTestApp { t in
            let sms = FakeSender(channels: [.sms])
            var policy = MemberLoginPolicy()
            policy.codesPerIP = 3
            policy.verifiesPerIP = 4
            for i in 0..<3 {
                #expect(try await t.store.requestMemberLoginCode(phone: "1390000000\(i)", ip: "10.0.0.1", policy: policy, sender: sms) == .sent)
            }
            guard case .limited(let wait) = try await t.store.requestMemberLoginCode(phone: "13900000009", ip: "10.0.0.1", policy: policy, sender: sms) else {
                Issue.record("fourth code from one IP was not limited"); return
            }
            #expect(wait > 0 && wait <= 3600)
            #expect(try await t.store.requestMemberLoginCode(phone: "13900000009", ip: "10.0.0.2", policy: policy, sender: sms) == .sent)
            for _ in 0..<4 {
                let r = try await t.store.verifyMemberLoginCode(phone: "13900000001", code: "000000", ip: "10.0.0.3", policy: policy,
                                                                sessionTokenHash: UUID().uuidString, csrf: "x")
                #expect(r != .signedIn(memberId: 0))
            }
            let blocked = try await t.store.verifyMemberLoginCode(phone: "13900000002", code: "000000", ip: "10.0.0.3", policy: policy,
                                                                  sessionTokenHash: UUID().uuidString, csrf: "x")
            guard case .limited = blocked else { Issue.record("fifth entry from one IP was not limited: \(blocked)"); return }
            let ips = try await t.store.sql.raw("SELECT COUNT(*) AS n FROM member_login_attempts WHERE ip = '10.0.0.3' AND outcome = 'limited_ip'")
                .first()!.decode(column: "n", as: Int.self)
            #expect(ips == 1)
        }
    }

    @Test("behind a trusted proxy the web limits count X-Forwarded-For; 429 page")
    func forwardedFor() async throws {
        try await withTestApp { t in
            _ = MemberLoginHarness(t)
            var config = t.app.appConfig
            config.trustProxy = true
            config.memberLogin.codesPerIP = 1
            t.app.storage[ConfigKey.self] = config
            func ask(_ phone: String, from ip: String) async throws -> HTTPStatus {
                try await t.app.testing().sendRequest(.POST, "/m/login", headers: [
                    "Content-Type": "application/x-www-form-urlencoded", "Accept": "text/html", "X-Forwarded-For": "\(ip), 10.9.9.9",
                ], body: ByteBuffer(string: "phone=\(phone)")).status
            }
            let first = try await ask("13900000001", from: "203.0.113.5")
            let second = try await ask("13900000002", from: "203.0.113.5")
            let elsewhere = try await ask("13900000002", from: "203.0.113.6")
            #expect(first == .ok && second == .tooManyRequests && elsewhere == .ok)
        }
    }

    @Test("a phone that is no member gets the same answer but no SMS; no code it could guess signs in")
    func noEnumeration() async throws {
        try await withTestApp { t in
            let h = MemberLoginHarness(t)
            _ = try await t.enrolMember(phone: Self.phone)
            let stranger = "13900002222"
            let member = try await h.requestCode(Self.phone)
            let other = try await h.requestCode(stranger)
            #expect(member.status == other.status)
            #expect(member.body.replacingOccurrences(of: Self.phone, with: "P").replacingOccurrences(of: "139****1111", with: "M")
                    == other.body.replacingOccurrences(of: stranger, with: "P").replacingOccurrences(of: "139****2222", with: "M"))
            try await h.waitForSMS(1)
            #expect(h.sms.sent.map(\.to) == [Self.phone])
            let outbox = try await t.store.sql.raw("SELECT COUNT(*) AS n FROM outbox_messages").first()!.decode(column: "n", as: Int.self)
            #expect(outbox == 1)
            // Same resend wait, same wrong-code answer.
            #expect(try await h.requestCode(stranger).status == (try await h.requestCode(Self.phone)).status)
            let a = try await h.verify(stranger, "123456"), b = try await h.verify(Self.phone, "123456")
            #expect(a.status == .unauthorized && b.status == .unauthorized)
            #expect(try await h.attempts(stranger) == ["send:issued_not_member", "send:too_soon", "verify:wrong"])
            // Even the stored hash's own code would not sign in a non-member.
            var policy = MemberLoginPolicy()
            policy.resendAfter = 0
            let code = "424242"
            let hash = t.store.loginCodeHash(phone: stranger, code: code)
            try await t.store.sql.raw("UPDATE member_login_codes SET code_hash = \(bind: hash) WHERE phone = \(bind: stranger)").run()
            let r = try await t.store.verifyMemberLoginCode(phone: stranger, code: code, ip: "x", policy: policy, sessionTokenHash: "h", csrf: "c")
            #expect(r == .wrong(triesLeft: 3))
        }
    }

    @Test("invalid phone → 422 naming the rule, nothing logged; deactivated member gets no SMS; gateway failure is recorded")
    func edges() async throws {
        try await withTestApp { t in
            let h = MemberLoginHarness(t)
            let bad = try await h.requestCode("12345")
            #expect(bad.status == .unprocessableEntity && bad.contains("手机号格式不正确"))
            #expect(try await h.attempts("12345").isEmpty)

            let card = try await t.enrolMember(phone: Self.phone)
            let id = try await t.memberId(card: card)
            h.sms.setMode(.fail)
            #expect(try await h.requestCode(Self.phone).status == .ok)
            try await h.waitForSMS(0)
            let failed = try await t.store.sql.raw("SELECT status, last_error, cost_fen FROM outbox_messages WHERE member_id = \(bind: id)").first()!
            #expect(try failed.decode(column: "status", as: String.self) == "failed")
            #expect(try failed.decode(column: "last_error", as: String?.self)?.contains("gatewayDown") == true)
            #expect(try failed.decode(column: "cost_fen", as: Int64.self) == 0)

            h.sms.setMode(.ok)
            try await t.store.sql.raw("UPDATE members SET status = 'deactivated' WHERE id = \(bind: id)").run()
            t.clock.advance(61)
            #expect(try await h.requestCode(Self.phone).status == .ok)
            try await Task.sleep(nanoseconds: 100_000_000)
            #expect(h.sms.sent.isEmpty)
        }
    }

    @Test("sign-in forms posted from another site are refused (no session, so Origin and Sec-Fetch-Site stand in for CSRF)")
    func crossSite() async throws {
        try await withTestApp { t in
            let h = MemberLoginHarness(t)
            _ = try await t.enrolMember(phone: Self.phone)
            func post(_ path: String, _ extra: HTTPHeaders) async throws -> HTTPStatus {
                var headers: HTTPHeaders = ["Content-Type": "application/x-www-form-urlencoded", "Accept": "text/html", "Host": "vip.example:8080"]
                for (k, v) in extra { headers.replaceOrAdd(name: k, value: v) }
                return try await t.app.testing().sendRequest(.POST, path, headers: headers,
                                                             body: ByteBuffer(string: "phone=\(Self.phone)&code=123456")).status
            }
            let evil = try await post("/m/login", ["Origin": "https://evil.example"])
            let fetch = try await post("/m/login/verify", ["Sec-Fetch-Site": "cross-site"])
            let opaque = try await post("/m/login", ["Origin": "null"])
            #expect(evil == .forbidden && fetch == .forbidden && opaque == .forbidden)
            try await h.waitForSMS(0)
            let logged = try await h.attempts(Self.phone)
            #expect(h.sms.sent.isEmpty && logged.isEmpty)
            let own = try await post("/m/login", ["Origin": "http://vip.example:8080", "Sec-Fetch-Site": "same-origin"])
            #expect(own == .ok)
        }
    }

    @Test("staff and member sessions are apart; unknown /m/ pages answer in the member frame")
    func separateSessions() async throws {
        try await withTestApp { t in
            let desk = try await t.console(as: "desk1", .desk)
            let staffOnMember = try await desk.get("/m/card")
            #expect(staffOnMember.status == .seeOther && staffOnMember.location == "/m/login")
            let h = MemberLoginHarness(t)
            _ = try await t.enrolMember(phone: Self.phone)
            try await h.requestCode(Self.phone)
            #expect(try await h.verify(Self.phone, try h.lastCode(to: Self.phone)).status == .seeOther)
            #expect(h.browser.cookies[StaffAuth.cookieName] == nil)
            let missing = try await h.browser.get("/m/no-such-page")
            #expect(missing.status == .notFound && missing.contains("/m/member.css") && !missing.contains("/console.css"))
            // A page of another member's id is no page at all.
            let other = try await h.browser.get("/m/members/1")
            #expect(other.status == .notFound && !other.contains("/console.css"))
        }
    }

    @Test("sessions end after their lifetime, or when the member is deactivated; a POST without a session is 401, not a redirect")
    func sessionLifetime() async throws {
        try await withTestApp { t in
            let h = MemberLoginHarness(t)
            h.setPolicy { $0.sessionTTL = 3600 }
            let id = try await t.memberId(card: try await t.enrolMember(phone: Self.phone))
            try await h.requestCode(Self.phone)
            #expect(try await h.verify(Self.phone, try h.lastCode(to: Self.phone)).status == .seeOther)
            #expect(try await h.browser.get("/m/card").status == .ok)
            try await t.store.sql.raw("UPDATE members SET status = 'deactivated' WHERE id = \(bind: id)").run()
            #expect(try await h.browser.get("/m/card").location == "/m/login")
            try await t.store.sql.raw("UPDATE members SET status = 'active' WHERE id = \(bind: id)").run()
            t.clock.advance(61)
            try await h.requestCode(Self.phone)
            #expect(try await h.verify(Self.phone, try h.lastCode(to: Self.phone)).status == .seeOther)
            #expect(try await h.browser.get("/m").status == .seeOther)
            #expect(try await h.browser.get("/m").location == "/m/card")
            t.clock.advance(3601)
            #expect(try await h.browser.get("/m/card").location == "/m/login")
            #expect(try await h.browser.post("/m/logout", []).status == .unauthorized)
        }
    }

    @Test("two entries of the right code at once sign in once")
    func concurrentVerify() async throws {
        try await withTestApp { t in
            let sms = FakeSender(channels: [.sms])
            _ = try await t.enrolMember(phone: Self.phone)
            let policy = MemberLoginPolicy()
            _ = try await t.store.requestMemberLoginCode(phone: Self.phone, ip: "1.1.1.1", policy: policy, sender: sms)
            let code = try #require(ConsolePage.firstMatch(#"(\d{6})"#, in: sms.sent[0].body))
            let store = t.store
            let results = try await withThrowingTaskGroup(of: MemberCodeVerifyOutcome.self) { group in
                for i in 0..<4 {
                    group.addTask {
                        try await store.verifyMemberLoginCode(phone: Self.phone, code: code, ip: "1.1.1.1", policy: policy,
                                                              sessionTokenHash: "token-\(i)", csrf: "c")
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(results.filter { if case .signedIn = $0 { true } else { false } }.count == 1)
            let n = try await t.store.sql.raw("SELECT COUNT(*) AS n FROM member_sessions").first()!.decode(column: "n", as: Int.self)
            #expect(n == 1)
        }
    }
}
