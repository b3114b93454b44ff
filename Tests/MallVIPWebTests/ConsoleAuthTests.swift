import Foundation
import MallVIPCore
import MallVIPStore
@testable import MallVIPWeb
import SQLKit
import Testing
import Vapor

@Suite("Console sign-in, lockout and CSRF") struct ConsoleAuthTests {
    @Test func signInWorksAndWrongPasswordFails() async throws {
        try await withTestApp { t in
            try await t.makeStaff("desk", .desk)
            let browser = ConsoleClient(t)

            let wrong = try await browser.login("desk", "not-the-password")
            #expect(wrong.status == .unauthorized)
            #expect(wrong.contains("用户名或密码错误"))
            #expect(browser.sessionCookie == nil)

            let unknown = try await browser.login("nobody", ConsoleClient.password)
            #expect(unknown.status == .unauthorized)
            #expect(unknown.contains("用户名或密码错误"))

            let ok = try await browser.login("desk")
            #expect(ok.status == .seeOther)
            #expect(ok.location == "/console")
            #expect(browser.sessionCookie != nil)
            let home = try await browser.get("/console")
            #expect(home.status == .ok)
            #expect(home.contains("Desk · 服务台"))
            #expect(home.csrf != nil)
        }
    }

    @Test func consoleNeedsASession() async throws {
        try await withTestApp { t in
            let browser = ConsoleClient(t)
            let page = try await browser.get("/console/members?q=1234")
            #expect(page.status == .seeOther)
            #expect(page.location == "/login?next=/console/members%3Fq%3D1234")
            // After signing in, the login form sends the person back where they were going.
            try await t.makeStaff("desk", .desk)
            let back = try await browser.post("/login", [("username", "desk"), ("password", ConsoleClient.password),
                                                        ("next", "/console/members?q=1234")], csrf: .none)
            #expect(back.location == "/console/members?q=1234")
            // …but never off the console.
            let browser2 = ConsoleClient(t)
            let away = try await browser2.post("/login", [("username", "desk"), ("password", ConsoleClient.password),
                                                         ("next", "https://evil.example/")], csrf: .none)
            #expect(away.location == "/console")
        }
    }

    /// Issue 14: failures throttle the address they come from (429), not the account, which anyone could lock.
    @Test func failuresThrottleTheAddressNotTheAccount() async throws {
        try await withTestApp { t in
            try await t.makeStaff("desk", .desk)
            let limit = t.app.appConfig.loginFailureLimit
            let browser = ConsoleClient(t)
            for _ in 1..<limit {
                #expect(try await browser.login("desk", "guess-guess").status == .unauthorized)
            }
            // One failure short of the limit: the right password still works.
            #expect(try await browser.login("desk").status == .seeOther)

            let other = ConsoleClient(t)
            #expect(try await other.login("desk", "guess-guess").status == .unauthorized)
            let throttled = try await other.login("desk")
            #expect(throttled.status == .tooManyRequests)
            #expect(throttled.contains("尝试次数过多"))
            #expect(other.sessionCookie == nil)
            #expect(try await t.auditCount("staff.locked") == 0)
            #expect(try await t.store.staff(username: "desk")!.lockedUntil == nil)

            // Still throttled after 14 minutes; open again once the failures have left the 15-minute window.
            t.clock.advance(14 * 60)
            #expect(try await other.login("desk").status == .tooManyRequests)
            t.clock.advance(2 * 60)
            #expect(try await other.login("desk").status == .seeOther)
        }
    }

    @Test func postsNeedTheSessionsCSRFToken() async throws {
        try await withTestApp { t in
            let browser = try await t.console(as: "admin", .admin)
            let form = [("departmentId", "1"), ("code", "C0900"), ("name", "测试柜"), ("participatesInDiscount", "1")]

            let missing = try await browser.post("/console/counters/new", form, csrf: .none)
            #expect(missing.status == .forbidden)
            #expect(missing.contains("CSRF"))
            let wrong = try await browser.post("/console/counters/new", form, csrf: .value(String(repeating: "0", count: 64)))
            #expect(wrong.status == .forbidden)
            // Another session's token is wrong for this one.
            let other = try await t.console(as: "admin2", .admin)
            let foreign = try await browser.post("/console/counters/new", form, csrf: .value(other.lastCSRF!))
            #expect(foreign.status == .forbidden)
            #expect(try await t.store.counterList().contains { $0.code == "C0900" } == false)

            let ok = try await browser.post("/console/counters/new", form)
            #expect(ok.status == .seeOther)
            #expect(try await t.store.counterList().contains { $0.code == "C0900" })

            // Sign-out and the language switch are forms too.
            #expect(try await browser.post("/logout", [], csrf: .none).status == .forbidden)
            #expect(try await browser.post("/console/language", [("lang", "en")], csrf: .none).status == .forbidden)
        }
    }

    @Test func signOutEndsTheSession() async throws {
        try await withTestApp { t in
            let browser = try await t.console(as: "desk", .desk)
            let token = browser.sessionCookie!
            let out = try await browser.post("/logout", [])
            #expect(out.status == .seeOther)
            #expect(out.location == "/login")
            #expect(browser.sessionCookie == nil)
            // The old cookie no longer opens anything.
            let res = try await t.app.testing().sendRequest(.GET, "/console", headers: ["Cookie": "\(StaffAuth.cookieName)=\(token)"])
            #expect(res.status == .seeOther)
        }
    }

    @Test func disabledStaffAreSignedOutAndCannotSignIn() async throws {
        try await withTestApp { t in
            let admin = try await t.console(as: "admin", .admin)
            let desk = try await t.console(as: "desk", .desk)
            let deskID = try await t.store.staff(username: "desk")!.id
            _ = try await admin.get("/console/staff")
            let toggled = try await admin.post("/console/staff/\(deskID)/toggle", [])
            #expect(toggled.status == .seeOther)
            #expect(try await desk.get("/console").status == .seeOther)
            #expect(try await ConsoleClient(t).login("desk").status == .unauthorized)
            // Enabled again, the account signs in.
            _ = try await admin.get("/console/staff")
            #expect(try await admin.post("/console/staff/\(deskID)/toggle", []).status == .seeOther)
            #expect(try await ConsoleClient(t).login("desk").status == .seeOther)
        }
    }
}
