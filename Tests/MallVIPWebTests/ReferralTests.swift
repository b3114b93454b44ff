import Foundation
import MallVIPCore
import MallVIPStore
import SQLKit
import Testing
import Vapor
@testable import MallVIPWeb

extension TestContext {
    func referralCode(card: String) async throws -> String {
        try #require(try await store.referralSummary(memberId: try await memberId(card: card)).code)
    }

    /// A new member enrolled with a referral code: a 600-yuan walk-in receipt, then the enrolment naming the code.
    func enrolReferred(phone: String, code: String, name: String = "李四") async throws -> String {
        let receipt = "ENROL-\(phone)"
        let p = try await purchase(receipt, fen: 60_000, phone: phone)
        #expect(p.status == .created, "\(p.text)")
        let r = try await postRaw("/api/v1/members", #"{"phone":"\#(phone)","name":"\#(name)","receipts":["\#(receipt)"],"referralCode":"\#(code)"}"#)
        #expect(r.status == .created, "\(r.text)")
        return r.string("cardNo") ?? ""
    }

    /// The referral that brought the member with this card.
    func referral(card: String) async throws -> Referral? {
        try await store.referralSummary(memberId: try await memberId(card: card)).referredBy
    }
}

/// Member-gets-member (docs/domain.md C24): the link at enrolment, the referrer's reward on the new member's first qualifying
/// purchase, the cap, and the reward taken back when that purchase is refunded.
@Suite("Referrals") struct ReferralTests {
    @Test("enrol with a code, then the first purchase: the referrer gets 200 points once; enrolment receipts do not count")
    func rewardOnFirstPurchase() async throws {
        try await withTestApp { t in
            let a = try await t.enrolMember(phone: "13800000001", name: "张三")
            let aId = try await t.memberId(card: a)
            let code = try await t.referralCode(card: a)
            #expect(code.count == 7)
            // Typed in lower case: normalised.
            let b = try await t.enrolReferred(phone: "13800000002", code: code.lowercased())
            let link = try #require(try await t.referral(card: b))
            #expect(link.referrerId == aId)
            #expect(link.status == .pending)
            #expect(link.code == code)
            #expect(try await t.balance(aId) == 60)        // the 600-yuan enrolment receipt is not a purchase as a member

            let p = try await t.purchase("B-1", fen: 10_000, card: b)
            #expect(p.status == .created)
            #expect(try await t.balance(aId) == 260)
            let rows = try await t.ledgerRows(aId)
            let last = try #require(rows.last)
            #expect(last.kind == "referral")
            #expect(last.points == 200)
            #expect(last.balanceAfter == 260)
            let rewarded = try #require(try await t.referral(card: b))
            #expect(rewarded.status == .rewarded)
            #expect(rewarded.receiptNo == "B-1")
            #expect(rewarded.rewardPoints == 200)
            // Later purchases and a replay of the first change nothing.
            let replay = try await t.purchase("B-1", fen: 10_000, card: b)
            #expect(replay.status == .ok)
            _ = try await t.purchase("B-2", fen: 50_000, card: b)
            #expect(try await t.balance(aId) == 260)
            #expect(try await t.ledgerRows(aId).filter { $0.kind == "referral" }.count == 1)
            // The referrer's own summary lists B.
            let summary = try await t.store.referralSummary(memberId: aId)
            #expect(summary.referred.map(\.refereeName) == ["李四"] && summary.referredBy == nil)
            try await t.expectVerifyClean()
        }
    }

    @Test("only a referee's purchases look for a referral: the member row carries the flag until the reward settles")
    func pendingFlag() async throws {
        try await withTestApp { t in
            let a = try await t.enrolMember(phone: "13800000001", name: "张三")
            let aId = try await t.memberId(card: a)
            let b = try await t.enrolReferred(phone: "13800000002", code: try await t.referralCode(card: a))
            let bId = try await t.memberId(card: b)
            func flag(_ id: Int64) async throws -> Bool {
                try #require(try await t.store.sql.raw("SELECT referral_pending FROM members WHERE id = \(bind: id)").first()).decode(column: "referral_pending", as: Bool.self)
            }
            #expect(try await flag(aId) == false)
            #expect(try await flag(bId) == true)
            // A flag left behind (the reward settled by the sweep, or a crash before the flag was lowered) is lowered
            // by the next purchase, which then settles nothing twice.
            _ = try await t.purchase("B-1", fen: 10_000, card: b)
            #expect(try await flag(bId) == false)
            #expect(try await t.balance(aId) == 260)
            try await t.store.sql.raw("UPDATE members SET referral_pending = \(bind: true) WHERE id = \(bind: bId)").run()
            _ = try await t.purchase("B-2", fen: 10_000, card: b)
            #expect(try await flag(bId) == false)
            #expect(try await t.balance(aId) == 260)
        }
    }

    @Test("an unknown code is 422 naming referralCode and enrols nobody; no code enrols without a link")
    func unknownCode() async throws {
        try await withTestApp { t in
            _ = try await t.purchase("ENROL-2", fen: 60_000, phone: "13800000002")
            let counts = try await t.writeCounts()
            let r = try await t.postRaw("/api/v1/members", #"{"phone":"13800000002","name":"李四","receipts":["ENROL-2"],"referralCode":"ZZZZZZZ"}"#)
            #expect(r.status == .unprocessableEntity, "\(r.text)")
            #expect(r.errorField == "referralCode" && r.errorRule == "referralCode.exists")
            let malformed = try await t.postRaw("/api/v1/members", #"{"phone":"13800000002","name":"李四","receipts":["ENROL-2"],"referralCode":"U!"}"#)
            #expect(malformed.errorField == "referralCode")
            #expect(try await t.writeCounts() == counts)
            #expect(try await t.count("referrals") == 0)
            let ok = try await t.enrol(phone: "13800000002", receipts: ["ENROL-2"])
            #expect(ok.status == .created)
            #expect(try await t.count("referrals") == 0)
            // Every member has a code, even without a referrer.
            #expect(try await t.referralCode(card: try #require(ok.string("cardNo"))).count == 7)
        }
    }

    @Test("a purchase below referrals.minPurchase earns the referrer nothing; a later one at the minimum does")
    func belowMinimum() async throws {
        let yaml = programmeYAML(replacing: [("  minPurchase: 0\n", "  minPurchase: 1000\n")])
        try await withTestApp(programme: yaml) { t in
            let a = try await t.enrolMember(phone: "13800000001")
            let aId = try await t.memberId(card: a)
            let b = try await t.enrolReferred(phone: "13800000002", code: try await t.referralCode(card: a))
            _ = try await t.purchase("B-1", fen: 99_999, card: b)
            #expect(try await t.balance(aId) == 60)
            #expect(try await t.referral(card: b)?.status == .pending)
            _ = try await t.purchase("B-2", fen: 100_000, card: b)
            #expect(try await t.balance(aId) == 260)
            #expect(try await t.referral(card: b)?.receiptNo == "B-2")
            try await t.expectVerifyClean()
        }
    }

    @Test("at most 3 rewarded referrals: the 4th is capped and earns nothing")
    func cap() async throws {
        try await withTestApp { t in
            let a = try await t.enrolMember(phone: "13800000001")
            let aId = try await t.memberId(card: a)
            let code = try await t.referralCode(card: a)
            var cards: [String] = []
            for i in 2...5 { cards.append(try await t.enrolReferred(phone: "1380000000\(i)", code: code, name: "会员\(i)")) }
            for (i, card) in cards.enumerated() { _ = try await t.purchase("P-\(i)", fen: 10_000, card: card) }
            #expect(try await t.balance(aId) == 60 + 3 * 200)
            let statuses = try await t.store.referralSummary(memberId: aId).referred.map(\.status)
            #expect(statuses == [.rewarded, .rewarded, .rewarded, .capped])
            try await t.expectVerifyClean()
        }
    }

    @Test("maxRewardedPerReferrer 0 means no cap")
    func noCap() async throws {
        let yaml = programmeYAML(replacing: [("  maxRewardedPerReferrer: 3 ", "  maxRewardedPerReferrer: 0 ")])
        try await withTestApp(programme: yaml) { t in
            let a = try await t.enrolMember(phone: "13800000001")
            let code = try await t.referralCode(card: a)
            for i in 2...5 {
                let card = try await t.enrolReferred(phone: "1380000000\(i)", code: code, name: "会员\(i)")
                _ = try await t.purchase("P-\(i)", fen: 10_000, card: card)
            }
            #expect(try await t.balance(try await t.memberId(card: a)) == 60 + 4 * 200)
        }
    }

    @Test("refunding the qualifying purchase takes the reward back; a partial refund that still qualifies does not")
    func refundReverses() async throws {
        let yaml = programmeYAML(replacing: [("  minPurchase: 0\n", "  minPurchase: 100\n")])
        try await withTestApp(programme: yaml) { t in
            let a = try await t.enrolMember(phone: "13800000001")
            let aId = try await t.memberId(card: a)
            let b = try await t.enrolReferred(phone: "13800000002", code: try await t.referralCode(card: a))
            _ = try await t.purchase("B-1", fen: 30_000, card: b)
            #expect(try await t.balance(aId) == 260)
            // 300 → 150 yuan: still at least 100.
            #expect(try await t.refund("F-1", receipt: "B-1", fen: 15_000).status == .created)
            #expect(try await t.referral(card: b)?.status == .rewarded)
            #expect(try await t.balance(aId) == 260)
            // 150 → 50 yuan: no longer qualifies.
            #expect(try await t.refund("F-2", receipt: "B-1", fen: 10_000).status == .created)
            let reversed = try #require(try await t.referral(card: b))
            #expect(reversed.status == .reversed)
            #expect(try await t.balance(aId) == 60)
            let last = try #require(try await t.ledgerRows(aId).last)
            #expect(last.kind == "referralReverse")
            #expect(last.points == -200)
            #expect(last.balanceAfter == 60)
            // A replayed refund and a later purchase change nothing: a reversed referral is final.
            #expect(try await t.refund("F-2", receipt: "B-1", fen: 10_000).status == .ok)
            _ = try await t.purchase("B-2", fen: 30_000, card: b)
            #expect(try await t.balance(aId) == 60)
            try await t.expectVerifyClean()
        }
    }

    @Test("points already spent: the reversal takes what is there, never below zero, and notes the shortfall")
    func reversalShortfall() async throws {
        try await withTestApp { t in
            let a = try await t.enrolMember(phone: "13800000001")
            let aId = try await t.memberId(card: a)
            let b = try await t.enrolReferred(phone: "13800000002", code: try await t.referralCode(card: a))
            _ = try await t.purchase("B-1", fen: 10_000, card: b)
            #expect(try await t.store.adjustPoints(memberId: aId, points: -250, reason: "兑换礼品", actor: "test") == 10)
            _ = try await t.refund("F-1", receipt: "B-1", fen: 10_000)
            #expect(try await t.balance(aId) == 0)
            let last = try #require(try await t.ledgerRows(aId).last)
            #expect(last.kind == "referralReverse" && last.points == -10)
            let r = try #require(try await t.referral(card: b))
            #expect(r.status == .reversed && r.note.contains("少扣 190"))
            try await t.expectVerifyClean()
        }
    }

    @Test("a reward with a coupon and a gift: the referrer gets the coupon and the gift is recorded; a reversal voids the coupon, or notes that it was used")
    func couponAndGift() async throws {
        let yaml = programmeYAML(replacing: [("  reward: {points: 200}",
            "  reward: {points: 100, coupon: {name: {zh: 推荐礼券, en: Referral coupon}, face: 50, minSpend: 200, validDays: 30}, gift: {zh: 精美礼品, en: Gift}}")])
        try await withTestApp(programme: yaml) { t in
            let a = try await t.enrolMember(phone: "13800000001")
            let aId = try await t.memberId(card: a)
            let code = try await t.referralCode(card: a)
            let b = try await t.enrolReferred(phone: "13800000002", code: code, name: "李四")
            let c = try await t.enrolReferred(phone: "13800000003", code: code, name: "王五")
            _ = try await t.purchase("B-1", fen: 10_000, card: b)
            _ = try await t.purchase("C-1", fen: 10_000, card: c)
            #expect(try await t.balance(aId) == 260)
            let rb = try #require(try await t.referral(card: b)), rc = try #require(try await t.referral(card: c))
            #expect(rb.rewardGift == "精美礼品")
            let couponB = try #require(rb.rewardCouponCode), couponC = try #require(rc.rewardCouponCode)
            func coupon(_ code: String) async throws -> (status: String, member: Int64?) {
                let row = try #require(try await t.store.sql.raw("SELECT status, member_id FROM coupons WHERE code = \(bind: code)").first())
                return (try row.decode(column: "status", as: String.self), try row.decode(column: "member_id", as: Int64?.self))
            }
            #expect(try await coupon(couponB) == ("issued", aId))
            // C's coupon has been used at a till by the time C's purchase is refunded.
            try await t.store.sql.raw("UPDATE coupons SET status = 'used', used_receipt_no = 'A-9' WHERE code = \(bind: couponC)").run()
            _ = try await t.refund("FB", receipt: "B-1", fen: 10_000)
            _ = try await t.refund("FC", receipt: "C-1", fen: 10_000)
            #expect(try await coupon(couponB).status == "void")
            #expect(try await coupon(couponC).status == "used")
            let reversedC = try #require(try await t.referral(card: c))
            #expect(reversedC.status == .reversed)
            #expect(reversedC.note.contains("已使用"))
            #expect(try await t.balance(aId) == 60)
            try await t.expectVerifyClean()
        }
    }

    @Test("referees of one referrer buying at once never take the referrer past the cap", arguments: [6])
    func concurrentCap(referees: Int) async throws {
        try await withTestApp { t in
            let a = try await t.enrolMember(phone: "13800000001")
            let aId = try await t.memberId(card: a)
            let code = try await t.referralCode(card: a)
            var cards: [String] = []
            for i in 0..<referees { cards.append(try await t.enrolReferred(phone: "1390000000\(i)", code: code, name: "会员\(i)")) }
            let list = cards
            try await withThrowingTaskGroup(of: Void.self) { group in
                for (i, card) in list.enumerated() {
                    group.addTask {
                        // Two receipts each, so settlement races its own member too.
                        for j in 0..<2 {
                            let r = try await t.purchase("C-\(i)-\(j)", fen: 10_000, card: card)
                            #expect(r.status == .created, "\(r.text)")
                        }
                    }
                }
                try await group.waitForAll()
            }
            let statuses = try await t.store.referralSummary(memberId: aId).referred.map(\.status)
            #expect(statuses.filter { $0 == .rewarded }.count == 3, "\(statuses)")
            #expect(statuses.filter { $0 == .capped }.count == referees - 3, "\(statuses)")
            #expect(try await t.balance(aId) == 60 + 3 * 200)
            #expect(try await t.ledgerRows(aId).filter { $0.kind == "referral" }.count == 3)
            try await t.expectVerifyClean()
        }
    }

    @Test("the daily sweep settles a referral whose purchase posted while it could not be settled, once per day")
    func sweepSettlesMissed() async throws {
        let off = programmeYAML(replacing: [("referrals:\n  enabled: true", "referrals:\n  enabled: false")])
        try await withTestApp { t in
            let a = try await t.enrolMember(phone: "13800000001")
            let aId = try await t.memberId(card: a)
            let b = try await t.enrolReferred(phone: "13800000002", code: try await t.referralCode(card: a))
            // Disabled: the purchase posts and nothing is settled (as if the process died between the two commits).
            _ = try await t.store.applyProgramme(yaml: off, by: "test", note: "off")
            _ = try await t.purchase("B-1", fen: 10_000, card: b)
            #expect(try await t.referral(card: b)?.status == .pending)
            _ = try await t.store.applyProgramme(yaml: Programme.defaultYAML(), by: "test", note: "on")
            let today = LocalDate.of(t.clock.now, in: TimeZone(identifier: "Asia/Shanghai")!)
            let first = try await t.store.runReferralSweep(on: today)
            #expect(first.settled == 1 && first.reversed == 0 && !first.alreadyRan)
            #expect(try await t.balance(aId) == 260)
            #expect(try await t.store.runReferralSweep(on: today).alreadyRan)
            // A refund whose follow-up was lost is reversed by the next day's sweep.
            try await t.store.sql.raw("UPDATE purchases SET refunded_fen = total_fen WHERE receipt_no = 'B-1'").run()
            let next = try await t.store.runReferralSweep(on: today.adding(days: 1))
            #expect(next.reversed == 1)
            #expect(try await t.balance(aId) == 60)
            #expect(try await t.referral(card: b)?.status == .reversed)
        }
    }

    @Test("console: the enrolment form takes a referral code; the member page shows the code, the referrer and the referrals")
    func console() async throws {
        try await withTestApp { t in
            let a = try await t.enrolMember(phone: "13800000001", name: "张三")
            let aId = try await t.memberId(card: a)
            let code = try await t.referralCode(card: a)
            _ = try await t.purchase("ENROL-2", fen: 60_000, phone: "13800000002")
            let desk = try await t.console(as: "desk1", .desk)
            let form = try await desk.get("/console/members/new")
            #expect(form.contains("name=\"referralCode\""))
            let bad = try await desk.post("/console/members/new", [("phone", "13800000002"), ("name", "李四"), ("receipts", "ENROL-2"),
                                                                    ("referralCode", "ZZZZZZZ")])
            #expect(bad.status == .unprocessableEntity)
            #expect(bad.contains("推荐码不存在"))
            let done = try await desk.post("/console/members/new", [("phone", "13800000002"), ("name", "李四"), ("receipts", "ENROL-2"),
                                                                     ("referralCode", code)])
            #expect(done.status == .seeOther)
            let bPage = try await desk.follow(done)
            #expect(bPage.contains("张三") && bPage.contains("待首次消费"))
            let b = try #require(try await t.store.lookup(card: nil, phone: "13800000002"))
            _ = try await t.purchase("B-1", fen: 10_000, card: b.cardNo)
            let aPage = try await desk.get("/console/members/\(aId)")
            #expect(aPage.contains(code))
            for text in ["李四", "已奖励", "B-1"] { #expect(aPage.contains(text), "\(text)") }
            #expect(aPage.contains("推荐奖励"))
        }
    }
}
