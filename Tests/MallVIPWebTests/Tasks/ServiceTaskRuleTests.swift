import Foundation
import MallVIPCore
import MallVIPStore
@testable import MallVIPWeb
import SQLKit
import Testing

@Suite("Service task rules: churn call-backs, birthday cakes, lapse lists, tier approvals")
struct ServiceTaskRuleTests {
    @Test("last purchase 10 Jan: no task on 10 Apr, a call-back on 11 Apr, and reruns add nothing")
    func churnExample() async throws {
        try await withTestApp(now: shanghai(2026, 1, 10)) { t in
            let manager = try await t.makeStaff("zeng", .accountManager)
            let gold = try await t.taskMember(phone: "13900000001", name: "金卡甲", tier: "gold")
            let managed = try await t.taskMember(phone: "13900000002", name: "钻石乙", tier: "diamond", manager: manager)
            _ = try await t.taskMember(phone: "13900000003", name: "普通丙", tier: "regular")

            var s = try await t.runRules(2026, 4, 10)
            #expect(s.churn == 0)
            #expect(try await t.taskCount() == 0)

            s = try await t.runRules(2026, 4, 11)
            #expect(s.churn == 2)
            let tasks = try await t.allTasks().filter { $0.kind == .churn }
            #expect(Set(tasks.compactMap(\.memberId)) == [gold, managed])
            let team = try #require(tasks.first { $0.memberId == gold })
            #expect(team.assignedStaffId == nil && team.teamRole == "desk")
            #expect(team.causeKey == "churn:\(gold):2026-01-10")
            #expect(team.dueDay == LocalDate(year: 2026, month: 4, day: 18))
            #expect(tasks.first { $0.memberId == managed }?.assignedStaffId == manager)

            // The same day again: the job has run. Later days: the same causes, no new tasks.
            #expect(try await t.store.runTaskRules(on: LocalDate(year: 2026, month: 4, day: 11)).alreadyRan)
            for d in 12...20 { try await t.runRules(2026, 4, d) }
            try await t.runRules(2026, 5, 30)
            #expect(try await t.allTasks().filter { $0.kind == .churn }.count == 2)
        }
    }

    @Test("a member's open call-back follows them to a new account manager, and back to the desk when they have none")
    func tasksFollowTheMember() async throws {
        try await withTestApp(now: shanghai(2026, 1, 10)) { t in
            let zeng = try await t.makeStaff("zeng", .accountManager)
            let wang = try await t.makeStaff("wang", .accountManager)
            for s in [zeng, wang] { try await t.store.setHiredOn(staffId: s, hiredOn: LocalDate("2025-01-01"), actor: "test") }
            let member = try await t.taskMember(phone: "13900000021", tier: "gold", manager: zeng)
            try await t.runRules(2026, 4, 11)
            #expect(try await t.allTasks().map(\.assignedStaffId) == [zeng])

            try await t.store.assignManager(memberId: member, staffId: wang, reason: "调岗", actor: "test")
            var task = try #require(try await t.allTasks().first)
            #expect(task.assignedStaffId == wang && task.teamRole == nil)
            try await t.store.assignManager(memberId: member, staffId: nil, reason: "离职", actor: "test")
            task = try #require(try await t.allTasks().first)
            #expect(task.assignedStaffId == nil && task.teamRole == "desk")
        }
    }

    @Test("a purchase settles the open call-back; lapsing again raises a new one")
    func churnAfterPurchase() async throws {
        try await withTestApp(now: shanghai(2026, 1, 10)) { t in
            let card = try await t.enrolMember(phone: "13900000011")
            let id = try await t.memberId(card: card)
            try await t.store.sql.raw("UPDATE members SET earned_tier = 'gold' WHERE id = \(bind: id)").run()
            try await t.runRules(2026, 4, 11)
            #expect(try await t.taskCount() == 1)

            t.clock.set(shanghai(2026, 4, 15))
            #expect(try await t.purchase("R-BACK", fen: 10_000, card: card).status == .created)
            let s = try await t.runRules(2026, 4, 16)
            #expect(s.settled == 1)
            let first = try #require(try await t.allTasks().first)
            #expect(first.status == .cancelled)

            // No purchase since 15 Apr: flagged again on 16 Jul, as a new cause.
            try await t.runRules(2026, 7, 15)
            #expect(try await t.taskCount() == 1)
            try await t.runRules(2026, 7, 16)
            let again = try await t.allTasks().filter { $0.status == .open }
            #expect(again.map(\.causeKey) == ["churn:\(id):2026-04-15"])
        }
    }

    @Test("birthday cake and flowers for the top N by points among this month's birthdays, once per month")
    func birthdayTopN() async throws {
        let yaml = programmeYAML(replacing: [("birthdayTopN: 10 ", "birthdayTopN: 2 ")])
        try await withTestApp(now: shanghai(2026, 4, 20), programme: yaml) { t in
            let am = try await t.makeStaff("cao", .accountManager)
            let a = try await t.taskMember(phone: "13900000021", name: "甲", tier: "regular", manager: am, birthMonth: 5, birthDay: 31, points: 5_000)
            let b = try await t.taskMember(phone: "13900000022", name: "乙", tier: "regular", birthMonth: 5, birthDay: 3, points: 9_000)
            let c = try await t.taskMember(phone: "13900000023", name: "丙", tier: "regular", birthMonth: 5, birthDay: 9, points: 1_000)
            _ = try await t.taskMember(phone: "13900000024", name: "丁", tier: "regular", birthMonth: 6, birthDay: 1, points: 99_000)

            let s = try await t.runRules(2026, 5, 1)
            #expect(s.birthday == 2)
            let tasks = try await t.allTasks().filter { $0.kind == .birthday }
            #expect(Set(tasks.compactMap(\.memberId)) == [a, b])
            #expect(tasks.first { $0.memberId == a }?.assignedStaffId == am)
            #expect(tasks.first { $0.memberId == a }?.dueDay == LocalDate(year: 2026, month: 5, day: 31))
            #expect(tasks.first { $0.memberId == b }?.teamRole == "planner")

            // Points change mid-month: the month's list stays as drawn.
            try await t.store.sql.raw("UPDATE members SET points_balance = 50000 WHERE id = \(bind: c)").run()
            #expect(try await t.runRules(2026, 5, 2).birthday == 0)
            #expect(try await t.allTasks().filter { $0.kind == .birthday }.count == 2)

            // Next year's May is a new cause.
            #expect(try await t.runRules(2027, 5, 1).birthday == 2)
        }
    }

    @Test("the monthly lapse list: one task per account manager and one for the desk, exported as of that day")
    func lapseLists() async throws {
        try await withTestApp(now: shanghai(2026, 1, 10)) { t in
            let m1 = try await t.makeStaff("am1", .accountManager)
            let m2 = try await t.makeStaff("am2", .accountManager)
            let a = try await t.taskMember(phone: "13900000031", name: "甲", tier: "regular", manager: m1)
            t.clock.set(shanghai(2026, 1, 31))
            let b = try await t.taskMember(phone: "13900000032", name: "乙", tier: "regular")
            _ = try await t.taskMember(phone: "13900000033", name: "丙", tier: "regular", manager: m1)
            t.clock.set(shanghai(2026, 2, 1))
            _ = try await t.taskMember(phone: "13900000034", name: "丁", tier: "regular", manager: m2)

            // November: nothing last used in December 2025.
            #expect(try await t.runRules(2026, 11, 20).lapse == 0)
            let s = try await t.runRules(2026, 12, 15)
            #expect(s.lapse == 2)
            let lists = try await t.allTasks().filter { $0.kind == .lapse }
            #expect(Set(lists.map(\.causeKey)) == ["lapse:2026-12:\(m1)", "lapse:2026-12:team"])
            #expect(lists.first { $0.causeKey.hasSuffix(":\(m1)") }?.assignedStaffId == m1)
            #expect(lists.first { $0.causeKey.hasSuffix(":team") }?.teamRole == "desk")

            let programme = try await t.store.programme().1
            let mine = try await t.store.lapsingMembers(programme, asOf: LocalDate(year: 2026, month: 12, day: 15), staffId: m1, unassignedOnly: false)
            #expect(mine.map(\.memberId).count == 2 && mine.first?.memberId == a)
            let team = try await t.store.lapsingMembers(programme, asOf: LocalDate(year: 2026, month: 12, day: 15), staffId: nil, unassignedOnly: true)
            #expect(team.map(\.memberId) == [b])

            // Once per month; January lists February's last users (m2's member).
            #expect(try await t.runRules(2026, 12, 31).lapse == 0)
            let jan = try await t.runRules(2027, 1, 2)
            #expect(jan.lapse == 1)
            #expect(try await t.allTasks().filter { $0.kind == .lapse }.count == 3)
        }
    }

    @Test("a pending tier request is a task for the managers, settled when decided")
    func tierApprovals() async throws {
        try await withTestApp(now: shanghai(2026, 4, 1)) { t in
            let member = try await t.taskMember(phone: "13900000041", tier: "diamond")
            try await t.store.sql.raw("""
                INSERT INTO tier_requests (member_id, tier, reason, status, created_at_ms)
                VALUES (\(bind: member), 'purple', '12个月消费达标', 'pending', \(bind: epochMillis(t.clock.now)))
                """).run()
            let s = try await t.runRules(2026, 4, 2)
            #expect(s.tierApproval == 1)
            let task = try #require(try await t.allTasks().first { $0.kind == .tierApproval })
            #expect(task.teamRole == "manager" && task.assignedStaffId == nil && task.memberId == member)
            #expect(try await t.runRules(2026, 4, 3).tierApproval == 0)

            let request = try #require(try await t.store.sql.raw("SELECT id FROM tier_requests").first()?.decode(column: "id", as: Int64.self))
            try await t.store.decideTierRequest(id: request, approve: true, note: "通过", actor: "staff:boss")
            let settled = try await t.runRules(2026, 4, 4)
            #expect(settled.settled == 1)
            let done = try #require(try await t.store.serviceTask(id: task.id))
            #expect(done.status == .done && done.outcomeNote == "approved")
        }
    }

    @Test("rules run concurrently for the same day raise each task once")
    func concurrentRuns() async throws {
        try await withTestApp(now: shanghai(2026, 1, 10)) { t in
            for i in 0..<5 { _ = try await t.taskMember(phone: "1390000005\(i)", tier: "purple", birthMonth: 4, birthDay: 20) }
            t.clock.set(shanghai(2026, 4, 11))
            let store = t.store
            try await withThrowingTaskGroup(of: TaskRulesSummary.self) { group in
                for _ in 0..<4 { group.addTask { try await store.runTaskRules(on: LocalDate(year: 2026, month: 4, day: 11)) } }
                var churn = 0, birthday = 0
                for try await s in group { churn += s.churn; birthday += s.birthday }
                #expect(churn == 5)
                #expect(birthday == 5)
            }
            #expect(try await t.taskCount() == 10)
            let keys = try await t.allTasks().map(\.causeKey)
            #expect(Set(keys).count == keys.count)
        }
    }

    @Test("open task counts per member: open service tasks plus open call tasks")
    func openTaskCounts() async throws {
        try await withTestApp(now: shanghai(2026, 1, 10)) { t in
            let manager = try await t.makeStaff("am", .accountManager)
            let a = try await t.messagingMember(phone: "13900000061", call: true, manager: manager)
            let b = try await t.messagingMember(phone: "13900000062", call: true, manager: manager)
            try await t.store.sql.raw("UPDATE members SET earned_tier = 'gold' WHERE id IN (\(bind: a), \(bind: b))").run()
            try await t.runRules(2026, 4, 11)
            _ = try await t.enqueue([t.draft(a, .call, code: "churnCall", period: "2026-04")])
            let counts = try await t.store.openTaskCounts(memberIds: [a, b, 999])
            #expect(counts[a] == 2)
            #expect(counts[b] == 1)
            #expect(counts[999] == nil)

            let task = try #require(try await t.allTasks().first { $0.memberId == b })
            try await t.store.closeServiceTask(id: task.id, outcome: .done, note: "", viewer: TaskViewer(staffId: manager, role: .accountManager, supervisor: false), actor: "staff:am")
            #expect(try await t.store.openTaskCounts(memberIds: [b])[b] == nil)
            #expect(try await t.store.openTaskCounts(memberIds: []).isEmpty)
        }
    }

    @Test("churn figures: flagged, called, won back within 30 days, and the rate against the 5% target")
    func churnFigures() async throws {
        try await withTestApp(now: shanghai(2025, 1, 5)) { t in
            // 25 important members enrolled a year before the figures' period starts.
            var ids: [Int64] = []
            var cards: [String] = []
            for i in 0..<25 {
                let card = try await t.enrolMember(phone: "139000007\(String(format: "%02d", i))")
                cards.append(card)
                ids.append(try await t.memberId(card: card))
            }
            try await t.store.sql.raw("UPDATE members SET earned_tier = 'gold'").run()
            // Members 0–23 last bought on 20 Jan 2026 (flagged 21 Apr); member 24 never bought after enrolling.
            for (i, card) in cards.enumerated() where i < 24 {
                t.clock.set(shanghai(2026, 1, 20))
                #expect(try await t.purchase("R-JAN-\(i)", fen: 10_000, card: card).status == .created)
            }
            try await t.runRules(2026, 2, 1)
            try await t.runRules(2026, 4, 21)
            let flagged = try await t.allTasks().filter { $0.kind == .churn }
            #expect(flagged.count == 25)

            let desk = TaskViewer(staffId: 1, role: .desk, supervisor: false)
            t.clock.set(shanghai(2026, 4, 22))
            // Three calls: two reached (one of them buys 29 days later, one 31 days later), one unreachable.
            let byMember = Dictionary(uniqueKeysWithValues: flagged.map { ($0.memberId!, $0.id) })
            try await t.store.closeServiceTask(id: byMember[ids[0]]!, outcome: .done, note: "", viewer: desk, actor: "staff:desk")
            try await t.store.closeServiceTask(id: byMember[ids[1]]!, outcome: .done, note: "", viewer: desk, actor: "staff:desk")
            try await t.store.closeServiceTask(id: byMember[ids[2]]!, outcome: .unreachable, note: "关机", viewer: desk, actor: "staff:desk")
            t.clock.set(shanghai(2026, 5, 21))
            #expect(try await t.purchase("R-WON", fen: 10_000, card: cards[0]).status == .created)
            t.clock.set(shanghai(2026, 5, 23))
            #expect(try await t.purchase("R-LATE", fen: 10_000, card: cards[1]).status == .created)

            t.clock.set(shanghai(2026, 6, 1))
            let f = try await t.store.churnFigures(today: LocalDate(year: 2026, month: 6, day: 1))
            #expect(f.flagged == 25)
            #expect(f.called == 3)
            #expect(f.reached == 2)
            #expect(f.wonBack == 1)
            #expect(f.base == 25)
            #expect(f.lost == 25)
            #expect(f.ratePermille == 1000)
            #expect(!f.meetsTarget)
            #expect(f.targetPermille == 50)
        }
    }

    @Test("churn rate: 1 of 25 important members lost is 4%, under the 5% target; 2 of 25 is 8%")
    func churnRate() async throws {
        try await withTestApp(now: shanghai(2025, 1, 5)) { t in
            var cards: [String] = []
            for i in 0..<25 { cards.append(try await t.enrolMember(phone: "139000008\(String(format: "%02d", i))")) }
            try await t.store.sql.raw("UPDATE members SET earned_tier = 'diamond'").run()
            // Everyone but the first bought in June 2026.
            t.clock.set(shanghai(2026, 6, 5))
            for (i, card) in cards.enumerated() where i > 0 {
                #expect(try await t.purchase("R-JUN-\(i)", fen: 10_000, card: card).status == .created)
            }
            try await t.runRules(2026, 6, 10)
            var f = try await t.store.churnFigures(today: LocalDate(year: 2026, month: 6, day: 10))
            #expect(f.base == 25 && f.lost == 1 && f.ratePermille == 40 && f.meetsTarget)
            // All but the second buy again in August: the second, quiet since 5 June, is flagged on 6 September.
            t.clock.set(shanghai(2026, 8, 1))
            for (i, card) in cards.enumerated() where i > 1 {
                #expect(try await t.purchase("R-AUG-\(i)", fen: 10_000, card: card).status == .created)
            }
            try await t.runRules(2026, 9, 5)
            #expect(try await t.store.churnFigures(today: LocalDate(year: 2026, month: 9, day: 5)).lost == 1)
            try await t.runRules(2026, 9, 6)
            f = try await t.store.churnFigures(today: LocalDate(year: 2026, month: 9, day: 6))
            #expect(f.lost == 2 && f.ratePermille == 80 && !f.meetsTarget)
        }
    }
}
