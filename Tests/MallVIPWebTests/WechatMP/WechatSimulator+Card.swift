import Foundation
import Vapor

/// The simulator's card state (issue 22d): cards created, codes in users' 卡包 with what the card shows.
struct WechatCardSim: Sendable {
    struct Code: Sendable {
        var cardId: String
        var openid: String
        var activated = false
        var membershipNumber: String?
        var bonus: Int64 = 0
        var tier: String?
        /// Every add_bonus with its record_bonus, in order.
        var records: [(Int64, String)] = []
        var updates = 0
    }
    /// card_id → (appid that created it, the member_card object).
    var cards: [String: String] = [:]
    var codes: [String: Code] = [:]
    /// encrypt_code → code.
    var encrypted: [String: String] = [:]
    /// The next n updateuser calls are held (never answered in time): a worker stopped mid-call.
    var holdUpdates = 0
    /// updateuser requests received, answered or not (the kill test waits for the first).
    var arrivals = 0
}

extension WechatSimulator {
    var card: WechatCardSim {
        state.withLockedValue { ($0.parts["card"] as? WechatCardSim) ?? WechatCardSim() }
    }

    func withCard<T>(_ body: (inout WechatCardSim) -> T) -> T {
        state.withLockedValue { s in
            var c = (s.parts["card"] as? WechatCardSim) ?? WechatCardSim()
            let r = body(&c)
            s.parts["card"] = c
            return r
        }
    }

    /// A card made in the 公众号 admin (the config's cardId).
    func registerCard(_ cardId: String, appid: String) { withCard { $0.cards[cardId] = appid } }

    /// A WeChat user adds the card to 卡包 (scanning the QR): a new code, and the encrypt_code WeChat appends to the
    /// activate_url when the user taps 激活.
    func userAddsCard(_ cardId: String, openid: String) -> (code: String, encryptCode: String) {
        withCard { c in
            let code = String(format: "%012d", 100_000_000_000 + c.codes.count + 1)
            let enc = Data("enc:\(code):\(UUID().uuidString)".utf8).base64EncodedString()
            c.codes[code] = WechatCardSim.Code(cardId: cardId, openid: openid)
            c.encrypted[enc] = code
            return (code, enc)
        }
    }

    /// The /card/… APIs as documented for 会员卡, all with `access_token` (40001/42001 through tokenOwner).
    func installCard(_ app: Application) {
        func json(_ req: Request) -> [String: Any]? {
            (try? JSONSerialization.jsonObject(with: Data((req.body.string ?? "").utf8))) as? [String: Any]
        }
        func owner(_ req: Request) -> Result<String, SimulatorRefusal> {
            if let f = pendingFailure(req) { return .failure(SimulatorRefusal(response: f)) }
            return tokenOwner(req)
        }
        // POST /card/create {card: {card_type: MEMBER_CARD, member_card: {base_info, supply_bonus, supply_balance, …}}}
        app.post("card", "create") { [self] req -> Response in
            let appid: String
            switch owner(req) { case .failure(let r): return r.response; case .success(let a): appid = a }
            guard let card = json(req)?["card"] as? [String: Any], card["card_type"] as? String == "MEMBER_CARD",
                  let mc = card["member_card"] as? [String: Any], let base = mc["base_info"] as? [String: Any] else {
                return error(req, 47001, "data format error: card.card_type MEMBER_CARD and member_card.base_info required")
            }
            for key in ["logo_url", "brand_name", "title", "color", "code_type", "notice", "description"] where (base[key] as? String ?? "").isEmpty {
                return error(req, 47001, "data format error: base_info.\(key) missing")
            }
            if (base["brand_name"] as! String).count > 12 || (base["title"] as! String).count > 9 { return error(req, 40003, "brand_name or title too long") }
            guard base["date_info"] is [String: Any], (base["sku"] as? [String: Any])?["quantity"] != nil,
                  mc["supply_bonus"] is Bool, mc["supply_balance"] is Bool, mc["prerogative"] is String else {
                return error(req, 47001, "data format error: date_info, sku, supply_bonus, supply_balance, prerogative required")
            }
            let cardId = "p" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(27)
            withCard { $0.cards[cardId] = appid }
            return answer(req, json: ["errcode": 0, "errmsg": "ok", "card_id": cardId])
        }
        // POST /card/qrcode/create {action_name: QR_CARD, action_info: {card: {card_id, outer_str}}}
        app.post("card", "qrcode", "create") { [self] req -> Response in
            switch owner(req) { case .failure(let r): return r.response; case .success: break }
            guard let body = json(req), body["action_name"] as? String == "QR_CARD",
                  let cardId = ((body["action_info"] as? [String: Any])?["card"] as? [String: Any])?["card_id"] as? String else {
                return error(req, 47001, "data format error")
            }
            guard card.cards[cardId] != nil else { return error(req, 40073, "invalid card id") }
            let ticket = "gQ" + UUID().uuidString.replacingOccurrences(of: "-", with: "")
            return answer(req, json: ["errcode": 0, "errmsg": "ok", "ticket": ticket, "expire_seconds": body["expire_seconds"] ?? 1800,
                                      "url": "http://weixin.qq.com/q/\(ticket)",
                                      "show_qrcode_url": "https://mp.weixin.qq.com/cgi-bin/showqrcode?ticket=\(ticket)"])
        }
        // POST /card/code/decrypt {encrypt_code} → {code}
        app.post("card", "code", "decrypt") { [self] req -> Response in
            switch owner(req) { case .failure(let r): return r.response; case .success: break }
            guard let enc = json(req)?["encrypt_code"] as? String, let code = card.encrypted[enc] else {
                return error(req, 40075, "invalid encrypt code")
            }
            return answer(req, json: ["errcode": 0, "errmsg": "ok", "code": code])
        }
        // POST /card/membercard/activate {membership_number, code, card_id, init_bonus, init_custom_field_value1}
        app.post("card", "membercard", "activate") { [self] req -> Response in
            switch owner(req) { case .failure(let r): return r.response; case .success: break }
            guard let body = json(req), let code = body["code"] as? String, let number = body["membership_number"] as? String, !number.isEmpty else {
                return error(req, 47001, "data format error: code and membership_number required")
            }
            let tier = body["init_custom_field_value1"] as? String
            if let tier, tier.utf8.count > 12 { return error(req, 40003, "init_custom_field_value1 longer than 12 bytes") }
            let ok: Bool = withCard { c in
                guard var e = c.codes[code], e.cardId == (body["card_id"] as? String ?? e.cardId) else { return false }
                e.activated = true
                e.membershipNumber = number
                e.bonus = (body["init_bonus"] as? NSNumber)?.int64Value ?? 0
                e.tier = tier
                c.codes[code] = e
                return true
            }
            return ok ? answer(req, json: ["errcode": 0, "errmsg": "ok"]) : error(req, 40056, "invalid serial code")
        }
        // POST /card/membercard/updateuser {code, card_id, bonus, add_bonus, record_bonus, custom_field_value1, notify_optional}
        app.post("card", "membercard", "updateuser") { [self] req -> Response in
            withCard { $0.arrivals += 1 }
            switch owner(req) { case .failure(let r): return r.response; case .success: break }
            if withCard({ c in c.holdUpdates > 0 ? { c.holdUpdates -= 1; return true }() : false }) {
                try? await Task.sleep(for: .seconds(20))
                return error(req, -1, "system error (held)")
            }
            guard let body = json(req), let code = body["code"] as? String, let cardId = body["card_id"] as? String else {
                return error(req, 47001, "data format error: code and card_id required")
            }
            if let r = body["record_bonus"] as? String, r.count > 14 { return error(req, 40003, "record_bonus longer than 14 characters") }
            if let t = body["custom_field_value1"] as? String, t.utf8.count > 12 { return error(req, 40003, "custom_field_value1 longer than 12 bytes") }
            let result: (Int64, String)? = withCard { c in
                guard var e = c.codes[code], e.cardId == cardId, e.activated else { return nil }
                if let b = (body["bonus"] as? NSNumber)?.int64Value { e.bonus = b }
                else if let a = (body["add_bonus"] as? NSNumber)?.int64Value { e.bonus += a }
                if let a = (body["add_bonus"] as? NSNumber)?.int64Value { e.records.append((a, body["record_bonus"] as? String ?? "")) }
                if let t = body["custom_field_value1"] as? String { e.tier = t }
                e.updates += 1
                c.codes[code] = e
                return (e.bonus, e.openid)
            }
            guard let result else { return error(req, 40056, "invalid serial code") }
            return answer(req, json: ["errcode": 0, "errmsg": "ok", "result_bonus": result.0, "result_balance": 0, "openid": result.1])
        }
    }
}
