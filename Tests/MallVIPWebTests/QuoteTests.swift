import Foundation
import MallVIPCore
import MallVIPStore
import Testing
import Vapor
@testable import MallVIPWeb

/// POST /api/v1/quotes: the tier discount on participating counters' regular-priced lines, stacked on the
/// counter's own promotion (折上折), and the points the cart would earn.
@Suite("Quotes") struct QuoteTests {
    func quote(_ t: TestContext, card: String?, lines: [String]) async throws -> RawResponse {
        let cardField = card.map { "\"card\":\"\($0)\"," } ?? ""
        return try await t.postRaw("/api/v1/quotes", "{\(cardField)\"lines\":[\(lines.joined(separator: ","))]}")
    }

    func lines(_ r: RawResponse) -> [[String: Any]] { r.json["lines"] as? [[String: Any]] ?? [] }

    @Test("gold (reached by purchases) pays 8.8折 on top of the counter's 8折: 1,000 → 704")
    func goldStacks() async throws {
        try await withTestApp { t in
            let card = try await t.enrolMember(phone: "13800000001")
            let up = try await t.purchase("R-1", fen: 440_000, card: card)
            #expect(up.string("tier") == "gold")
            let q = try await quote(t, card: card, lines: [#"{"counter":"C0001","amountFen":100000,"counterPromotionPermille":800}"#])
            #expect(q.status == .ok, "\(q.text)")
            #expect(q.bool("member") == true)
            #expect(q.string("tier") == "gold")
            let line = try #require(lines(q).first)
            #expect(line["amountFen"] as? Int == 100_000)
            #expect(line["memberDiscountPermille"] as? Int == 880)
            #expect(line["payableFen"] as? Int == 70_400)
            #expect(q.int("payableFen") == 70_400)
            #expect(q.int("pointsEarned") == 70)
            // A quote writes nothing.
            #expect(try await t.count("purchases") == 2)
        }
    }

    @Test("diamond pays 8折 on top of 8折: 1,000 → 640 (manual diamond and diamond by spend)")
    func diamondStacks() async throws {
        try await withTestApp { t in
            let manual = try await t.enrolMember(phone: "13800000001")
            try await t.store.setManualTier(memberId: try await t.memberId(card: manual), tier: "diamond",
                                            until: LocalDate(year: 2027, month: 6, day: 30), reason: "荣誉钻石卡", actor: "manager1")
            let earned = try await t.enrolMember(phone: "13800000002")
            #expect(try await t.purchase("R-1", fen: 1_940_000, card: earned).string("tier") == "diamond")
            for card in [manual, earned] {
                let q = try await quote(t, card: card, lines: [#"{"counter":"C0001","amountFen":100000,"counterPromotionPermille":800}"#])
                #expect(q.string("tier") == "diamond")
                #expect(lines(q).first?["payableFen"] as? Int == 64_000)
                #expect(lines(q).first?["memberDiscountPermille"] as? Int == 800)
            }
        }
    }

    @Test("special-price lines and non-participating counters are not discounted")
    func noDiscountLines() async throws {
        try await withTestApp { t in
            try await t.saveCounter(code: "NODISC", participates: false)
            let card = try await t.enrolMember(phone: "13800000001")
            _ = try await t.purchase("R-1", fen: 440_000, card: card)
            let q = try await quote(t, card: card, lines: [
                #"{"counter":"C0001","amountFen":100000,"specialPrice":true}"#,
                #"{"counter":"NODISC","amountFen":100000}"#,
                #"{"counter":"NODISC","amountFen":100000,"counterPromotionPermille":800}"#,
                #"{"counter":"C0001","amountFen":100000}"#,
            ])
            #expect(q.status == .ok, "\(q.text)")
            let ls = lines(q)
            #expect(ls.map { $0["payableFen"] as? Int } == [100_000, 100_000, 80_000, 88_000])
            #expect(ls.map { $0["memberDiscountPermille"] as? Int } == [1000, 1000, 1000, 880])
            #expect(q.int("payableFen") == 368_000)
            // Every line earns points: 3,680 → 368 + 10.
            #expect(q.int("pointsEarned") == 378)
            #expect(q.int("bonusPoints") == 10)
        }
    }

    @Test("regular members and non-members pay the counter price; a non-member earns nothing")
    func regularAndNonMember() async throws {
        try await withTestApp { t in
            let card = try await t.enrolMember(phone: "13800000001")
            let line = #"{"counter":"C0001","amountFen":100000,"counterPromotionPermille":800}"#
            let regular = try await quote(t, card: card, lines: [line])
            #expect(regular.string("tier") == "regular")
            #expect(lines(regular).first?["payableFen"] as? Int == 80_000)
            #expect(regular.int("pointsEarned") == 80)
            let walkIn = try await quote(t, card: nil, lines: [line])
            #expect(walkIn.bool("member") == false)
            #expect(lines(walkIn).first?["payableFen"] as? Int == 80_000)
            #expect(walkIn.int("pointsEarned") == 0)
        }
    }

    @Test("a quote shows the day's multiplier (birthday)")
    func quoteMultiplier() async throws {
        try await withTestApp { t in
            let card = try await t.enrolMember(phone: "13800000001", birthday: "1990-11-25")
            let q = try await quote(t, card: card, lines: [#"{"counter":"C0001","amountFen":55900}"#])
            #expect(q.int("pointsEarned") == 110)
            #expect((q.json["multipliers"] as? [String]) == ["生日当天双倍积分"])
        }
    }

    @Test("bad quote input is 4xx naming the field", arguments: [
        (#"{"lines":[{"counter":"C0001","amountFen":0}]}"#, 422, "lines[0].amountFen"),
        (#"{"lines":[{"counter":"NOPE","amountFen":100}]}"#, 422, "lines[0].counter"),
        (#"{"lines":[{"counter":"C0001","amountFen":100,"counterPromotionPermille":1200}]}"#, 422, "lines[0].counterPromotionPermille"),
        (#"{"card":"8000000000000","lines":[{"counter":"C0001","amountFen":100}]}"#, 422, "card"),
        (#"{"lines":[]}"#, 422, "lines"),
        (#"{"lines":[{"counter":"C0001"}]}"#, 400, "lines[0].amountFen"),
    ])
    func badInput(body: String, status: Int, field: String) async throws {
        try await withTestApp { t in
            let r = try await t.postRaw("/api/v1/quotes", body)
            #expect(Int(r.status.code) == status, "\(r.text)")
            #expect(r.errorField == field)
        }
    }
}
