import Foundation
import MallVIPCore
import MallVIPStore
@testable import MallVIPWeb
import SQLKit
import Testing
import Vapor
import VaporTesting

/// Issue 14, finding 6: staff change their own password, admins reset others' (temporary, change forced), the
/// first-start admin and `users reset-password` force a change, the policy holds everywhere, a change ends the
/// user's other sessions, and every change is audited.
@Suite("Staff credentials (issue 14)") struct CredentialsTests {
    static let newPassword = "Lantern-Orchid-42"

    @Test func everyRoleChangesTheirOwnPasswordAndOtherSessionsEnd() async throws {
        try await withTestApp { t in
            for role in StaffRole.allCases {
                let name = "u-\(role.rawValue)"
                let here = try await t.console(as: name, role)
                let elsewhere = ConsoleClient(t)
                try await elsewhere.signIn(name)
                let page = try await here.get("/console/password")
                #expect(page.status == .ok, "\(role)")
                #expect(page.contains("name=\"current\"") && page.contains("name=\"repeat\""))
                #expect(try await here.get("/console").contains("href=\"/console/password\""))

                func change(_ current: String, _ new: String, _ again: String? = nil) async throws -> ConsolePage {
                    try await here.post("/console/password", [("current", current), ("password", new), ("repeat", again ?? new)])
                }
                let wrongCurrent = try await change("not-my-password", Self.newPassword)
                #expect(wrongCurrent.status == .unprocessableEntity && wrongCurrent.contains("当前密码不正确"))
                let differ = try await change(ConsoleClient.password, Self.newPassword, Self.newPassword + "x")
                #expect(differ.status == .unprocessableEntity && differ.contains("不一致"))
                let short = try await change(ConsoleClient.password, "Short-1")
                #expect(short.status == .unprocessableEntity && short.contains("至少 12 位"))
                let common = try await change(ConsoleClient.password, "Password2026!")
                #expect(common.status == .unprocessableEntity && common.contains("太常见"))
                #expect(try await Bcrypt.verify(ConsoleClient.password, created: try await t.store.staff(username: name)!.passwordHash))

                let done = try await change(ConsoleClient.password, Self.newPassword)
                #expect(done.status == .ok && done.contains("密码已修改"))
                #expect(try await here.get("/console").status == .ok)                 // this session goes on
                #expect(try await elsewhere.get("/console").status == .seeOther)      // the other one ended
                #expect(try await ConsoleClient(t).login(name).status == .unauthorized)
                #expect(try await ConsoleClient(t).login(name, Self.newPassword).status == .seeOther)
                let id = try await t.store.staff(username: name)!.id
                #expect(try await t.auditCount("staff.password.change", actor: "staff:\(name)", subject: "staff:\(id)") == 1)
            }
        }
    }

    @Test func adminResetShowsATemporaryPasswordOnceAndForcesAChange() async throws {
        try await withTestApp { t in
            let admin = try await t.console(as: "admin", .admin)
            let desk = try await t.console(as: "desk", .desk)
            let deskID = try await t.store.staff(username: "desk")!.id
            let adminID = try await t.store.staff(username: "admin")!.id
            let list = try await admin.get("/console/staff")
            #expect(list.contains("action=\"/console/staff/\(deskID)/reset-password\""))
            #expect(!list.contains("action=\"/console/staff/\(adminID)/reset-password\""))
            #expect(try await admin.post("/console/staff/\(adminID)/reset-password", []).status == .forbidden)
            #expect(try await desk.post("/console/staff/\(adminID)/reset-password", []).status == .forbidden)   // admins only

            _ = try await admin.get("/console/staff")
            let shown = try await admin.post("/console/staff/\(deskID)/reset-password", [])
            #expect(shown.status == .ok)
            let temporary = try #require(ConsolePage.firstMatch(#"id="temporary-password">([^<]+)<"#, in: shown.body))
            #expect(temporary.count == 16)
            #expect(shown.headers.first(name: .cacheControl) == "no-store")
            #expect(shown.location == nil)                                       // never in a URL
            #expect(try await t.auditCount("staff.password.reset", actor: "staff:admin", subject: "staff:\(deskID)") == 1)
            #expect(try await desk.get("/console").status == .seeOther)          // their sessions ended
            #expect(try await ConsoleClient(t).login("desk").status == .unauthorized)

            try await Self.forcedChangeFlow(t, username: "desk", temporary: temporary)
            #expect(try await admin.get("/console/staff").contains("<td>desk</td><td>Desk</td><td>服务台</td><td>正常</td>"))
        }
    }

    /// Signs in with a temporary password: only the change page (and sign-out) open until a new one is set.
    static func forcedChangeFlow(_ t: TestContext, username: String, temporary: String) async throws {
        let browser = ConsoleClient(t)
        let signIn = try await browser.login(username, temporary)
        #expect(signIn.status == .seeOther)
        #expect(signIn.location == "/console/password")
        let page = try await browser.get("/console/password")
        #expect(page.status == .ok && page.contains("请先设置您自己的新密码"))
        for path in ["/console", "/console/members?q=1", "/console/staff", "/console/segments"] {
            let p = try await browser.get(path)
            #expect(p.status == .seeOther && p.location == "/console/password", "\(path) opened before the change")
        }
        #expect(try await browser.post("/console/members/new", [("phone", "13800000000")]).status == .forbidden)
        let done = try await browser.post("/console/password", [("current", temporary), ("password", newPassword), ("repeat", newPassword)])
        #expect(done.status == .ok)
        #expect(try await browser.get("/console").status == .ok)
        #expect(try await t.store.staff(username: username)!.mustChangePassword == false)
    }

    @Test func usersAnAdminCreatesFollowThePolicyAndChangeAtFirstSignIn() async throws {
        try await withTestApp { t in
            let admin = try await t.console(as: "admin", .admin)
            _ = try await admin.get("/console/staff")
            for (password, text) in [("Short-pass1", "至少 12 位"), ("qwerty123456", "太常见"), ("lilyzhang2026", "用户名")] {
                let refused = try await admin.post("/console/staff", [("username", "lilyzhang"), ("role", "desk"), ("password", password)])
                #expect(refused.status == .unprocessableEntity && refused.contains(text), "\(password)")
            }
            #expect(try await t.store.staff(username: "lilyzhang") == nil)
            let created = try await admin.post("/console/staff", [("username", "lilyzhang"), ("role", "desk"), ("password", "Blue-Kettle-Sings-9")])
            #expect(created.status == .seeOther)
            #expect(try await t.store.staff(username: "lilyzhang")!.mustChangePassword)
            try await Self.forcedChangeFlow(t, username: "lilyzhang", temporary: "Blue-Kettle-Sings-9")
        }
    }

    @Test("mallvip users reset-password prints a temporary password that must be changed; users create follows the policy")
    func cliResetAndCreate() async throws {
        try await withTestApp { t in
            let desk = try await t.console(as: "desk", .desk)
            let env = try KillEnvironment.beside(t, tag: "users-cli", extraEnvironment: Self.cliEnvironment)
            defer { try? FileManager.default.removeItem(at: env.dir) }
            let run = try await env.run(["users", "reset-password", "--username", "desk"])
            #expect(run.status == 0, "\(run.output)")
            let temporary = try #require(run.stdout.split(separator: "\n").last.map(String.init))
            #expect(temporary.count == 16)
            #expect(try await desk.get("/console").status == .seeOther)
            #expect(try await t.auditCount("staff.password.reset", actor: "cli") == 1)
            try await Self.forcedChangeFlow(t, username: "desk", temporary: temporary)

            let unknown = try await env.run(["users", "reset-password", "--username", "nobody"])
            #expect(unknown.status != 0 && unknown.output.contains("no console user nobody"))

            // `users create` reads the password from stdin and holds it to the same policy.
            func create(_ username: String, _ password: String) async throws -> KillRun {
                try await runProcess(URL(fileURLWithPath: "/bin/sh"), ["-c", "printf '%s\\n' \"$2\" | \"$0\" users create --username \"$1\" --role desk",
                                                                       env.binary.path, username, password],
                                     environment: env.childEnvironment, dir: env.dir, tag: "create")
            }
            for (password, text) in [("Short-pass1", "at least 12"), ("qwerty123456", "too common"), ("weaklingclerk1", "username")] {
                let refused = try await create("weaklingclerk", password)
                #expect(refused.status != 0 && refused.output.contains(text), "\(password): \(refused.output)")
            }
            #expect(try await t.store.staff(username: "weaklingclerk") == nil)
            let made = try await create("weaklingclerk", "Lantern-Orchid-42")
            #expect(made.status == 0, "\(made.output)")
            #expect(try await t.store.staff(username: "weaklingclerk") != nil)
        }
    }

    @Test("the first start of mallvip serve prints a temporary admin password that must be changed at first sign-in")
    func firstStartAdminMustChange() async throws {
        try await withTestApp { t in
            #expect(try await t.store.staffCount() == 0)
            let env = try KillEnvironment.beside(t, tag: "first-start", extraEnvironment: Self.cliEnvironment)
            defer { try? FileManager.default.removeItem(at: env.dir) }
            let servers = KillServers()
            defer { servers.killAll() }
            try await servers.start(env: env, port: try #require(TestNet.freePort()), generation: 0)
            let log = env.dir.appendingPathComponent("serve-0.log")
            var text = ""
            let deadline = ContinuousClock.now + .seconds(60)
            while !text.contains("Console:"), ContinuousClock.now < deadline, servers.isRunning {
                try await Task.sleep(for: .milliseconds(100))
                text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            }
            let temporary = try #require(ConsolePage.firstMatch(#"admin with the temporary password (\S+)"#, in: text), "\(text)")
            #expect(text.contains("asked to choose a new password"))
            #expect(!text.contains("change it under 员工"))
            servers.killAll(signal: SIGTERM)
            try await servers.waitForExit()
            #expect(try await t.store.staff(username: "admin")!.mustChangePassword)
            try await Self.forcedChangeFlow(t, username: "admin", temporary: temporary)
        }
    }

    static var cliEnvironment: [String: String] {
        var bytes = [UInt8](repeating: 0, count: 32)
        for i in bytes.indices { bytes[i] = UInt8.random(in: 0...255) }
        return ["MALLVIP_ENV": "development", "MALLVIP_DATA_KEY": Data(bytes).base64EncodedString()]
    }
}
