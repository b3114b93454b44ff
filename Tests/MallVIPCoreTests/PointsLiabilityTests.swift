import Foundation
import Testing
@testable import MallVIPCore

/// The points liability roll-forward (issue 20, docs/finance.md): IFRS 15's own loyalty example, breakage on expiry,
/// rounding, the `finance` programme section, and opening + movements = closing for every month.
@Suite("Points liability")
struct PointsLiabilityTests {
    /// 1 CU = 1 fen, 1 point = 1 CU: 1,000 points are worth 1,000 fen.
    private func ifrsParameters() -> LiabilityParameters {
        LiabilityParameters(fenPerThousandPoints: 1_000, fixedPermille: 950, rounding: .halfUp)
    }

    /// IFRS 15 Illustrative Examples, Example 52 (IE267–IE270): sales of 100,000 CU earn 10,000 points worth 1 CU each;
    /// 95 % are expected to be redeemed, so the points' SSP is 9,500 and 100,000 × 9,500 ÷ 109,500 = 8,676 is allocated
    /// to them. Year 1: 4,500 redeemed → 4,500 ÷ 9,500 × 8,676 = 4,110. Year 2: the estimate becomes 97 % (9,700),
    /// 8,500 redeemed in all → 8,500 ÷ 9,700 × 8,676 = 7,603 cumulative, 3,493 in year 2. The years are two periods here.
    @Test("IFRS 15 Example 52: allocated 8,676; recognised 4,110 in year 1 and 3,493 in year 2 (7,603 cumulative)")
    func ifrsExample52() {
        let p = ifrsParameters()
        var y1 = PointsMovements()
        y1.salesFen = 100_000
        y1.earned = 10_000
        y1.redeemed = -4_500
        let year1 = FinanceMonth(year: 2001, month: 1), year2 = FinanceMonth(year: 2002, month: 1)
        let r1 = LiabilityRollForward.step(month: year1, mallId: 1, movements: y1, opening: LiabilityState(), rate: (950, false), p)
        #expect(r1.sspFen == 9_500)
        #expect(r1.allocatedFen == 8_676)
        #expect(r1.goodsRevenueFen == 91_324)
        #expect(r1.expectedPoints == 9_500)
        #expect(r1.recognisedFen == 4_110)
        #expect(r1.breakageFen == 0)
        #expect(r1.deferredClosingFen == 8_676 - 4_110)
        #expect(r1.closingPoints == 5_500)
        #expect(r1.closes)

        var y2 = PointsMovements()
        y2.redeemed = -4_000
        let r2 = LiabilityRollForward.step(month: year2, mallId: 1, movements: y2, opening: r1.state, rate: (970, false), p)
        #expect(r2.allocatedFen == 0)          // the allocation is never restated
        #expect(r2.expectedPoints == 9_700)
        #expect(r2.state.recognisedFen == 7_603)
        #expect(r2.recognisedFen == 3_493)
        #expect(r2.deferredOpeningFen == r1.deferredClosingFen)
        #expect(r2.deferredClosingFen == 8_676 - 7_603)
        #expect(r2.closes)

        // Year 3: the last 1,500 points expire. Nothing can be redeemed any more, so what is left is breakage.
        var y3 = PointsMovements()
        y3.expired = -1_500
        let r3 = LiabilityRollForward.step(month: FinanceMonth(year: 2003, month: 1), mallId: 1, movements: y3, opening: r2.state,
                                           rate: (970, false), p)
        #expect(r3.recognisedFen == 0)
        #expect(r3.breakageFen == 8_676 - 7_603)
        #expect(r3.deferredClosingFen == 0)
        #expect(r3.closingPoints == 0)
        #expect(r3.expectedPoints == 8_500)
        #expect(r3.closes)
    }

    @Test("a lower estimate releases more, caught up in the month it changes; a higher one takes some back")
    func changeOfEstimate() {
        let p = ifrsParameters()
        var y1 = PointsMovements()
        y1.salesFen = 100_000; y1.earned = 10_000; y1.redeemed = -4_500
        let r1 = LiabilityRollForward.step(month: FinanceMonth(year: 2001, month: 1), mallId: 1, movements: y1, opening: LiabilityState(), rate: (950, false), p)
        let lower = LiabilityRollForward.step(month: FinanceMonth(year: 2001, month: 2), mallId: 1, movements: PointsMovements(), opening: r1.state, rate: (900, false), p)
        // 4,500 ÷ 9,000 × 8,676 = 4,338: 228 more, with no redemption in the month.
        #expect(lower.recognisedFen == 4_338 - 4_110)
        #expect(lower.allocatedFen == 0)
        let higher = LiabilityRollForward.step(month: FinanceMonth(year: 2001, month: 2), mallId: 1, movements: PointsMovements(), opening: r1.state, rate: (1000, false), p)
        // 4,500 ÷ 10,000 × 8,676 = 3,904.2 → 3,904: 206 taken back.
        #expect(higher.recognisedFen == 3_904 - 4_110)
        #expect(lower.closes && higher.closes)
    }

    @Test("rounding: half up goes away from zero, half even to the even fen; products beyond Int64 stay exact")
    func rounding() {
        #expect(FinanceRounding.halfUp.mulDiv(5, 1, 2) == 3)
        #expect(FinanceRounding.halfEven.mulDiv(5, 1, 2) == 2)
        #expect(FinanceRounding.halfEven.mulDiv(7, 1, 2) == 4)
        #expect(FinanceRounding.halfUp.mulDiv(-5, 1, 2) == -3)
        #expect(FinanceRounding.halfEven.mulDiv(-5, 1, 2) == -2)
        #expect(FinanceRounding.halfUp.mulDiv(7, 1, 3) == 2)
        #expect(FinanceRounding.halfUp.mulDiv(8, 1, 3) == 3)
        #expect(FinanceRounding.halfUp.mulDiv(1, 1, 0) == 0)
        // 10^12 fen of sales × 10^10 fen of SSP ÷ (10^12 + 10^10): the product (10^22) does not fit in Int64.
        let big = FinanceRounding.halfUp.mulDiv(1_000_000_000_000, 10_000_000_000, 1_010_000_000_000)
        #expect(big == 9_900_990_099)
        #expect(FinanceRounding.halfUp.mulDiv(Int64.max, 2, 1) == Int64.max)
    }

    @Test("history estimate: redeemed ÷ (redeemed + expired) over the window; the fixed rate without history")
    func historyEstimate() {
        let p = LiabilityParameters(fenPerThousandPoints: 1_000, rateSource: .history, fixedPermille: 800, historyMonths: 3)
        let m = FinanceMonth(year: 2026, month: 6)
        var a = PointsMovements(); a.redeemed = -600; a.redeemVoided = 100   // 500 net
        var b = PointsMovements(); b.expired = -250
        var old = PointsMovements(); old.expired = -100_000                    // outside the 3-month window
        let g = [m: a, m.previous.previous: b, m.previous.previous.previous: old]
        let r = LiabilityRollForward.rate(for: m, groupMovements: g, p)
        #expect(r.permille == 667 && r.fromHistory)      // 500 ÷ 750
        #expect(LiabilityRollForward.rate(for: FinanceMonth(year: 2020, month: 1), groupMovements: g, p) == (800, false))
        var fixed = p; fixed.rateSource = .fixed
        #expect(LiabilityRollForward.rate(for: m, groupMovements: g, fixed) == (800, false))
    }

    @Test("programme section finance: defaults, decoding, bounds named by key")
    func policy() throws {
        let d = FinancePolicy()
        #expect(d.expectedRedemptionPermille == 900 && d.redemptionRate == .fixed && d.rounding == .halfUp && d.historyMonths == 12)
        let json = #"{"valuePerThousandPoints": "12.5", "redemptionRate": "history", "historyMonths": 6, "rounding": "halfEven"}"#
        let f = try JSONDecoder().decode(FinancePolicy.self, from: Data(json.utf8))
        #expect(f.fenPerThousandPoints == 1_250 && f.redemptionRate == .history && f.historyMonths == 6 && f.rounding == .halfEven)
        #expect(f.expectedRedemptionPermille == 900)
        let back = try JSONDecoder().decode(FinancePolicy.self, from: JSONEncoder().encode(f))
        #expect(back == f)
        #expect(try JSONDecoder().decode(FinancePolicy.self, from: Data("{}".utf8)) == FinancePolicy())
        let bad = FinancePolicy(expectedRedemptionPermille: 1001, historyMonths: 0)
        let keys = bad.validationErrors(path: "finance").map(\.0)
        #expect(keys == ["finance.expectedRedemptionPermille", "finance.historyMonths"])
        #expect(FinancePolicy().validationErrors(path: "finance").isEmpty)
    }

    @Test("months: YYYY-MM only, next and previous across years")
    func months() {
        #expect(FinanceMonth("2026-03")?.description == "2026-03")
        for bad in ["2026-3", "2026-13", "2026-00", "26-03", "2026/03", "", "2026-03-01", "abcd-ef"] { #expect(FinanceMonth(bad) == nil, "\(bad)") }
        #expect(FinanceMonth(year: 2026, month: 12).next == FinanceMonth(year: 2027, month: 1))
        #expect(FinanceMonth(year: 2026, month: 1).previous == FinanceMonth(year: 2025, month: 12))
        #expect(FinanceMonth(key: 202602) == FinanceMonth(year: 2026, month: 2))
        #expect(FinanceMonth(year: 2026, month: 11).through(FinanceMonth(year: 2027, month: 2)).count == 4)
    }

    /// Property: whatever the movements, every month of every mall and of the group closes — opening + movements =
    /// closing in points, value and deferred revenue —, each month opens where the last closed, the group is the sum of
    /// the malls, no value line is more than a fen from its points × value, and deferred revenue never goes below zero
    /// while the points are all redeemed or open.
    @Test("property: opening + movements = closing for every month, mall and group", arguments: [1, 2, 3, 4, 5, 6, 7, 8] as [UInt64])
    func closesEveryMonth(seed: UInt64) {
        var rng = SplitMix64(seed: seed)
        func r(_ n: Int64) -> Int64 { Int64(rng.next(upTo: UInt64(n))) }
        let rounding: FinanceRounding = seed % 2 == 0 ? .halfUp : .halfEven
        let source: FinancePolicy.RateSource = seed % 3 == 0 ? .history : .fixed
        let months = FinanceMonth(year: 2025, month: 11).through(FinanceMonth(year: 2027, month: 2))
        var movements: [FinanceMonth: [Int64: PointsMovements]] = [:]
        var balances: [Int64: Int64] = [:]
        for m in months {
            for mall in Int64(1)...3 where r(5) > 0 {
                var x = PointsMovements()
                x.earned = r(50_000)
                x.salesFen = x.earned * (50 + r(100))
                if r(3) == 0 { x.reversed = -r(x.earned / 10 + 1); x.refundedSalesFen = -x.reversed * 80 }
                if r(4) == 0 { x.bonus = r(500) - 100 }
                if r(6) == 0 { x.imported = r(2_000) }
                let bal = balances[mall, default: 0] + x.earned + x.reversed + x.bonus + x.imported
                x.redeemed = -r(max(1, bal / 2))
                if r(5) == 0 { x.redeemVoided = r(-x.redeemed / 4 + 1) }
                if m.month == 1 { x.expired = -r(max(1, (bal + x.redeemed) / 3)) }
                if r(7) == 0 { x.adjusted = r(400) - 200 }
                balances[mall, default: 0] = bal + x.redeemed + x.redeemVoided + x.expired + x.adjusted
                movements[m, default: [:]][mall] = x
            }
        }
        let p = LiabilityParameters(fenPerThousandPoints: 5 + r(2_000), rateSource: source, fixedPermille: Int(r(1001)),
                                    historyMonths: 1 + Int(r(12)), rounding: rounding)
        let out = LiabilityRollForward.run(months: months, movements: movements, start: [:], p)
        var last: [Int64: LiabilityRow] = [:]
        for m in months {
            let rows = out[m]!
            #expect(rows.last!.isGroup)
            for row in rows {
                #expect(row.closes, "\(m) mall \(row.mallId)")
                if let prev = last[row.mallId] {
                    #expect(row.openingPoints == prev.closingPoints)
                    #expect(row.openingValueFen == prev.closingValueFen)
                    #expect(row.deferredOpeningFen == prev.deferredClosingFen)
                } else {
                    #expect(row.openingPoints == 0 && row.deferredOpeningFen == 0)
                }
                if !row.isGroup {
                    #expect(row.closingPoints == row.openingPoints + row.movements.netPoints)
                    #expect(row.deferredClosingFen >= 0, "\(m) mall \(row.mallId) \(row.deferredClosingFen)")
                    for (points, fen) in [(row.issuedPoints, row.issuedValueFen), (row.redeemedPoints, row.redeemedValueFen),
                                          (row.expiredPoints, row.expiredValueFen)] {
                        let exact = Double(points) * Double(p.fenPerThousandPoints) / 1000
                        #expect(abs(Double(fen) - exact) <= 1.0)
                    }
                }
                last[row.mallId] = row
            }
            let malls = rows.filter { !$0.isGroup }
            #expect(rows.last!.closingPoints == malls.reduce(0) { $0 + $1.closingPoints })
            #expect(rows.last!.deferredClosingFen == malls.reduce(0) { $0 + $1.deferredClosingFen })
        }
        // The points balance the roll-forward ends with is the sum of the movements.
        let final = out[months.last!]!
        for (mall, balance) in balances { #expect(final.first { $0.mallId == mall }?.closingPoints == balance) }
    }
}
