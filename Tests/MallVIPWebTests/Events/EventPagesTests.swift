import Foundation
import MallVIPCore
@testable import MallVIPStore
@testable import MallVIPWeb
import SQLKit
import Testing
import Vapor

/// The event pages (issue 6): console create / invite / answer-for-a-member with roles, the no-login link
/// `/e/{token}`, and /m/events. SQLite, and PostgreSQL with MALLVIP_TEST_DATABASE_URL.
@Suite struct EventPagesTests {
    static let eventForm: [(String, String)] = [
        ("type", "appreciation"), ("title", "客户答谢会"), ("startsAt", "2026-11-28T18:00"), ("endsAt", "2026-11-28T21:00"),
        ("place", "2F VIP 室"), ("capacity", "1"), ("budget", "20000"), ("segmentId", ""), ("tiers[]", "regular"),
        ("rsvpDeadline", "2026-11-27T18:00"),
    ]

    @Test func plannerCreatesAndInvitesTheDeskAnswersForAMemberAndRolesAreChecked() async throws {
        try await withTestApp { t in
            let a = try await t.messagingMember(phone: "13900000001")
            let cardB = try await t.enrolMember(phone: "13900000002", name: "李四")
            let planner = try await t.console(as: "plan", .planner)
            _ = try await planner.get("/console/events/new")
            let bad = try await planner.post("/console/events", Self.eventForm.map { $0.0 == "endsAt" ? ($0.0, "2026-11-28T17:00") : $0 })
            #expect(bad.status == .unprocessableEntity)
            #expect(try await t.count("events") == 0)
            _ = try await planner.get("/console/events/new")
            let created = try await planner.post("/console/events", Self.eventForm)
            #expect(created.status == .seeOther)
            let page = try await planner.follow(created)
            #expect(page.contains("客户答谢会") && page.contains("0 / 1"))
            let id = try #require(try await t.store.events().first?.id)
            let invited = try await planner.post("/console/events/\(id)/invite", [])
            #expect(try await planner.follow(invited).contains("新邀请 2 人"))
            #expect(try await t.store.invitations(eventId: id).count == 2)
            #expect(try await t.outboxRows().filter { $0.sourceCode == "event:\(id)" }.count == 2)

            // The desk may answer for a member but not create or invite.
            let desk = try await t.console(as: "desk1", .desk)
            #expect(try await desk.get("/console/events/new").status == .forbidden)
            _ = try await desk.get("/console/events/\(id)")
            #expect(try await desk.post("/console/events/\(id)/invite", []).status == .forbidden)
            _ = try await desk.get("/console/events/\(id)")
            let answered = try await desk.post("/console/events/\(id)/rsvp", [("q", cardB), ("accept", "1")])
            #expect(try await desk.follow(answered).contains("已接受"))
            let b = try await t.memberId(card: cardB)
            let inv = try #require(try await t.store.invitation(eventId: id, memberId: b))
            #expect(inv.status == .accepted && inv.rsvpChannel == .desk)
            // The one place is taken: the account manager's answer for the other member goes on the waitlist.
            let am = try await t.console(as: "am1", .accountManager)
            // An account manager answers only for their own members (issue 14): a is theirs.
            let am1 = try #require(try await t.store.staffList().first { $0.username == "am1" }).id
            try await t.store.setHiredOn(staffId: am1, hiredOn: LocalDate("2025-01-01"), actor: "test")
            try await t.store.assignManager(memberId: a, staffId: am1, reason: "test", actor: "test")
            _ = try await am.get("/console/events/\(id)")
            _ = try await am.post("/console/events/\(id)/rsvp", [("q", "13900000001"), ("accept", "1")])
            let invA = try #require(try await t.store.invitation(eventId: id, memberId: a))
            #expect(invA.status == .waitlisted && invA.rsvpChannel == .manager)
            let counter = try await t.console(as: "cs1", .counterStaff)
            #expect(try await counter.get("/console/events").status == .forbidden)
        }
    }

    @Test func theLinkPageNeedsNoLoginAcceptsDeclinesAndRefusesAfterTheDeadline() async throws {
        try await withTestApp { t in
            let m = try await t.messagingMember(phone: "13900000001")
            let e = try await EventRSVPTests.event(t)
            let (_, p) = try await t.store.programme()
            _ = try await t.store.inviteAudience(eventId: e.id, programme: p, linkBase: "", actor: "planner")
            let inv = try #require(try await t.store.invitation(eventId: e.id, memberId: m))
            let browser = ConsoleClient(t)
            let form = try await browser.get("/e/\(inv.token)")
            #expect(form.status == .ok && form.contains("新品发布会") && form.contains("我会出席"))
            let yes = try await browser.post("/e/\(inv.token)", [("accept", "1")], csrf: .none)
            #expect(yes.status == .seeOther)
            let after = try await browser.follow(yes)
            #expect(after.contains(#"data-status="accepted""#) && after.contains("<svg"))
            #expect(try await t.store.invitation(token: inv.token)?.rsvpChannel == .link)
            t.clock.set(shanghai(2026, 11, 27, 19))
            let late = try await browser.post("/e/\(inv.token)", [("accept", "0")], csrf: .none)
            #expect(late.status == .unprocessableEntity && late.contains("已过报名截止时间"))
            #expect(try await t.store.invitation(token: inv.token)?.status == .accepted)
            #expect(try await browser.get("/e/nosuchtoken").status == .notFound)
        }
    }

    @Test func membersAnswerOnTheirEventsPage() async throws {
        try await withTestApp { t in
            let m = try await t.messagingMember(phone: "13900000001")
            let other = try await t.messagingMember(phone: "13900000002")
            let e = try await EventRSVPTests.event(t)
            let (_, p) = try await t.store.programme()
            _ = try await t.store.inviteAudience(eventId: e.id, programme: p, linkBase: "", actor: "planner")
            let client = try await t.signedInMember(m)
            #expect(try await client.page("/m/events").contains("新品发布会"))
            let cookie: HTTPHeaders = ["Cookie": "\(MemberAuth.cookieName)=\(client.token)",
                                       "Content-Type": "application/x-www-form-urlencoded"]
            let r = try await t.send(.POST, "/m/events/\(e.id)", authorized: false,
                                     headers: cookie, bodyForm: "_csrf=csrf-\(m)&accept=1")
            #expect(r.status == .seeOther)
            #expect(try await t.store.invitation(eventId: e.id, memberId: m)?.status == .accepted)
            #expect(try await t.store.invitation(eventId: e.id, memberId: m)?.rsvpChannel == .member)
            // Another member's event id only finds their own invitation.
            try await t.store.sql.raw("DELETE FROM event_invitations WHERE member_id = \(bind: m)").run()
            let none = try await t.send(.POST, "/m/events/\(e.id)", authorized: false, headers: cookie, bodyForm: "_csrf=csrf-\(m)&accept=1")
            #expect(none.status == .notFound)
            #expect(try await t.store.invitation(eventId: e.id, memberId: other)?.status == .invited)
        }
    }
}

extension TestContext {
    /// A form POST with the given headers (cookies, content type).
    func send(_ method: HTTPMethod, _ path: String, authorized: Bool, headers: HTTPHeaders, bodyForm: String) async throws -> RawResponse {
        let res = try await app.testing().sendRequest(method, path, headers: headers, body: ByteBuffer(string: bodyForm))
        return RawResponse(status: res.status, text: res.body.string)
    }
}
