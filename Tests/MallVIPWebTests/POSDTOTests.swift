import Foundation
@testable import MallVIPStore
import Testing
@testable import MallVIPWeb

@Suite("POS response DTOs") struct POSDTOTests {
    /// The purchase answer is written by PurchaseOutcome.json on the hot path; the DTO is the contract. They must
    /// agree byte for byte.
    @Test("PurchaseResponseDTO encodes to exactly the hand-written answer", arguments: [true, false])
    func sameBytes(member: Bool) throws {
        let outcome = PurchaseOutcome(
            receiptNo: "R-9", mall: "CD", businessDate: "2026-11-25", member: member, cardNo: member ? "880000000013" : nil,
            totalFen: 200_000, eligibleFen: 190_000, basePoints: 190, bonusPoints: 0, factorPermille: 2000,
            multipliers: member ? ["生日当天双倍积分"] : [], pointsEarned: member ? 380 : 0, pointsBalance: member ? 1_380 : nil,
            tier: member ? "silver" : nil, previousTier: member ? "regular" : nil, tierChanged: member,
            tierApprovalRequested: nil, eligibleToEnrol: !member)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let dto = String(decoding: try encoder.encode(PurchaseResponseDTO(outcome)), as: UTF8.self)
        #expect(dto == outcome.json)
    }
}
