import Foundation
import MallVIPCore
import Testing

/// Tenant co-funding (issue 20): the programme section `coFunding` and the pure statement arithmetic.
@Suite("Co-funding core")
struct CoFundingCoreTests {
    @Test("apportion: parts add up to the points, largest remainder first, ties to the smaller key, signs kept")
    func apportion() {
        #expect(CoFunding.apportion(100, weights: [(1, 30_000), (2, 70_000)]) == [1: 30, 2: 70])
        // 11 × ½ each: 5.5 and 5.5, the spare point to counter 1.
        #expect(CoFunding.apportion(11, weights: [(2, 5_500), (1, 5_500)]) == [1: 6, 2: 5])
        // 10 × 1/3: 3.33 each, the spare point to the smaller key.
        #expect(CoFunding.apportion(10, weights: [(7, 1), (8, 1), (9, 1)]) == [7: 4, 8: 3, 9: 3])
        // 7 × (1/10, 9/10) = 0.7 and 6.3: the larger remainder (0.7) gets the spare point.
        #expect(CoFunding.apportion(7, weights: [(1, 10), (2, 90)]) == [1: 1, 2: 6])
        #expect(CoFunding.apportion(-7, weights: [(1, 10), (2, 90)]) == [1: -1, 2: -6])
        #expect(CoFunding.apportion(5, weights: [(1, 0)]).isEmpty)
        #expect(CoFunding.apportion(0, weights: [(1, 10)]).isEmpty)
        // Any split adds up exactly, also for large numbers.
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            let points = Int64.random(in: -1_000_000_000...1_000_000_000, using: &rng)
            let weights = (0..<Int.random(in: 1...6, using: &rng)).map { (key: Int64($0), weight: Int64.random(in: 0...50_000_000_000, using: &rng)) }
            let parts = CoFunding.apportion(points, weights: weights)
            if weights.contains(where: { $0.weight > 0 }) && points != 0 {
                #expect(parts.values.reduce(0, +) == points)
                #expect(parts.values.allSatisfy { points >= 0 ? $0 >= 0 : $0 <= 0 })
            }
        }
    }

    @Test("cost and funding round once to the fen: half away from zero (halfUp) or to even (halfEven)")
    func rounding() {
        // 1,000 points at 12.50 yuan: 1,250 fen; a 333 ‰ share: 416.25 → 416.
        #expect(CoFunding.costFen(points: 1_000, fenPerThousand: 1_250, rounding: .halfUp) == 1_250)
        #expect(CoFunding.fundingFen(points: 1_000, fenPerThousand: 1_250, sharePermille: 333, rounding: .halfUp) == 416)
        // 1 point at 15 yuan per 1,000: 1.5 fen → 2 (half up), −1.5 → −2; half even: 2 and −2; 5 points = 7.5 → 8 / 8.
        #expect(CoFunding.costFen(points: 1, fenPerThousand: 1_500, rounding: .halfUp) == 2)
        #expect(CoFunding.costFen(points: -1, fenPerThousand: 1_500, rounding: .halfUp) == -2)
        #expect(CoFunding.costFen(points: 3, fenPerThousand: 500, rounding: .halfUp) == 2)      // 1.5 → 2
        #expect(CoFunding.costFen(points: 3, fenPerThousand: 500, rounding: .halfEven) == 2)    // 1.5 → 2
        #expect(CoFunding.costFen(points: 5, fenPerThousand: 500, rounding: .halfEven) == 2)    // 2.5 → 2
        #expect(CoFunding.costFen(points: 5, fenPerThousand: 500, rounding: .halfUp) == 3)      // 2.5 → 3
        // Funding from the points, not from the rounded cost: 3 points at 0.5 fen, half of it = 0.75 → 1 (not ½ of 2).
        #expect(CoFunding.fundingFen(points: 3, fenPerThousand: 500, sharePermille: 500, rounding: .halfUp) == 1)
        #expect(CoFunding.fundingFen(points: 1_000, fenPerThousand: 1_000, sharePermille: 0, rounding: .halfUp) == 0)
        #expect(CoFunding.fundingFen(points: 1_000, fenPerThousand: 1_000, sharePermille: 1000, rounding: .halfUp) == 1_000)
        // No overflow at the bounds: 10¹² points at 1,000,000 yuan per 1,000 (10⁵ fen a point), all of it: 10¹⁷ fen.
        #expect(CoFunding.fundingFen(points: 1_000_000_000_000, fenPerThousand: 100_000_000, sharePermille: 1000, rounding: .halfUp)
                == 100_000_000_000_000_000)
    }

    @Test("statement: earned by eligible amount, reversed by refunded amount, supplied gifts, net = funding − supplied")
    func statement() {
        // Purchase 1: counter 1 300 yuan, counter 2 700 yuan (eligible), 100 points; 20 reversed after a refund at 2.
        // Purchase 2: counter 3 only, points but no eligible line recorded → apportioned by nothing: unattributed.
        let lines = [CoFunding.LineFacts(purchaseId: 1, counterId: 1, eligibleFen: 30_000, refundedEligibleFen: 0),
                     CoFunding.LineFacts(purchaseId: 1, counterId: 2, eligibleFen: 70_000, refundedEligibleFen: 20_000),
                     CoFunding.LineFacts(purchaseId: 2, counterId: 3, eligibleFen: 0, refundedEligibleFen: 0)]
        let moves = [CoFunding.PurchasePoints(purchaseId: 1, earned: 100, reversed: 20),
                     CoFunding.PurchasePoints(purchaseId: 2, earned: 9, reversed: 0)]
        let rows = CoFunding.statement(movements: moves, lines: lines, supplied: [1: (count: 2, costFen: 5_000), 4: (count: 1, costFen: 700)],
                                       fenPerThousand: 1_500, rounding: .halfUp, share: { $0 == 2 ? 1000 : 500 })
        #expect(rows.map(\.counterId) == [1, 2, 4, nil])
        let c1 = rows[0], c2 = rows[1], c4 = rows[2], none = rows[3]
        #expect(c1.pointsEarned == 30 && c1.pointsReversed == 0 && c1.sharePermille == 500)
        #expect(c1.costFen == 45 && c1.fundingFen == 23)          // 30 × 1.5 = 45; × ½ = 22.5 → 23
        #expect(c1.suppliedFen == 5_000 && c1.redemptions == 2 && c1.netFen == 23 - 5_000)
        #expect(c2.pointsEarned == 70 && c2.pointsReversed == 20 && c2.pointsIssued == 50)
        #expect(c2.costFen == 75 && c2.fundingFen == 75 && c2.netFen == 75)   // the override: all of it
        #expect(c4.pointsIssued == 0 && c4.fundingFen == 0 && c4.netFen == -700)
        #expect(none.pointsEarned == 9 && none.sharePermille == 0 && none.fundingFen == 0)
        // Every point of the ledger is in exactly one row.
        #expect(rows.reduce(0) { $0 + $1.pointsIssued } == 100 - 20 + 9)
    }

    @Test("a reversal with nothing refunded recorded falls back to the eligible split")
    func reversalFallback() {
        let lines = [CoFunding.LineFacts(purchaseId: 1, counterId: 1, eligibleFen: 10_000, refundedEligibleFen: 0),
                     CoFunding.LineFacts(purchaseId: 1, counterId: 2, eligibleFen: 30_000, refundedEligibleFen: 0)]
        let p = CoFunding.pointsByCounter([CoFunding.PurchasePoints(purchaseId: 1, earned: 0, reversed: 8)], lines: lines)
        #expect(p[1]?.reversed == 2 && p[2]?.reversed == 6)
    }

    @Test("policy: missing keys default, overrides beat the default, bounds and code format are reported")
    func policy() throws {
        let empty = try Programme.parse(yaml: Programme.defaultYAML())
        #expect(empty.coFunding == CoFundingPolicy())
        #expect(empty.coFunding.share(counter: "C0001") == 0)
        let p = try Programme.parse(yaml: Programme.defaultYAML() + "\ncoFunding:\n  defaultSharePermille: 400\n  counters: {C0002: 1000, C0003: 0}\n  partners: {P01: 250}\n")
        #expect(p.coFunding.share(counter: "C0001") == 400)
        #expect(p.coFunding.share(counter: "C0002") == 1000)
        #expect(p.coFunding.share(counter: "C0003") == 0)
        #expect(p.coFunding.share(partner: "P01") == 250)
        #expect(p.coFunding.share(partner: "P02") == 400)
        let unknown = p.coFunding.unknownCodes(counterCodes: ["C0001", "C0002"], partnerCodes: [])
        #expect(unknown.counters == ["C0003"] && unknown.partners == ["P01"])

        let bad = CoFundingPolicy(defaultSharePermille: 1001, counters: ["C0001": -1, "bad code": 10], partners: ["P1": 2000])
        let paths = bad.validationErrors(path: "coFunding").map(\.0)
        #expect(paths.contains("coFunding.defaultSharePermille"))
        #expect(paths.contains("coFunding.counters.C0001"))
        #expect(paths.contains("coFunding.counters.bad code"))
        #expect(paths.contains("coFunding.partners.P1"))
        #expect(CoFundingPolicy(defaultSharePermille: 1000, counters: ["C0001": 0]).validationErrors(path: "coFunding").isEmpty)
        // Through the programme: refused with the path.
        #expect(throws: (any Error).self) {
            try Programme.parse(yaml: Programme.defaultYAML() + "\ncoFunding:\n  defaultSharePermille: 1500\n")
        }
    }
}
