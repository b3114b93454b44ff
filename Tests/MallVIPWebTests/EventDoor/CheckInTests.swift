import Foundation
import MallVIPCore
@testable import MallVIPStore
@testable import MallVIPWeb
import SQLKit
import Testing
import Vapor

/// The door page (issue 6): check-in by card, phone or the invitation's link; double check-in; walk-ins; capacity;
/// and the post-event report. Runs on SQLite, and on PostgreSQL with MALLVIP_TEST_DATABASE_URL.
@Suite struct CheckInTests {
    /// An open event on 28 Nov 2026 18:00–21:00 (Shanghai) with the given capacity and budget.
    static func openEvent(_ t: TestContext, capacity: Int = 50, budgetFen: Int64 = 2_000_000) async throws -> Event {
        let (_, programme) = try await t.store.programme()
        let e = try await t.store.createEvent(
            EventInput(type: .appreciation, title: "客户答谢会", startsAtMs: epochMillis(shanghai(2026, 11, 28, 18)),
                       endsAtMs: epochMillis(shanghai(2026, 11, 28, 21)), place: "2F VIP 室", capacity: capacity,
                       budgetFen: budgetFen, rsvpDeadlineMs: epochMillis(shanghai(2026, 11, 27, 18))),
            programme: programme, actor: "test")
        try await t.store.setEventStatus(id: e.id, .open)
        return e
    }

    static func invite(_ t: TestContext, _ eventId: Int64, card: String, accepted: Bool = true) async throws -> EventInvitation {
        let inv = try await t.store.ensureInvitation(eventId: eventId, memberId: try await t.memberId(card: card))
        if accepted {
            try await t.store.sql.raw("UPDATE event_invitations SET status = 'accepted' WHERE id = \(bind: inv.id)").run()
        }
        return inv
    }

    static func outcome(_ page: ConsolePage) -> String? { ConsolePage.firstMatch(#"data-outcome="(\w+)""#, in: page.body) }

    @Test func cardPhoneAndScannedLinkCheckInAndASecondScanIsNotCounted() async throws {
        try await withTestApp { t in
            let e = try await Self.openEvent(t)
            let c1 = try await t.enrolMember(phone: "13900000001", name: "王一")
            let c2 = try await t.enrolMember(phone: "13900000002", name: "王二")
            let c3 = try await t.enrolMember(phone: "13900000003", name: "王三")
            _ = try await Self.invite(t, e.id, card: c1)
            _ = try await Self.invite(t, e.id, card: c2)
            let inv3 = try await Self.invite(t, e.id, card: c3)
            t.clock.set(shanghai(2026, 11, 28, 17, 45))
            let door = try await t.console(as: "door", .desk)
            let path = SiteURL.eventCheckIn(e.id).path

            let first = try await door.get(path)
            #expect(first.status == .ok)
            #expect(first.contains("0 / 50"))
            let byCard = try await door.post(path, [("q", c1)])
            #expect(Self.outcome(byCard) == "checkedIn")
            #expect(byCard.contains("王一"))
            let byPhone = try await door.post(path, [("q", "139 0000-0002")])
            #expect(Self.outcome(byPhone) == "checkedIn")
            let byLink = try await door.post(path, [("q", "https://vip.example.com/e/\(inv3.token)")])
            #expect(Self.outcome(byLink) == "checkedIn")
            #expect(byLink.contains("3 / 50"))

            let again = try await door.post(path, [("q", "https://vip.example.com/e/\(inv3.token)")])
            #expect(again.status == .ok)
            #expect(Self.outcome(again) == "already")
            #expect(again.contains("17:45"))
            let againByCard = try await door.post(path, [("q", c1)])
            #expect(Self.outcome(againByCard) == "already")
            let count = try await t.store.doorCount(eventId: e.id)
            #expect(count.attended == 3)
            #expect(count.expected == 0)
            #expect(try await t.auditCount("event.checkIn") == 3)
            let inv = try await t.store.invitation(token: inv3.token)
            #expect(inv?.status == .attended)
            #expect(inv?.checkedInBy == "staff:door")

            let unknown = try await door.post(path, [("q", "99999999")])
            #expect(unknown.status == .unprocessableEntity)
            #expect(unknown.contains("找不到"))
        }
    }

    @Test func concurrentScansOfOneInvitationCountOnce() async throws {
        try await withTestApp { t in
            let e = try await Self.openEvent(t)
            let card = try await t.enrolMember(phone: "13900000011")
            let inv = try await Self.invite(t, e.id, card: card)
            let store = t.store
            let outcomes = try await withThrowingTaskGroup(of: CheckInOutcome.self) { group in
                for i in 0..<8 {
                    group.addTask { try await store.checkIn(eventId: e.id, input: i % 2 == 0 ? inv.token : card, actor: "staff:d\(i)") }
                }
                return try await group.reduce(into: [CheckInOutcome]()) { $0.append($1) }
            }
            let firsts = outcomes.filter { if case .checkedIn = $0 { true } else { false } }
            #expect(firsts.count == 1)
            #expect(try await t.store.doorCount(eventId: e.id).attended == 1)
            #expect(try await t.auditCount("event.checkIn") == 1)
        }
    }

    @Test func walkInsAreRecordedUntilTheRoomIsFull() async throws {
        try await withTestApp { t in
            let e = try await Self.openEvent(t, capacity: 2)
            let member = try await t.enrolMember(phone: "13900000021", name: "李四")
            let door = try await t.console(as: "door", .accountManager)
            let path = SiteURL.eventCheckIn(e.id).path
            _ = try await door.get(path)

            let notInvited = try await door.post(path, [("q", member)])
            #expect(Self.outcome(notInvited) == "notInvited")
            #expect(notInvited.contains("李四"))
            #expect(try await t.store.doorCount(eventId: e.id).attended == 0)
            let memberId = try await t.memberId(card: member)
            // The answer carries the proof that this card was presented (issue 14); the walk-in sends it back.
            let grant = try #require(ConsolePage.firstMatch(#"name="grant" value="([^"]+)""#, in: notInvited.body))
            let walkIn = try await door.post(SiteURL.eventWalkIn(e.id).path, [("memberId", String(memberId)), ("grant", grant)])
            #expect(Self.outcome(walkIn) == "walkIn")
            // The member recorded again (the other door): answered, not a second row.
            let twice = try await door.post(SiteURL.eventWalkIn(e.id).path, [("memberId", String(memberId)), ("grant", grant)])
            #expect(Self.outcome(twice) == "already")
            let guest = try await door.post(SiteURL.eventWalkIn(e.id).path, [])
            #expect(Self.outcome(guest) == "walkIn")
            #expect(guest.contains("2 / 2"))
            #expect(guest.contains("id=\"full\""))

            let overflow = try await door.post(SiteURL.eventWalkIn(e.id).path, [])
            #expect(overflow.status == .conflict)
            #expect(overflow.contains("已满员"))
            let count = try await t.store.doorCount(eventId: e.id)
            #expect(count.attended == 2)
            #expect(count.walkIns == 2)
            let rows = try await t.store.invitations(eventId: e.id)
            #expect(rows.count == 2)
            #expect(rows.allSatisfy { $0.walkIn })
            #expect(rows.filter { $0.memberId == nil }.count == 1)
        }
    }

    @Test func noCheckInForDraftOrCancelledEventsOrAnotherEventsInvitation() async throws {
        try await withTestApp { t in
            let e = try await Self.openEvent(t)
            let other = try await Self.openEvent(t)
            let card = try await t.enrolMember(phone: "13900000031")
            let inv = try await Self.invite(t, other.id, card: card)
            let wrong = try await #require(throws: DomainError.self) {
                try await t.store.checkIn(eventId: e.id, input: inv.token, actor: "staff:x")
            }
            #expect(wrong.rule == "checkin.otherEvent")
            try await t.store.setEventStatus(id: other.id, .cancelled)
            let cancelled = try await #require(throws: DomainError.self) {
                try await t.store.checkIn(eventId: other.id, input: inv.token, actor: "staff:x")
            }
            #expect(cancelled.rule == "checkin.eventNotOpen")
            #expect(try await t.store.invitation(token: inv.token)?.status == .accepted)
        }
    }

    @Test func doorAndReportNeedADeskRole() async throws {
        try await withTestApp { t in
            let e = try await Self.openEvent(t)
            let counter = try await t.console(as: "clerk", .counterStaff)
            #expect(try await counter.get(SiteURL.eventCheckIn(e.id).path).status == .forbidden)
            #expect(try await counter.get(SiteURL.eventReport(e.id).path).status == .forbidden)
            let anonymous = ConsoleClient(t)
            let res = try await anonymous.get(SiteURL.eventCheckIn(e.id).path)
            #expect(res.status != .ok)
            let planner = try await t.console(as: "planner", .planner)
            let english = try await planner.get(SiteURL.eventCheckIn(e.id).path + "?lang=en")
            #expect(english.status == .ok)
        }
    }

    @Test func reportComparesAttendeesWithInvitedMembersWhoStayedAway() async throws {
        try await withTestApp { t in
            let e = try await Self.openEvent(t, budgetFen: 2_000_000)
            let came1 = try await t.enrolMember(phone: "13900000041")
            let came2 = try await t.enrolMember(phone: "13900000042")
            let noShow = try await t.enrolMember(phone: "13900000043")
            let declined = try await t.enrolMember(phone: "13900000044")
            let walkIn = try await t.enrolMember(phone: "13900000045")
            _ = try await Self.invite(t, e.id, card: came1)
            _ = try await Self.invite(t, e.id, card: came2, accepted: false)
            _ = try await Self.invite(t, e.id, card: noShow)
            let d = try await Self.invite(t, e.id, card: declined, accepted: false)
            try await t.store.sql.raw("UPDATE event_invitations SET status = 'declined' WHERE id = \(bind: d.id)").run()

            t.clock.set(shanghai(2026, 11, 28, 18))
            _ = try await t.store.checkIn(eventId: e.id, input: came1, actor: "staff:d")
            _ = try await t.store.checkIn(eventId: e.id, input: came2, actor: "staff:d")
            _ = try await t.store.recordWalkIn(eventId: e.id, memberId: try await t.memberId(card: walkIn), actor: "staff:d")
            _ = try await t.store.recordWalkIn(eventId: e.id, memberId: nil, actor: "staff:d")

            // On the spot and within 30 days count; a purchase on day 31 does not; refunds are netted.
            t.clock.set(shanghai(2026, 11, 28, 20))
            #expect(try await t.purchase("R1", fen: 300_000, card: came1).status == .created)
            t.clock.set(shanghai(2026, 12, 20, 12))
            #expect(try await t.purchase("R2", fen: 100_000, card: came2).status == .created)
            #expect(try await t.purchase("R3", fen: 90_000, card: noShow).status == .created)
            #expect(try await t.refund("F3", receipt: "R3", fen: 30_000).status == .created)
            #expect(try await t.purchase("R4", fen: 200_000, card: walkIn).status == .created)
            t.clock.set(shanghai(2026, 12, 28, 12))
            #expect(try await t.purchase("R5", fen: 500_000, card: declined).status == .created)

            let (_, programme) = try await t.store.programme()
            let r = try await t.store.eventReport(eventId: e.id, followUpDays: 30, timeZone: programme.timeZone)
            #expect(r.invited == 4)
            #expect(r.accepted == 3)
            #expect(r.attended == 4)
            #expect(r.noShow == 1)
            #expect(r.walkIns == 2)
            #expect(r.attendeeMembers == 3)
            #expect(r.attendeeAverageFen == 200_000)
            #expect(r.absentMembers == 2)
            #expect(r.absentAverageFen == 30_000)
            #expect(r.costPerAttendeeFen == 500_000)

            let planner = try await t.console(as: "planner", .planner)
            let page = try await planner.get(SiteURL.eventReport(e.id).path)
            #expect(page.status == .ok)
            #expect(page.contains("¥2,000.00"))
            #expect(page.contains("¥5,000.00"))
            #expect(page.contains("¥300.00"))
        }
    }
}
