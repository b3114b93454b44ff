import Foundation
import MallVIPCore
import MallVIPStore
@testable import MallVIPWeb
import SQLKit
import Testing
import Vapor

extension TestContext {
    /// A member with exactly `points` (enrolment earns 60; the rest is a manager's adjustment).
    func memberWithPoints(_ phone: String, _ points: Int64, name: String = "张三") async throws -> (card: String, id: Int64) {
        let card = try await enrolMember(phone: phone, name: name)
        let id = try await memberId(card: card)
        if points != 60 { _ = try await store.adjustPoints(memberId: id, points: points - 60, reason: "test", actor: "test") }
        return (card, id)
    }

    /// The starter catalogue of docs/domain.md §5 (LADDER-GIFT, SMALL-500/1000/2000, VOUCHER-30/40/50, ANNUAL-2026, RETURN-2026).
    func seedCatalogue(supplier: String? = "C0001") async throws {
        try await store.addSeedRewardItems(supplierCounterCode: supplier, actor: "test")
    }

    func redeemJSON(_ key: String, card: String, item: String, listPriceFen: Int64? = nil) -> String {
        "{\"idempotencyKey\":\"\(key)\",\"card\":\"\(card)\",\"item\":\"\(item)\"" + (listPriceFen.map { ",\"listPriceFen\":\($0)" } ?? "") + "}"
    }

    func redeem(_ key: String, card: String, item: String, listPriceFen: Int64? = nil) async throws -> RawResponse {
        try await postRaw("/api/v1/redemptions", redeemJSON(key, card: card, item: item, listPriceFen: listPriceFen))
    }

    func stock(_ code: String) async throws -> Int64? {
        try #require(try await store.rewardItem(code: code)).stock
    }

    /// What a refused redemption must leave untouched.
    func rewardState(_ memberId: Int64) async throws -> [String: Int64] {
        var out: [String: Int64] = ["balance": try await balance(memberId)]
        for t in ["points_ledger", "redemptions", "coupons", "audit_log"] { out[t] = Int64(try await count(t)) }
        for item in try await store.rewardItems() { out["stock:\(item.code)"] = item.stock ?? -1 }
        return out
    }

    func rewardItems(card: String) async throws -> [[String: Any]] {
        let r = try await send(.GET, "/api/v1/rewards?card=\(card)")
        #expect(r.status == .ok, "\(r.text)")
        return r.json["items"] as? [[String: Any]] ?? []
    }
}

func item(_ items: [[String: Any]], _ code: String) -> [String: Any] {
    items.first { $0["code"] as? String == code } ?? [:]
}

func rules(_ entry: [String: Any]) -> [String] {
    (entry["reasons"] as? [[String: Any]] ?? []).compactMap { $0["rule"] as? String }
}

/// docs/domain.md §5 examples end to end through the API and the store, on SQLite and PostgreSQL.
@Suite("Redemption") struct RewardsTests {
    @Test("成都 small redemption in VIP week under 3,000 points: 500 → 5 yuan, 1,000 → 10, 2,000 → 20")
    func smallRedemption() async throws {
        try await withTestApp(now: shanghai(2026, 11, 13, 10)) { t in
            try await t.seedCatalogue()
            let (card, id) = try await t.memberWithPoints("13800000001", 2_999)
            let items = try await t.rewardItems(card: card)
            for code in ["SMALL-500", "SMALL-1000", "SMALL-2000"] {
                #expect(item(items, code)["eligible"] as? Bool == true, "\(code): \(rules(item(items, code)))")
            }
            let r = try await t.redeem("K-1", card: card, item: "SMALL-2000")
            #expect(r.status == .created, "\(r.text)")
            #expect(r.int("points") == 2_000)
            #expect(r.int("pointsBalance") == 999)
            #expect(r.string("kind") == "gift")
            #expect(r.string("businessDate") == "2026-11-13")
            #expect(try await t.balance(id) == 999)
            #expect(try await t.stock("SMALL-2000") == 199)
            let last = try #require(try await t.ledgerRows(id).last)
            #expect(last.kind == "redeem" && last.points == -2_000 && last.balanceAfter == 999)
            // 999 left: the 500 gift still, the 1,000 and 2,000 ones no longer.
            let after = try await t.rewardItems(card: card)
            #expect(item(after, "SMALL-500")["eligible"] as? Bool == true)
            #expect(rules(item(after, "SMALL-1000")) == ["redemption.points"])
            try await t.expectVerifyClean()
        }
    }

    @Test("small redemption outside VIP week, or at 3,000 points, is refused naming the rule; nothing is written")
    func smallRedemptionRefused() async throws {
        try await withTestApp(now: shanghai(2026, 11, 25, 10)) { t in
            try await t.seedCatalogue()
            let (card, id) = try await t.memberWithPoints("13800000001", 2_000)
            let before = try await t.rewardState(id)
            let outside = try await t.redeem("K-1", card: card, item: "SMALL-500")
            #expect(outside.status == .unprocessableEntity)
            #expect(outside.errorRule == "redemption.window")
            #expect(outside.errorField == "item")
            #expect(outside.errorMessage.contains("仅在每月VIP回馈周（每月第二个周五起3天）兑换"))
            #expect(try await t.rewardState(id) == before)

            t.clock.set(shanghai(2026, 12, 11, 20))   // VIP week of December: 11–13
            let (rich, richId) = try await t.memberWithPoints("13800000002", 3_000)
            let richBefore = try await t.rewardState(richId)
            let refused = try await t.redeem("K-2", card: rich, item: "SMALL-500")
            #expect(refused.status == .unprocessableEntity)
            #expect(refused.errorRule == "redemption.maxBalance")
            #expect(try await t.rewardState(richId) == richBefore)
            // Every reason is listed for the desk, not only the first.
            t.clock.set(shanghai(2026, 12, 14, 10))
            let both = item(try await t.rewardItems(card: rich), "SMALL-500")
            #expect(rules(both) == ["redemption.window", "redemption.maxBalance"])
        }
    }

    @Test("insufficient points, wrong tier, unknown item and unknown member are refused; nothing is written")
    func refusals() async throws {
        try await withTestApp { t in
            try await t.seedCatalogue()
            try await t.store.saveRewardItem(RewardItem(code: "GOLD-LOUNGE", name: .init(zh: "金卡专享礼", en: "Gold gift"), points: 100,
                                                        stock: 5, allowedTiers: ["gold", "diamond", "purple"]), actor: "test")
            let (card, id) = try await t.memberWithPoints("13800000001", 4_200)
            let before = try await t.rewardState(id)

            let poor = try await t.redeem("K-1", card: card, item: "VOUCHER-50")
            #expect(poor.status == .unprocessableEntity)
            #expect(poor.errorRule == "redemption.points")
            #expect(poor.errorMessage.contains("积分不足：需要 5,000 分，当前 4,200 分"))

            let tier = try await t.redeem("K-2", card: card, item: "GOLD-LOUNGE")
            #expect(tier.status == .unprocessableEntity)
            #expect(tier.errorRule == "redemption.tier")
            #expect(tier.errorMessage.contains("仅限金卡、钻石卡、紫金钻石卡会员兑换"))

            let unknown = try await t.redeem("K-3", card: card, item: "NOPE")
            #expect(unknown.status == .unprocessableEntity)
            #expect(unknown.errorRule == "item.exists")
            #expect(unknown.errorField == "item")

            let noMember = try await t.redeem("K-4", card: "880000000000", item: "VOUCHER-30")
            #expect(noMember.status == .unprocessableEntity)
            #expect(noMember.errorRule == "member.exists")

            let badKey = try await t.redeem("", card: card, item: "VOUCHER-30")
            #expect(badKey.errorRule == "idempotencyKey.required")
            #expect(try await t.rewardState(id) == before)

            // The same tier rule lets a gold member through.
            _ = try await t.store.setManualTier(memberId: id, tier: "gold", until: LocalDate(year: 2027, month: 1, day: 1), reason: "test", actor: "test")
            #expect(try await t.redeem("K-5", card: card, item: "GOLD-LOUNGE").status == .created)
        }
    }

    @Test("3,000 / 4,000 / 5,000 points → 30 / 40 / 50-yuan vouchers: the redemption issues the coupon")
    func vouchers() async throws {
        try await withTestApp { t in
            try await t.seedCatalogue()
            let (card, id) = try await t.memberWithPoints("13800000001", 4_200)
            let items = try await t.rewardItems(card: card)
            #expect(item(items, "VOUCHER-30")["eligible"] as? Bool == true)
            #expect(item(items, "VOUCHER-40")["eligible"] as? Bool == true)
            #expect(rules(item(items, "VOUCHER-50")) == ["redemption.points"])

            let r = try await t.redeem("V-1", card: card, item: "VOUCHER-40")
            #expect(r.status == .created, "\(r.text)")
            #expect(r.int("pointsBalance") == 200)
            let code = try #require(r.string("couponCode"))
            let coupon = try #require(try await t.store.sql.raw("""
                SELECT member_id, face_fen, status, source, source_ref, valid_from_day, valid_to_day FROM coupons WHERE code = \(bind: code)
                """).first())
            #expect(try coupon.decode(column: "member_id", as: Int64.self) == id)
            #expect(try coupon.decode(column: "face_fen", as: Int64.self) == 4_000)
            #expect(try coupon.decode(column: "status", as: String.self) == "issued")
            #expect(try coupon.decode(column: "source", as: String.self) == "redemption")
            #expect(try coupon.decode(column: "source_ref", as: String.self) == "redemption:\(r.int("id")!)")
            #expect(try coupon.decode(column: "valid_to_day", as: Int.self) == LocalDate(year: 2026, month: 11, day: 25).adding(days: 89).dayNumber)
            #expect(try await t.ledgerRows(id).last?.points == -4_000)
        }
    }

    @Test("November annual redemption into a year-labelled voucher valid to 31 December; refused in October")
    func annual() async throws {
        try await withTestApp(now: shanghai(2026, 10, 31, 20)) { t in
            try await t.seedCatalogue()
            let (card, _) = try await t.memberWithPoints("13800000001", 2_500)
            let october = try await t.redeem("A-1", card: card, item: "ANNUAL-2026")
            #expect(october.status == .unprocessableEntity)
            #expect(october.errorRule == "redemption.validity")
            #expect(rules(item(try await t.rewardItems(card: card), "ANNUAL-2026")) == ["redemption.validity", "redemption.window"])

            t.clock.set(shanghai(2026, 11, 12, 10))
            let r = try await t.redeem("A-2", card: card, item: "ANNUAL-2026")
            #expect(r.status == .created, "\(r.text)")
            let code = try #require(r.string("couponCode"))
            let to = try await t.store.sql.raw("SELECT valid_to_day, name_zh FROM coupons WHERE code = \(bind: code)").first()!
            #expect(try to.decode(column: "valid_to_day", as: Int.self) == LocalDate(year: 2026, month: 12, day: 31).dayNumber)
            #expect(try to.decode(column: "name_zh", as: String.self) == "26年度积分通用券")
            // Twice is allowed (points permitting): the annual voucher has no per-member limit.
            #expect(try await t.redeem("A-3", card: card, item: "ANNUAL-2026").status == .created)
        }
    }

    @Test("回门礼: one per card, free of points, with a zero-point ledger row")
    func returnGift() async throws {
        try await withTestApp { t in
            try await t.seedCatalogue()
            let (card, id) = try await t.memberWithPoints("13800000001", 60)
            let first = try await t.redeem("R-1", card: card, item: "RETURN-2026")
            #expect(first.status == .created, "\(first.text)")
            #expect(first.int("points") == 0)
            let row = try #require(try await t.ledgerRows(id).last)
            #expect(row.kind == "redeem" && row.points == 0 && row.balanceAfter == 60)
            let second = try await t.redeem("R-2", card: card, item: "RETURN-2026")
            #expect(second.status == .unprocessableEntity)
            #expect(second.errorRule == "redemption.onePerCard")
            // A replacement card does not earn a second one.
            let newCard = try await t.store.replaceCard(memberId: id, actor: "test")
            #expect(try await t.redeem("R-3", card: newCard, item: "RETURN-2026").errorRule == "redemption.onePerCard")
            #expect(try await t.stock("RETURN-2026") == 499)
        }
    }

    @Test("南亞 ladder: 1,499 points take a gift listed up to 200 yuan for 1,000; above the cap refused; settlement per counter")
    func ladder() async throws {
        try await withTestApp { t in
            try await t.seedCatalogue(supplier: "C0001")
            let (card, id) = try await t.memberWithPoints("13800000001", 1_499)
            let listing = item(try await t.rewardItems(card: card), "LADDER-GIFT")
            #expect(listing["eligible"] as? Bool == true)
            #expect(listing["capFen"] as? Int == 20_000)

            let noPrice = try await t.redeem("L-0", card: card, item: "LADDER-GIFT")
            #expect(noPrice.status == .unprocessableEntity)
            #expect(noPrice.errorRule == "listPrice.required")
            #expect(noPrice.errorField == "listPriceFen")
            let over = try await t.redeem("L-1", card: card, item: "LADDER-GIFT", listPriceFen: 20_100)
            #expect(over.errorRule == "redemption.ladderCap")
            let ok = try await t.redeem("L-2", card: card, item: "LADDER-GIFT", listPriceFen: 19_900)
            #expect(ok.status == .created, "\(ok.text)")
            #expect(ok.int("points") == 1_000)
            #expect(ok.int("listPriceFen") == 19_900)
            #expect(try await t.balance(id) == 499)

            // 1,500 points: up to 400 yuan, for 1,500.
            let (card2, _) = try await t.memberWithPoints("13800000002", 1_500)
            let big = try await t.redeem("L-3", card: card2, item: "LADDER-GIFT", listPriceFen: 40_000)
            #expect(big.int("points") == 1_500)

            // The supplying counter is owed the list prices of the month.
            let settlement = try await t.store.rewardSettlement(year: 2026, month: 11)
            #expect(settlement.count == 1)
            #expect(settlement[0].counterCode == "C0001")
            #expect(settlement[0].count == 2)
            #expect(settlement[0].listPriceFen == 59_900)
            #expect(settlement[0].costFen == 59_900)
            #expect(try await t.store.rewardSettlement(year: 2026, month: 10).isEmpty)
            // A voided gift is not owed.
            try await t.store.voidRedemption(id: Int64(big.int("id")!), reason: "顾客退回", actor: "test")
            let after = try await t.store.rewardSettlement(year: 2026, month: 11)
            #expect(after[0].count == 1 && after[0].listPriceFen == 19_900)
        }
    }

    @Test("milestone mode: reaching the rung is enough, a zero-point redeem row is written, the balance stays")
    func milestone() async throws {
        let yaml = programmeYAML(replacing: [("  mode: deduct ", "  mode: milestone ")])
        try await withTestApp(programme: yaml) { t in
            try await t.seedCatalogue()
            let (card, id) = try await t.memberWithPoints("13800000001", 1_600)
            let r = try await t.redeem("M-1", card: card, item: "LADDER-GIFT", listPriceFen: 35_000)
            #expect(r.status == .created, "\(r.text)")
            #expect(r.int("points") == 0)
            #expect(r.int("pointsBalance") == 1_600)
            #expect(try await t.balance(id) == 1_600)
            let row = try #require(try await t.ledgerRows(id).last)
            #expect(row.kind == "redeem" && row.points == 0)
            let rewards = try await t.send(.GET, "/api/v1/rewards?card=\(card)")
            #expect(rewards.string("mode") == "milestone")
            try await t.expectVerifyClean()
        }
    }

    @Test("the same key and request replays the first answer; a different request under the key is 409")
    func idempotency() async throws {
        try await withTestApp { t in
            try await t.seedCatalogue()
            let (card, id) = try await t.memberWithPoints("13800000001", 10_000)
            let first = try await t.redeem("I-1", card: card, item: "VOUCHER-30")
            #expect(first.status == .created)
            let again = try await t.redeem("I-1", card: card, item: "VOUCHER-30")
            #expect(again.status == .ok)
            #expect(sameJSON(first.text, again.text), "\(first.text) vs \(again.text)")
            // By phone it is the same member, so the same request.
            let byPhone = try await t.postRaw("/api/v1/redemptions", #"{"idempotencyKey":"I-1","phone":"13800000001","item":"VOUCHER-30"}"#)
            #expect(byPhone.status == .ok)
            let other = try await t.redeem("I-1", card: card, item: "VOUCHER-40")
            #expect(other.status == .conflict)
            #expect(other.errorRule == "redemption.idempotency")
            #expect(try await t.count("redemptions") == 1)
            #expect(try await t.count("coupons") == 1)
            #expect(try await t.balance(id) == 7_000)
        }
    }

    @Test("void returns points and stock, voids the coupon, is audited; twice is 409; a used coupon blocks it")
    func void() async throws {
        try await withTestApp(now: shanghai(2026, 11, 13, 10)) { t in
            try await t.seedCatalogue()
            let (card, id) = try await t.memberWithPoints("13800000001", 2_500)
            let gift = try await t.redeem("G-1", card: card, item: "SMALL-1000")
            let giftId = try #require(gift.int("id"))
            #expect(try await t.stock("SMALL-1000") == 199)

            let noReason = try await t.postRaw("/api/v1/redemptions/\(giftId)/void", #"{"reason":"  "}"#)
            #expect(noReason.status == .unprocessableEntity)
            #expect(noReason.errorRule == "reason.required")

            let voided = try await t.postRaw("/api/v1/redemptions/\(giftId)/void", #"{"reason":"顾客改选"}"#)
            #expect(voided.status == .ok, "\(voided.text)")
            #expect(voided.string("status") == "void")
            #expect(voided.string("voidReason") == "顾客改选")
            #expect(voided.int("pointsBalance") == 2_500)
            #expect(try await t.balance(id) == 2_500)
            #expect(try await t.stock("SMALL-1000") == 200)
            #expect(try await t.ledgerRows(id).suffix(2).map(\.kind) == ["redeem", "redeemVoid"])
            #expect(try await t.ledgerRows(id).last?.points == 1_000)
            #expect(try await t.auditCount("redemption.void", actor: "api:test-pos", subject: "redemption:\(giftId)") == 1)
            let twice = try await t.postRaw("/api/v1/redemptions/\(giftId)/void", #"{"reason":"again"}"#)
            #expect(twice.status == .conflict)
            #expect(try await t.send(.POST, "/api/v1/redemptions/999999/void", body: #"{"reason":"x"}"#).status == .notFound)
            // The voided gift no longer counts against limits.
            #expect(try await t.redeem("G-2", card: card, item: "SMALL-1000").status == .created)

            // A coupon redemption: voiding voids the coupon; once used, the void is refused and nothing changes.
            let v = try await t.redeem("V-1", card: card, item: "VOUCHER-30")
            #expect(v.status == .unprocessableEntity)   // 1,500 left: not enough
            _ = try await t.store.adjustPoints(memberId: id, points: 5_000, reason: "test", actor: "test")
            let v1 = try await t.redeem("V-2", card: card, item: "VOUCHER-30")
            let v2 = try await t.redeem("V-3", card: card, item: "VOUCHER-30")
            let (c1, c2) = (try #require(v1.string("couponCode")), try #require(v2.string("couponCode")))
            try await t.store.voidRedemption(id: Int64(v1.int("id")!), reason: "打错", actor: "staff:desk")
            #expect(try await t.store.sql.raw("SELECT status FROM coupons WHERE code = \(bind: c1)").first()!
                        .decode(column: "status", as: String.self) == "void")
            try await t.store.sql.raw("UPDATE coupons SET status = 'used', used_receipt_no = 'R-9' WHERE code = \(bind: c2)").run()
            let before = try await t.rewardState(id)
            let blocked = try await t.postRaw("/api/v1/redemptions/\(v2.int("id")!)/void", #"{"reason":"退"}"#)
            #expect(blocked.status == .conflict)
            #expect(blocked.errorRule == "coupon.used")
            #expect(try await t.rewardState(id) == before)
            try await t.expectVerifyClean()
        }
    }

    @Test("per-period limit: once a month; the next month it is open again")
    func periodLimit() async throws {
        try await withTestApp { t in
            try await t.store.saveRewardItem(RewardItem(code: "PARK-2H", name: .init(zh: "2小时停车券", en: "2-hour parking"), kind: .serviceCoupon,
                                                        points: 200, perMemberLimit: 2, period: .month, perPeriodLimit: 1,
                                                        coupon: RewardCoupon(faceFen: 2_000, validDays: 30)), actor: "test")
            let (card, _) = try await t.memberWithPoints("13800000001", 1_000)
            #expect(try await t.redeem("P-1", card: card, item: "PARK-2H").status == .created)
            let again = try await t.redeem("P-2", card: card, item: "PARK-2H")
            #expect(again.errorRule == "redemption.periodLimit")
            #expect(again.errorMessage.contains("每月限兑 1 次，本月已兑 1 次"))
            t.clock.set(shanghai(2026, 12, 1, 10))
            #expect(try await t.redeem("P-3", card: card, item: "PARK-2H").status == .created)
            t.clock.set(shanghai(2027, 1, 2, 10))
            #expect(try await t.redeem("P-4", card: card, item: "PARK-2H").errorRule == "redemption.memberLimit")
        }
    }

    @Test("catalogue: validation names the field, codes are unique, stock never goes below zero, changes are audited")
    func catalogue() async throws {
        try await withTestApp { t in
            let store = t.store
            let id = try await store.saveRewardItem(RewardItem(code: "TEA", name: .init(zh: "茶礼", en: ""), points: 300, stock: 2), actor: "staff:planner")
            #expect(try await store.rewardItem(id: id)?.name.en == "茶礼")
            await #expect(throws: DomainError.self) {
                try await store.saveRewardItem(RewardItem(code: "TEA", name: .init(zh: "另一个", en: "x"), points: 1), actor: "t")
            }
            do {
                try await store.saveRewardItem(RewardItem(code: "X", name: .init(zh: "x", en: "x"), points: 1, windowCode: "summer"), actor: "t")
                Issue.record("expected a refusal")
            } catch let e as DomainError {
                #expect(e.field == "windowCode" && e.rule == "item.window")
            }
            #expect(try await store.adjustRewardStock(itemId: id, by: 3, reason: "到货", actor: "staff:planner") == 5)
            do {
                try await store.adjustRewardStock(itemId: id, by: -6, reason: "盘点", actor: "staff:planner")
                Issue.record("expected a refusal")
            } catch let e as DomainError { #expect(e.rule == "stock.nonNegative") }
            #expect(try await t.stock("TEA") == 5)
            var edited = try #require(try await store.rewardItem(id: id))
            edited.points = 400
            edited.stock = 99   // ignored: stock changes only by adjustment, redemption and void
            try await store.saveRewardItem(edited, actor: "staff:planner")
            #expect(try await store.rewardItem(id: id)?.points == 400)
            #expect(try await t.stock("TEA") == 5)
            try await store.setRewardItemActive(id: id, active: false, actor: "staff:planner")
            #expect(try await store.rewardItems(activeOnly: true).isEmpty)
            for action in ["reward.create", "reward.stock", "reward.update", "reward.deactivate"] {
                #expect(try await t.auditCount(action, actor: "staff:planner") >= 1, "\(action)")
            }
            // An inactive item is not offered and is refused.
            let (card, _) = try await t.memberWithPoints("13800000001", 1_000)
            #expect(try await t.rewardItems(card: card).isEmpty)
            #expect(try await t.redeem("T-1", card: card, item: "TEA").errorRule == "redemption.inactive")
        }
    }

    @Test("the rewards API answers match the OpenAPI document")
    func openAPI() async throws {
        try await withTestApp(now: shanghai(2026, 11, 13, 10)) { t in
            try await t.seedCatalogue()
            let (card, _) = try await t.memberWithPoints("13800000001", 2_500)
            let doc = try JSONValue.parse(try await t.send(.GET, "/api/v1/openapi.json", authorized: false).text)
            let validator = SchemaValidator(document: doc)
            func check(_ method: String, _ template: String, _ r: RawResponse, sourceLocation: SourceLocation = #_sourceLocation) throws {
                let documented = doc["paths"]?[template]?[method]?["responses"]?[String(r.status.code)]
                guard let documented else {
                    Issue.record("\(method) \(template) \(r.status.code) not documented", sourceLocation: sourceLocation)
                    return
                }
                let schema = try #require(validator.resolve(documented)["content"]?["application/json"]?["schema"])
                let problems = validator.validate(try JSONValue.parse(r.text), schema)
                #expect(problems.isEmpty, "\(problems)\n\(r.text)", sourceLocation: sourceLocation)
            }
            try check("get", "/api/v1/rewards", try await t.send(.GET, "/api/v1/rewards?card=\(card)"))
            try check("get", "/api/v1/rewards", try await t.send(.GET, "/api/v1/rewards?card=000"))
            try check("get", "/api/v1/rewards", try await t.send(.GET, "/api/v1/rewards"))
            let created = try await t.redeem("O-1", card: card, item: "SMALL-500")
            #expect(created.status == .created)
            try check("post", "/api/v1/redemptions", created)
            try check("post", "/api/v1/redemptions", try await t.redeem("O-1", card: card, item: "SMALL-500"))     // 200
            try check("post", "/api/v1/redemptions", try await t.redeem("O-1", card: card, item: "SMALL-1000"))    // 409
            try check("post", "/api/v1/redemptions", try await t.redeem("O-2", card: card, item: "VOUCHER-50"))    // 422
            try check("post", "/api/v1/redemptions", try await t.postRaw("/api/v1/redemptions", #"{"idempotencyKey":"O-3","card":"x","item":"A","listPriceFen":1.5}"#))
            _ = try await t.store.adjustPoints(memberId: try await t.memberId(card: card), points: 3_000, reason: "test", actor: "test")
            let coupon = try await t.redeem("O-4", card: card, item: "VOUCHER-30")
            #expect(coupon.status == .created && coupon.string("couponCode") != nil)
            try check("post", "/api/v1/redemptions", coupon)
            try check("post", "/api/v1/redemptions/{id}/void", try await t.postRaw("/api/v1/redemptions/\(created.int("id")!)/void", #"{"reason":"x"}"#))
            try check("post", "/api/v1/redemptions/{id}/void", try await t.postRaw("/api/v1/redemptions/\(created.int("id")!)/void", #"{"reason":"x"}"#))
            try check("post", "/api/v1/redemptions/{id}/void", try await t.postRaw("/api/v1/redemptions/424242/void", #"{"reason":"x"}"#))
        }
    }
}
