import MallVIPCore
import Testing

/// Issue 17: the programme key `malls.memberWindowMonths` and the pure rule of which malls a staff user works with.
@Suite("Mall scope policy") struct MallScopePolicyTests {
    @Test("the shipped programme has a 12-month window; the window starts the day after the same date N months back")
    func window() throws {
        let p = Programme.defaultProgramme()
        #expect(p.malls.memberWindowMonths == 12)
        #expect(p.malls.since(LocalDate(year: 2026, month: 12, day: 7)) == LocalDate(year: 2025, month: 12, day: 8))
        #expect(MallScopePolicy(memberWindowMonths: 3).since(LocalDate(year: 2026, month: 5, day: 31)) == LocalDate(year: 2026, month: 3, day: 1))
    }

    @Test("the window is validated: 1 to 60 months, named by its YAML path")
    func validation() throws {
        var p = Programme.defaultProgramme()
        for bad in [0, -1, 61] {
            p.malls.memberWindowMonths = bad
            #expect(p.validate().map(\.path) == ["malls.memberWindowMonths"], "\(bad)")
        }
        p.malls.memberWindowMonths = 60
        #expect(p.validate().isEmpty)
        let yaml = Programme.defaultYAML().replacingOccurrences(of: "memberWindowMonths: 12", with: "memberWindowMonths: 6")
        #expect(try Programme.parse(yaml: yaml).malls.memberWindowMonths == 6)
    }

    @Test("desk, counter staff and account managers need a mall; admins, managers and planners without one are group-wide")
    func rule() {
        #expect(StaffMallRule.malls(assigned: [], mayBeGroupWide: true) == nil)
        #expect(StaffMallRule.malls(assigned: [], mayBeGroupWide: false) == [])
        #expect(StaffMallRule.malls(assigned: [3, 1, 3], mayBeGroupWide: true) == [1, 3])
        #expect(StaffMallRule.memberBelongs(malls: nil, enrolledMall: nil, boughtAtSinceWindow: []))
        #expect(StaffMallRule.memberBelongs(malls: [1], enrolledMall: 1, boughtAtSinceWindow: []))
        #expect(StaffMallRule.memberBelongs(malls: [1], enrolledMall: 2, boughtAtSinceWindow: [1]))
        #expect(!StaffMallRule.memberBelongs(malls: [1], enrolledMall: 2, boughtAtSinceWindow: [2]))
        #expect(!StaffMallRule.memberBelongs(malls: [], enrolledMall: 1, boughtAtSinceWindow: [1]))
    }
}
