import FluentKit
import Foundation
import MallVIPCore
import SQLKit

extension Store {
    static let eventColumns = """
        id, code, type, title, starts_at_ms, ends_at_ms, place, capacity, budget_fen, audience_segment_id,
        audience_tiers, rsvp_deadline_ms, status, created_by, created_at_ms
        """
    static let invitationColumns = """
        i.id, i.event_id, i.member_id, m.name AS member_name, i.token, i.status, i.walk_in, i.rsvp_at_ms,
        i.rsvp_channel, i.checked_in_at_ms, i.checked_in_by, i.created_at_ms
        """

    public func event(id: Int64) async throws -> Event? {
        try await sql.row("SELECT \(unsafeRaw: Store.eventColumns) FROM events WHERE id = \(bind: id)").map(Store.event)
    }

    /// Events newest first.
    public func events(limit: Int = 200) async throws -> [Event] {
        try await sql.rows("SELECT \(unsafeRaw: Store.eventColumns) FROM events ORDER BY starts_at_ms DESC, id DESC LIMIT \(unsafeRaw: String(limit))")
            .map(Store.event)
    }

    public func invitation(token: String) async throws -> EventInvitation? {
        try await sql.row("""
            SELECT \(unsafeRaw: Store.invitationColumns) FROM event_invitations i LEFT JOIN members m ON m.id = i.member_id
            WHERE i.token = \(bind: token)
            """).map(Store.invitation)
    }

    public func invitation(eventId: Int64, memberId: Int64) async throws -> EventInvitation? {
        try await sql.row("""
            SELECT \(unsafeRaw: Store.invitationColumns) FROM event_invitations i LEFT JOIN members m ON m.id = i.member_id
            WHERE i.event_id = \(bind: eventId) AND i.member_id = \(bind: memberId)
            """).map(Store.invitation)
    }

    /// Every invitation of an event in the order they were made (the waitlist moves up in this order).
    /// `managedBy`: only invitations of that account manager's members (issue 14; guests without a card are left out).
    /// `mallScope`: only invitations of members of those malls (issue 17; likewise without guests when it narrows).
    public func invitations(eventId: Int64, managedBy: Int64? = nil, mallScope: MallScope? = nil) async throws -> [EventInvitation] {
        var scope: SQLQueryString = ""
        if let managedBy { scope = " AND m.account_manager_id = \(bind: managedBy)" }
        if let mallScope { scope.appendInterpolation(mallScope.members()) }
        return try await sql.rows("""
            SELECT \(unsafeRaw: Store.invitationColumns) FROM event_invitations i LEFT JOIN members m ON m.id = i.member_id
            WHERE i.event_id = \(bind: eventId)\(scope) ORDER BY i.id
            """).map(Store.invitation)
    }

    static func event(_ r: any SQLRow) throws -> Event {
        let tiers = try r.optString("audience_tiers") ?? ""
        return Event(
            id: try r.int64("id"), code: try r.string("code"),
            type: EventType(rawValue: try r.string("type")) ?? .other, title: try r.string("title"),
            startsAtMs: try r.int64("starts_at_ms"), endsAtMs: try r.int64("ends_at_ms"), place: try r.string("place"),
            capacity: Int(try r.int64("capacity")), budgetFen: try r.int64("budget_fen"),
            audienceSegmentId: try r.optInt64("audience_segment_id"),
            audienceTiers: tiers.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty },
            rsvpDeadlineMs: try r.int64("rsvp_deadline_ms"), status: EventStatus(rawValue: try r.string("status")) ?? .draft,
            createdBy: try r.string("created_by"), createdAtMs: try r.int64("created_at_ms"))
    }

    static func invitation(_ r: any SQLRow) throws -> EventInvitation {
        EventInvitation(
            id: try r.int64("id"), eventId: try r.int64("event_id"), memberId: try r.optInt64("member_id"),
            memberName: try r.optString("member_name"), token: try r.string("token"),
            status: InvitationStatus(rawValue: try r.string("status")) ?? .invited, walkIn: try r.bool("walk_in"),
            rsvpAtMs: try r.optInt64("rsvp_at_ms"), rsvpChannel: try r.optString("rsvp_channel").flatMap(RSVPChannel.init),
            checkedInAtMs: try r.optInt64("checked_in_at_ms"), checkedInBy: try r.optString("checked_in_by"),
            createdAtMs: try r.int64("created_at_ms"))
    }
}
