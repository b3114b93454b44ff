import Foundation
import MallVIPCore
import MallVIPStore
@testable import MallVIPWeb
import SQLKit
import Testing
import Vapor
import VaporTesting

/// Issue 17: the console lists (coupons, complaints, tasks, event arrivals and invitations) show a desk user of mall A
/// the rows of mall A's members only (by enrolment or a recent purchase there), as member search does.
@Suite("Mall scope: console lists") struct MallScopeListTests {
    @Test("a desk user of mall A lists A's members' coupons, complaints, tasks and arrivals, not B's; a group-wide manager lists all")
    func lists() async throws {
        try await withTestApp { t in
            let w = try await MallScopeMatrixTests.world(t)
            let event = try await CheckInTests.openEvent(t)
            let now = epochMillis(t.clock.now)
            var cases: [(rows: ObjectAccessMatrixTests.Rows, name: String, inScope: Bool)] = []
            for (i, m) in w.members[w.am]!.enumerated() {
                // Tasks and calls handed to the desk user, so that only the mall rule keeps them off the list.
                let rows = try await ObjectAccessMatrixTests.rows(t, member: m.id, card: m.card, manager: w.am, handler: w.desk)
                let inv = try await t.store.ensureInvitation(eventId: event.id, memberId: m.id)
                try await t.store.sql.raw("""
                    UPDATE event_invitations SET status = 'attended', checked_in_at_ms = \(bind: now) WHERE id = \(bind: inv.id)
                    """).run()
                cases.append((rows, "商场\(i + 1)", m.inScope))
            }
            #expect(cases.contains { $0.inScope } && cases.contains { !$0.inScope })
            let desk = ConsoleClient(t)
            try await desk.signIn("deskA")
            let coupons = try await desk.get("/console/coupons")
            let complaints = try await desk.get("/console/complaints")
            let tasks = try await desk.get("/console/tasks?status=all")
            let door = try await desk.get("/console/events/\(event.id)/checkin")
            let invitations = try await desk.get("/console/events/\(event.id)")
            for page in [coupons, complaints, tasks, door, invitations] { #expect(page.status == .ok) }
            for c in cases {
                let label = "member \(c.rows.member) (\(c.inScope ? "of A" : "not of A"))"
                #expect(coupons.body.contains(SiteURL.coupon(c.rows.coupon).path) == c.inScope, "coupons: \(label)")
                #expect(complaints.body.contains("complaint-\(c.rows.complaint)\"") == c.inScope, "complaints: \(label)")
                #expect(tasks.body.contains(c.name) == c.inScope, "tasks: \(label)")
                #expect(door.body.contains(c.name) == c.inScope, "arrivals: \(label)")
                #expect(invitations.body.contains(c.name) == c.inScope, "invitations: \(label)")
            }
            // A manager with no mall is group-wide: every row is listed.
            _ = try await t.makeStaff("mgrAll", .manager)
            let all = ConsoleClient(t)
            try await all.signIn("mgrAll")
            let allCoupons = try await all.get("/console/coupons")
            let allComplaints = try await all.get("/console/complaints")
            let allDoor = try await all.get("/console/events/\(event.id)/checkin")
            for c in cases {
                #expect(allCoupons.body.contains(SiteURL.coupon(c.rows.coupon).path))
                #expect(allComplaints.body.contains("complaint-\(c.rows.complaint)\""))
                #expect(allDoor.body.contains(c.name))
            }
        }
    }
}
