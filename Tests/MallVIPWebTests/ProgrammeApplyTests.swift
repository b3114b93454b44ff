import Foundation
import MallVIPCore
import MallVIPStore
import Testing
import Vapor
@testable import MallVIPWeb

/// Applying a new programme version: validated with the YAML path of each problem, activated, history kept.
@Suite("Programme apply") struct ProgrammeApplyTests {
    func expectInvalid(_ t: TestContext, _ yaml: String, paths: [String], sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let history = try await t.store.programmeHistory()
        let (version, active) = try await t.store.programme()
        do {
            try await t.store.applyProgramme(yaml: yaml, by: "planner1", note: "bad")
            Issue.record("an invalid programme was applied", sourceLocation: sourceLocation)
        } catch let error as ProgrammeInvalid {
            let found = error.issues.map(\.path)
            for p in paths {
                #expect(found.contains(p), "expected an issue at \(p), got \(error.description)", sourceLocation: sourceLocation)
            }
        }
        #expect(try await t.store.programmeHistory().map(\.version) == history.map(\.version), sourceLocation: sourceLocation)
        let after = try await t.store.programme()
        #expect(after.version == version && after.programme == active, sourceLocation: sourceLocation)
    }

    @Test("an invalid document throws ProgrammeInvalid naming the YAML path and changes nothing")
    func invalidRejected() async throws {
        try await withTestApp { t in
            // Validation rules: a 40-month window, a multiplier below 1, an unknown entry tier.
            try await expectInvalid(t, programmeYAML(replacing: [("- {months: 6, minSpend: 3000}", "- {months: 40, minSpend: 3000}")]),
                                    paths: ["tiers[1].upgrade.thresholds[0].months"])
            try await expectInvalid(t, programmeYAML(replacing: [
                ("- {months: 6, minSpend: 3000}", "- {months: 40, minSpend: 3000}"),
                ("entryTiers: []", "entryTiers: [{tier: platinum, rule: {name: x, kind: sameDay, minSpend: 300}}]"),
            ]), paths: ["tiers[1].upgrade.thresholds[0].months", "enrolment.entryTiers[0].tier"])
            // Decoding: an amount that is not yuan, a missing field, a wrong type.
            try await expectInvalid(t, programmeYAML(replacing: [("- {months: 12, minSpend: 5000}", "- {months: 12, minSpend: lots}")]),
                                    paths: ["tiers[1].upgrade.thresholds[1].minSpend"])
            try await expectInvalid(t, programmeYAML(replacing: [("  unit: 10 ", "  unitx: 10 ")]), paths: ["earning.unit"])
            try await expectInvalid(t, programmeYAML(replacing: [("maxBackdateDays: 400", "maxBackdateDays: [1]")]),
                                    paths: ["purchases.maxBackdateDays"])
            try await expectInvalid(t, "name: [unclosed", paths: ["(document)"])
        }
    }

    @Test("a valid document becomes the active version; the history keeps both")
    func validActivated() async throws {
        try await withTestApp { t in
            let (v1, _) = try await t.store.programme()
            let yaml = programmeYAML(replacing: [("  unit: 10 ", "  unit: 5 ")])
            let v2 = try await t.store.applyProgramme(yaml: yaml, by: "planner1", note: "双倍积分率")
            #expect(v2 == v1 + 1)
            let (active, programme) = try await t.store.programme()
            #expect(active == v2)
            #expect(programme.earning.unitFen == 500)
            let history = try await t.store.programmeHistory()
            #expect(history.map(\.version) == [v2, v1])
            #expect(history[0].activatedBy == "planner1" && history[0].note == "双倍积分率" && history[0].yaml == yaml)
            #expect(history[1].yaml == Programme.defaultYAML())
        }
    }

    @Test("purchases earn under the new version at once; refunds reverse under the version a receipt was made with")
    func newVersionApplies() async throws {
        try await withTestApp { t in
            let card = try await t.enrolMember(phone: "13800000001")
            let old = try await t.purchase("R-OLD", fen: 55_900, card: card)
            #expect(old.int("pointsEarned") == 55)
            try await t.store.applyProgramme(yaml: programmeYAML(replacing: [("  unit: 10 ", "  unit: 5 ")]), by: "planner1", note: "")
            let new = try await t.purchase("R-NEW", fen: 55_900, card: card)
            #expect(new.int("pointsEarned") == 111)
            // 100 yuan back on the old receipt: 45 points kept under the old rate, 10 reversed (not 20).
            let r = try await t.refund("F-1", receipt: "R-OLD", fen: 10_000)
            #expect(r.int("pointsReversed") == 10)
            try await t.expectVerifyClean()
        }
    }
}
