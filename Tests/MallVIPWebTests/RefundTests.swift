import Foundation
import MallVIPCore
import MallVIPStore
import Testing
import Vapor
@testable import MallVIPWeb

/// Refunds: points recomputed on what remains of the receipt, rolling spend lowered, the tier the receipt
/// brought taken back, and a card issued on a returned receipt deactivated (the XX charter, docs/domain.md §2.1).
@Suite("Refunds") struct RefundTests {
    @Test("points are recomputed on what remains: 2,000 earned 210; refunding 1 yuan reverses 11")
    func recomputeOnRemainder() async throws {
        try await withTestApp { t in
            let card = try await t.enrolMember(phone: "13800000001")
            let id = try await t.memberId(card: card)
            let p = try await t.purchase("R-1", fen: 200_000, card: card)
            #expect(p.int("pointsEarned") == 210)
            let r = try await t.refund("F-1", receipt: "R-1", fen: 100)
            #expect(r.status == .created, "\(r.text)")
            #expect(r.int("refundedFen") == 100)
            #expect(r.int("pointsReversed") == 11)
            #expect(r.int("pointsBalance") == 60 + 210 - 11)
            #expect(r.bool("cardDeactivated") == false)
            let rows = try await t.ledgerRows(id)
            #expect(rows.last?.kind == "reverse")
            #expect(rows.last?.points == -11)
            #expect(rows.last?.balanceAfter == 259)
            #expect(try await t.balance(id) == 259)
            // A further 9.99 is still 1,989.01 left: 198 points, one more reversed.
            let r2 = try await t.refund("F-2", receipt: "R-1", fen: 999)
            #expect(r2.int("pointsReversed") == 1)
            // Everything else: the rest is reversed, never more than was earned.
            let r3 = try await t.refund("F-3", receipt: "R-1", fen: 200_000 - 100 - 999)
            #expect(r3.int("pointsReversed") == 198)
            #expect(try await t.balance(id) == 60)
            let purchases = try await t.store.purchases(memberId: id)
            let receipt = try #require(purchases.first { $0.receiptNo == "R-1" })
            #expect(receipt.refundedFen == 200_000 && receipt.pointsReversed == 210)
            try await t.expectVerifyClean()
        }
    }

    @Test("the multiplier the receipt earned under is kept when reversing")
    func reverseWithStoredMultiplier() async throws {
        try await withTestApp { t in
            let card = try await t.enrolMember(phone: "13800000001", birthday: "1990-11-25")
            let p = try await t.purchase("R-1", fen: 100_000, card: card)
            #expect(p.int("pointsEarned") == 200)
            // The next day is no birthday, but the receipt keeps its double points: 50 yuan back is 10 points.
            t.clock.advance(86_400)
            let r = try await t.refund("F-1", receipt: "R-1", fen: 5_000)
            #expect(r.int("pointsReversed") == 10)
            try await t.expectVerifyClean()
        }
    }

    @Test("refunding more than was paid is 422 naming the line, and writes nothing")
    func moreThanPaid() async throws {
        try await withTestApp { t in
            try await t.saveCounter(code: "C0002", participates: true)
            let card = try await t.enrolMember(phone: "13800000001")
            _ = try await t.purchase("R-1", card: card, lines: [Line(30_000), Line(20_000, counter: "C0002")])
            let counts = try await t.writeCounts()
            let over = try await t.refund("F-1", receipt: "R-1", fen: 30_001)
            #expect(over.status == .unprocessableEntity, "\(over.text)")
            #expect(over.errorField == "lines[0].amountFen")
            #expect(over.errorRule == "refund.exceedsPaid")
            // A counter that is not on the receipt has nothing to refund.
            try await t.saveCounter(code: "C0003", participates: true)
            let wrong = try await t.refund("F-2", receipt: "R-1", fen: 100, counter: "C0003")
            #expect(wrong.status == .unprocessableEntity)
            #expect(wrong.errorField == "lines[0].amountFen")
            // Second line over what remains at its counter.
            let second = try await t.postRaw("/api/v1/refunds", t.refundJSON("F-3", receipt: "R-1", lines: [Line(100), Line(20_001, counter: "C0002")]))
            #expect(second.status == .unprocessableEntity)
            #expect(second.errorField == "lines[1].amountFen")
            #expect(try await t.writeCounts() == counts)

            // After a partial refund, only what remains can go back.
            let part = try await t.refund("F-4", receipt: "R-1", fen: 25_000)
            #expect(part.status == .created)
            let rest = try await t.refund("F-5", receipt: "R-1", fen: 5_001)
            #expect(rest.status == .unprocessableEntity)
            #expect(rest.errorField == "lines[0].amountFen")
            let exact = try await t.refund("F-6", receipt: "R-1", fen: 5_000)
            #expect(exact.status == .created)
            try await t.expectVerifyClean()
        }
    }

    @Test("unknown receipt is 422 naming receiptNo")
    func unknownReceipt() async throws {
        try await withTestApp { t in
            let counts = try await t.writeCounts()
            let r = try await t.refund("F-1", receipt: "NO-SUCH", fen: 100)
            #expect(r.status == .unprocessableEntity)
            #expect(r.errorField == "receiptNo")
            let zero = try await t.refund("F-2", receipt: "NO-SUCH", fen: 0)
            #expect(zero.status == .unprocessableEntity)
            #expect(zero.errorField == "lines[0].amountFen")
            #expect(try await t.writeCounts() == counts)
        }
    }

    @Test("rolling spend drops by the refunded amount, on the purchase's business day")
    func rollingSpendLowered() async throws {
        try await withTestApp { t in
            let card = try await t.enrolMember(phone: "13800000001")
            let id = try await t.memberId(card: card)
            _ = try await t.purchase("R-OLD", fen: 100_000, at: shanghai(2026, 10, 1), card: card)
            let before = try await t.store.rollingSpend(memberId: id)
            #expect(before.spend(months: 6) == 160_000)
            _ = try await t.refund("F-1", receipt: "R-OLD", fen: 40_000)
            let after = try await t.store.rollingSpend(memberId: id)
            #expect(after.spend(months: 6) == 120_000)
            #expect(after.spend(months: 12) == 120_000)
            let day = try await t.store.sql.raw("""
                SELECT spend_fen FROM member_daily_spend WHERE member_id = \(bind: id) AND day = \(bind: LocalDate(year: 2026, month: 10, day: 1).dayNumber)
                """).first()
            #expect(try day?.decode(column: "spend_fen", as: Int64.self) == 60_000)
            try await t.expectVerifyClean()
        }
    }

    @Test("the tier a receipt brought goes back when a refund takes the spend below the threshold")
    func tierGoesBack() async throws {
        try await withTestApp { t in
            let card = try await t.enrolMember(phone: "13800000001")
            let id = try await t.memberId(card: card)
            let p = try await t.purchase("R-1", fen: 240_000, card: card)     // 3,000 in 6 months
            #expect(p.string("tier") == "silver")
            let r = try await t.refund("F-1", receipt: "R-1", fen: 100)
            #expect(r.status == .created)
            #expect(r.string("tier") == "regular")
            #expect(r.bool("tierChanged") == true)
            #expect(try await t.lookup(card: card).string("tier") == "regular")
            let back = try #require(try await t.store.tierChanges(memberId: id).first)
            #expect(back.kind == "refund" && back.fromTier == "silver" && back.toTier == "regular")
            // Reaching it again upgrades again.
            let again = try await t.purchase("R-2", fen: 100, card: card)
            #expect(again.string("tier") == "silver" && again.bool("tierChanged") == true)
            try await t.expectVerifyClean()
        }
    }

    @Test("a refund that leaves the threshold met keeps the tier")
    func tierStaysWhenStillMet() async throws {
        try await withTestApp { t in
            let card = try await t.enrolMember(phone: "13800000001")
            _ = try await t.purchase("R-1", fen: 250_000, card: card)     // 3,100
            let r = try await t.refund("F-1", receipt: "R-1", fen: 10_000)
            #expect(r.string("tier") == "silver")
            #expect(r.bool("tierChanged") == false)
        }
    }

    @Test("a card issued on a receipt that a refund takes below the enrolment threshold is deactivated")
    func cardDeactivated() async throws {
        try await withTestApp { t in
            let card = try await t.enrolMember(phone: "13800000001")      // on ENROL-13800000001, 600 yuan
            let id = try await t.memberId(card: card)
            // Still 500 left: the card stays.
            let ok = try await t.refund("F-1", receipt: "ENROL-13800000001", fen: 10_000)
            #expect(ok.status == .created, "\(ok.text)")
            #expect(ok.bool("cardDeactivated") == false)
            #expect(ok.int("pointsReversed") == 10)
            #expect(try await t.lookup(card: card).status == .ok)
            // 499.99 left: the card goes back.
            let r = try await t.refund("F-2", receipt: "ENROL-13800000001", fen: 1)
            #expect(r.status == .created)
            #expect(r.bool("cardDeactivated") == true)
            #expect(r.int("pointsReversed") == 1)
            let lookup = try await t.lookup(card: card)
            #expect(lookup.status == .notFound)
            #expect(try await t.lookup(phone: "13800000001").status == .notFound)
            let member = try #require(try await t.store.member(id: id))
            #expect(member.status == "deactivated")
            #expect(member.cardState == .closed)
            // The card is refused at the till; nothing written.
            let counts = try await t.writeCounts()
            let p = try await t.purchase("R-AFTER", fen: 10_000, card: card)
            #expect(p.status == .unprocessableEntity)
            #expect(p.errorField == "card")
            #expect(try await t.writeCounts() == counts)
            try await t.expectVerifyClean()
        }
    }

    @Test("refunding a receipt that did not issue the card leaves the card alone")
    func otherReceiptKeepsCard() async throws {
        try await withTestApp { t in
            let card = try await t.enrolMember(phone: "13800000001")
            _ = try await t.purchase("R-1", fen: 60_000, card: card)
            let r = try await t.refund("F-1", receipt: "R-1", fen: 60_000)
            #expect(r.bool("cardDeactivated") == false)
            #expect(try await t.lookup(card: card).status == .ok)
        }
    }

    @Test("with refundDeactivates off, the card stays")
    func programmeKeepsCard() async throws {
        let yaml = programmeYAML(replacing: [("refundDeactivates: true", "refundDeactivates: false")])
        try await withTestApp(programme: yaml) { t in
            let card = try await t.enrolMember(phone: "13800000001")
            let r = try await t.refund("F-1", receipt: "ENROL-13800000001", fen: 50_000)
            #expect(r.bool("cardDeactivated") == false)
            #expect(try await t.lookup(card: card).status == .ok)
        }
    }

    @Test("refund of a non-member receipt: no points, no balance")
    func nonMemberRefund() async throws {
        try await withTestApp { t in
            _ = try await t.purchase("R-NM", fen: 60_000)
            let r = try await t.refund("F-1", receipt: "R-NM", fen: 10_000)
            #expect(r.status == .created)
            #expect(r.int("pointsReversed") == 0)
            #expect(r.json["pointsBalance"] == nil || r.json["pointsBalance"] is NSNull)
            let row = try await t.store.sql.raw("SELECT refunded_fen FROM purchases WHERE receipt_no = 'R-NM'").first()
            #expect(try row?.decode(column: "refunded_fen", as: Int64.self) == 10_000)
        }
    }

    @Test("points already redeemed are not taken back below zero; the shortfall is taken by a later refund once points came in")
    func refundAfterRedemption() async throws {
        try await withTestApp { t in
            let card = try await t.enrolMember(phone: "13800000001")          // 600-yuan enrolment receipt: 60 points
            let id = try await t.memberId(card: card)
            _ = try await t.purchase("R-BIG", fen: 100_000, card: card)        // +100 → 160
            try await t.store.saveRewardItem(RewardItem(code: "TEA", name: .init(zh: "茶礼", en: "Tea"), points: 150), actor: "test")
            let r = try await t.redeem("K-1", card: card, item: "TEA")
            #expect(r.status == .created, "\(r.text)")
            #expect(try await t.balance(id) == 10)

            let first = try await t.refund("RF-1", receipt: "R-BIG", fen: 50_000)   // wants 50 back, only 10 are left
            #expect(first.status == .created, "\(first.text)")
            #expect(first.int("pointsReversed") == 10)
            #expect(first.int("pointsBalance") == 0)
            #expect(try await t.ledgerRows(id).last?.points == -10)

            _ = try await t.purchase("R-NEXT", fen: 80_000, card: card)       // +80
            let second = try await t.refund("RF-2", receipt: "R-BIG", fen: 50_000)  // wants 90 (the other 50 and the 40 still owed); 80 are there
            #expect(second.status == .created, "\(second.text)")
            #expect(second.int("pointsReversed") == 80)
            #expect(try await t.balance(id) == 0)
            try await t.expectVerifyClean()
        }
    }
}
