import Foundation
import MallVIPCore
@testable import MallVIPStore
@testable import MallVIPWeb
import SQLKit
import Testing
import Vapor

/// Invitations, RSVP, capacity and waitlist, the deadline and reminders (issue 6). SQLite, and PostgreSQL with
/// MALLVIP_TEST_DATABASE_URL.
@Suite struct EventRSVPTests {
    static func event(_ t: TestContext, capacity: Int = 2, tiers: [String] = ["regular"]) async throws -> Event {
        let (_, p) = try await t.store.programme()
        return try await t.store.createEvent(
            EventInput(type: .launch, title: "新品发布会", startsAtMs: epochMillis(shanghai(2026, 11, 28, 18)),
                       endsAtMs: epochMillis(shanghai(2026, 11, 28, 21)), place: "1F 中庭", capacity: capacity,
                       budgetFen: 2_000_000, audienceTiers: tiers, rsvpDeadlineMs: epochMillis(shanghai(2026, 11, 27, 18))),
            programme: p, actor: "planner")
    }

    @Test func invitationsGoThroughTheOutboxWithTheLink() async throws {
        try await withTestApp { t in
            let a = try await t.messagingMember(phone: "13900000001")
            let b = try await t.messagingMember(phone: "13900000002", sms: false)
            let e = try await Self.event(t)
            let (_, p) = try await t.store.programme()
            let (invited, messages) = try await t.store.inviteAudience(eventId: e.id, programme: p, linkBase: "https://vip.example.com", actor: "planner")
            #expect(invited == 2)
            #expect(messages.queued == 1 && messages.refused == 1)   // no SMS consent: recorded, not sent
            #expect(try await t.store.event(id: e.id)?.status == .open)
            let rows = try await t.outboxRows()
            let invA = try #require(try await t.store.invitation(eventId: e.id, memberId: a))
            #expect(rows.contains { $0.body.contains("https://vip.example.com/e/\(invA.token)") })
            _ = b
            // Inviting again adds nobody and sends nothing twice.
            let again = try await t.store.inviteAudience(eventId: e.id, programme: p, linkBase: "https://vip.example.com", actor: "planner")
            #expect(again.invited == 0 && again.messages.queued == 0)
            #expect(try await t.store.invitations(eventId: e.id).count == 2)
        }
    }

    @Test func capacityWaitlistMovesUpInOrderWhenSomeoneDeclines() async throws {
        try await withTestApp { t in
            var ids: [Int64] = []
            for i in 1...4 { ids.append(try await t.messagingMember(phone: "1390000000\(i)")) }
            let e = try await Self.event(t, capacity: 2)
            let (_, p) = try await t.store.programme()
            _ = try await t.store.inviteAudience(eventId: e.id, programme: p, linkBase: "", actor: "planner")
            func answer(_ m: Int64, _ yes: Bool, _ ch: RSVPChannel = .member) async throws -> RSVPResult {
                t.clock.advance(60)
                return try await t.store.rsvp(eventId: e.id, memberId: m, accept: yes, channel: ch, programme: p)
            }
            #expect(try await answer(ids[0], true).invitation.status == .accepted)
            #expect(try await answer(ids[1], true, .desk).invitation.status == .accepted)
            #expect(try await answer(ids[2], true, .manager).invitation.status == .waitlisted)
            #expect(try await answer(ids[3], true).invitation.status == .waitlisted)
            // Accepting twice does not take a second place.
            #expect(try await answer(ids[0], true).invitation.status == .accepted)
            let freed = try await answer(ids[1], false)
            #expect(freed.invitation.status == .declined)
            #expect(freed.promotedMemberIds == [ids[2]])
            let told = try await t.outboxRows().filter { $0.memberId == ids[2] && $0.periodKey == "promoted" }
            #expect(told.count == 1 && told[0].body.contains("候补转为确认出席"))
            #expect(try await t.store.invitation(eventId: e.id, memberId: ids[2])?.status == .accepted)
            #expect(try await t.store.invitation(eventId: e.id, memberId: ids[3])?.status == .waitlisted)
            // A waitlisted member declining frees nothing.
            #expect(try await answer(ids[3], false).promotedMemberIds.isEmpty)
            let statuses = try await t.store.invitations(eventId: e.id).map(\.status)
            #expect(statuses.filter { $0 == .accepted }.count == 2)
        }
    }

    @Test func concurrentAcceptsForTheLastPlaceTakeOnlyOne() async throws {
        try await withTestApp { t in
            var ids: [Int64] = []
            for i in 1...6 { ids.append(try await t.messagingMember(phone: "1390000001\(i)")) }
            let e = try await Self.event(t, capacity: 1)
            let (_, p) = try await t.store.programme()
            _ = try await t.store.inviteAudience(eventId: e.id, programme: p, linkBase: "", actor: "planner")
            let store = t.store
            let results = try await withThrowingTaskGroup(of: InvitationStatus.self) { g in
                for m in ids { g.addTask { try await store.rsvp(eventId: e.id, memberId: m, accept: true, channel: .link, programme: p).invitation.status } }
                return try await g.reduce(into: [InvitationStatus]()) { $0.append($1) }
            }
            #expect(results.filter { $0 == .accepted }.count == 1)
            #expect(results.filter { $0 == .waitlisted }.count == 5)
        }
    }

    @Test func rsvpAfterTheDeadlineIsRefused() async throws {
        try await withTestApp { t in
            let m = try await t.messagingMember(phone: "13900000001")
            let e = try await Self.event(t)
            let (_, p) = try await t.store.programme()
            _ = try await t.store.inviteAudience(eventId: e.id, programme: p, linkBase: "", actor: "planner")
            t.clock.set(shanghai(2026, 11, 27, 18, 1))
            await #expect(throws: DomainError.self) {
                try await t.store.rsvp(eventId: e.id, memberId: m, accept: true, channel: .member, programme: p)
            }
            do { try await t.store.rsvp(eventId: e.id, memberId: m, accept: true, channel: .member, programme: p) }
            catch let err as DomainError { #expect(err.rule == "event.rsvpDeadline") }
            #expect(try await t.store.invitation(eventId: e.id, memberId: m)?.status == .invited)
            t.clock.set(shanghai(2026, 11, 27, 18, 0))
            #expect(try await t.store.rsvp(eventId: e.id, memberId: m, accept: true, channel: .member, programme: p).invitation.status == .accepted)
        }
    }

    @Test func remindersGoTheDayBeforeToAcceptedMembersOnce() async throws {
        try await withTestApp { t in
            let yes = try await t.messagingMember(phone: "13900000001")
            let no = try await t.messagingMember(phone: "13900000002")
            let e = try await Self.event(t)
            let (_, p) = try await t.store.programme()
            _ = try await t.store.inviteAudience(eventId: e.id, programme: p, linkBase: "", actor: "planner")
            try await t.store.rsvp(eventId: e.id, memberId: yes, accept: true, channel: .member, programme: p)
            try await t.store.rsvp(eventId: e.id, memberId: no, accept: false, channel: .member, programme: p)
            t.clock.set(shanghai(2026, 11, 26, 9))
            #expect(try await t.store.sendEventReminders(programme: p, linkBase: "").queued == 0)   // two days before
            t.clock.set(shanghai(2026, 11, 27, 9))
            #expect(try await t.store.sendEventReminders(programme: p, linkBase: "").queued == 1)
            #expect(try await t.store.sendEventReminders(programme: p, linkBase: "").queued == 0)   // rerun: nothing new
            let reminders = try await t.outboxRows().filter { $0.periodKey == "remind" }
            #expect(reminders.map(\.memberId) == [yes])
        }
    }

    @Test func badEventInputNamesTheField() async throws {
        try await withTestApp { t in
            let (_, p) = try await t.store.programme()
            var input = EventInput(type: .lecture, title: "健康讲座", startsAtMs: 2_000, endsAtMs: 1_000, place: "3F",
                                   capacity: 10, budgetFen: 0, rsvpDeadlineMs: 1_000)
            do { _ = try await t.store.createEvent(input, programme: p, actor: "x"); Issue.record("accepted") }
            catch let err as DomainError { #expect(err.field == "endsAt") }
            input.endsAtMs = 3_000
            input.audienceTiers = ["nope"]
            do { _ = try await t.store.createEvent(input, programme: p, actor: "x"); Issue.record("accepted") }
            catch let err as DomainError { #expect(err.rule == "event.tier") }
            #expect(try await t.count("events") == 0)
        }
    }
}
