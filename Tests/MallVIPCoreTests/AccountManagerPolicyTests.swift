import Foundation
import Testing
@testable import MallVIPCore

@Suite("Account managers: programme section, tenure and the monthly ranking")
struct AccountManagerPolicyTests {
    @Test("the default programme: 6 months' tenure, sales and planning staff, a 50-yuan top-up card")
    func defaults() throws {
        let a = Programme.defaultProgramme().accountManagers
        #expect(a.tenureMonths == 6)
        #expect(a.eligibleRoles == ["accountManager", "planner", "counterStaff"])
        #expect(a.monthlyRewardFen == 5_000)
        #expect(a.rewardText == "50元移动充值卡")
        // Round trip through YAML keeps the section.
        let again = try Programme.parse(yaml: try Programme.defaultProgramme().yaml())
        #expect(again.accountManagers == a)
    }

    @Test("a programme without the section gets the defaults")
    func missingSection() throws {
        let p = try Programme.parse(yaml: minimalYAML)
        #expect(p.accountManagers == AccountManagerPolicy())
    }

    @Test("bad values are reported with their paths")
    func validation() {
        let yaml = defaultYAML(replacing: "  tenureMonths: 6", with: "  tenureMonths: -1")
            .replacingOccurrences(of: "eligibleRoles: [accountManager, planner, counterStaff]", with: "eligibleRoles: [accountManager, cashier]")
            .replacingOccurrences(of: "  rewardText: 50元移动充值卡", with: "  rewardText: \" \"")
        let paths = Set(parseIssues(yaml).map(\.path))
        #expect(paths.isSuperset(of: ["accountManagers.tenureMonths", "accountManagers.eligibleRoles[1]",
                                      "accountManagers.rewardText"]))
        // Not an amount: decoding fails, still at its path.
        let money = parseIssues(defaultYAML(replacing: "  monthlyReward: 50 ", with: "  monthlyReward: abc "))
        #expect(money.map(\.path) == ["accountManagers.monthlyReward"])
        let empty = parseIssues(defaultYAML(replacing: "eligibleRoles: [accountManager, planner, counterStaff]", with: "eligibleRoles: []"))
        #expect(empty.map(\.path) == ["accountManagers.eligibleRoles"])
    }

    @Test("tenure: hired six months ago to the day is eligible, a day later is not; no hire date, wrong role or disabled refuse")
    func tenure() {
        let p = AccountManagerPolicy()
        let today = LocalDate(year: 2026, month: 11, day: 25)
        #expect(p.eligibleFrom(hiredOn: LocalDate(year: 2026, month: 5, day: 25)) == today)
        #expect(p.refusal(role: "accountManager", active: true, hiredOn: LocalDate(year: 2026, month: 5, day: 25), on: today) == nil)
        #expect(p.refusal(role: "planner", active: true, hiredOn: LocalDate(year: 2020, month: 1, day: 1), on: today) == nil)
        #expect(p.refusal(role: "accountManager", active: true, hiredOn: LocalDate(year: 2026, month: 5, day: 26), on: today)?.rule == "manager.tenure")
        #expect(p.refusal(role: "accountManager", active: true, hiredOn: nil, on: today)?.rule == "manager.hireDate")
        #expect(p.refusal(role: "desk", active: true, hiredOn: LocalDate(year: 2020, month: 1, day: 1), on: today)?.rule == "manager.role")
        #expect(p.refusal(role: "accountManager", active: false, hiredOn: LocalDate(year: 2020, month: 1, day: 1), on: today)?.rule == "manager.active")
        // Month ends: hired 31 Aug, six months later is the end of February.
        #expect(p.refusal(role: "planner", active: true, hiredOn: LocalDate(year: 2025, month: 8, day: 31),
                          on: LocalDate(year: 2026, month: 2, day: 28)) == nil)
        #expect(p.refusal(role: "planner", active: true, hiredOn: LocalDate(year: 2025, month: 8, day: 31),
                          on: LocalDate(year: 2026, month: 2, day: 27))?.field == "staffId")
    }

    func kpi(_ id: Int64, members: Int, purchases: Int) -> ManagerKPI {
        ManagerKPI(staffId: id, name: "s\(id)", members: members, purchases: purchases, spendFen: 0, spendLastYearFen: 0, keptInTier: members)
    }

    @Test("曾主管: 5 members with 15 purchases (3.0) beats 8 with 20 (2.5), though 20 purchases are more")
    func seedExample() {
        let zeng = kpi(2, members: 5, purchases: 15), other = kpi(1, members: 8, purchases: 20)
        #expect(zeng.purchasesPerMemberCents == 300)
        #expect(other.purchasesPerMemberCents == 250)
        #expect(ManagerKPI.ranked([other, zeng]).map(\.staffId) == [2, 1])
        #expect(ManagerKPI.winner([other, zeng])?.staffId == 2)
    }

    @Test("ranking compares exactly; ties go to more purchases, then the earlier staff id; no purchases, no winner")
    func ties() {
        // 1/3 and 33/100 differ only beyond two decimals.
        #expect(ManagerKPI.ranked([kpi(1, members: 100, purchases: 33), kpi(2, members: 3, purchases: 1)]).map(\.staffId) == [2, 1])
        #expect(ManagerKPI.ranked([kpi(1, members: 2, purchases: 4), kpi(2, members: 4, purchases: 8)]).map(\.staffId) == [2, 1])
        #expect(ManagerKPI.ranked([kpi(5, members: 2, purchases: 4), kpi(3, members: 2, purchases: 4)]).map(\.staffId) == [3, 5])
        #expect(ManagerKPI.ranked([kpi(1, members: 0, purchases: 0), kpi(2, members: 1, purchases: 0)]).map(\.staffId) == [2])
        #expect(ManagerKPI.winner([kpi(1, members: 3, purchases: 0)]) == nil)
    }

    @Test("spend change against last year, in per mille")
    func spendChange() {
        var k = kpi(1, members: 1, purchases: 1)
        k.spendFen = 125_000
        k.spendLastYearFen = 100_000
        #expect(k.spendChangePermille == 250)
        k.spendFen = 50_000
        #expect(k.spendChangePermille == -500)
        k.spendLastYearFen = 0
        #expect(k.spendChangePermille == nil)
    }
}
