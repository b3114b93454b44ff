import Foundation
import MallVIPCore
import MallVIPStore
import SQLKit
import Testing
import Vapor
@testable import MallVIPWeb

extension TestContext {
    /// POST /api/v1/parking/exits for a stay of `minutes` ending now.
    func parkingExit(_ key: String, card: String? = nil, plate: String? = nil, minutes: Int, mall: String? = nil,
                     exitAt: Date? = nil) async throws -> RawResponse {
        let exit = exitAt ?? clock.now
        var fields = ["\"idempotencyKey\":\"\(key)\"", "\"entryAt\":\"\(iso(exit.addingTimeInterval(TimeInterval(-minutes * 60))))\"",
                      "\"exitAt\":\"\(iso(exit))\""]
        if let card { fields.append("\"card\":\"\(card)\"") }
        if let plate { fields.append("\"plate\":\"\(plate)\"") }
        if let mall { fields.append("\"mall\":\"\(mall)\"") }
        return try await postRaw("/api/v1/parking/exits", "{" + fields.joined(separator: ",") + "}")
    }

    /// A Silver member (3,000 yuan in six months: 600 at enrolment, 2,400 more today).
    func silverMember(phone: String) async throws -> (card: String, id: Int64) {
        let card = try await enrolMember(phone: phone)
        #expect(try await purchase("S-\(phone)", fen: 240_000, card: card).status == .created)
        #expect(try await lookup(card: card).string("tier") == "silver")
        return (card, try await memberId(card: card))
    }
}

@Suite("Parking: free hours by tier, plates bound to members, exits charged and recorded")
struct ParkingTests {
    @Test("a Silver member found by a bound plate parks 3 h and pays for 1 h: 10 yuan; the exit is recorded")
    func silverByPlate() async throws {
        try await withTestApp { t in
            let (card, id) = try await t.silverMember(phone: "13800000001")
            let desk = try await t.console(as: "desk", .desk)
            _ = try await desk.get("/console/members/\(id)")
            let bound = try await desk.post("/console/members/\(id)/plate-bind", [("plate", " 粤b 12345 ")])
            #expect(bound.status == .seeOther || bound.status == .found, "\(bound.body)")
            #expect(try await t.store.plates(memberId: id).map(\.plate) == ["粤B12345"])

            let r = try await t.parkingExit("P-1", plate: "粤B12345", minutes: 180)
            #expect(r.status == .created, "\(r.text)")
            #expect(r.bool("member") == true)
            #expect(r.string("tier") == "silver")
            #expect(r.string("cardNo") == card)
            #expect(r.string("plate") == "粤B12345")
            #expect(r.int("stayMinutes") == 180)
            #expect(r.int("allowanceMinutes") == 120)
            #expect(r.int("freeMinutes") == 120)
            #expect(r.int("chargeableMinutes") == 60)
            #expect(r.int("amountFen") == 1_000)
            #expect(r.string("businessDate") == "2026-11-25")
            #expect(r.string("mall") == "MAIN")
            let row = try #require(try await t.store.sql.raw("""
                SELECT member_id, tier, free_minutes, charged_minutes, amount_fen FROM parking_exits WHERE idempotency_key = 'P-1'
                """).first())
            #expect(try row.decode(column: "member_id", as: Int64.self) == id)
            #expect(try row.decode(column: "free_minutes", as: Int.self) == 120)
            #expect(try row.decode(column: "amount_fen", as: Int64.self) == 1_000)
            // The member page shows the plate and the exit.
            let page = try await desk.get("/console/members/\(id)")
            #expect(page.contains("粤B12345"))
            #expect(page.contains("10.00"))
        }
    }

    @Test("by card; an unknown card or plate is a non-member who pays in full; a short stay is free")
    func cardAndStrangers() async throws {
        try await withTestApp { t in
            let card = try await t.enrolMember(phone: "13800000001")   // regular: 1 free hour
            let r = try await t.parkingExit("P-1", card: card, minutes: 150)
            #expect(r.int("amountFen") == 2_000)
            #expect(r.int("freeMinutes") == 60)
            #expect(r.string("tier") == "regular")
            let stranger = try await t.parkingExit("P-2", plate: "京A00001", minutes: 150)
            #expect(stranger.status == .created)
            #expect(stranger.bool("member") == false)
            #expect(stranger.json["tier"] == nil)
            #expect(stranger.int("freeMinutes") == 0)
            #expect(stranger.int("amountFen") == 3_000)
            let unknownCard = try await t.parkingExit("P-3", card: "889999999999", minutes: 61)
            #expect(unknownCard.bool("member") == false)
            #expect(unknownCard.int("amountFen") == 2_000)
            let grace = try await t.parkingExit("P-4", plate: "京A00001", minutes: 15)
            #expect(grace.int("amountFen") == 0)
            #expect(grace.bool("grace") == true)
            #expect(try await t.count("parking_exits") == 4)
        }
    }

    @Test("a replay answers the first result; the same key with another body is a conflict")
    func idempotent() async throws {
        try await withTestApp { t in
            let (card, _) = try await t.silverMember(phone: "13800000001")
            let first = try await t.parkingExit("P-1", card: card, minutes: 180)
            #expect(first.status == .created)
            t.clock.advance(600)
            let exitAt = t.clock.now.addingTimeInterval(-600)
            let again = try await t.parkingExit("P-1", card: card, minutes: 180, exitAt: exitAt)
            #expect(again.status == .ok)
            #expect(again.text == first.text)
            let other = try await t.parkingExit("P-1", card: card, minutes: 200, exitAt: exitAt)
            #expect(other.status == .conflict)
            #expect(other.errorField == "idempotencyKey")
            #expect(try await t.count("parking_exits") == 1)
        }
    }

    @Test("the same exit posted 5 times at once is recorded once")
    func concurrentReplay() async throws {
        try await withTestApp { t in
            let card = try await t.enrolMember(phone: "13800000001")
            let results = try await withThrowingTaskGroup(of: RawResponse.self) { group in
                for _ in 0..<5 { group.addTask { try await t.parkingExit("P-1", card: card, minutes: 90) } }
                return try await group.reduce(into: [RawResponse]()) { $0.append($1) }
            }
            #expect(results.filter { $0.status == .created }.count == 1)
            #expect(results.filter { $0.status == .ok }.count == 4)
            #expect(Set(results.map(\.text)).count == 1)
            #expect(try await t.count("parking_exits") == 1)
        }
    }

    @Test("bad input names the field and writes nothing")
    func badInput() async throws {
        try await withTestApp { t in
            let card = try await t.enrolMember(phone: "13800000001")
            let now = t.clock.now
            let backwards = try await t.postRaw("/api/v1/parking/exits", """
                {"idempotencyKey":"P-1","card":"\(card)","entryAt":"\(iso(now))","exitAt":"\(iso(now.addingTimeInterval(-60)))"}
                """)
            #expect(backwards.status == .unprocessableEntity)
            #expect(backwards.errorField == "exitAt")
            #expect(backwards.errorRule == "parking.exitBeforeEntry")
            let neither = try await t.parkingExit("P-2", minutes: 30)
            #expect(neither.errorField == "plate")
            let badTime = try await t.postRaw("/api/v1/parking/exits", #"{"idempotencyKey":"P-3","plate":"京A00001","entryAt":"yesterday","exitAt":"2026-11-25T10:00:00+08:00"}"#)
            #expect(badTime.status == .unprocessableEntity)
            #expect(badTime.errorField == "entryAt")
            let missing = try await t.postRaw("/api/v1/parking/exits", #"{"plate":"京A00001","entryAt":"2026-11-25T09:00:00+08:00","exitAt":"2026-11-25T10:00:00+08:00"}"#)
            #expect(missing.status == .badRequest)
            #expect(missing.errorField == "idempotencyKey")
            let future = try await t.parkingExit("P-4", plate: "京A00001", minutes: 30, exitAt: now.addingTimeInterval(3600))
            #expect(future.errorField == "exitAt")
            let badPlate = try await t.parkingExit("P-5", plate: "A1", minutes: 30)
            #expect(badPlate.errorField == "plate")
            #expect(try await t.parkingExit("P-6", plate: "京A00001", minutes: 30, mall: "NOPE").errorField == "mall")
            #expect(try await t.send(.POST, "/api/v1/parking/exits", body: "{}", authorized: false).status == .unauthorized)
            #expect(try await t.count("parking_exits") == 0)
        }
    }

    @Test("same-day spend at the exit's mall adds the programme's extra hours; spend elsewhere does not")
    func sameDaySpend() async throws {
        let yaml = programmeYAML(replacing: [("  sameDaySpend: []", "  sameDaySpend: [{minSpend: 500, extraHours: 1}, {minSpend: 2000, extraHours: 2}]")])
        try await withTestApp(programme: yaml) { t in
            let (card, _) = try await t.silverMember(phone: "13800000001")   // 3,000 yuan today at MAIN
            let here = try await t.parkingExit("P-1", card: card, minutes: 250, mall: "MAIN")
            #expect(here.int("allowanceMinutes") == 240)
            #expect(here.int("sameDaySpendFen") == 300_000)
            #expect(here.int("amountFen") == 1_000)
            _ = try await t.store.createMall(code: "EAST", name: "东店", actor: "test")
            let there = try await t.parkingExit("P-2", card: card, minutes: 250, mall: "EAST")
            #expect(there.int("allowanceMinutes") == 120)
            #expect(there.int("amountFen") == 3_000)
            // Two malls: the car park must say which.
            #expect(try await t.parkingExit("P-3", card: card, minutes: 250).errorField == "mall")
            // Yesterday's spend does not count.
            t.clock.advance(86_400)
            #expect(try await t.parkingExit("P-4", card: card, minutes: 250, mall: "MAIN").int("allowanceMinutes") == 120)
        }
    }

    @Test("plates: normalised, one member per plate, listed and unbound at the desk; counter staff may not bind")
    func plates() async throws {
        try await withTestApp { t in
            let a = try await t.memberId(card: try await t.enrolMember(phone: "13800000001"))
            let b = try await t.memberId(card: try await t.enrolMember(phone: "13800000002"))
            let desk = try await t.console(as: "desk", .desk)
            _ = try await desk.get("/console/members/\(a)")
            _ = try await desk.post("/console/members/\(a)/plate-bind", [("plate", "沪a·888 88")])
            #expect(try await t.store.plateOwner("沪A88888") == a)
            _ = try await desk.get("/console/members/\(b)")
            let taken = try await desk.post("/console/members/\(b)/plate-bind", [("plate", "沪A88888")])
            #expect(taken.status == .unprocessableEntity || taken.status == .conflict)
            #expect(taken.contains("已绑定其他会员"))
            #expect(try await t.store.plateOwner("沪A88888") == a)
            let bad = try await desk.post("/console/members/\(b)/plate-bind", [("plate", "12")])
            #expect(bad.contains("车牌号须为"))
            // Binding it to its owner again changes nothing.
            #expect(try await t.store.bindPlate("沪A 88888", memberId: a, actor: "test") == "沪A88888")
            #expect(try await t.store.plates(memberId: a).count == 1)

            let page = try await desk.get("/console/members/\(a)")
            #expect(page.contains("沪A88888"))
            _ = try await desk.post("/console/members/\(a)/plate-unbind", [("plate", "沪A88888")])
            #expect(try await t.store.plates(memberId: a).isEmpty)
            #expect(try await t.store.plateOwner("沪A88888") == nil)
            await #expect(throws: DomainError.self) { try await t.store.unbindPlate("沪A88888", memberId: a, actor: "test") }
            #expect(try await t.auditCount("plate.bind") == 1)
            #expect(try await t.auditCount("plate.unbind") == 1)

            let counter = try await t.console(as: "counter", .counterStaff)
            _ = try await counter.get("/console/members/\(a)")
            #expect(try await counter.post("/console/members/\(a)/plate-bind", [("plate", "沪A88888")]).status == .forbidden)
            #expect(try await t.store.plates(memberId: a).isEmpty)
        }
    }
}

@Suite("Tier benefits")
struct TierBenefitsTests {
    @Test("lookup returns the tier's benefits; the member page shows them")
    func lookupAndPage() async throws {
        try await withTestApp { t in
            let card = try await t.enrolMember(phone: "13800000001")
            let regular = try await t.lookup(card: card)
            let b = try #require(regular.json["benefits"] as? [String: Any])
            #expect(b["partnerDiscountPermille"] as? Int == 950)
            #expect(b["freeParkingHours"] as? Int == 1)
            #expect(b["lounge"] as? Bool == false)
            #expect(b["birthdayGift"] as? String == "生日礼品")
            #expect(b["quarterlyGift"] == nil)

            #expect(try await t.purchase("R-1", fen: 4_000_000, card: card).status == .created)   // diamond
            let diamond = try await t.lookup(card: card)
            #expect(diamond.string("tier") == "diamond")
            let d = try #require(diamond.json["benefits"] as? [String: Any])
            #expect(d["partnerDiscountPermille"] as? Int == 850)
            #expect(d["freeParkingHours"] as? Int == 4)
            #expect(d["lounge"] as? Bool == true)
            #expect(d["quarterlyGift"] as? String == "钻石卡季度礼品")

            let id = try await t.memberId(card: card)
            let page = try await (try await t.console(as: "desk", .desk)).get("/console/members/\(id)")
            #expect(page.contains("等级权益"))
            #expect(page.contains("<td>8折</td>"))     // member discount
            #expect(page.contains("<td>8.5折</td>"))   // partner merchants
            #expect(page.contains("4 小时"))
            #expect(page.contains("钻石卡季度礼品"))
            #expect(page.contains("可使用"))
        }
    }
}
