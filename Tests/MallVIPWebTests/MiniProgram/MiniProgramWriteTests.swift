import Foundation
import MallVIPCore
import MallVIPStore
@testable import MallVIPWeb
import Testing
import Vapor
import VaporTesting

/// The mini-program API's write routes (issue 22a-2): reward redemption with an Idempotency-Key header.
@Suite("Mini-program API writes")
struct MiniProgramWriteTests {
    @Test("redeem: 201 then the same key replays 200; the key with another item 409; insufficient points 422; no key 422; unknown item 404")
    func redeem() async throws {
        try await withMiniProgram { w in
            let t = w.t
            try await t.seedCatalogue()
            let (_, memberId) = try await t.memberWithPoints("13900002231", 4_200)
            let token = try await w.writeSignIn(phone: "13900002231", openid: "oMPW-1")
            let items = try await t.store.rewardItems(activeOnly: true)
            let v30 = try #require(items.first { $0.code == "VOUCHER-30" }).id
            let v50 = try #require(items.first { $0.code == "VOUCHER-50" }).id

            let first = try await w.writeSend(.POST, "/api/m/v1/rewards/\(v30)/redeem", token: token, key: "MP-K1")
            #expect(first.status == .created, "\(first.body)")
            #expect(first.json["item"] as? String == "VOUCHER-30")
            let after = try #require(try await t.store.member(id: memberId)?.pointsBalance)
            #expect(after < 4_200 && (first.json["pointsBalance"] as? NSNumber)?.int64Value == after)
            let replay = try await w.writeSend(.POST, "/api/m/v1/rewards/\(v30)/redeem", token: token, key: "MP-K1")
            #expect(replay.status == .ok && (replay.json["id"] as? NSNumber) == (first.json["id"] as? NSNumber))
            #expect(try await t.store.member(id: memberId)?.pointsBalance == after)
            let clash = try await w.writeSend(.POST, "/api/m/v1/rewards/\(v50)/redeem", token: token, key: "MP-K1")
            #expect(clash.status == .conflict, "\(clash.body)")

            let poor = try await w.writeSend(.POST, "/api/m/v1/rewards/\(v50)/redeem", token: token, key: "MP-K2")
            #expect(poor.status == .unprocessableEntity && w.rule(poor) == "redemption.points", "\(poor.body)")
            #expect(try await t.store.member(id: memberId)?.pointsBalance == after)

            let noKey = try await w.writeSend(.POST, "/api/m/v1/rewards/\(v30)/redeem", token: token, key: nil)
            #expect(noKey.status == .unprocessableEntity && w.field(noKey) == "Idempotency-Key", "\(noKey.body)")
            let longKey = try await w.writeSend(.POST, "/api/m/v1/rewards/\(v30)/redeem", token: token, key: String(repeating: "k", count: 101))
            #expect(longKey.status == .unprocessableEntity && w.rule(longKey) == "idempotencyKey.required")
            #expect(try await w.writeSend(.POST, "/api/m/v1/rewards/999999/redeem", token: token, key: "MP-K3").status == .notFound)
            #expect(try await w.writeSend(.POST, "/api/m/v1/rewards/abc/redeem", token: token, key: "MP-K3").status == .notFound)
            #expect(try await w.writeSend(.POST, "/api/m/v1/rewards/\(v30)/redeem", token: nil, key: "MP-K4").status == .unauthorized)
            #expect(try await t.store.member(id: memberId)?.pointsBalance == after)
        }
    }

    @Test("events: own invitations listed; RSVP accept then decline; another member's event or an unknown id 404; bad body 422")
    func eventsAndRSVP() async throws {
        try await withMiniProgram { w in
            let t = w.t
            let card = try await t.enrolMember(phone: "13900002232")
            let memberId = try await t.memberId(card: card)
            let other = try await t.enrolMember(phone: "13900002233")
            let token = try await w.writeSignIn(phone: "13900002232", openid: "oMPW-2")
            let mine = try await CheckInTests.openEvent(t, capacity: 5)
            let theirs = try await CheckInTests.openEvent(t, capacity: 5)
            _ = try await CheckInTests.invite(t, mine.id, card: card, accepted: false)
            _ = try await CheckInTests.invite(t, theirs.id, card: other, accepted: false)

            let list = try await w.writeSend(.GET, "/api/m/v1/events", token: token)
            let items = try #require(list.json["items"] as? [[String: Any]], "\(list.body)")
            #expect(list.status == .ok && items.count == 1 && (items.first?["id"] as? NSNumber)?.int64Value == mine.id)
            #expect(items.first?["title"] as? String == "客户答谢会" && items.first?["status"] as? String == "invited")

            let yes = try await w.writeSend(.POST, "/api/m/v1/events/\(mine.id)/rsvp", token: token, body: #"{"accept":true}"#)
            #expect(yes.status == .ok && yes.json["status"] as? String == "accepted", "\(yes.body)")
            #expect(try await t.store.invitation(eventId: mine.id, memberId: memberId)?.rsvpChannel == .member)
            let no = try await w.writeSend(.POST, "/api/m/v1/events/\(mine.id)/rsvp", token: token, body: #"{"accept":false}"#)
            #expect(no.status == .ok && no.json["status"] as? String == "declined", "\(no.body)")

            let foreign = try await w.writeSend(.POST, "/api/m/v1/events/\(theirs.id)/rsvp", token: token, body: #"{"accept":true}"#)
            #expect(foreign.status == .notFound)
            #expect(try await t.store.invitation(eventId: theirs.id, memberId: memberId) == nil)
            #expect(try await w.writeSend(.POST, "/api/m/v1/events/999999/rsvp", token: token, body: #"{"accept":true}"#).status == .notFound)
            let bad = try await w.writeSend(.POST, "/api/m/v1/events/\(mine.id)/rsvp", token: token, body: #"{"accept":"maybe"}"#)
            #expect(bad.status == .unprocessableEntity && w.field(bad) == "accept", "\(bad.body)")
            #expect(try await w.writeSend(.GET, "/api/m/v1/events", token: nil).status == .unauthorized)
        }
    }
}

extension MiniProgramWorld {
    /// Signs a member in through code2Session → SMS code → bind; returns the bearer token.
    func writeSignIn(phone: String, openid: String) async throws -> String {
        let first = try await post("/api/m/v1/session", ["code": sim.issueLoginCode(appid: MiniProgramAPITests.appid, openid: openid, unionid: nil),
                                                         "appid": MiniProgramAPITests.appid])
        let bindToken = try #require(first.json["bindToken"] as? String, "\(first.body)")
        let sms = try await post("/api/m/v1/session/sms-code", ["bindToken": bindToken, "phone": phone])
        #expect(sms.status == .accepted, "\(sms.body)")
        let code = try await harness.lastCode(to: phone)
        let bound = try await post("/api/m/v1/session/bind", ["bindToken": bindToken, "phone": phone, "code": code])
        return try #require(bound.json["token"] as? String, "\(bound.body)")
    }

    /// A request with an optional bearer, Idempotency-Key header and raw body.
    func writeSend(_ method: HTTPMethod, _ path: String, token: String?, key: String? = nil, body: String? = nil,
                   contentType: HTTPMediaType = .json) async throws -> Answer {
        var answer: Answer?
        try await t.app.testing().test(method, path, beforeRequest: { req in
            if let token { req.headers.bearerAuthorization = .init(token: token) }
            if let key { req.headers.replaceOrAdd(name: "Idempotency-Key", value: key) }
            if let body { req.headers.contentType = contentType; req.body = ByteBuffer(string: body) }
        }) { res in answer = Answer(status: res.status, headers: res.headers, body: res.body.string) }
        return answer!
    }
}
