import Foundation
import MallVIPCore
import MallVIPStore
import Testing
import Vapor
@testable import MallVIPWeb

/// GET /api/v1/members/lookup: what the cashier's customer-facing screen shows.
@Suite("Member lookup") struct LookupTests {
    @Test("by card and by phone: card number, tier, points and a masked name")
    func byCardAndPhone() async throws {
        try await withTestApp { t in
            let card = try await t.enrolMember(phone: "13800000001", name: "张三")
            _ = try await t.purchase("R-1", fen: 55_900, card: card)
            for r in [try await t.lookup(card: card), try await t.lookup(phone: "13800000001")] {
                #expect(r.status == .ok, "\(r.text)")
                #expect(r.string("cardNo") == card)
                #expect(r.string("tier") == "regular")
                #expect(r.string("tierName") == "普卡")
                #expect(r.int("points") == 115)
                #expect(r.string("displayName") == "张*")
                #expect(!r.text.contains("张三"))
                #expect(!r.text.contains("13800000001"))
            }
        }
    }

    @Test("names are masked after the first character", arguments: [("欧阳娜娜", "欧***"), ("李", "李*"), ("Wang Fang", "W********")])
    func masking(name: String, masked: String) async throws {
        try await withTestApp { t in
            let card = try await t.enrolMember(phone: "13800000001", name: name)
            #expect(try await t.lookup(card: card).string("displayName") == masked)
        }
    }

    @Test("unknown card or phone is 404; no parameter is 422")
    func unknown() async throws {
        try await withTestApp { t in
            _ = try await t.enrolMember(phone: "13800000001")
            let card = try await t.lookup(card: CardNumber.make(serial: 999_999))
            #expect(card.status == .notFound)
            #expect(card.errorRule == "member.exists")
            #expect(try await t.lookup(phone: "13999999999").status == .notFound)
            let none = try await t.send(.GET, "/api/v1/members/lookup")
            #expect(none.status == .unprocessableEntity)
            #expect(none.errorField == "card")
        }
    }

    @Test("a lost card is not found at the till (the phone still is); its replacement is, with balance kept")
    func lostCard() async throws {
        try await withTestApp { t in
            let card = try await t.enrolMember(phone: "13800000001")
            let id = try await t.memberId(card: card)
            try await t.store.reportCardLost(memberId: id, actor: "desk1")
            #expect(try await t.lookup(card: card).status == .notFound)
            // A purchase on the lost card is refused and writes nothing.
            let counts = try await t.writeCounts()
            let p = try await t.purchase("R-LOST", fen: 10_000, card: card)
            #expect(p.status == .unprocessableEntity, "\(p.text)")
            #expect(p.errorField == "card")
            #expect(try await t.writeCounts() == counts)

            let replacement = try await t.store.replaceCard(memberId: id, actor: "desk1")
            #expect(replacement != card)
            let r = try await t.lookup(card: replacement)
            #expect(r.status == .ok)
            #expect(r.int("points") == 60)
            #expect(try await t.lookup(card: card).status == .notFound)
            let byPhone = try await t.lookup(phone: "13800000001")
            #expect(byPhone.string("cardNo") == replacement)
            let after = try await t.purchase("R-NEW", fen: 10_000, card: replacement)
            #expect(after.status == .created)
            #expect(after.int("pointsBalance") == 70)
        }
    }

    @Test("the lookup shows the tier after an upgrade and the points after each purchase")
    func reflectsChanges() async throws {
        try await withTestApp { t in
            let card = try await t.enrolMember(phone: "13800000001")
            _ = try await t.purchase("R-1", fen: 440_000, card: card)
            let r = try await t.lookup(card: card)
            #expect(r.string("tier") == "gold")
            #expect(r.string("tierName") == "金卡")
            #expect(r.int("points") == 60 + 450)
        }
    }

    @Test("GET /api/v1/counters lists the active counters for POS setup")
    func counters() async throws {
        try await withTestApp { t in
            try await t.saveCounter(code: "NODISC", participates: false)
            let dept = try #require(try await t.store.departments().first)
            try await t.store.saveCounter(id: nil, CounterInput(departmentId: dept.id, code: "CLOSED", name: "撤柜", brand: "x",
                                                                category: "x", floor: "1F", participatesInDiscount: true, active: false),
                                          actor: "test")
            let r = try await t.send(.GET, "/api/v1/counters")
            #expect(r.status == .ok)
            let list = try #require(try JSONSerialization.jsonObject(with: Data(r.text.utf8)) as? [[String: Any]])
            #expect(Set(list.compactMap { $0["code"] as? String }) == ["C0001", "NODISC"])
            let nodisc = try #require(list.first { $0["code"] as? String == "NODISC" })
            #expect(nodisc["participatesInDiscount"] as? Bool == false)
            #expect(nodisc["mall"] as? String == "MAIN")
            #expect(nodisc["department"] as? String == dept.code)
        }
    }
}
