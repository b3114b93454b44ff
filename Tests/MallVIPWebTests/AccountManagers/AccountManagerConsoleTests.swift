import Foundation
import MallVIPCore
import MallVIPStore
import SQLKit
import Testing
import Vapor
@testable import MallVIPWeb

extension TestContext {
    /// A browser signed in as an existing user.
    func signedIn(_ username: String) async throws -> ConsoleClient {
        let c = ConsoleClient(self)
        try await c.signIn(username)
        return c
    }

    func contactCount(_ memberId: Int64) async throws -> Int {
        try await store.sql.raw("SELECT COUNT(*) AS n FROM member_contacts WHERE member_id = \(bind: memberId)").first()!
            .decode(column: "n", as: Int.self)
    }
}

@Suite("Account managers: console")
struct AccountManagerConsoleTests {
    @Test("My VIPs: an account manager sees their own members only; a manager picks anyone; nav by role")
    func myVIPs() async throws {
        try await withTestApp { t in
            let w = try await t.amWorld()
            let zeng = try await t.signedIn("zeng")
            #expect(try await zeng.get("/console").contains("/console/my-vips"))
            let page = try await zeng.get("/console/my-vips")
            #expect(page.status == .ok)
            #expect(page.contains("安零") && page.contains("安1") && !page.contains("包0") && !page.contains("安4"))
            #expect(page.contains("11-03"))                              // A0's birthday, this month
            #expect(page.contains("2026-11-20"))                         // A1's last purchase
            #expect(try await zeng.get("/console/my-vips?staff=\(w.wang)").status == .forbidden)
            #expect(try await zeng.get("/console/account-managers").status == .forbidden)

            let manager = try await t.console(as: "boss", .manager)
            #expect(try await manager.get("/console").contains("/console/account-managers"))
            let wang = try await manager.get("/console/my-vips?staff=\(w.wang)")
            #expect(wang.contains("包0") && wang.contains("安4") && !wang.contains("安零"))
            #expect(wang.contains("name=\"staff\""))
            // A manager logs a contact from 王's list and comes back to it; the log says who did it.
            let logged = try await manager.post("/console/my-vips/contacts", [("memberId", "\(w.b[2].id)"), ("kind", "visit"), ("note", "到店接待"),
                                                                              ("staff", "\(w.wang)")])
            #expect(logged.status == .seeOther && logged.location?.hasPrefix("/console/my-vips?staff=\(w.wang)") == true)
            let back = try await manager.follow(logged)
            #expect(back.contains("到店接待") && back.contains("Boss"))

            let desk = try await t.console(as: "desk1", .desk)
            #expect(try await desk.get("/console").contains("/console/my-vips") == false)
            #expect(try await desk.get("/console/my-vips").contains("暂无分配的会员"))
        }
    }

    @Test("the contact log from My VIPs and the member page; an account manager cannot open or log another's member")
    func contacts() async throws {
        try await withTestApp { t in
            let w = try await t.amWorld()
            let zeng = try await t.signedIn("zeng")
            _ = try await zeng.get("/console/my-vips")
            let logged = try await zeng.post("/console/my-vips/contacts", [("memberId", "\(w.a[0].id)"), ("kind", "gift"), ("note", "送生日蛋糕")])
            #expect(logged.status == .seeOther)
            let list = try await zeng.follow(logged)
            #expect(list.contains("送生日蛋糕") && list.contains("已记录联系"))

            let own = try await zeng.get("/console/members/\(w.a[0].id)")
            #expect(own.status == .ok)
            #expect(own.contains("送生日蛋糕") && own.contains("维护人：Zeng（2026-10-01 起）"))
            #expect(try await zeng.post("/console/members/\(w.a[0].id)/contacts", [("kind", "call"), ("note", "询问尺码")]).status == .seeOther)
            let bad = try await zeng.post("/console/members/\(w.a[0].id)/contacts", [("kind", "fax"), ("note", "x")])
            #expect(bad.status == .unprocessableEntity && bad.contains("请选择联系方式"))
            #expect(try await t.contactCount(w.a[0].id) == 2)

            // Someone else's member: no page, no log, from either form.
            _ = try await zeng.get("/console/my-vips")
            #expect(try await zeng.get("/console/members/\(w.b[0].id)").status == .forbidden)
            #expect(try await zeng.get("/console/members/\(w.b[0].id)/edit").status == .forbidden)
            #expect(try await zeng.get("/console/members/\(w.a[1].id)/edit").status == .ok)
            #expect(try await zeng.post("/console/members/\(w.b[0].id)/contacts", [("kind", "call"), ("note", "x")]).status == .forbidden)
            #expect(try await zeng.post("/console/my-vips/contacts", [("memberId", "\(w.b[0].id)"), ("kind", "call"), ("note", "x")]).status == .forbidden)
            #expect(try await t.contactCount(w.b[0].id) == 0)

            // The desk serves every member.
            let desk = try await t.console(as: "desk1", .desk)
            _ = try await desk.get("/console/members/\(w.b[0].id)")
            #expect(try await desk.post("/console/members/\(w.b[0].id)/contacts", [("kind", "sms"), ("note", "提醒积分")]).status == .seeOther)
            #expect(try await t.contactCount(w.b[0].id) == 1)
            // Counter staff may look the member up, but the log is not theirs to read or write.
            let counter = try await t.console(as: "cs1", .counterStaff)
            let hits = try await counter.get("/console/members?q=\(w.b[0].card)")
            let link = try #require(ConsolePage.firstMatch(#"href="(/console/members/\#(w.b[0].id)\?grant=[^"]+)""#, in: hits.body))
            let lookup = try await counter.get(link)
            #expect(lookup.status == .ok && !lookup.contains("提醒积分"))
            #expect(try await counter.post("/console/members/\(w.b[0].id)/contacts", [("kind", "sms"), ("note", "x")]).status == .forbidden)
            // Without the CSRF token nothing is logged.
            #expect(try await desk.post("/console/members/\(w.b[0].id)/contacts", [("kind", "sms"), ("note", "x")], csrf: .none).status == .forbidden)
            #expect(try await t.contactCount(w.b[0].id) == 1)
        }
    }

    @Test("an account manager who enrols a member lands on the search with the card number, not on a page they may not open; search finds only their own members")
    func enrolRedirect() async throws {
        try await withTestApp { t in
            let am = try await t.console(as: "am9", .accountManager)
            let amId = try await t.store.staff(username: "am9")!.id
            #expect(try await t.purchase("ENR-1", fen: 60_000, phone: "13900000999").status == .created)
            _ = try await am.get("/console/members/new")
            let r = try await am.post("/console/members/new", [("phone", "13900000999"), ("name", "新人"), ("receipts", "ENR-1")])
            #expect(r.status == .seeOther)
            #expect(r.location?.hasPrefix("/console/members?notice=") == true)
            let landed = try await am.follow(r)
            #expect(landed.contains("办卡成功") && landed.contains("尚未分配维护人"))
            // Not theirs yet: the search does not show the member (the desk's does).
            #expect(!(try await am.get("/console/members?q=新")).contains("新人"))
            let desk = try await t.console(as: "d9", .desk)
            #expect(try await desk.get("/console/members?q=新").contains("新人"))
            let member = try #require(try await t.store.lookup(card: nil, phone: "13900000999"))
            try await t.store.sql.raw("UPDATE members SET account_manager_id = \(bind: amId) WHERE id = \(bind: member.id)").run()
            #expect(try await am.get("/console/members?q=新").contains("新人"))
            #expect(try await am.get("/console/members?q=0999").contains("新人"))
        }
    }

    @Test("assignment from the member page: managers only, eligible staff only, history shown")
    func assign() async throws {
        try await withTestApp { t in
            let w = try await t.amWorld()
            let manager = try await t.console(as: "boss", .manager)
            let page = try await manager.get("/console/members/\(w.c)")
            #expect(page.contains("未分配维护人"))
            #expect(page.contains("label=\"Zeng（4）\"") && !page.contains("label=\"Newbie"))      // only eligible staff are offered
            let refused = try await manager.post("/console/members/\(w.c)/manager", [("staffId", "\(w.newbie)"), ("reason", "")])
            #expect(refused.status == .unprocessableEntity && refused.contains("入职未满 6 个月"))
            #expect(try await t.managerOf(w.c) == nil)

            let done = try await manager.post("/console/members/\(w.c)/manager", [("staffId", "\(w.zeng)"), ("reason", "新晋钻石")])
            #expect(done.status == .seeOther)
            #expect(try await t.managerOf(w.c) == w.zeng)
            let moved = try await manager.post("/console/members/\(w.a[0].id)/manager", [("staffId", "\(w.wang)"), ("reason", "交接")])
            #expect(moved.status == .seeOther)
            let history = try await manager.follow(moved)
            #expect(history.contains("维护人变更记录") && history.contains("交接") && history.contains("2026-10-01"))

            let zeng = try await t.signedIn("zeng")
            #expect(try await zeng.get("/console/members/\(w.a[0].id)").status == .forbidden)   // 王's now
            #expect(try await zeng.post("/console/members/\(w.c)/manager", [("staffId", "\(w.wang)")]).status == .forbidden)
            #expect(try await t.managerOf(w.c) == w.zeng)
        }
    }

    @Test("hire dates on the account managers page make staff eligible")
    func hireDates() async throws {
        try await withTestApp { t in
            let w = try await t.amWorld()
            let manager = try await t.console(as: "boss", .manager)
            let list = try await manager.get("/console/account-managers")
            #expect(list.contains("Newbie") && list.contains("入职未满 6 个月"))
            let future = try await manager.post("/console/account-managers/\(w.newbie)/hired-on", [("hiredOn", "2027-01-01")])
            #expect(future.status == .unprocessableEntity && future.contains("入职日期不能晚于今天"))
            let saved = try await manager.post("/console/account-managers/\(w.newbie)/hired-on", [("hiredOn", "2026-05-01")])
            #expect(saved.status == .seeOther)
            #expect(try await manager.post("/console/members/\(w.c)/manager", [("staffId", "\(w.newbie)")]).status == .seeOther)
            #expect(try await t.managerOf(w.c) == w.newbie)
        }
    }

    @Test("the monthly ranking: 曾 3.00 above 王 2.50; managers record the winner once; planners read; counter staff are turned away")
    func ranking() async throws {
        try await withTestApp { t in
            _ = try await t.amWorld()
            let planner = try await t.console(as: "plan1", .planner)
            let page = try await planner.get("/console/account-managers/ranking")        // last month by default
            #expect(page.status == .ok)
            #expect(page.contains("Zeng") && page.contains("3.00") && page.contains("2.50") && page.contains("+50.0%"))
            #expect(page.body.range(of: "Zeng")!.lowerBound < page.body.range(of: "Wang")!.lowerBound)
            #expect(!page.contains("/console/account-managers/ranking/award"))
            #expect(try await planner.post("/console/account-managers/ranking/award", [("month", "2026-10")]).status == .forbidden)

            let manager = try await t.console(as: "boss", .manager)
            _ = try await manager.get("/console/account-managers/ranking?month=2026-10")
            let recorded = try await manager.post("/console/account-managers/ranking/award", [("month", "2026-10")])
            #expect(recorded.status == .seeOther)
            let after = try await manager.follow(recorded)
            #expect(after.contains("2026-10 获奖者：Zeng") && after.contains("50元移动充值卡") && after.contains("50.00"))
            let again = try await manager.post("/console/account-managers/ranking/award", [("month", "2026-10")])
            #expect(again.status == .conflict && again.contains("已记录"))
            let open = try await manager.post("/console/account-managers/ranking/award", [("month", "2026-11")])
            #expect(open.status == .unprocessableEntity && open.contains("尚未结束"))
            let junk = try await manager.post("/console/account-managers/ranking/award", [("month", "October")])
            #expect(junk.status == .unprocessableEntity && junk.contains("YYYY-MM"))
            #expect(try await t.count("manager_awards") == 1)

            let zeng = try await t.signedIn("zeng")
            #expect(try await zeng.get("/console/account-managers/ranking").status == .ok)
            let counter = try await t.console(as: "cs1", .counterStaff)
            #expect(try await counter.get("/console/account-managers/ranking").status == .forbidden)
        }
    }
}
