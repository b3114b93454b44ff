import Foundation
import MallVIPCore
import MallVIPStore
import SQLKit
import Testing
@testable import MallVIPWeb

@Suite("Account managers: assignment, history, contacts, My VIPs, monthly KPI and award")
struct AccountManagerTests {
    @Test("assignment needs the tenure; reassignment closes the spell and keeps the history; removal ends it")
    func assignment() async throws {
        try await withTestApp { t in
            let w = try await t.amWorld()
            // The Chengdu rule (docs/domain.md §9.1): six months since the hire date.
            await #expect(throws: DomainError.self) {
                try await t.store.assignManager(memberId: w.c, staffId: w.newbie, reason: "", actor: "test")
            }
            do {
                try await t.store.assignManager(memberId: w.c, staffId: w.newbie, reason: "", actor: "test")
            } catch let e as DomainError {
                #expect(e.rule == "manager.tenure")
                #expect(e.field == "staffId")
                #expect(e.en.contains("2027-03-01"))
            }
            let desk = try await t.makeStaff("desk1", .desk)
            try await t.store.setHiredOn(staffId: desk, hiredOn: LocalDate("2020-01-01"), actor: "test")
            do {
                try await t.store.assignManager(memberId: w.c, staffId: desk, reason: "", actor: "test")
                Issue.record("the desk is not a maintainer role")
            } catch let e as DomainError { #expect(e.rule == "manager.role") }
            let noDate = try await t.makeStaff("planner1", .planner)
            do {
                try await t.store.assignManager(memberId: w.c, staffId: noDate, reason: "", actor: "test")
                Issue.record("no hire date, no tenure")
            } catch let e as DomainError { #expect(e.rule == "manager.hireDate") }
            #expect(try await t.managerOf(w.c) == nil)
            #expect(try await t.store.managerHistory(memberId: w.c).isEmpty)

            // A4: 曾 from 2026-10-01, then 王 from 2026-11-10.
            let history = try await t.store.managerHistory(memberId: w.a[4].id)
            #expect(history.map(\.staffId) == [w.wang, w.zeng])
            #expect(history[0].from == LocalDate(year: 2026, month: 11, day: 10) && history[0].to == nil && history[0].reason == "调岗")
            #expect(history[1].from == LocalDate(year: 2026, month: 10, day: 1) && history[1].to == LocalDate(year: 2026, month: 11, day: 10))
            #expect(try await t.managerOf(w.a[4].id) == w.wang)

            do {
                try await t.store.assignManager(memberId: w.a[4].id, staffId: w.wang, reason: "", actor: "test")
                Issue.record("the same maintainer again is no change")
            } catch let e as DomainError { #expect(e.rule == "manager.unchanged") }
            #expect(try await t.store.managerHistory(memberId: w.a[4].id).count == 2)

            try await t.store.assignManager(memberId: w.a[4].id, staffId: nil, reason: "离职", actor: "test")
            #expect(try await t.managerOf(w.a[4].id) == nil)
            let after = try await t.store.managerHistory(memberId: w.a[4].id)
            #expect(after.count == 2 && after.allSatisfy { $0.to != nil })
            #expect(try await t.auditCount("member.manager.assign") == 14)
            #expect(try await t.auditCount("member.manager.remove") == 1)

            // A disabled maintainer takes no one new.
            try await t.store.setStaffActive(id: w.zeng, active: false, actor: "test")
            do {
                try await t.store.assignManager(memberId: w.c, staffId: w.zeng, reason: "", actor: "test")
                Issue.record("a disabled user cannot take members")
            } catch let e as DomainError { #expect(e.rule == "manager.active") }
        }
    }

    @Test("hire dates: in the future refused; eligibility follows the date")
    func hireDates() async throws {
        try await withTestApp { t in
            let s = try await t.makeStaff("sales1", .counterStaff)
            do {
                try await t.store.setHiredOn(staffId: s, hiredOn: LocalDate("2026-11-26"), actor: "test")
                Issue.record("a hire date tomorrow")
            } catch let e as DomainError { #expect(e.field == "hiredOn") }
            let policy = Programme.defaultProgramme().accountManagers
            let today = LocalDate(year: 2026, month: 11, day: 25)
            try await t.store.setHiredOn(staffId: s, hiredOn: LocalDate("2026-05-26"), actor: "test")
            #expect(try await t.store.managerCandidates(on: today, policy: policy).first { $0.id == s }?.refusal?.rule == "manager.tenure")
            try await t.store.setHiredOn(staffId: s, hiredOn: LocalDate("2026-05-25"), actor: "test")
            #expect(try await t.store.managerCandidates(on: today, policy: policy).first { $0.id == s }?.eligible == true)
        }
    }

    @Test("October's KPI: 曾 5 members / 15 purchases = 3.0 beats 王 8 / 20 = 2.5; a full refund is no purchase; spend vs last year; kept in tier")
    func kpi() async throws {
        try await withTestApp { t in
            let w = try await t.amWorld()
            let programme = Programme.defaultProgramme()
            // Activity: a birthday cake on 31 October counts for October, a call in November for November.
            let now = t.clock.now
            t.clock.set(shanghai(2026, 10, 31, 23, 30))
            try await t.store.addContact(memberId: w.a[0].id, staffId: w.zeng, kind: "gift", note: "生日蛋糕", managedBy: w.zeng, actor: "t")
            t.clock.set(shanghai(2026, 11, 1, 0, 30))
            try await t.store.addContact(memberId: w.a[0].id, staffId: w.zeng, kind: "call", note: "回访", managedBy: w.zeng, actor: "t")
            t.clock.set(now)
            let october = try await t.store.managerKPIs(month: LocalDate(year: 2026, month: 10, day: 1), programme: programme)
            #expect(october.map(\.staffId) == [w.zeng, w.wang])
            let zeng = try #require(october.first { $0.staffId == w.zeng })
            let wang = try #require(october.first { $0.staffId == w.wang })
            // A4 moved to 王 in November, so October still counts A4 for 曾.
            #expect((zeng.members, zeng.purchases, zeng.purchasesPerMemberCents) == (5, 15, 300))
            #expect((wang.members, wang.purchases, wang.purchasesPerMemberCents) == (8, 20, 250))
            #expect(zeng.spendFen == 150_000 && zeng.spendLastYearFen == 100_000 && zeng.spendChangePermille == 500)
            #expect(wang.spendFen == 200_000 && wang.spendLastYearFen == 0 && wang.spendChangePermille == nil)
            #expect(zeng.keptInTier == 5 && wang.keptInTier == 7)
            #expect(zeng.contacts == 1 && wang.contacts == 0)
            #expect(ManagerKPI.winner(october)?.staffId == w.zeng)

            // November so far: A4 is 王's now; only A1 bought.
            let november = try await t.store.managerKPIs(month: LocalDate(year: 2026, month: 11, day: 1), programme: programme)
            #expect(november.first { $0.staffId == w.zeng }.map { ($0.members, $0.purchases, $0.contacts) } ?? (0, 0, 0) == (4, 1, 1))
            #expect(november.first { $0.staffId == w.wang }.map { ($0.members, $0.purchases) } ?? (0, 0) == (9, 0))
            // Before anyone was assigned there is nothing to rank.
            #expect(try await t.store.managerKPIs(month: LocalDate(year: 2026, month: 9, day: 1), programme: programme).isEmpty)
        }
    }

    @Test("the award: once per finished month, the reward's cost booked; the daily job adds no second one")
    func award() async throws {
        try await withTestApp { t in
            let w = try await t.amWorld()
            let october = LocalDate(year: 2026, month: 10, day: 1)
            do {
                try await t.store.recordManagerAward(month: LocalDate(year: 2026, month: 11, day: 1), actor: "test")
                Issue.record("November is not over")
            } catch let e as DomainError { #expect(e.rule == "award.monthOpen") }
            do {
                try await t.store.recordManagerAward(month: LocalDate(year: 2026, month: 9, day: 1), actor: "test")
                Issue.record("nobody was maintained in September")
            } catch let e as DomainError { #expect(e.rule == "award.noWinner") }

            // Two managers press the button at once: one award.
            let outcomes = try await withThrowingTaskGroup(of: String.self) { group in
                for _ in 0..<4 {
                    group.addTask {
                        do { return try await t.store.recordManagerAward(month: october, actor: "staff:m").staffName }
                        catch let e as DomainError { return e.rule }
                    }
                }
                return try await group.reduce(into: [String]()) { $0.append($1) }
            }
            #expect(outcomes.filter { $0 == "Zeng" }.count == 1)
            #expect(outcomes.filter { $0 == "award.unique" }.count == 3)
            #expect(try await t.count("manager_awards") == 1)
            let award = try #require(try await t.store.managerAward(month: october))
            #expect(award.staffId == w.zeng && award.members == 5 && award.purchases == 15)
            #expect(award.rewardFen == 5_000 && award.rewardText == "50元移动充值卡")
            #expect(try await t.store.managerAwards(year: 2026).map(\.month) == ["2026-10"])

            // The daily job on any November day finds October recorded: nothing more.
            #expect(try await t.store.runManagerAward(on: LocalDate(year: 2026, month: 11, day: 25)) == nil)
            #expect(try await t.store.runManagerAward(on: LocalDate(year: 2026, month: 11, day: 26)) == nil)
            #expect(try await t.count("manager_awards") == 1)
        }
    }

    @Test("the daily job records last month's winner on its own, once; the reward comes from the programme")
    func awardJob() async throws {
        let yaml = Programme.defaultYAML().replacingOccurrences(of: "  monthlyReward: 50 ", with: "  monthlyReward: 80 ")
        try await withTestApp(programme: yaml) { t in
            let w = try await t.amWorld()
            let first = try await t.store.runManagerAward(on: LocalDate(year: 2026, month: 11, day: 25))
            #expect(first?.staffId == w.zeng && first?.month == "2026-10" && first?.rewardFen == 8_000 && first?.recordedBy == "job")
            #expect(try await t.store.runManagerAward(on: LocalDate(year: 2026, month: 11, day: 25)) == nil)
            #expect(try await t.count("manager_awards") == 1)
        }
    }

    @Test("My VIPs: today's members with tier, last purchase, spend this month and year, birthday, since, open tasks")
    func myVIPs() async throws {
        try await withTestApp { t in
            let w = try await t.amWorld()
            let today = LocalDate(year: 2026, month: 11, day: 25)
            let rows = try await t.store.managedMembers(staffId: w.zeng, today: today)
            #expect(Set(rows.map(\.id)) == Set(w.a.prefix(4).map(\.id)))
            let a1 = try #require(rows.first { $0.id == w.a[1].id })
            #expect(a1.lastPurchase == LocalDate(year: 2026, month: 11, day: 20))
            #expect(a1.spendMonthFen == 20_000 && a1.spendYearFen == 50_000)
            #expect(a1.since == LocalDate(year: 2026, month: 10, day: 1))
            let a0 = try #require(rows.first { $0.id == w.a[0].id })
            #expect(a0.birthday == LocalDate(year: 1980, month: 11, day: 3))
            #expect(a0.spendMonthFen == 0 && a0.spendYearFen == 30_000)
            #expect(a0.lastPurchase == LocalDate(year: 2026, month: 10, day: 16))

            // Open tasks come from the task list (helper B's openTaskCounts).
            try await t.store.sql.raw("""
                INSERT INTO service_tasks (kind, cause_key, member_id, assigned_staff_id, title, detail, due_day, status, outcome_note, created_at_ms)
                VALUES ('churn', 'test:a1', \(bind: w.a[1].id), \(bind: w.zeng), '回访', '', \(bind: today.dayNumber), 'open', '', 0)
                """).run()
            let zeng = try #require(try await t.store.staff(username: "zeng"))
            let model = try await MyVIPsPage.Query.model(t.store, user: zeng, asked: nil)
            #expect(model.openTasks[w.a[1].id] == 1 && model.openTasks[w.a[0].id] == nil)
            #expect(model.kpi?.members == 4 && model.kpi?.purchases == 1)
            #expect(model.maintainers == nil)
            // An account manager cannot look at another's list.
            await #expect(throws: DomainError.self) { try await MyVIPsPage.Query.model(t.store, user: zeng, asked: w.wang) }
        }
    }

    @Test("the contact log: kinds and note checked, an account manager only for their own members")
    func contacts() async throws {
        try await withTestApp { t in
            let w = try await t.amWorld()
            try await t.store.addContact(memberId: w.a[0].id, staffId: w.zeng, kind: "gift", note: " 生日蛋糕 ", managedBy: w.zeng, actor: "staff:zeng")
            t.clock.advance(60)
            try await t.store.addContact(memberId: w.a[0].id, staffId: w.zeng, kind: "call", note: "邀请到店", managedBy: w.zeng, actor: "staff:zeng")
            for (kind, note, rule) in [("fax", "x", "contact.kind"), ("call", "  ", "note.required"),
                                       ("call", String(repeating: "字", count: 501), "note.length")] {
                do {
                    try await t.store.addContact(memberId: w.a[0].id, staffId: w.zeng, kind: kind, note: note, managedBy: w.zeng, actor: "t")
                    Issue.record("\(rule) accepted")
                } catch let e as DomainError { #expect(e.rule == rule) }
            }
            do {
                try await t.store.addContact(memberId: w.b[0].id, staffId: w.zeng, kind: "call", note: "x", managedBy: w.zeng, actor: "t")
                Issue.record("another maintainer's member")
            } catch let e as DomainError { #expect(e.kind == .forbidden && e.rule == "member.notYours") }
            let log = try await t.store.contacts(memberIds: [w.a[0].id, w.b[0].id])
            #expect(log.map(\.kind) == [.call, .gift])
            #expect(log.map(\.note) == ["邀请到店", "生日蛋糕"])
            #expect(log.allSatisfy { $0.staffName == "Zeng" && $0.memberName == "安零" })
            #expect(try await t.count("member_contacts") == 2)
        }
    }
}
