import Foundation
import MallVIPCore
import MallVIPStore
@testable import MallVIPWeb
import Testing
import Vapor

@Suite("Console redemption, catalogue and settlement") struct RewardsConsoleTests {
    @Test("the desk sees what a member can redeem and why not, redeems, follows the coupon link and voids")
    func deskRedeems() async throws {
        try await withTestApp(now: shanghai(2026, 11, 25, 10)) { t in
            try await t.seedCatalogue()
            let (_, id) = try await t.memberWithPoints("13800000001", 3_500)
            let desk = try await t.console(as: "desk", .desk)

            let member = try await desk.get("/console/members/\(id)")
            #expect(member.contains("href=\"/console/members/\(id)/redeem\""))
            #expect(member.contains("积分兑换"))

            let page = try await desk.get("/console/members/\(id)/redeem")
            #expect(page.status == .ok)
            #expect(page.contains("现在可兑换"))
            #expect(page.contains("30元购物券"))
            // Reasons per item: outside VIP week and over 2,999 points; not enough for the 40 and 50 vouchers.
            #expect(page.contains("data-rule=\"redemption.window\">仅在每月VIP回馈周（每月第二个周五起3天）兑换"))
            #expect(page.contains("data-rule=\"redemption.maxBalance\">仅限积分不超过 2,999 分的会员（当前 3,500 分）"))
            #expect(page.contains("积分不足：需要 4,000 分，当前 3,500 分"))

            let key = try #require(ConsolePage.firstMatch(#"name="idempotencyKey" value="([0-9A-F-]+)"#, in: page.body))
            let redeemed = try await desk.post("/console/members/\(id)/redeem", [("idempotencyKey", key), ("item", "VOUCHER-30")])
            #expect(redeemed.status == .seeOther, "\(redeemed.body)")
            let code = try #require(try await t.store.redemptions(memberId: id).first?.couponCode)
            #expect(redeemed.location?.contains("coupon=\(code)") == true)
            let after = try await desk.follow(redeemed)
            #expect(after.contains("已兑换"))
            #expect(after.contains("href=\"/console/coupons/\(code)\""))
            let couponPage = try await desk.get("/console/coupons/\(code)")
            #expect(couponPage.status == .ok)
            #expect(couponPage.contains(code))
            #expect(try await t.balance(id) == 500)
            #expect(try await t.store.redemptions(memberId: id).first?.actor == "staff:desk")
            // A double submit of the same form replays: still one redemption.
            let replay = try await desk.post("/console/members/\(id)/redeem", [("idempotencyKey", key), ("item", "VOUCHER-30")])
            #expect(replay.status == .seeOther)
            #expect(try await t.count("redemptions") == 1)

            // Refused in the console: the rule's message comes back on the page, nothing written.
            let refused = try await desk.post("/console/members/\(id)/redeem", [("idempotencyKey", UUID().uuidString), ("item", "VOUCHER-50")])
            #expect(refused.status == .unprocessableEntity)
            #expect(refused.contains("积分不足"))

            let rid = try #require(try await t.store.redemptions(memberId: id).first?.id)
            let noReason = try await desk.post("/console/members/\(id)/redemptions/\(rid)/void", [("reason", "")])
            #expect(noReason.status == .unprocessableEntity)
            #expect(noReason.contains("请填写作废原因"))
            let voided = try await desk.post("/console/members/\(id)/redemptions/\(rid)/void", [("reason", "顾客改主意")])
            #expect(voided.status == .seeOther)
            let history = try await desk.follow(voided)
            #expect(history.contains("已作废：顾客改主意"))
            #expect(try await t.balance(id) == 3_500)
            // Another member's redemption cannot be voided through this member's page.
            let (_, other) = try await t.memberWithPoints("13800000002", 100)
            #expect(try await desk.post("/console/members/\(other)/redemptions/\(rid)/void", [("reason", "x")]).status == .notFound)
        }
    }

    @Test("a ladder item takes the gift's list price on the desk form")
    func ladderOnDesk() async throws {
        try await withTestApp { t in
            try await t.seedCatalogue()
            let (_, id) = try await t.memberWithPoints("13800000001", 1_499)
            let desk = try await t.console(as: "desk", .desk)
            let page = try await desk.get("/console/members/\(id)/redeem")
            #expect(page.contains("可选标价不超过 200.00 元的商品"))
            #expect(page.contains("name=\"listPrice\""))
            let over = try await desk.post("/console/members/\(id)/redeem", [("idempotencyKey", "L-1"), ("item", "LADDER-GIFT"), ("listPrice", "250")])
            #expect(over.status == .unprocessableEntity)
            #expect(over.contains("1,499 分可兑换标价不超过 200.00 元的商品，此商品标价 250.00 元"))
            let ok = try await desk.post("/console/members/\(id)/redeem", [("idempotencyKey", "L-2"), ("item", "LADDER-GIFT"), ("listPrice", "199")])
            #expect(ok.status == .seeOther)
            #expect(try await t.balance(id) == 499)
        }
    }

    @Test("planners keep the catalogue: create, edit, stock ±, deactivate; the desk may not; nav shows Rewards")
    func catalogue() async throws {
        try await withTestApp { t in
            let planner = try await t.console(as: "planner", .planner)
            let home = try await planner.get("/console")
            #expect(home.contains("href=\"/console/rewards\""))
            _ = try await planner.get("/console/rewards/new")
            let created = try await planner.post("/console/rewards/new", [
                ("code", "SMALL-500"), ("nameZh", "5元礼品"), ("nameEn", "5-yuan gift"), ("kind", "gift"), ("points", "500"),
                ("listPrice", "5"), ("stock", "10"), ("period", "none"), ("maxBalance", "2999"), ("windowCode", "vipWeek"),
                ("tier_regular", "1"), ("tier_silver", "1"), ("active", "1")])
            #expect(created.status == .seeOther, "\(created.body)")
            let item = try #require(try await t.store.rewardItem(code: "SMALL-500"))
            #expect(item.points == 500 && item.listPriceFen == 500 && item.stock == 10 && item.maxBalance == 2_999)
            #expect(item.windowCode == "vipWeek" && item.allowedTiers == ["regular", "silver"])

            let bad = try await planner.post("/console/rewards/new", [("code", "V30"), ("nameZh", "30元券"), ("kind", "cashCoupon"),
                                                                      ("points", "3000"), ("period", "none"), ("active", "1")])
            #expect(bad.status == .unprocessableEntity)
            #expect(bad.contains("券类商品须填写面值或折扣"))
            #expect(bad.contains("value=\"V30\""))   // what was typed stays
            let coupon = try await planner.post("/console/rewards/new", [("code", "V30"), ("nameZh", "30元券"), ("kind", "cashCoupon"),
                                                                         ("points", "3000"), ("period", "none"), ("couponFace", "30"),
                                                                         ("couponValidTo", "2026-12-31"), ("active", "1")])
            #expect(coupon.status == .seeOther, "\(coupon.body)")
            #expect(try await t.store.rewardItem(code: "V30")?.coupon == RewardCoupon(faceFen: 3_000, validTo: LocalDate(year: 2026, month: 12, day: 31)))

            let list = try await planner.follow(coupon)
            #expect(list.contains("SMALL-500"))
            #expect(list.contains("每月VIP回馈周"))
            let edit = try await planner.get("/console/rewards/\(item.id)")
            #expect(edit.contains("value=\"SMALL-500\""))
            let saved = try await planner.post("/console/rewards/\(item.id)", [
                ("code", "SMALL-500"), ("nameZh", "5元小礼品"), ("kind", "gift"), ("points", "500"), ("listPrice", "5"), ("period", "none"),
                ("maxBalance", "2999"), ("windowCode", "vipWeek"), ("active", "1")])
            #expect(saved.status == .seeOther)
            let reloaded = try #require(try await t.store.rewardItem(id: item.id))
            #expect(reloaded.name.zh == "5元小礼品" && reloaded.allowedTiers.isEmpty && reloaded.stock == 10)

            _ = try await planner.get("/console/rewards")
            #expect(try await planner.post("/console/rewards/\(item.id)/stock", [("delta", "-4"), ("reason", "破损")]).status == .seeOther)
            #expect(try await t.stock("SMALL-500") == 6)
            let below = try await planner.post("/console/rewards/\(item.id)/stock", [("delta", "-7"), ("reason", "盘点")])
            #expect(below.status == .unprocessableEntity)
            #expect(below.contains("库存不能少于0"))
            #expect(try await planner.post("/console/rewards/\(item.id)/active", [("active", "0")]).status == .seeOther)
            #expect(try await t.store.rewardItem(id: item.id)?.active == false)
            #expect(try await t.auditCount("reward.stock", actor: "staff:planner") == 1)

            let desk = try await t.console(as: "desk", .desk)
            #expect(try await desk.get("/console/rewards").status == .forbidden)
            #expect(try await desk.get("/console/rewards/settlement").status == .forbidden)
            let counter = try await t.console(as: "counter", .counterStaff)
            #expect(try await counter.get("/console/members/1/redeem").status == .forbidden)
        }
    }

    @Test("settlement page and CSV per supplying counter and month")
    func settlement() async throws {
        try await withTestApp { t in
            try await t.seedCatalogue(supplier: "C0001")
            let (card, _) = try await t.memberWithPoints("13800000001", 3_000)
            #expect(try await t.redeem("S-1", card: card, item: "LADDER-GIFT", listPriceFen: 19_900).status == .created)
            #expect(try await t.redeem("S-2", card: card, item: "LADDER-GIFT", listPriceFen: 12_000).status == .created)
            let manager = try await t.console(as: "boss", .manager)
            let page = try await manager.get("/console/rewards/settlement?month=2026-11")
            #expect(page.status == .ok)
            #expect(page.contains("C0001 综合收银"))
            #expect(page.contains("2 件礼品，标价合计 319.00 元"))
            let csv = try await manager.get("/console/rewards/settlement.csv?month=2026-11")
            #expect(csv.status == .ok)
            #expect(csv.body.hasPrefix(CSVFormat.bom + "counter,counterName,brand,redemptionId"))
            #expect(csv.body.contains(",199.00,199.00"))
            #expect(csv.body.components(separatedBy: "\r\n").filter { !$0.isEmpty }.count == 3)
            #expect(try await manager.get("/console/rewards/settlement?month=2026-13").status == .unprocessableEntity)
            #expect(try await manager.get("/console/rewards/settlement?month=2026-10").contains("本月没有店柜供货的兑换"))
        }
    }
}
