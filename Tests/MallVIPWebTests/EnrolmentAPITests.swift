import Foundation
import MallVIPCore
import MallVIPStore
import Testing
import Vapor
@testable import MallVIPWeb

/// POST /api/v1/members: only when eligible by the programme's rules (docs/domain.md §2.1), one person one card, the
/// qualifying receipts credited to the new member.
@Suite("Enrolment API") struct EnrolmentAPITests {
    @Test("a single receipt of 500 enrols; the receipt's points and spend are credited")
    func singleReceipt() async throws {
        try await withTestApp { t in
            _ = try await t.purchase("R-1", fen: 50_000, phone: "13800000001")
            let r = try await t.enrol(phone: "13800000001", name: "张三", receipts: ["R-1"])
            #expect(r.status == .created, "\(r.text)")
            let card = try #require(r.string("cardNo"))
            #expect(CardNumber.isValid(card))
            #expect(r.string("tier") == "regular")
            #expect(r.string("rule") == "单张小票满500元")
            #expect(r.int("points") == 50)
            let id = try #require(r.json["memberId"] as? Int).asInt64
            #expect(try await t.balance(id) == 50)
            #expect(try await t.ledgerRows(id).map(\.points) == [50])
            #expect(try await t.store.rollingSpend(memberId: id).spend(months: 6) == 50_000)
            let purchase = try #require(try await t.store.purchases(memberId: id).first)
            #expect(purchase.receiptNo == "R-1" && purchase.pointsEarned == 50)
            let lookup = try await t.lookup(card: card)
            #expect(lookup.status == .ok && lookup.int("points") == 50)
            try await t.expectVerifyClean()
        }
    }

    @Test("499.99 is not enough: 422 naming the enrolment rule, nothing written")
    func notEligible() async throws {
        try await withTestApp { t in
            _ = try await t.purchase("R-1", fen: 49_999, phone: "13800000001")
            let counts = try await t.writeCounts()
            let r = try await t.enrol(phone: "13800000001", receipts: ["R-1"])
            #expect(r.status == .unprocessableEntity, "\(r.text)")
            #expect(r.errorRule == "enrolment.threshold")
            #expect(r.errorField == "receipts")
            #expect(r.errorMessage.contains("单张小票满500元"))
            #expect(r.errorMessage.contains("3个月累计满1500元"))
            #expect(r.errorMessage.contains("499.99"))
            #expect(try await t.writeCounts() == counts)
            // No receipts at all: the same rule.
            let none = try await t.enrol(phone: "13800000002")
            #expect(none.status == .unprocessableEntity)
            #expect(none.errorRule == "enrolment.threshold")
        }
    }

    @Test("1,500 within 3 months from several phone-tagged non-member purchases enrols, each receipt credited")
    func rollingThreeMonths() async throws {
        try await withTestApp { t in
            let phone = "13800000001"
            _ = try await t.purchase("R-1", fen: 40_000, at: shanghai(2026, 9, 10), phone: phone)
            _ = try await t.purchase("R-2", fen: 45_000, at: shanghai(2026, 10, 5), phone: phone)
            _ = try await t.purchase("R-3", fen: 48_000, at: shanghai(2026, 11, 1), phone: phone)
            let last = try await t.purchase("R-4", fen: 17_000, phone: phone)
            #expect(last.bool("eligibleToEnrol") == false)   // judged on the receipt alone
            // Someone else's phone-tagged purchase is not counted.
            _ = try await t.purchase("R-X", fen: 40_000, phone: "13900000000")
            let r = try await t.enrol(phone: phone, name: "李四")
            #expect(r.status == .created, "\(r.text)")
            #expect(r.string("rule") == "3个月累计满1500元")
            #expect(r.int("points") == 40 + 45 + 48 + 17)
            let id = try #require(r.json["memberId"] as? Int).asInt64
            #expect(try await t.ledgerRows(id).count == 4)
            #expect(try await t.store.purchases(memberId: id).count == 4)
            #expect(try await t.store.rollingSpend(memberId: id).spend(months: 6) == 150_000)
            try await t.expectVerifyClean()
        }
    }

    @Test("1,499.99 within 3 months is not enough; a receipt from before the window does not help")
    func rollingThreeMonthsShort() async throws {
        try await withTestApp { t in
            // The 3-month window ending 2026-11-25 starts on 2026-08-26.
            _ = try await t.purchase("R-1", fen: 49_999, at: shanghai(2026, 9, 1), phone: "13800000001")
            _ = try await t.purchase("R-2", fen: 49_999, at: shanghai(2026, 10, 1), phone: "13800000001")
            _ = try await t.purchase("R-3", fen: 49_999, at: shanghai(2026, 11, 1), phone: "13800000001")
            _ = try await t.purchase("R-OLD", fen: 49_999, at: shanghai(2026, 8, 25), phone: "13800000001")
            let r = try await t.enrol(phone: "13800000001")
            #expect(r.status == .unprocessableEntity, "\(r.text)")
            #expect(r.errorRule == "enrolment.threshold")
            _ = try await t.purchase("R-4", fen: 3, phone: "13800000001")
            let ok = try await t.enrol(phone: "13800000001")
            #expect(ok.status == .created, "\(ok.text)")
            #expect(ok.string("rule") == "3个月累计满1500元")
        }
    }

    @Test("one person, one card: a phone that is already a member is 409")
    func duplicatePhone() async throws {
        try await withTestApp { t in
            _ = try await t.enrolMember(phone: "13800000001")
            _ = try await t.purchase("R-2", fen: 60_000)
            let counts = try await t.writeCounts()
            let r = try await t.enrol(phone: "13800000001", name: "王五", receipts: ["R-2"])
            #expect(r.status == .conflict, "\(r.text)")
            #expect(r.errorField == "phone")
            #expect(r.errorRule == "member.phone.unique")
            #expect(try await t.writeCounts() == counts)
        }
    }

    @Test("one person, one card: a national ID number already held is 409, also in lower case")
    func duplicateNationalID() async throws {
        try await withTestApp { t in
            let id = nationalID(7)
            _ = try await t.purchase("R-1", fen: 60_000, phone: "13800000001")
            let first = try await t.enrol(phone: "13800000001", receipts: ["R-1"], idNumber: id)
            #expect(first.status == .created, "\(first.text)")
            _ = try await t.purchase("R-2", fen: 60_000, phone: "13800000002")
            let counts = try await t.writeCounts()
            let dup = try await t.enrol(phone: "13800000002", receipts: ["R-2"], idNumber: id)
            #expect(dup.status == .conflict, "\(dup.text)")
            #expect(dup.errorField == "idNumber")
            #expect(dup.errorRule == "member.idNumber.unique")
            #expect(try await t.writeCounts() == counts)
            // An ID ending in X matches whatever the case.
            var n = 0
            var xid = nationalID(n)
            while !xid.hasSuffix("X") { n += 1; xid = nationalID(n) }
            _ = try await t.purchase("R-3", fen: 60_000, phone: "13800000003")
            #expect(try await t.enrol(phone: "13800000003", receipts: ["R-3"], idNumber: xid).status == .created)
            _ = try await t.purchase("R-4", fen: 60_000, phone: "13800000004")
            let lower = try await t.enrol(phone: "13800000004", receipts: ["R-4"], idNumber: xid.lowercased())
            #expect(lower.status == .conflict, "\(lower.text)")
            #expect(lower.errorField == "idNumber")
            // A different valid ID is fine.
            #expect(try await t.enrol(phone: "13800000002", receipts: ["R-2"], idNumber: nationalID(8)).status == .created)
        }
    }

    @Test("the national ID number is stored encrypted, masked for display")
    func nationalIDEncrypted() async throws {
        try await withTestApp { t in
            let id = nationalID(11)
            _ = try await t.purchase("R-1", fen: 60_000, phone: "13800000001")
            let r = try await t.enrol(phone: "13800000001", receipts: ["R-1"], idNumber: id)
            let memberId = try #require(r.json["memberId"] as? Int).asInt64
            let row = try #require(try await t.store.sql.raw("SELECT id_cipher, id_masked, id_hash FROM members WHERE id = \(bind: memberId)").first())
            let cipher = try row.decode(column: "id_cipher", as: String.self)
            #expect(!cipher.contains(id))
            #expect(try row.decode(column: "id_hash", as: String.self) != id)
            #expect(try row.decode(column: "id_masked", as: String.self) == Identity.maskNationalID(id))
            #expect(try await t.store.revealNationalID(memberId: memberId, actor: "test") == id)
        }
    }

    @Test("invalid fields are 422 naming the field", arguments: [
        (#"{"phone":"12345","name":"张三"}"#, "phone"),
        (#"{"phone":"13800000001","name":"  "}"#, "name"),
        (#"{"phone":"13800000001","name":"张三","idNumber":"\#(wrongNationalID())"}"#, "idNumber"),
        (#"{"phone":"13800000001","name":"张三","birthday":"1990-02-30"}"#, "birthday"),
        (#"{"phone":"13800000001","name":"张三","gender":"x"}"#, "gender"),
        (#"{"phone":"13800000001","name":"张三","receipts":["NOPE"]}"#, "receipts[0]"),
    ])
    func invalidFields(body: String, field: String) async throws {
        try await withTestApp { t in
            let r = try await t.postRaw("/api/v1/members", body)
            #expect(r.status == .unprocessableEntity, "\(r.text)")
            #expect(r.errorField == field)
            #expect(try await t.count("members") == 0)
        }
    }

    @Test("a receipt that already belongs to a member cannot enrol someone else")
    func receiptAlreadyCredited() async throws {
        try await withTestApp { t in
            _ = try await t.enrolMember(phone: "13800000001")
            let r = try await t.enrol(phone: "13800000002", receipts: ["ENROL-13800000001"])
            #expect(r.status == .conflict, "\(r.text)")
            #expect(r.errorField == "receipts[0]")
        }
    }

    @Test("a birthday on enrolment doubles the credited receipts made on that day")
    func birthdayCredit() async throws {
        try await withTestApp { t in
            _ = try await t.purchase("R-1", fen: 60_000, phone: "13800000001")
            let r = try await t.enrol(phone: "13800000001", receipts: ["R-1"], birthday: "1988-11-25")
            #expect(r.int("points") == 120)
        }
    }

    @Test("the entry tier follows the programme's entryTiers (南亞: 300 in a day → gold, 3,000 → diamond)")
    func entryTiers() async throws {
        let yaml = programmeYAML(replacing: [(
            "entryTiers: []",
            "entryTiers: [{tier: gold, rule: {name: 当日满300, kind: sameDay, minSpend: 300}}, {tier: diamond, rule: {name: 当日满3000, kind: sameDay, minSpend: 3000}}]")])
        try await withTestApp(programme: yaml) { t in
            // 300 on one day: eligible by the entry-tier rule alone (the base rule needs 500), gold.
            _ = try await t.purchase("R-1", fen: 20_000, phone: "13800000001")
            _ = try await t.purchase("R-2", fen: 10_000, phone: "13800000001")
            let gold = try await t.enrol(phone: "13800000001", receipts: ["R-1", "R-2"])
            #expect(gold.status == .created, "\(gold.text)")
            #expect(gold.string("tier") == "gold")
            let goldCard = try #require(gold.string("cardNo"))
            #expect(try await t.lookup(card: goldCard).string("tier") == "gold")
            // 299.99 is regular? No: not eligible at all (below 500 and below 300).
            _ = try await t.purchase("R-3", fen: 29_999, phone: "13800000002")
            #expect(try await t.enrol(phone: "13800000002").status == .unprocessableEntity)
            // 3,000 on one day: diamond.
            _ = try await t.purchase("R-4", fen: 300_000, phone: "13800000003")
            let diamond = try await t.enrol(phone: "13800000003")
            #expect(diamond.status == .created, "\(diamond.text)")
            #expect(diamond.string("tier") == "diamond")
            #expect(try await t.lookup(card: try #require(diamond.string("cardNo"))).string("tier") == "diamond")
            // 600: the base rule, in the gold entry tier as it is over 300.
            _ = try await t.purchase("R-5", fen: 60_000, phone: "13800000004")
            let base = try await t.enrol(phone: "13800000004")
            #expect(base.string("tier") == "gold")
        }
    }

    @Test("a pre-issued card (community stand) is unusable until enrolment activates it; then it is the member's card")
    func preIssuedCard() async throws {
        try await withTestApp { t in
            let cards = try await t.store.issueInactiveCards(count: 2, actor: "desk1")
            #expect(cards.count == 2 && cards.allSatisfy(CardNumber.isValid))
            let counts = try await t.writeCounts()
            let early = try await t.purchase("R-EARLY", fen: 60_000, card: cards[0])
            #expect(early.status == .unprocessableEntity, "\(early.text)")
            #expect(early.errorField == "card")
            #expect(try await t.writeCounts() == counts)
            #expect(try await t.lookup(card: cards[0]).status == .notFound)

            _ = try await t.purchase("R-1", fen: 60_000, phone: "13800000001")
            let r = try await t.postRaw("/api/v1/members", #"{"phone":"13800000001","name":"张三","receipts":["R-1"],"cardNo":"\#(cards[0])"}"#)
            #expect(r.status == .created, "\(r.text)")
            #expect(r.string("cardNo") == cards[0])
            #expect(try await t.lookup(card: cards[0]).int("points") == 60)
            let p = try await t.purchase("R-2", fen: 10_000, card: cards[0])
            #expect(p.status == .created && p.int("pointsBalance") == 70)
            // The same card cannot be activated twice.
            _ = try await t.purchase("R-3", fen: 60_000, phone: "13800000002")
            let twice = try await t.postRaw("/api/v1/members", #"{"phone":"13800000002","name":"李四","receipts":["R-3"],"cardNo":"\#(cards[0])"}"#)
            #expect(twice.status == .conflict, "\(twice.text)")
            #expect(twice.errorField == "cardNo")
        }
    }

    @Test("a desk manager's override enrols without a qualifying receipt; the reason is recorded and a refund leaves the card")
    func managerOverride() async throws {
        try await withTestApp { t in
            _ = try await t.purchase("R-1", fen: 30_000, phone: "13800000001")
            let result = try await t.store.enrol(EnrolmentRequest(phone: "13800000001", name: "赵六", receipts: ["R-1"],
                                                                  overrideReason: "商场领导特批"), actor: "manager1", mallId: nil)
            #expect(result.rule == "override")
            let member = try #require(try await t.store.member(id: result.memberId))
            #expect(member.enrolOverrideReason == "商场领导特批")
            #expect(member.enrolRule == "override")
            // Without a reason it is refused like any other.
            await #expect(throws: DomainError.self) {
                _ = try await t.store.enrol(EnrolmentRequest(phone: "13800000002", name: "钱七"), actor: "manager1", mallId: nil)
            }
            // The receipt named is credited; refunding it does not undo the override.
            #expect(result.pointsBalance == 30)
            let r = try await t.refund("F-1", receipt: "R-1", fen: 30_000)
            #expect(r.int("pointsReversed") == 30)
            #expect(r.bool("cardDeactivated") == false)
            #expect(try await t.lookup(card: result.cardNo).status == .ok)
        }
    }

    @Test("spend credited on enrolment that already reaches a higher tier shows in the stored tier")
    func creditedSpendReachesSilver() async throws {
        try await withTestApp { t in
            _ = try await t.purchase("R-1", fen: 300_000, phone: "13800000001")
            let r = try await t.enrol(phone: "13800000001")
            #expect(r.status == .created)
            #expect(r.string("tier") == "silver")
            let card = try #require(r.string("cardNo"))
            #expect(try await t.lookup(card: card).string("tier") == "silver")
            let next = try await t.purchase("R-2", fen: 1_000, card: card)
            #expect(next.string("tier") == "silver")
            #expect(next.bool("tierChanged") == false)
        }
    }
}

/// 18 characters whose check character is wrong.
func wrongNationalID() -> String {
    let good = nationalID(1)
    return String(good.dropLast()) + (good.last == "1" ? "2" : "1")
}

extension Int {
    var asInt64: Int64 { Int64(self) }
}
