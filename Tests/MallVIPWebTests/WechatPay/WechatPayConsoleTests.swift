import Foundation
import MallVIPCore
import MallVIPStore
@testable import MallVIPWeb
import Testing
import Vapor

/// `/console/wechat-pay` (issue 19, 19a): managers map shops to counters and link pending payers; desk staff may not.
@Suite("WeChat Pay console page")
struct WechatPayConsoleTests {
    @Test("a manager maps a shop, sees bad input named, links a pending payer and removes the mapping; desk is refused")
    func mappingAndLinking() async throws {
        try await withTestApp { t in
            let card = try await t.enrolMember(phone: "13900004444")
            try await t.makeStaff("mgr", .manager)
            try await t.makeStaff("desk1", .desk)
            let c = ConsoleClient(t)
            try await c.signIn("mgr")
            let page = try await c.get("/console/wechat-pay")
            #expect(page.status == .ok)
            #expect(page.body.contains("MALLVIP_WECHATPAY_CONFIG"))   // not configured in this app: said so
            let added = try await c.post("/console/wechat-pay/shops", [("shopNumber", "SHOP-7"), ("counter", "C0001")])
            #expect(added.status == .seeOther || added.status == .found)
            let list = try await c.get("/console/wechat-pay")
            #expect(list.body.contains("SHOP-7") && list.body.contains("C0001"))
            let again = try await c.post("/console/wechat-pay/shops", [("shopNumber", "SHOP-7"), ("counter", "C0001")])
            #expect(again.status == .conflict && again.body.contains("SHOP-7"))
            let noCounter = try await c.post("/console/wechat-pay/shops", [("shopNumber", "SHOP-8"), ("counter", "NOPE")])
            #expect(noCounter.status == .unprocessableEntity && noCounter.body.contains("NOPE"))   // a form field: 422
            let spaces = try await c.post("/console/wechat-pay/shops", [("shopNumber", "A B"), ("counter", "C0001")])
            #expect(spaces.status == .unprocessableEntity)

            // A pending payer with a held payment, linked by card number on the page: the payment posts.
            let mall = try #require(try await t.store.mallId(code: "MAIN"))
            try await t.store.wechatPayAuthorize(mallId: mall, appid: "wxA", openid: "oPending", cardCode: nil)
            try await t.store.wechatPayPayment(WechatPayPaymentNotice(mallId: mall, appid: "wxA", openid: "oPending", shopNumber: "SHOP-7",
                                                                      transactionId: "4300001", amountFen: 15_000, paidAt: t.clock.now))
            #expect(try await t.store.wechatPayPaymentState(transactionId: "4300001")?.state == "held")
            let binding = try #require(try await t.store.wechatPayBinding(appid: "wxA", openid: "oPending"))
            #expect(try await c.get("/console/wechat-pay").body.contains("oPending"))
            let badCard = try await c.post("/console/wechat-pay/bindings/\(binding.id)/link", [("card", "0000")])
            #expect(badCard.status == .unprocessableEntity && badCard.body.contains("0000"))
            let linked = try await c.post("/console/wechat-pay/bindings/\(binding.id)/link", [("card", card)])
            #expect(linked.status == .seeOther || linked.status == .found)
            #expect(try await t.store.wechatPayPaymentState(transactionId: "4300001")?.state == "posted")

            let shop = try #require(try await t.store.wechatPayShops().first)
            _ = try await c.post("/console/wechat-pay/shops/\(shop.id)/remove", [])
            #expect(try await t.store.wechatPayShops().isEmpty)

            let d = ConsoleClient(t)
            try await d.signIn("desk1")
            #expect(try await d.get("/console/wechat-pay").status == .forbidden)
        }
    }
}
