import Foundation
import MallVIPCore
import MallVIPStore
import Testing
import Vapor
@testable import MallVIPWeb

/// Many tills at once: purchases for one member serialise on the member, so the balance, the ledger and the
/// rolling spend agree; the same receipt posted concurrently is recorded once.
@Suite("Concurrency") struct ConcurrencyTests {
    @Test("50 concurrent purchases for one member: balance = ledger sum = expected, spend and tier right, verify clean")
    func fiftyForOneMember() async throws {
        try await withTestApp { t in
            let card = try await t.enrolMember(phone: "13800000001")      // 60 points, 600 yuan
            let id = try await t.memberId(card: card)
            // Amounts 100.00 … 149.00 yuan: 10 … 14 points each; in all 6,225 yuan (gold at 5,000 in 6 months).
            let amounts = (0..<50).map { Int64(10_000 + $0 * 100) }
            let results = try await withThrowingTaskGroup(of: RawResponse.self) { group in
                for (i, fen) in amounts.enumerated() {
                    group.addTask { try await t.purchase("CC-\(i)", fen: fen, card: card) }
                }
                return try await group.reduce(into: [RawResponse]()) { $0.append($1) }
            }
            #expect(results.allSatisfy { $0.status == .created }, "\(results.filter { $0.status != .created }.map(\.text))")
            let expected: Int64 = 60 + amounts.reduce(0) { $0 + $1 / 1_000 }
            #expect(try await t.balance(id) == expected)
            let rows = try await t.ledgerRows(id)
            #expect(rows.count == 51)
            #expect(rows.reduce(0) { $0 + $1.points } == expected)
            // Each row's balance_after is the running sum: the writes did not interleave.
            var running: Int64 = 0
            for row in rows {
                running += row.points
                #expect(row.balanceAfter == running)
            }
            // Every answer's balance is distinct and the largest is the final balance.
            let balances = results.compactMap { $0.int("pointsBalance") }
            #expect(Set(balances).count == 50)
            #expect(balances.max().map(Int64.init) == expected)
            let spend = try await t.store.rollingSpend(memberId: id)
            #expect(spend.spend(months: 6) == 60_000 + amounts.reduce(0, +))
            #expect(try await t.lookup(card: card).string("tier") == "gold")
            // Exactly one answer reports the upgrades (silver at 3,000, gold at 5,000).
            #expect(results.filter { $0.bool("tierChanged") == true }.count == 2)
            #expect(try await t.store.tierChanges(memberId: id).filter { $0.kind == "upgrade" }.count == 2)
            #expect(try await t.count("purchases") == 51)
            try await t.expectVerifyClean()
        }
    }

    @Test("50 concurrent purchases through the store directly agree as well")
    func fiftyThroughStore() async throws {
        try await withTestApp { t in
            let card = try await t.enrolMember(phone: "13800000001")
            let id = try await t.memberId(card: card)
            let store = t.store
            let now = t.clock.now
            try await withThrowingTaskGroup(of: Void.self) { group in
                for i in 0..<50 {
                    group.addTask {
                        _ = try await store.postPurchase(PurchaseRequest(
                            receiptNo: "ST-\(i)", occurredAt: now, card: card,
                            lines: [PurchaseLineRequest(counter: "C0001", amountFen: 5_000)]))
                    }
                }
                try await group.waitForAll()
            }
            #expect(try await t.balance(id) == 60 + 50 * 5)
            #expect(try await t.ledgerRows(id).reduce(0) { $0 + $1.points } == 60 + 50 * 5)
            try await t.expectVerifyClean()
        }
    }

    @Test("the same receipt posted 10 times at once is recorded once; every answer carries the same result",
          arguments: ["C0001", "C0002"])
    func sameReceiptConcurrently(counter: String) async throws {
        try await withTestApp { t in
            try await t.saveCounter(code: "C0002", participates: true)
            let card = try await t.enrolMember(phone: "13800000001")
            let id = try await t.memberId(card: card)
            let body = t.purchaseJSON("DUP-1", card: card, lines: [Line(200_000, counter: counter)])
            let results = try await withThrowingTaskGroup(of: RawResponse.self) { group in
                for _ in 0..<10 { group.addTask { try await t.postRaw("/api/v1/purchases", body) } }
                return try await group.reduce(into: [RawResponse]()) { $0.append($1) }
            }
            #expect(results.filter { $0.status == .created }.count == 1, "\(results.map(\.status))")
            #expect(results.filter { $0.status == .ok }.count == 9)
            #expect(results.allSatisfy { sameJSON($0.text, results[0].text) }, "\(results.map(\.text))")
            #expect(try await t.count("purchases") == 2)
            #expect(try await t.ledgerRows(id).count == 2)
            #expect(try await t.balance(id) == 60 + 210)
            try await t.expectVerifyClean()
        }
    }

    @Test("concurrent purchases for many members and walk-ins, with refunds interleaved")
    func manyMembers() async throws {
        try await withTestApp { t in
            var cards: [String] = []
            for i in 0..<5 { cards.append(try await t.enrolMember(phone: "1380000000\(i)")) }
            let cardList = cards
            try await withThrowingTaskGroup(of: Void.self) { group in
                for i in 0..<40 {
                    group.addTask {
                        let card = i % 8 == 7 ? nil : cardList[i % 5]
                        let r = try await t.purchase("MM-\(i)", fen: 20_000, card: card)
                        #expect(r.status == .created, "\(r.text)")
                        if i % 4 == 0 {
                            let f = try await t.refund("MF-\(i)", receipt: "MM-\(i)", fen: 5_000)
                            #expect(f.status == .created, "\(f.text)")
                        }
                    }
                }
                try await group.waitForAll()
            }
            try await t.expectVerifyClean()
            #expect(try await t.count("purchases") == 45)
            #expect(try await t.count("refunds") == 10)
        }
    }
}
