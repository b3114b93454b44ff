import Foundation
import MallVIPCore
import MallVIPStore
@testable import MallVIPWeb
import Testing
import Vapor

/// Two desks and the last gift; many redemptions by one member at once (docs/domain.md §5: stock never below zero,
/// points never negative, the last item goes to one desk).
@Suite("Redemption concurrency") struct RewardsConcurrencyTests {
    @Test("two desks redeem the last item at once: one gets it, the other a stock refusal; stock 0, one ledger row",
          arguments: [false, true])
    func lastItem(throughStore: Bool) async throws {
        try await withTestApp { t in
            try await t.store.saveRewardItem(RewardItem(code: "LAST", name: .init(zh: "最后一件", en: "The last one"), points: 100, stock: 1), actor: "test")
            let (cardA, idA) = try await t.memberWithPoints("13800000001", 500)
            let (cardB, idB) = try await t.memberWithPoints("13800000002", 500)
            let ledgerBefore = try await t.count("points_ledger")
            let store = t.store
            let results: [(status: HTTPStatus, rule: String?)] = try await withThrowingTaskGroup(of: (HTTPStatus, String?).self) { group in
                for (i, (card, id)) in [(cardA, idA), (cardB, idB)].enumerated() {
                    group.addTask {
                        if throughStore {
                            do {
                                _ = try await store.redeem(RedemptionRequest(idempotencyKey: "DESK-\(i)", memberId: id, itemCode: "LAST"), actor: "staff:desk\(i)")
                                return (.created, nil)
                            } catch let e as DomainError {
                                return (.unprocessableEntity, e.rule)
                            }
                        }
                        let r = try await t.redeem("DESK-\(i)", card: card, item: "LAST")
                        return (r.status, r.errorRule)
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(results.filter { $0.status == .created }.count == 1, "\(results)")
            #expect(results.filter { $0.status == .unprocessableEntity && $0.rule == "redemption.stock" }.count == 1, "\(results)")
            #expect(try await t.stock("LAST") == 0)
            #expect(try await t.count("points_ledger") == ledgerBefore + 1)
            #expect(try await t.count("redemptions") == 1)
            let balances = [try await t.balance(idA), try await t.balance(idB)].sorted()
            #expect(balances == [400, 500])
            try await t.expectVerifyClean()
        }
    }

    @Test("20 simultaneous redemptions by one member with points for 3: exactly 3 succeed, the balance never goes negative")
    func manyByOneMember() async throws {
        try await withTestApp { t in
            try await t.store.saveRewardItem(RewardItem(code: "CUP", name: .init(zh: "杯子", en: "Cup"), points: 300, stock: 100), actor: "test")
            try await t.store.saveRewardItem(RewardItem(code: "V10", name: .init(zh: "10元券", en: "10-yuan voucher"), kind: .cashCoupon, points: 300,
                                                        coupon: RewardCoupon(faceFen: 1_000)), actor: "test")
            let (card, id) = try await t.memberWithPoints("13800000001", 1_000)
            let results = try await withThrowingTaskGroup(of: RawResponse.self) { group in
                for i in 0..<20 {
                    group.addTask { try await t.redeem("MANY-\(i)", card: card, item: i % 2 == 0 ? "CUP" : "V10") }
                }
                return try await group.reduce(into: [RawResponse]()) { $0.append($1) }
            }
            let created = results.filter { $0.status == .created }
            #expect(created.count == 3, "\(results.map(\.status))")
            #expect(results.filter { $0.status == .unprocessableEntity }.allSatisfy { $0.errorRule == "redemption.points" })
            #expect(try await t.balance(id) == 100)
            let rows = try await t.ledgerRows(id)
            var running: Int64 = 0
            for row in rows {
                running += row.points
                #expect(row.balanceAfter == running)
                #expect(row.balanceAfter >= 0)
            }
            #expect(rows.filter { $0.kind == "redeem" }.count == 3)
            #expect(Set(created.compactMap { $0.int("pointsBalance") }) == [700, 400, 100])
            let cups = created.filter { $0.string("item") == "CUP" }.count
            #expect(try await t.stock("CUP") == Int64(100 - cups))
            #expect(try await t.count("coupons") == created.count - cups)
            try await t.expectVerifyClean()
        }
    }

    @Test("the same key sent 8 times at once is redeemed once")
    func sameKeyConcurrently() async throws {
        try await withTestApp { t in
            try await t.store.saveRewardItem(RewardItem(code: "CUP", name: .init(zh: "杯子", en: "Cup"), points: 100, stock: 10), actor: "test")
            let (card, id) = try await t.memberWithPoints("13800000001", 1_000)
            let results = try await withThrowingTaskGroup(of: RawResponse.self) { group in
                for _ in 0..<8 { group.addTask { try await t.redeem("SAME", card: card, item: "CUP") } }
                return try await group.reduce(into: [RawResponse]()) { $0.append($1) }
            }
            #expect(results.filter { $0.status == .created }.count == 1, "\(results.map(\.text))")
            #expect(results.filter { $0.status == .ok }.count == 7)
            #expect(results.allSatisfy { sameJSON($0.text, results[0].text) })
            #expect(try await t.balance(id) == 900)
            #expect(try await t.stock("CUP") == 9)
        }
    }
}
