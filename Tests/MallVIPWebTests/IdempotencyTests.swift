import Foundation
import MallVIPCore
import MallVIPStore
import Testing
import Vapor
@testable import MallVIPWeb

/// A POS retries: the same receipt again is the first answer (200), never a second purchase; the same number
/// with different content is a conflict (409). Refunds likewise on refundNo.
@Suite("Idempotent purchases and refunds") struct IdempotencyTests {
    @Test("the same receipt again answers 200 with the identical body and changes nothing")
    func replaySameReceipt() async throws {
        try await withTestApp { t in
            let card = try await t.enrolMember(phone: "13800000001")
            let id = try await t.memberId(card: card)
            let body = t.purchaseJSON("R-1", card: card, lines: [Line(200_000)])
            let first = try await t.postRaw("/api/v1/purchases", body)
            #expect(first.status == .created)
            #expect(first.int("pointsEarned") == 210)
            let counts = try await t.writeCounts()
            let ledger = try await t.ledgerRows(id)

            // Later, after the member earned more elsewhere: the replay is still the first answer.
            _ = try await t.purchase("R-2", fen: 10_000, card: card)
            let countsAfterR2 = try await t.writeCounts()
            for _ in 0..<3 {
                let again = try await t.postRaw("/api/v1/purchases", body)
                #expect(again.status == .ok)
                #expect(sameJSON(again.text, first.text), "\(again.text) ≠ \(first.text)")
            }
            #expect(try await t.writeCounts() == countsAfterR2)
            #expect(counts["purchases"]! + 1 == countsAfterR2["purchases"]!)
            #expect(try await t.ledgerRows(id).count == ledger.count + 1)
            #expect(try await t.balance(id) == 60 + 210 + 10)
            try await t.expectVerifyClean()
        }
    }

    @Test("a non-member receipt replays too")
    func replayNonMember() async throws {
        try await withTestApp { t in
            let body = t.purchaseJSON("R-NM", phone: "13900000009", lines: [Line(60_000)])
            let first = try await t.postRaw("/api/v1/purchases", body)
            let again = try await t.postRaw("/api/v1/purchases", body)
            #expect(first.status == .created && again.status == .ok)
            #expect(sameJSON(again.text, first.text), "\(again.text) ≠ \(first.text)")
            #expect(try await t.count("purchases") == 1)
        }
    }

    @Test("the same receiptNo with a different body is 409 and writes nothing",
          arguments: ["amount", "card", "time", "counter", "special"])
    func conflictingBody(change: String) async throws {
        try await withTestApp { t in
            try await t.saveCounter(code: "C0002", participates: true)
            let card = try await t.enrolMember(phone: "13800000001")
            let other = try await t.enrolMember(phone: "13800000002")
            let id = try await t.memberId(card: card)
            let first = try await t.purchase("R-1", fen: 55_900, card: card)
            #expect(first.status == .created)
            let counts = try await t.writeCounts()
            let conflicting: String = switch change {
            case "amount": t.purchaseJSON("R-1", card: card, lines: [Line(55_800)])
            case "card": t.purchaseJSON("R-1", card: other, lines: [Line(55_900)])
            case "time": t.purchaseJSON("R-1", at: t.clock.now.addingTimeInterval(-60), card: card, lines: [Line(55_900)])
            case "counter": t.purchaseJSON("R-1", card: card, lines: [Line(55_900, counter: "C0002")])
            default: t.purchaseJSON("R-1", card: card, lines: [Line(55_900, specialPrice: true)])
            }
            let r = try await t.postRaw("/api/v1/purchases", conflicting)
            #expect(r.status == .conflict, "\(r.text)")
            #expect(r.errorField == "receiptNo")
            #expect(r.errorRule == "receipt.idempotency")
            #expect(try await t.writeCounts() == counts)
            #expect(try await t.balance(id) == 60 + 55)
            // The original still replays.
            let replay = try await t.purchase("R-1", fen: 55_900, card: card)
            #expect(replay.status == .ok && sameJSON(replay.text, first.text))
        }
    }

    @Test("refunds are idempotent on refundNo: replay 200 with the same body, no second reversal; different content 409")
    func refundReplay() async throws {
        try await withTestApp { t in
            let card = try await t.enrolMember(phone: "13800000001")
            let id = try await t.memberId(card: card)
            _ = try await t.purchase("R-1", fen: 200_000, card: card)
            let body = t.refundJSON("F-1", receipt: "R-1", lines: [Line(50_000)])
            let first = try await t.postRaw("/api/v1/refunds", body)
            #expect(first.status == .created, "\(first.text)")
            #expect(first.int("pointsReversed") == 60)      // 210 → 150
            let counts = try await t.writeCounts()
            let balance = try await t.balance(id)
            let spend = try await t.store.rollingSpend(memberId: id)
            for _ in 0..<2 {
                let again = try await t.postRaw("/api/v1/refunds", body)
                #expect(again.status == .ok)
                #expect(sameJSON(again.text, first.text), "\(again.text) ≠ \(first.text)")
            }
            #expect(try await t.writeCounts() == counts)
            #expect(try await t.balance(id) == balance)
            #expect(try await t.store.rollingSpend(memberId: id) == spend)

            let different = try await t.postRaw("/api/v1/refunds", t.refundJSON("F-1", receipt: "R-1", lines: [Line(40_000)]))
            #expect(different.status == .conflict)
            #expect(different.errorField == "refundNo")
            #expect(try await t.writeCounts() == counts)
            try await t.expectVerifyClean()
        }
    }

    @Test("a receipt whose first line is at any counter replays (the mall, not the counter, scopes the number)")
    func replayAtOtherCounter() async throws {
        try await withTestApp { t in
            try await t.saveCounter(code: "C0002", participates: true)
            try await t.saveCounter(code: "C0003", participates: true)
            let card = try await t.enrolMember(phone: "13800000001")
            let body = t.purchaseJSON("R-C3", card: card, lines: [Line(55_900, counter: "C0003"), Line(10_000)])
            let first = try await t.postRaw("/api/v1/purchases", body)
            #expect(first.status == .created, "\(first.text)")
            let again = try await t.postRaw("/api/v1/purchases", body)
            #expect(again.status == .ok, "\(again.text)")
            #expect(sameJSON(again.text, first.text))
            let conflict = try await t.purchase("R-C3", card: card, lines: [Line(55_900, counter: "C0002")])
            #expect(conflict.status == .conflict, "\(conflict.text)")
            #expect(conflict.errorField == "receiptNo")
            #expect(try await t.count("purchases") == 2)
            #expect(try await t.balance(try await t.memberId(card: card)) == 60 + 65)
        }
    }

    @Test("a receipt number is per mall: the same number in another mall is another purchase")
    func receiptPerMall() async throws {
        try await withTestApp { t in
            let mall = try await t.store.createMall(code: "EAST", name: "东店", actor: "test")
            let dept = try await t.store.createDepartment(mallId: mall, code: "D1", name: "一课", actor: "test")
            try await t.store.saveCounter(id: nil, CounterInput(departmentId: dept, code: "E0001", name: "东店收银", brand: "综合",
                                                                category: "综合", floor: "1F", participatesInDiscount: true), actor: "test")
            let card = try await t.enrolMember(phone: "13800000001")
            let main = try await t.purchase("R-1", fen: 10_000, card: card)
            let east = try await t.purchase("R-1", card: card, lines: [Line(10_000, counter: "E0001")])
            #expect(main.status == .created && east.status == .created, "\(east.text)")
            #expect(east.string("mall") == "EAST")
            #expect(east.int("pointsBalance") == 60 + 10 + 10)
            try await t.expectVerifyClean()
        }
    }
}
