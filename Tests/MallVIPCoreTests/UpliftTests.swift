import Testing
@testable import MallVIPCore

private func outcomes(_ spends: [Int64], visits: Int = 1) -> [MemberOutcome] {
    spends.map { MemberOutcome(spendFen: $0, visits: $0 > 0 ? visits : 0) }
}

/// Campaign uplift against the control group (docs/domain.md §12): numbers worked out by hand in each comment.
@Suite("Campaign uplift")
struct UpliftTests {
    @Test("treated 100/200/300/400 yuan vs holdout 100/150/200: uplift 100 yuan ± 138.59, ROI 500%")
    func worked() {
        // Treated: S₁ = 100,000 fen, mean 25,000; deviations ±5,000 and ±15,000 → s₁² = 500,000,000 / 3.
        // Holdout: S₂ = 45,000 fen, mean 15,000; deviations −5,000, 0, 5,000 → s₂² = 50,000,000 / 2 = 25,000,000.
        // SE = √(s₁²/4 + s₂²/3) = √(41,666,666.7 + 8,333,333.3) = √50,000,000 = 7,071.07; × 1.96 = 13,859.29 → 13,859.
        let r = Uplift.report(treated: outcomes([10_000, 20_000, 30_000, 40_000], visits: 2),
                              holdout: outcomes([10_000, 15_000, 20_000]), costFen: 2_000, marginPermille: 300)
        #expect(r.treated == GroupSummary(outcomes([10_000, 20_000, 30_000, 40_000], visits: 2)))
        #expect(r.treated.members == 4 && r.treated.visits == 8 && r.treated.spendFen == 100_000 && r.treated.spendPerMemberFen == 25_000)
        #expect(r.holdout.members == 3 && r.holdout.visits == 3 && r.holdout.spendFen == 45_000 && r.holdout.spendPerMemberFen == 15_000)
        #expect(r.upliftPerMemberFen == 10_000)
        #expect(r.ciHalfWidthFen == 13_859)
        #expect(r.ciLowFen == -3_859 && r.ciHighFen == 23_859)
        #expect(r.significant == false)
        // Incremental 10,000 × 4 = 40,000 fen; × 30% = 12,000; ROI (12,000 − 2,000) / 2,000 = 5 = 5000‰.
        #expect(r.incrementalSpendFen == 40_000)
        #expect(r.incrementalMarginFen == 12_000)
        #expect(r.roiPermille == 5_000)
        #expect(r.treated.visitsPerMember == 2.0)
    }

    @Test("zero variance in both groups: the interval has no width and the difference is significant")
    func zeroVariance() {
        let r = Uplift.report(treated: outcomes([500, 500]), holdout: outcomes([300, 300, 300]), costFen: 10, marginPermille: 500)
        #expect(r.upliftPerMemberFen == 200)
        #expect(r.ciHalfWidthFen == 0 && r.ciLowFen == 200 && r.ciHighFen == 200)
        #expect(r.significant == true)
        // 200 × 2 = 400; × 50% = 200; (200 − 10) / 10 = 19 = 19000‰.
        #expect(r.incrementalSpendFen == 400 && r.roiPermille == 19_000)
    }

    @Test("an empty holdout gives the treated figures but no uplift, interval, incremental spend or ROI")
    func emptyHoldout() {
        let r = Uplift.report(treated: outcomes([1_000, 3_000]), holdout: [], costFen: 10, marginPermille: 300)
        #expect(r.treated.members == 2 && r.treated.spendPerMemberFen == 2_000)
        #expect(r.holdout.members == 0 && r.holdout.spendFen == 0 && r.holdout.spendPerMemberFen == nil && r.holdout.visitsPerMember == nil)
        #expect(r.upliftPerMemberFen == nil && r.ciHalfWidthFen == nil && r.ciLowFen == nil && r.significant == nil)
        #expect(r.incrementalSpendFen == nil && r.roiPermille == nil)
        #expect(r.costFen == 10)
    }

    @Test("a group of one has an uplift but no variance, so no interval")
    func singleMember() {
        let r = Uplift.report(treated: outcomes([1_000]), holdout: outcomes([200, 400]), costFen: 5, marginPermille: 300)
        #expect(r.upliftPerMemberFen == 700)
        #expect(r.ciHalfWidthFen == nil)
        // 700 × 1 × 30% = 210; (210 − 5) / 5 = 41 = 41000‰.
        #expect(r.incrementalSpendFen == 700 && r.roiPermille == 41_000)
    }

    @Test("negative uplift: the interval lies below zero and ROI is negative")
    func negative() {
        // Treated mean 200, s² = 20,000; holdout mean 500, s² = 20,000. SE = √(10,000 + 10,000) = 141.42; × 1.96 = 277.19.
        let r = Uplift.report(treated: outcomes([100, 300]), holdout: outcomes([400, 600]), costFen: 10, marginPermille: 300)
        #expect(r.upliftPerMemberFen == -300)
        #expect(r.ciHalfWidthFen == 277 && r.ciLowFen == -577 && r.ciHighFen == -23)
        #expect(r.significant == true)
        // −300 × 2 = −600; × 30% = −180; (−180 − 10) / 10 = −19 = −19000‰.
        #expect(r.incrementalSpendFen == -600 && r.incrementalMarginFen == -180 && r.roiPermille == -19_000)
    }

    @Test("no cost, no ROI (it would divide by zero)")
    func noCost() {
        let r = Uplift.report(treated: outcomes([500, 700]), holdout: outcomes([100, 300]), costFen: 0, marginPermille: 300)
        #expect(r.upliftPerMemberFen == 400 && r.incrementalSpendFen == 800)
        #expect(r.roiPermille == nil)
    }

    @Test("the uplift is rounded once, and incremental spend uses the exact difference, not the rounded uplift × members")
    func exactIncremental() {
        // Treated 100, 0, 0: mean 33.33; holdout 0, 0: mean 0. Uplift 33 fen; incremental (100·2 − 0·3) / 2 = 100, not 99.
        let r = Uplift.report(treated: outcomes([100, 0, 0]), holdout: outcomes([0, 0]), costFen: 0, marginPermille: 300)
        #expect(r.treated.spendPerMemberFen == 33 && r.treated.visits == 1)
        #expect(r.upliftPerMemberFen == 33)
        #expect(r.incrementalSpendFen == 100)
    }

    @Test("rounded division rounds halves away from zero", arguments: [
        (Int64(5), Int64(2), Int64(3)), (-5, 2, -3), (4, 3, 1), (-4, 3, -1), (5, 3, 2), (-5, 3, -2), (0, 7, 0), (6, 3, 2),
    ])
    func rounding(n: Int64, d: Int64, expected: Int64) {
        #expect(Uplift.roundedDivision(n, d) == expected)
    }

    @Test("the holdout draw takes close to the configured share of 10,000 members, the same way every time")
    func holdoutShare() {
        for permille in [100, 250] {
            let drawn = (1...10_000).filter { Holdout.isControl(memberId: Int64($0), salt: "campaign:7", permille: permille) }
            // Binomial(10,000, p): three standard deviations (30 at 10%, 43 at 25%) either side.
            let expected = permille * 10, sd = permille == 100 ? 30 : 43
            #expect(abs(drawn.count - expected) <= 3 * sd, "\(drawn.count) drawn at \(permille)‰")
            let again = (1...10_000).filter { Holdout.isControl(memberId: Int64($0), salt: "campaign:7", permille: permille) }
            #expect(again == drawn)
        }
        // Another campaign draws another group (of about the same size), so the same members are not always held out.
        let a = Set((1...10_000).filter { Holdout.isControl(memberId: Int64($0), salt: "campaign:7", permille: 100) })
        let b = Set((1...10_000).filter { Holdout.isControl(memberId: Int64($0), salt: "campaign:8", permille: 100) })
        #expect(a != b)
        #expect(a.intersection(b).count < 200)     // independent draws overlap by about 10% of 1,000
        #expect(!(1...1_000).contains { Holdout.isControl(memberId: Int64($0), salt: "x", permille: 0) })
        #expect((1...1_000).allSatisfy { Holdout.isControl(memberId: Int64($0), salt: "x", permille: 1000) })
    }
}
