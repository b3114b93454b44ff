import Testing
@testable import MallVIPCore

@Suite("Churn policy: full calendar months, lapse lists, defaults and validation")
struct ChurnPolicyTests {
    let policy = ChurnPolicy()

    func day(_ y: Int, _ m: Int, _ d: Int) -> LocalDate { LocalDate(year: y, month: m, day: d) }

    @Test("last purchase 10 Jan: flagged when checked 11 Apr, not yet on 10 Apr")
    func issueExample() {
        #expect(policy.isInactive(lastPurchase: day(2026, 1, 10), checkedOn: day(2026, 4, 11)))
        #expect(!policy.isInactive(lastPurchase: day(2026, 1, 10), checkedOn: day(2026, 4, 10)))
        #expect(!policy.isInactive(lastPurchase: day(2026, 1, 11), checkedOn: day(2026, 4, 11)))
    }

    @Test("month ends clamp: last purchase 30 Nov is flagged on 1 Mar (28 Feb + 1)")
    func monthEnd() {
        #expect(policy.lastActiveDay(checkedOn: day(2026, 5, 31)) == day(2026, 2, 28))
        #expect(!policy.isInactive(lastPurchase: day(2025, 11, 30), checkedOn: day(2026, 2, 28)))
        #expect(policy.isInactive(lastPurchase: day(2025, 11, 30), checkedOn: day(2026, 3, 1)))
    }

    @Test("the lapse list of December holds cards last used in January (lapseMonths 11), whatever the day")
    func lapseMonth() {
        #expect(policy.lapseSourceMonth(listedOn: day(2026, 12, 1)) == day(2026, 1, 1))
        #expect(policy.lapseSourceMonth(listedOn: day(2026, 12, 31)) == day(2026, 1, 1))
        #expect(ChurnPolicy(lapseMonths: 3).lapseSourceMonth(listedOn: day(2026, 2, 14)) == day(2025, 11, 1))
    }

    @Test("defaults: the default programme's section and the important tiers")
    func defaults() throws {
        let p = try Programme.parse(yaml: Programme.defaultYAML())
        #expect(p.churn.inactiveMonths == 3)
        #expect(p.churn.wonBackDays == 30)
        #expect(p.churn.targetRatePermille == 50)
        #expect(p.churn.birthdayTopN == 10)
        #expect(p.churn.lapseMonths == 11)
        #expect(p.importantTierCodes == ["gold", "diamond", "purple"])
        // Without the section (a programme stored before it existed): defaults, important = the top three tiers.
        let old = Programme.defaultYAML().components(separatedBy: "\nchurn:")[0]
        let q = try Programme.parse(yaml: old)
        #expect(q.churn == ChurnPolicy())
        #expect(q.importantTierCodes == Array(q.tiers.suffix(3).map(\.code)))
    }

    @Test("round trip through YAML keeps the section")
    func roundTrip() throws {
        var p = try Programme.parse(yaml: Programme.defaultYAML())
        p.churn.targetRatePermille = 45
        p.churn.importantTiers = ["purple"]
        let again = try Programme.parse(yaml: p.yaml())
        #expect(again.churn == p.churn)
    }

    @Test("invalid values are reported with their paths")
    func validation() {
        let yaml = Programme.defaultYAML()
            .replacingOccurrences(of: "  inactiveMonths: 3 ", with: "  inactiveMonths: 0 ")
            .replacingOccurrences(of: "importantTiers: []", with: "importantTiers: [gold, platinum]")
            .replacingOccurrences(of: "  lapseMonths: 11 ", with: "  lapseMonths: 0 ")
        #expect(throws: ProgrammeInvalid.self) { try Programme.parse(yaml: yaml) }
        do {
            _ = try Programme.parse(yaml: yaml)
        } catch let e as ProgrammeInvalid {
            let paths = Set(e.issues.map(\.path))
            #expect(paths.contains("churn.inactiveMonths"))
            #expect(paths.contains("churn.importantTiers[1]"))
            #expect(paths.contains("churn.lapseMonths"))
        } catch {
            Issue.record("unexpected \(error)")
        }
    }
}
