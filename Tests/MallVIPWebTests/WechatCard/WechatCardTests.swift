import Foundation
import MallVIPCore
import MallVIPStore
@testable import MallVIPWeb
import SQLKit
import Testing
import Vapor

/// The membership card in 卡包 (issue 22d) against the WeChat simulator: create, activate, pushes of points and tier
/// through the coalescing queue, token expiry, rate limit, an invalid code; and the write path untouched for members
/// without a card.
@Suite("WeChat membership card (卡包)")
struct WechatCardTests {
    static let appid = "wxOACARD000000001"

    @Test("create the card: the documented MEMBER_CARD body, card_id kept; a missing create field is named")
    func create() async throws {
        try await withCardWorld(card: ["brandName": "星河广场", "title": "星河会员卡", "logoUrl": "https://mmbiz.qpic.cn/logo.png",
                                       "activateUrl": "https://vip.example.com/m/card/wechat", "color": "Color020"]) { w in
            let cardId = try await w.service.createCard(mall: "MAIN", actor: "manager:1")
            #expect(try await w.t.store.wechatCardType(mall: "MAIN") == cardId)
            #expect(try await w.service.cardId(mall: "MAIN") == cardId)
            let call = try #require(w.sim.calls("/card/create").last)
            let card = try #require(call.json["card"] as? [String: Any])
            #expect(card["card_type"] as? String == "MEMBER_CARD")
            let mc = try #require(card["member_card"] as? [String: Any])
            #expect(mc["supply_bonus"] as? Bool == true && mc["supply_balance"] as? Bool == false)
            #expect((mc["custom_field1"] as? [String: Any])?["name_type"] as? String == "FIELD_NAME_TYPE_LEVEL")
            #expect(mc["activate_url"] as? String == "https://vip.example.com/m/card/wechat")
            let base = try #require(mc["base_info"] as? [String: Any])
            #expect(base["brand_name"] as? String == "星河广场" && base["color"] as? String == "Color020")
            #expect(w.sim.card.cards[cardId] == Self.appid)
        }
        try await withCardWorld(card: ["brandName": "星河广场"]) { w in
            do {
                _ = try await w.service.createCard(mall: "MAIN", actor: "manager:1")
                Issue.record("created without title, logoUrl and activateUrl")
            } catch let e as WechatCardProblem {
                #expect(e.description.contains("card.title") && e.description.contains("card.logoUrl") && e.description.contains("card.activateUrl"))
            }
            #expect(w.sim.calls("/card/create").isEmpty)
        }
    }

    @Test("config: bad card keys are refused naming the field; a card without officialAccount is refused")
    func config() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wx-cardcfg-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        func load(_ mall: [String: Any]) throws {
            let f = dir.appendingPathComponent("w.json")
            try JSONSerialization.data(withJSONObject: ["malls": [mall]]).write(to: f)
            _ = try WechatConfig.load(file: f.path, env: ["S": "secret0123456789abcd"])
        }
        let oa: [String: Any] = ["appid": Self.appid, "secretEnv": "S"]
        for (card, field) in [(["color": "red"], "card.color"), (["title": "一二三四五六七八九十"], "card.title"),
                              (["activateUrl": "javascript:1"], "card.activateUrl"), (["cardID": "x"], "card.cardID"),
                              (["cardId": "a b"], "card.cardId")] as [([String: Any], String)] {
            #expect(throws: StoreConfigurationError.self) { try load(["mall": "MAIN", "officialAccount": oa, "card": card]) }
            do { try load(["mall": "MAIN", "officialAccount": oa, "card": card]) } catch {
                #expect(String(describing: error).contains("malls[0].\(field)"), "\(error)")
            }
        }
        do {
            try load(["mall": "MAIN", "miniProgram": oa, "card": [:] as [String: Any]])
            Issue.record("a card without officialAccount was accepted")
        } catch { #expect(String(describing: error).contains("malls[0].card needs officialAccount")) }
        try load(["mall": "MAIN", "officialAccount": oa, "card": ["cardId": "pCARD00000001"]])
    }

    @Test("activate: card number, points, tier; a purchase pushes the points; an upgrade pushes the tier")
    func activateAndPush() async throws {
        try await withCardWorld(card: ["cardId": "pCARDADMIN0000001"]) { w in
            w.sim.registerCard("pCARDADMIN0000001", appid: Self.appid)
            let card = try await w.t.enrolMember(phone: "13900002301")
            let memberId = try await w.t.memberId(card: card)
            let before = try await w.t.balance(memberId)
            let (code, enc) = w.sim.userAddsCard("pCARDADMIN0000001", openid: "oCARD-1")
            let face = try await w.service.activate(memberId: memberId, cardId: "pCARDADMIN0000001", encryptCode: enc, openid: "oCARD-1")
            #expect(face.cardNo == card && face.points == before && face.tierName == "普卡")
            let activated = try #require(w.sim.card.codes[code])
            #expect(activated.activated && activated.membershipNumber == card && activated.bonus == before && activated.tier == "普卡")
            #expect(try await w.t.store.wechatCard(memberId: memberId)?.code == code)
            #expect(try await w.syncRows().isEmpty, "nothing to push right after activation")

            // A purchase: one pending row; the push carries the new total, the change and its reason.
            try await w.t.purchase("R-CARD-1", fen: 12_300, card: card)
            let afterPurchase = try await w.t.balance(memberId)
            #expect(afterPurchase > before)
            #expect(try await w.syncRows().map(\.state) == ["pending"])
            #expect(try await w.deliver().sent == 1)
            var shown = try #require(w.sim.card.codes[code])
            #expect(shown.bonus == afterPurchase && shown.records.last?.0 == afterPurchase - before && shown.records.last?.1 == "消费积分")
            #expect(shown.tier == "普卡")
            let push = try #require(w.sim.calls("/card/membercard/updateuser").last)
            #expect(push.json["card_id"] as? String == "pCARDADMIN0000001" && push.json["code"] as? String == code)
            #expect((push.json["notify_optional"] as? [String: Any])?["is_notify_custom_field1"] as? Bool == false)

            // An upgrade (3,000 yuan in 6 months → 银卡): the tier is pushed and notified.
            try await w.t.purchase("R-CARD-2", fen: 300_000, card: card)
            #expect(try await w.deliver().sent == 1)
            shown = try #require(w.sim.card.codes[code])
            let upgraded = try await w.t.balance(memberId)
            #expect(shown.tier == "银卡" && shown.bonus == upgraded)
            let upgrade = try #require(w.sim.calls("/card/membercard/updateuser").last)
            #expect((upgrade.json["notify_optional"] as? [String: Any])?["is_notify_custom_field1"] as? Bool == true)
            #expect(try await w.deliver().handled == 0, "nothing left")
        }
    }

    @Test("many quick changes: one row, one push with the final state; members without a card queue nothing")
    func coalesced() async throws {
        try await withCardWorld(card: ["cardId": "pCARDADMIN0000001"]) { w in
            w.sim.registerCard("pCARDADMIN0000001", appid: Self.appid)
            let card = try await w.t.enrolMember(phone: "13900002302")
            let memberId = try await w.t.memberId(card: card)
            let plain = try await w.t.enrolMember(phone: "13900002303")
            let (code, enc) = w.sim.userAddsCard("pCARDADMIN0000001", openid: "oCARD-2")
            _ = try await w.service.activate(memberId: memberId, cardId: "pCARDADMIN0000001", encryptCode: enc, openid: nil)
            for i in 0..<10 {
                try await w.t.purchase("R-Q-\(i)", fen: 1_000 + Int64(i) * 100, card: card)
                try await w.t.purchase("R-P-\(i)", fen: 1_000, card: plain)
            }
            let rows = try await w.syncRows()
            #expect(rows.count == 1 && rows.first?.memberId == memberId && rows.first?.changes == 10)
            #expect(try await w.deliver().sent == 1)
            #expect(w.sim.calls("/card/membercard/updateuser").count == 1, "ten changes, one push")
            let total = try await w.t.balance(memberId)
            #expect(w.sim.card.codes[code]?.bonus == total)
            let plainId = try await w.t.memberId(card: plain)
            let everyRow = try await w.t.store.wechatCardSyncRows(state: "sent") + (try await w.syncRows())
            #expect(everyRow.map(\.memberId) == [memberId] && !everyRow.contains { $0.memberId == plainId })
        }
    }

    @Test("expired token: refreshed once and sent; 45009: retried after the backoff; 40056: card invalid, nothing more queued")
    func errors() async throws {
        try await withCardWorld(card: ["cardId": "pCARDADMIN0000001"]) { w in
            w.sim.registerCard("pCARDADMIN0000001", appid: Self.appid)
            let card = try await w.t.enrolMember(phone: "13900002304")
            let memberId = try await w.t.memberId(card: card)
            let (code, enc) = w.sim.userAddsCard("pCARDADMIN0000001", openid: "oCARD-3")
            _ = try await w.service.activate(memberId: memberId, cardId: "pCARDADMIN0000001", encryptCode: enc, openid: nil)

            w.sim.expireTokens()
            let fetches = w.sim.tokenFetches
            try await w.t.purchase("R-E-1", fen: 5_000, card: card)
            #expect(try await w.deliver().sent == 1)
            #expect(w.sim.tokenFetches == fetches + 1)
            #expect(w.sim.calls("/card/membercard/updateuser").map(\.errcode) == [42001, 0])

            w.sim.failNext("/card/membercard/updateuser", code: 45009)
            try await w.t.purchase("R-E-2", fen: 5_000, card: card)
            #expect(try await w.deliver().retrying == 1)
            #expect(try await w.syncRows().first?.lastError?.contains("45009") == true)
            #expect(try await w.deliver().handled == 0, "not before the backoff")
            w.t.clock.advance(31)
            #expect(try await w.deliver().sent == 1)
            let total = try await w.t.balance(memberId)
            #expect(w.sim.card.codes[code]?.bonus == total)

            // The member deleted the card in WeChat: 40056 ends it.
            w.sim.withCard { $0.codes[code] = nil }
            try await w.t.purchase("R-E-3", fen: 5_000, card: card)
            #expect(try await w.deliver().dead == 1)
            #expect(try await w.t.store.wechatCard(memberId: memberId) == nil)
            try await w.t.purchase("R-E-4", fen: 5_000, card: card)
            #expect(try await w.syncRows().first?.state == "dead", "no card: nothing queued again")
        }
    }
}

struct WechatCardWorld {
    let t: TestContext
    let sim: WechatSimulator
    let service: WechatCardService
    let sender: WechatCardHTTPSender

    func deliver() async throws -> WechatCardSyncSummary {
        try await t.store.deliverWechatCardSync(sender: sender, policy: WebhookRetryPolicy(maxAttempts: 3, backoffSeconds: 30))
    }

    func syncRows() async throws -> [WechatCardSyncRow] {
        try await t.store.wechatCardSyncRows(state: nil)
    }
}

/// A WeChat config file (apiBase = the simulator; MAIN with an official account and `card`) written in `dir`.
func writeWechatCardConfig(sim: WechatSimulator, card: [String: Any], in dir: URL) throws -> URL {
    try "oacardsecret0123456789".write(to: dir.appendingPathComponent("oa.secret"), atomically: true, encoding: .utf8)
    let json: [String: Any] = ["apiBase": sim.base, "openBase": sim.base,
                               "malls": [["mall": "MAIN", "officialAccount": ["appid": WechatCardTests.appid, "secretFile": "oa.secret"],
                                          "card": card]]]
    let file = dir.appendingPathComponent("wechat.json")
    try JSONSerialization.data(withJSONObject: json).write(to: file)
    return file
}

func withCardWorld(card: [String: Any], now: Date = shanghai(2026, 11, 25, 10), _ body: (WechatCardWorld) async throws -> Void) async throws {
    let sim = try await WechatSimulator.start(apps: [WechatCardTests.appid: "oacardsecret0123456789"])
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wx-card-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    do {
        let config = try WechatConfig.load(file: try writeWechatCardConfig(sim: sim, card: card, in: dir).path, env: [:])
        try await withTestApp(now: now) { t in
            await t.app.startWechat(config)
            let services = try #require(t.app.wechat)
            try await body(WechatCardWorld(t: t, sim: sim, service: WechatCardService(services: services, store: t.store),
                                           sender: WechatCardHTTPSender(services: services)))
        }
        await sim.stop()
    } catch {
        await sim.stop()
        throw error
    }
}
