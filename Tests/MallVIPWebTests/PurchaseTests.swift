import Foundation
import MallVIPCore
import Testing
import Vapor
@testable import MallVIPWeb

/// Earning points through POST /api/v1/purchases (docs/domain.md §4): one point per full 10 yuan, the big-ticket
/// bonus, the multiplier days, special-price lines, and non-member purchases.
@Suite("Purchases and earning") struct PurchaseTests {
    @Test("one point per full 10 yuan: 559.00 → 55, 9.99 → 0", arguments: [(Int64(55_900), 55), (999, 0), (1_000, 1), (50_000, 50)])
    func fullUnits(fen: Int64, points: Int) async throws {
        try await withTestApp { t in
            let card = try await t.enrolMember(phone: "13800000001")   // 600 yuan → 60 points
            let r = try await t.purchase("R-1", fen: fen, card: card)
            #expect(r.status == .created, "\(r.text)")
            #expect(r.int("pointsEarned") == points)
            #expect(r.int("basePoints") == points)
            #expect(r.int("bonusPoints") == 0)
            #expect(r.int("pointsBalance") == 60 + points)
            #expect(r.bool("member") == true)
            #expect(r.string("cardNo") == card)
            #expect(r.int("totalFen") == Int(fen))
            #expect(r.string("businessDate") == "2026-11-25")
            let id = try await t.memberId(card: card)
            #expect(try await t.balance(id) == Int64(60 + points))
            let rows = try await t.ledgerRows(id)
            // A zero-point receipt writes no ledger row.
            #expect(rows.count == (points == 0 ? 1 : 2))
            if points > 0 { #expect(rows.last?.kind == "earn" && rows.last?.points == Int64(points)) }
            try await t.expectVerifyClean()
        }
    }

    @Test("big-ticket bonus: 2,000 → 210, 1,999 → 199")
    func bigTicketBonus() async throws {
        try await withTestApp { t in
            let card = try await t.enrolMember(phone: "13800000001")
            let big = try await t.purchase("R-2000", fen: 200_000, card: card)
            #expect(big.int("basePoints") == 200)
            #expect(big.int("bonusPoints") == 10)
            #expect(big.int("pointsEarned") == 210)
            let under = try await t.purchase("R-1999", fen: 199_999, card: card)
            #expect(under.int("basePoints") == 199)
            #expect(under.int("bonusPoints") == 0)
            #expect(under.int("pointsEarned") == 199)
            // The bonus is per receipt: two lines adding up to 2,000 on one receipt earn it too.
            let split = try await t.purchase("R-SPLIT", card: card, lines: [Line(120_000), Line(80_000)])
            #expect(split.int("pointsEarned") == 210)
            #expect(split.int("pointsBalance") == 60 + 210 + 199 + 210)
            try await t.expectVerifyClean()
        }
    }

    @Test("Wednesdays in February–April earn double; other Wednesdays do not")
    func wednesdayDouble() async throws {
        try await withTestApp { t in
            let card = try await t.enrolMember(phone: "13800000001")
            // 2026-03-04 is a Wednesday in the slow season (posted late by an offline POS).
            let march = try await t.purchase("R-MAR", fen: 55_900, at: shanghai(2026, 3, 4, 15), card: card)
            #expect(march.status == .created, "\(march.text)")
            #expect(march.string("businessDate") == "2026-03-04")
            #expect(march.int("basePoints") == 55)
            #expect(march.int("pointsEarned") == 110)
            #expect((march.json["multipliers"] as? [String]) == ["淡季周三双倍积分"])
            // 2026-05-06 is a Wednesday outside February–April.
            let may = try await t.purchase("R-MAY", fen: 55_900, at: shanghai(2026, 5, 6, 15), card: card)
            #expect(may.int("pointsEarned") == 55)
            #expect((may.json["multipliers"] as? [String]) == [])
            // The multiplier applies before the big-ticket bonus: 2,000 on a slow-season Wednesday → 400 + 10.
            let big = try await t.purchase("R-MAR-BIG", fen: 200_000, at: shanghai(2026, 4, 1, 11), card: card)
            #expect(big.int("pointsEarned") == 410)
            try await t.expectVerifyClean()
        }
    }

    @Test("the member's birthday earns double")
    func birthdayDouble() async throws {
        try await withTestApp { t in
            let card = try await t.enrolMember(phone: "13800000001", birthday: "1990-11-25")
            let other = try await t.enrolMember(phone: "13800000002", birthday: "1990-11-26")
            let r = try await t.purchase("R-BDAY", fen: 55_900, card: card)
            #expect(r.int("pointsEarned") == 110)
            #expect((r.json["multipliers"] as? [String]) == ["生日当天双倍积分"])
            let o = try await t.purchase("R-OTHER", fen: 55_900, card: other)
            #expect(o.int("pointsEarned") == 55)
            // The lookup screen greets the birthday.
            #expect(try await t.lookup(card: card).bool("birthdayToday") == true)
            #expect(try await t.lookup(card: other).bool("birthdayToday") == false)
        }
    }

    @Test("first N member purchases of the day earn double; the (N+1)th does not; non-members do not count")
    func firstMembersOfDay() async throws {
        let yaml = programmeYAML(replacing: [(
            "- {name: 淡季每日前100名会员双倍积分, factor: 2, months: [2, 3, 4], firstMemberPurchasesOfDay: 100}",
            "- {name: 每日前2名会员双倍积分, factor: 2, firstMemberPurchasesOfDay: 2}")])
        try await withTestApp(programme: yaml) { t in
            let a = try await t.enrolMember(phone: "13800000001")
            let b = try await t.enrolMember(phone: "13800000002")
            let c = try await t.enrolMember(phone: "13800000003")
            let first = try await t.purchase("R-A", fen: 55_900, card: a)
            #expect(first.int("pointsEarned") == 110)
            #expect((first.json["multipliers"] as? [String]) == ["每日前2名会员双倍积分"])
            let walkIn = try await t.purchase("R-WALKIN", fen: 55_900)
            #expect(walkIn.int("pointsEarned") == 0)
            let second = try await t.purchase("R-B", fen: 55_900, card: b)
            #expect(second.int("pointsEarned") == 110)
            let third = try await t.purchase("R-C", fen: 55_900, card: c)
            #expect(third.int("pointsEarned") == 55)
            #expect((third.json["multipliers"] as? [String]) == [])
            // The next business day starts the count again.
            t.clock.advance(86_400)
            let nextDay = try await t.purchase("R-C2", fen: 55_900, card: c)
            #expect(nextDay.int("pointsEarned") == 110)
            try await t.expectVerifyClean()
        }
    }

    @Test("special-price lines earn points (and count towards the bonus)")
    func specialPriceEarns() async throws {
        try await withTestApp { t in
            let card = try await t.enrolMember(phone: "13800000001")
            let r = try await t.purchase("R-SP", card: card, lines: [Line(55_900, specialPrice: true)])
            #expect(r.status == .created)
            #expect(r.int("pointsEarned") == 55)
            let mixed = try await t.purchase("R-MIX", card: card, lines: [Line(150_000, specialPrice: true), Line(50_000)])
            #expect(mixed.int("pointsEarned") == 210)
        }
    }

    @Test("a counter outside the points scheme earns nothing, but its spend still counts")
    func nonEarningCounter() async throws {
        try await withTestApp { t in
            try await t.saveCounter(code: "NOPTS", participates: false, earnsPoints: false)
            let card = try await t.enrolMember(phone: "13800000001")
            let r = try await t.purchase("R-NP", card: card, lines: [Line(100_000, counter: "NOPTS"), Line(55_900)])
            #expect(r.int("pointsEarned") == 55)
            #expect(r.int("totalFen") == 155_900)
            let id = try await t.memberId(card: card)
            #expect(try await t.store.rollingSpend(memberId: id).spend(months: 6) == 60_000 + 155_900)
        }
    }

    @Test("a member identified by phone alone earns points (报电话号码即可积分)")
    func phoneIdentifies() async throws {
        try await withTestApp { t in
            let card = try await t.enrolMember(phone: "13800000001")
            let r = try await t.purchase("R-PH", fen: 55_900, phone: "13800000001")
            #expect(r.status == .created)
            #expect(r.bool("member") == true)
            #expect(r.string("cardNo") == card)
            #expect(r.int("pointsEarned") == 55)
            #expect(r.int("pointsBalance") == 115)
        }
    }

    @Test("non-member purchases are recorded without points, flagged when eligible to enrol")
    func nonMember() async throws {
        try await withTestApp { t in
            let before = try await t.count("purchases")
            let small = try await t.purchase("R-NM1", fen: 49_999, phone: "13900000001")
            #expect(small.status == .created, "\(small.text)")
            #expect(small.bool("member") == false)
            #expect(small.int("pointsEarned") == 0)
            #expect(small.json["pointsBalance"] == nil || small.json["pointsBalance"] is NSNull)
            #expect(small.bool("eligibleToEnrol") == false)
            let big = try await t.purchase("R-NM2", fen: 50_000)
            #expect(big.bool("member") == false)
            #expect(big.bool("eligibleToEnrol") == true)
            #expect(big.int("totalFen") == 50_000)
            #expect(try await t.count("purchases") == before + 2)
            #expect(try await t.count("points_ledger") == 0)
            // A phone that belongs to no member: still a non-member purchase, the phone kept for enrolment.
            let phoneRow = try await t.store.sql.raw("SELECT phone, member_id FROM purchases WHERE receipt_no = 'R-NM1'").first()
            #expect(try phoneRow?.decode(column: "phone", as: String?.self) == "13900000001")
            #expect(try phoneRow?.decode(column: "member_id", as: Int64?.self) == nil)
            try await t.expectVerifyClean()
        }
    }
}
