import Foundation
import Testing
@testable import MallVIPStore

@Suite("Stored purchase answers") struct PurchaseOutcomeJSONTests {
    @Test("the hand-written JSON reads back as the same outcome, whatever the strings hold", arguments: [
        ("R-1", ["淡季周三双倍积分"], "880000000013" as String?, 1200 as Int64?),
        ("R\"2\\x", ["a\"b", "line\nbreak", "tab\tand\u{1}ctl", "emoji 🎉"], nil, nil),
    ])
    func roundTrip(receipt: String, multipliers: [String], card: String?, balance: Int64?) throws {
        let outcome = PurchaseOutcome(
            receiptNo: receipt, mall: "CD", businessDate: "2026-11-25", member: card != nil, cardNo: card, totalFen: 55_900,
            eligibleFen: 50_000, basePoints: 50, bonusPoints: 0, factorPermille: 2000, multipliers: multipliers, pointsEarned: 100,
            pointsBalance: balance, tier: card == nil ? nil : "gold", previousTier: card == nil ? nil : "silver", tierChanged: card != nil,
            tierApprovalRequested: nil, eligibleToEnrol: card == nil)
        let decoded = try JSONDecoder().decode(PurchaseOutcome.self, from: Data(outcome.json.utf8))
        #expect(decoded == outcome)
        #expect(try JSONSerialization.jsonObject(with: Data(outcome.json.utf8)) is [String: Any])
    }
}
