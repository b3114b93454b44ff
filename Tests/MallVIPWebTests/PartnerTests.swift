import Foundation
import MallVIPCore
import MallVIPStore
import SQLKit
import Testing
import Vapor
@testable import MallVIPWeb

extension TestContext {
    /// A partner and an API key scoped to it.
    func partnerKey(code: String = "HOTEL1", overrides: [String: Int] = [:]) async throws -> HTTPHeaders {
        try await store.savePartner(id: nil, PartnerInput(code: code, name: "\(code) 酒店", category: "酒店", overrides: overrides), actor: "test")
        let key = try await store.createAPIKey(name: "partner-\(code)", partnerCode: code, actor: "test")
        return ["Authorization": "Bearer \(key)"]
    }

    func partnerSend(_ method: HTTPMethod, _ path: String, key: HTTPHeaders, body: String? = nil) async throws -> RawResponse {
        var headers = key
        if body != nil { headers.replaceOrAdd(name: "Content-Type", value: "application/json") }
        let res = try await app.testing().sendRequest(method, path, headers: headers, body: body.map { ByteBuffer(string: $0) })
        return RawResponse(status: res.status, text: res.body.string)
    }

    func visit(_ key: HTTPHeaders, _ idempotencyKey: String, card: String, fen: Int64, at: Date? = nil) async throws -> RawResponse {
        let time = at.map { #","visitedAt":"\#(iso($0))""# } ?? ""
        return try await partnerSend(.POST, "/api/v1/partner/visits", key: key,
                                     body: #"{"idempotencyKey":"\#(idempotencyKey)","card":"\#(card)","amountFen":\#(fen)\#(time)}"#)
    }
}

/// Partner merchants (联盟商家, docs/domain.md §6.2): the tier's discount at each partner, visits recorded by a key
/// scoped to the partner, and the monthly settlement.
@Suite("Partner merchants") struct PartnerTests {
    @Test("a Silver member at a partner gets 9折: lookup and visit; a partner's own rate overrides the programme")
    func silverDiscount() async throws {
        try await withTestApp { t in
            let card = try await t.enrolMember(phone: "13800000001")          // 600 yuan
            _ = try await t.purchase("S-1", fen: 240_000, card: card)          // 3,000 in 6 months: silver
            #expect(try await t.lookup(card: card).string("tier") == "silver")
            let key = try await t.partnerKey(overrides: ["gold": 850])
            let look = try await t.partnerSend(.GET, "/api/v1/partner/members/lookup?card=\(card)", key: key)
            #expect(look.status == .ok, "\(look.text)")
            #expect(look.string("tier") == "silver")
            #expect(look.int("discountPermille") == 900)
            #expect(look.string("discountText") == "9折")
            #expect(look.string("displayName") == "张*")
            #expect(look.json["cardNo"] == nil && look.json["phone"] == nil)

            let v = try await t.visit(key, "V-1", card: card, fen: 12_345)
            #expect(v.status == .created, "\(v.text)")
            #expect(v.int("discountPermille") == 900)
            #expect(v.int("payableFen") == 11_111)
            #expect(v.int("discountFen") == 1_234)
            #expect(v.string("partner") == "HOTEL1")
            #expect(v.string("businessDate") == "2026-11-25")

            // Gold at this partner: its own 8.5折, not the programme's 8.8.
            _ = try await t.purchase("S-2", fen: 200_000, card: card)         // 5,000 in 6 months: gold
            let gold = try await t.partnerSend(.GET, "/api/v1/partner/members/lookup?card=\(card)", key: key)
            #expect(gold.string("tier") == "gold" && gold.int("discountPermille") == 850)
            // Another partner without overrides follows the programme: 8.8.
            let other = try await t.partnerKey(code: "KTV1")
            #expect(try await t.partnerSend(.GET, "/api/v1/partner/members/lookup?phone=13800000001", key: other).int("discountPermille") == 880)
        }
    }

    @Test("a partner key may call only the partner API (403 on purchases, lookup, counters); a POS key gets 403 on the partner API")
    func scopes() async throws {
        try await withTestApp { t in
            let card = try await t.enrolMember(phone: "13800000001")
            let key = try await t.partnerKey()
            let counts = try await t.writeCounts()
            let purchase = try await t.partnerSend(.POST, "/api/v1/purchases", key: key,
                                                   body: t.purchaseJSON("X-1", card: card, lines: [Line(10_000)]))
            #expect(purchase.status == .forbidden, "\(purchase.text)")
            #expect(purchase.errorRule == "apikey.scope")
            #expect(try await t.writeCounts() == counts)
            #expect(try await t.partnerSend(.GET, "/api/v1/members/lookup?card=\(card)", key: key).status == .forbidden)
            #expect(try await t.partnerSend(.GET, "/api/v1/counters", key: key).status == .forbidden)
            // The POS key of the test harness on the partner API.
            let pos = try await t.send(.GET, "/api/v1/partner/members/lookup?card=\(card)")
            #expect(pos.status == .forbidden && pos.errorRule == "apikey.scope")
            let posVisit = try await t.postRaw("/api/v1/partner/visits", #"{"idempotencyKey":"V-1","card":"\#(card)","amountFen":100}"#)
            #expect(posVisit.status == .forbidden)
            #expect(try await t.send(.GET, "/api/v1/partner/members/lookup?card=\(card)", authorized: false).status == .unauthorized)
            #expect(try await t.count("partner_visits") == 0)
            // The partner key itself works.
            #expect(try await t.visit(key, "V-1", card: card, fen: 10_000).status == .created)
        }
    }

    @Test("visits are idempotent on the partner's key: same body 200 with the first answer, different body 409; bad input names the field")
    func idempotency() async throws {
        try await withTestApp { t in
            let card = try await t.enrolMember(phone: "13800000001")
            let key = try await t.partnerKey()
            let first = try await t.visit(key, "V-1", card: card, fen: 10_000)
            #expect(first.status == .created)
            let again = try await t.visit(key, "V-1", card: card, fen: 10_000)
            #expect(again.status == .ok && again.text == first.text)
            let conflict = try await t.visit(key, "V-1", card: card, fen: 20_000)
            #expect(conflict.status == .conflict && conflict.errorField == "idempotencyKey")
            // The same key at another partner is another visit.
            let other = try await t.partnerKey(code: "KTV1")
            #expect(try await t.visit(other, "V-1", card: card, fen: 10_000).status == .created)
            #expect(try await t.count("partner_visits") == 2)

            let zero = try await t.visit(key, "V-2", card: card, fen: 0)
            #expect(zero.status == .unprocessableEntity && zero.errorField == "amountFen")
            let unknown = try await t.visit(key, "V-3", card: "88999999999", fen: 100)
            #expect(unknown.status == .unprocessableEntity && unknown.errorField == "card")
            let future = try await t.visit(key, "V-4", card: card, fen: 100, at: t.clock.now.addingTimeInterval(3600))
            #expect(future.errorField == "visitedAt")
            let malformed = try await t.partnerSend(.POST, "/api/v1/partner/visits", key: key, body: #"{"idempotencyKey":"V-5","card":"\#(card)","amountFen":1.5}"#)
            #expect(malformed.status == .badRequest && malformed.errorField == "amountFen")
            #expect(try await t.count("partner_visits") == 2)
        }
    }

    @Test("monthly settlement: visits, members, amount and discount per partner for the month's business days")
    func settlement() async throws {
        try await withTestApp { t in
            let regular = try await t.enrolMember(phone: "13800000001")                 // 普卡: 9.5折
            let silver = try await t.enrolMember(phone: "13800000002", name: "李四")
            _ = try await t.purchase("S-1", fen: 240_000, card: silver)                  // 银卡: 9折
            let hotel = try await t.partnerKey(code: "HOTEL1")
            let ktv = try await t.partnerKey(code: "KTV1")
            // November: hotel 2 visits by 2 members, ktv 1; December: one more hotel visit.
            #expect(try await t.visit(hotel, "H-1", card: regular, fen: 10_000, at: shanghai(2026, 11, 1, 23, 30)).status == .created)
            #expect(try await t.visit(hotel, "H-2", card: silver, fen: 20_000, at: shanghai(2026, 11, 20)).status == .created)
            #expect(try await t.visit(ktv, "K-1", card: silver, fen: 5_000, at: shanghai(2026, 11, 25, 9)).status == .created)
            t.clock.set(shanghai(2026, 12, 1, 0, 30))
            #expect(try await t.visit(hotel, "H-3", card: silver, fen: 10_000).status == .created)

            let nov = try await t.store.partnerSettlement(year: 2026, month: 11)
            let h = try #require(nov.first { $0.code == "HOTEL1" }), k = try #require(nov.first { $0.code == "KTV1" })
            #expect(h.visits == 2)
            #expect(h.members == 2)
            #expect(h.amountFen == 30_000)
            #expect(h.discountFen == 500 + 2_000)
            #expect(k.visits == 1)
            #expect(k.members == 1)
            #expect(k.amountFen == 5_000)
            #expect(k.discountFen == 500)
            let dec = try await t.store.partnerSettlement(year: 2026, month: 12)
            #expect(dec.first { $0.code == "HOTEL1" }?.visits == 1 && dec.first { $0.code == "KTV1" }?.visits == 0)

            let planner = try await t.console(as: "planner1", .planner)
            let page = try await planner.get("/console/partners/settlement?month=2026-11")
            #expect(page.status == .ok)
            for text in ["HOTEL1", "300.00", "25.00", "350.00", "30.00"] { #expect(page.contains(text), "\(text)") }
            #expect(try await planner.get("/console/partners/settlement?month=2026-13").status == .unprocessableEntity)
            let desk = try await t.console(as: "desk1", .desk)
            #expect(try await desk.get("/console/partners/settlement?month=2026-11").status == .forbidden)
        }
    }

    @Test("the partner API's answers match the OpenAPI document for every status they give")
    func openAPI() async throws {
        try await withTestApp { t in
            let doc = try JSONValue.parse(try await t.send(.GET, "/api/v1/openapi.json", authorized: false).text)
            let validator = SchemaValidator(document: doc)
            func check(_ method: String, _ path: String, _ r: RawResponse, sourceLocation: SourceLocation = #_sourceLocation) throws {
                let documented = doc["paths"]?[path]?[method]?["responses"]?[String(r.status.code)]
                let schema = try #require(documented.map(validator.resolve)?["content"]?["application/json"]?["schema"],
                                          "\(method) \(path) \(r.status.code) is not documented", sourceLocation: sourceLocation)
                let problems = validator.validate(try JSONValue.parse(r.text), schema)
                #expect(problems.isEmpty, "\(method) \(path) \(r.status.code): \(problems)", sourceLocation: sourceLocation)
            }
            let card = try await t.enrolMember(phone: "13800000001")
            let key = try await t.partnerKey()
            let lookup = "/api/v1/partner/members/lookup"
            try check("get", lookup, try await t.partnerSend(.GET, "\(lookup)?card=\(card)", key: key))                 // 200
            try check("get", lookup, try await t.partnerSend(.GET, "\(lookup)?phone=13999999999", key: key))            // 404
            try check("get", lookup, try await t.partnerSend(.GET, lookup, key: key))                                     // 422
            try check("get", lookup, try await t.send(.GET, "\(lookup)?card=\(card)"))                                   // 403
            try check("get", lookup, try await t.send(.GET, "\(lookup)?card=\(card)", authorized: false))                // 401
            let visits = "/api/v1/partner/visits"
            try check("post", visits, try await t.visit(key, "V-1", card: card, fen: 10_000))                             // 201
            try check("post", visits, try await t.visit(key, "V-1", card: card, fen: 10_000))                             // 200
            try check("post", visits, try await t.visit(key, "V-1", card: card, fen: 10_001))                             // 409
            try check("post", visits, try await t.visit(key, "V-2", card: card, fen: -1))                                // 422
            try check("post", visits, try await t.partnerSend(.POST, visits, key: key, body: "{"))                        // 400
            // Enrolment with a referral code is documented too.
            _ = try await t.purchase("ENROL-2", fen: 60_000, phone: "13800000002")
            let code = try await t.referralCode(card: card)
            try check("post", "/api/v1/members", try await t.postRaw("/api/v1/members",
                #"{"phone":"13800000002","name":"李四","receipts":["ENROL-2"],"referralCode":"\#(code)"}"#))
            let enrol = try #require(doc["components"]?["schemas"]?["EnrolRequest"]?["properties"]?["referralCode"])
            #expect(enrol["type"]?.string == "string")
        }
    }

    @Test("console: create a partner with a per-tier rate, list shows every tier's discount, deactivating stops its key at once")
    func consolePartners() async throws {
        try await withTestApp { t in
            let card = try await t.enrolMember(phone: "13800000001")
            let planner = try await t.console(as: "planner1", .planner)
            let list = try await planner.get("/console/partners")
            #expect(list.status == .ok && list.contains("新增联盟商家"))
            _ = try await planner.get("/console/partners/new")
            let bad = try await planner.post("/console/partners/new", [("code", "HOTEL1"), ("name", "酒店"), ("discount_gold", "11"), ("active", "1")])
            #expect(bad.status == .unprocessableEntity && bad.contains("折扣格式不正确"))
            let created = try await planner.post("/console/partners/new", [("code", "HOTEL1"), ("name", "锦江酒店"), ("category", "酒店"),
                                                                            ("discount_gold", "8.5"), ("discount_regular", ""), ("active", "1")])
            #expect(created.status == .seeOther)
            let shown = try await planner.follow(created)
            #expect(shown.contains("锦江酒店"))
            #expect(shown.contains("8.5折 *") && shown.contains("9.5折"))
            #expect(!shown.contains("8.8折"))
            let partner = try #require(try await t.store.partner(code: "HOTEL1"))
            #expect(partner.overrides == ["gold": 850])

            // An admin makes a key for the partner on the API keys page; it works on the partner API.
            let admin = try await t.console(as: "admin1", .admin)
            let keysPage = try await admin.get("/console/api-keys")
            #expect(keysPage.contains("锦江酒店"))
            let made = try await admin.post("/console/api-keys", [("name", "hotel-front-desk"), ("partner", "HOTEL1")])
            #expect(made.status == .created)
            let key = try #require(ConsolePage.firstMatch(#"class="secret">(mvk_[0-9a-f]+)<"#, in: made.body))
            let headers: HTTPHeaders = ["Authorization": "Bearer \(key)"]
            #expect(try await t.visit(headers, "V-1", card: card, fen: 1_000).status == .created)
            #expect(try await admin.get("/console/api-keys").contains("联盟商家 HOTEL1"))

            // Deactivated: its key is refused at once (the key cache is cleared), and the partner shows as inactive.
            _ = try await planner.get("/console/partners/\(partner.id)")
            let off = try await planner.post("/console/partners/\(partner.id)", [("code", "HOTEL1"), ("name", "锦江酒店"), ("discount_gold", "8.5")])
            #expect(off.status == .seeOther)
            let refused = try await t.visit(headers, "V-2", card: card, fen: 1_000)
            #expect(refused.status == .forbidden && refused.errorRule == "partner.active")
            #expect(try await planner.get("/console/partners").contains("已停用"))
            let desk = try await t.console(as: "desk1", .desk)
            #expect(try await desk.get("/console/partners").status == .forbidden)
        }
    }
}
