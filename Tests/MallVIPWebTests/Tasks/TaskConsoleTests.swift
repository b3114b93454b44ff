import Foundation
import MallVIPCore
import MallVIPStore
@testable import MallVIPWeb
import SQLKit
import Testing

@Suite("Task list and churn console: per person, per team, outcomes, overdue, roles")
struct TaskConsoleTests {
    /// Two account managers with one flagged member each, one team task for the desk, one call task for am1.
    static func world(_ t: TestContext) async throws -> (am1: Int64, am2: Int64, m1: Int64, m2: Int64, team: Int64) {
        let am1 = try await t.makeStaff("am1", .accountManager)
        let am2 = try await t.makeStaff("am2", .accountManager)
        let m1 = try await t.messagingMember(phone: "13900000101", call: true, manager: am1)
        let m2 = try await t.messagingMember(phone: "13900000102", manager: am2)
        let team = try await t.messagingMember(phone: "13900000103")
        try await t.store.sql.raw("UPDATE members SET earned_tier = 'gold', name = CASE id WHEN \(bind: m1) THEN '王一' WHEN \(bind: m2) THEN '李二' ELSE '赵三' END").run()
        try await t.runRules(2026, 4, 11)
        _ = try await t.enqueue([t.draft(m1, .call, code: "lapsedCall", period: "2026-04")])
        return (am1, am2, m1, m2, team)
    }

    @Test("an account manager sees only their own tasks and call tasks, and records outcomes on them only")
    func accountManagerScope() async throws {
        try await withTestApp(now: shanghai(2026, 1, 10)) { t in
            let w = try await Self.world(t)
            let c = ConsoleClient(t)
            try await c.signIn("am1")
            let page = try await c.get("/console/tasks")
            #expect(page.status == .ok)
            #expect(page.contains("王一") && !page.contains("李二") && !page.contains("赵三"))
            #expect(page.contains("lapsedCall"))   // the outbox call task, read into the same list

            let tasks = try await t.allTasks()
            let mine = try #require(tasks.first { $0.memberId == w.m1 })
            let theirs = try #require(tasks.first { $0.memberId == w.m2 })
            // Someone else's task: refused, and nothing changes.
            let other = try await c.post("/console/tasks/\(theirs.id)", [("outcome", "done"), ("note", "")])
            #expect(other.status == .forbidden)
            #expect(try await t.store.serviceTask(id: theirs.id)?.status == .open)
            // Not reachable needs a note.
            let noNote = try await c.post("/console/tasks/\(mine.id)", [("outcome", "unreachable"), ("note", " ")])
            #expect(noNote.status == .unprocessableEntity)
            #expect(noNote.contains("请填写说明"))
            let ok = try await c.post("/console/tasks/\(mine.id)", [("outcome", "unreachable"), ("note", "无人接听")])
            #expect(ok.status == .seeOther || ok.status == .found || ok.status == .movedPermanently || ok.location != nil)
            let closed = try #require(try await t.store.serviceTask(id: mine.id))
            #expect(closed.status == .unreachable && closed.outcomeNote == "无人接听" && closed.closedBy == "staff:am1")
            #expect(try await t.auditCount("task.unreachable", actor: "staff:am1", subject: "task:\(mine.id)") == 1)
            // Twice: a conflict, not a second outcome.
            #expect(try await c.post("/console/tasks/\(mine.id)", [("outcome", "done"), ("note", "")]).status == .conflict)
            // Closed tasks are listed with their outcome.
            let history = try await c.get("/console/tasks?status=closed")
            #expect(history.contains("无人接听") && !history.contains("李二"))
            // An unknown outcome is refused (the form is read before the task's state is).
            #expect(try await c.post("/console/tasks/\(mine.id)", [("outcome", "cancelled"), ("note", "x")]).status == .unprocessableEntity)
            // Someone else's task is refused before its form is read.
            #expect(try await c.post("/console/tasks/\(theirs.id)", [("outcome", "cancelled"), ("note", "x")]).status == .forbidden)
        }
    }

    @Test("managers see the whole team, filter by person and kind; the desk sees its team tasks")
    func teamView() async throws {
        try await withTestApp(now: shanghai(2026, 1, 10)) { t in
            let w = try await Self.world(t)
            let boss = try await t.console(as: "boss", .manager)
            let all = try await boss.get("/console/tasks")
            #expect(all.contains("王一") && all.contains("李二") && all.contains("赵三") && all.contains("lapsedCall"))
            let am2Only = try await boss.get("/console/tasks?staff=\(w.am2)")
            #expect(am2Only.contains("李二") && !am2Only.contains("王一") && !am2Only.contains("赵三"))
            let callsOnly = try await boss.get("/console/tasks?kind=call")
            #expect(callsOnly.contains("lapsedCall") && !callsOnly.contains("流失关怀回访"))

            let desk = try await t.console(as: "desk1", .desk)
            let deskPage = try await desk.get("/console/tasks")
            #expect(deskPage.contains("赵三") && !deskPage.contains("王一") && !deskPage.contains("李二"))
            let teamTask = try #require(try await t.allTasks().first { $0.memberId == w.team })
            let done = try await desk.post("/console/tasks/\(teamTask.id)", [("outcome", "done"), ("note", "已致电")])
            #expect(done.location != nil)
            let closed = try #require(try await t.store.serviceTask(id: teamTask.id))
            #expect(closed.status == .done && closed.assignedStaffId != nil)
            // A manager can close anyone's task.
            let theirs = try #require(try await t.allTasks().first { $0.memberId == w.m2 })
            #expect(try await boss.post("/console/tasks/\(theirs.id)", [("outcome", "declined"), ("note", "不需要")]).location != nil)
            #expect(try await t.store.serviceTask(id: theirs.id)?.status == .declined)
        }
    }

    @Test("overdue tasks are highlighted once their due day has passed")
    func overdue() async throws {
        try await withTestApp(now: shanghai(2026, 1, 10)) { t in
            _ = try await Self.world(t)
            t.clock.set(shanghai(2026, 4, 18, 9))      // due 18 Apr: not yet overdue
            let c = ConsoleClient(t)
            try await c.signIn("am2")
            var page = try await c.get("/console/tasks")
            #expect(page.contains("2026-04-18") && !page.contains("class=\"overdue\""))
            t.clock.set(shanghai(2026, 4, 19, 9))       // sessions last 8 hours: a new day, a new sign-in
            try await c.signIn("am2")
            page = try await c.get("/console/tasks")
            #expect(page.contains("class=\"overdue\"") && page.contains("（逾期）"))
        }
    }

    @Test("roles: counter staff have no task list; the churn page is for managers and planners")
    func roles() async throws {
        try await withTestApp(now: shanghai(2026, 1, 10)) { t in
            _ = try await Self.world(t)
            let counter = try await t.console(as: "counter1", .counterStaff)
            #expect(try await counter.get("/console/tasks").status == .forbidden)
            #expect(try await counter.get("/console/churn").status == .forbidden)
            let am = ConsoleClient(t)
            try await am.signIn("am1")
            #expect(try await am.get("/console/churn").status == .forbidden)
            #expect(!(try await am.get("/console/tasks")).contains("/console/churn"))

            let planner = try await t.console(as: "plan1", .planner)
            let churn = try await planner.get("/console/churn")
            #expect(churn.status == .ok)
            #expect(churn.contains("流失率") && churn.contains("&lt; 5.0%"))
        }
    }

    @Test("the lapse list exports as CSV for its owner only")
    func lapseExport() async throws {
        try await withTestApp(now: shanghai(2026, 1, 10)) { t in
            let am1 = try await t.makeStaff("am1", .accountManager)
            _ = try await t.makeStaff("am2", .accountManager)
            let member = try await t.taskMember(phone: "13900000111", name: "周四", tier: "regular", manager: am1)
            try await t.runRules(2026, 12, 1)
            let task = try #require(try await t.allTasks().first { $0.kind == .lapse })
            let mine = ConsoleClient(t)
            try await mine.signIn("am1")
            let page = try await mine.get("/console/tasks")
            #expect(page.contains("/console/tasks/\(task.id)/lapse.csv"))
            let csv = try await mine.get("/console/tasks/\(task.id)/lapse.csv")
            #expect(csv.status == .ok)
            let lines = csv.body.split(separator: "\r\n")
            #expect(lines.count == 2)
            #expect(lines.first == "\u{FEFF}memberId,name,phone,tier,tierName,points,lastActivity")
            #expect(lines.last?.hasPrefix("\(member),周四,13900000111,regular,") == true)
            #expect(lines.last?.hasSuffix(",2026-01-10") == true)
            #expect(try await t.auditCount("task.lapseExport", actor: "staff:am1") == 1)

            let other = ConsoleClient(t)
            try await other.signIn("am2")
            #expect(try await other.get("/console/tasks/\(task.id)/lapse.csv").status == .notFound)
        }
    }
}
