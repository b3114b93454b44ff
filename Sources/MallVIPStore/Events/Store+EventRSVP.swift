import FluentKit
import Foundation
import MallVIPCore
import SQLKit

public struct RSVPResult: Sendable, Equatable {
    public var invitation: EventInvitation
    /// Members moved from the waitlist to accepted because this answer freed a place, in the order they waited.
    public var promotedMemberIds: [Int64]
}

extension Store {
    /// Records an answer to an invitation. Accepting takes a place while there is one, otherwise joins the
    /// waitlist; declining an accepted place moves the longest-waiting member up. Refused after the deadline or
    /// when the event is not open. The event row is locked, so two answers for the last place cannot both win.
    @discardableResult
    public func rsvp(token: String, accept: Bool, channel: RSVPChannel, programme: Programme, linkBase: String = "") async throws -> RSVPResult {
        guard let inv = try await invitation(token: token) else {
            throw DomainError(.notFound, field: "token", rule: "invitation.exists", zh: "邀请不存在", en: "invitation not found")
        }
        let nowMs = epochMillis(now)
        let result: RSVPResult = try await write { tx in
            let sql = tx.sql
            guard let e = try await self.lockEvent(sql, inv.eventId) else { throw Store.eventNotFound }
            guard e.status == .open else {
                throw DomainError(.notEligible, field: "event", rule: "event.notOpen", zh: "活动未开放报名", en: "the event is not open for replies")
            }
            guard nowMs <= e.rsvpDeadlineMs else {
                throw DomainError(.notEligible, field: "event", rule: "event.rsvpDeadline", zh: "已过报名截止时间", en: "the RSVP deadline has passed")
            }
            guard let current = try await sql.row("SELECT status FROM event_invitations WHERE id = \(bind: inv.id)")
                .map({ InvitationStatus(rawValue: try $0.string("status")) ?? .invited }) else { throw Store.eventNotFound }
            if current == .attended {
                throw DomainError(.conflict, field: "status", rule: "invitation.attended", zh: "已签到，不能再更改", en: "already checked in")
            }
            var promoted: [Int64] = []
            let next: InvitationStatus
            if accept {
                if current == .accepted || current == .waitlisted {
                    next = current
                } else {
                    next = try await self.placesTaken(sql, e.id) < e.capacity ? .accepted : .waitlisted
                }
            } else {
                next = .declined
            }
            if next != current {
                try await sql.exec("""
                    UPDATE event_invitations SET status = \(bind: next.rawValue), rsvp_at_ms = \(bind: nowMs),
                      rsvp_channel = \(bind: channel.rawValue) WHERE id = \(bind: inv.id)
                    """)
            }
            if current == .accepted && next == .declined {
                promoted = try await self.promoteWaitlist(sql, e)
            }
            return RSVPResult(invitation: inv, promotedMemberIds: promoted)
        }
        if !result.promotedMemberIds.isEmpty, let e = try await event(id: inv.eventId) {
            var drafts: [OutboxDraft] = []
            for m in result.promotedMemberIds {
                if let i = try await invitation(eventId: e.id, memberId: m) {
                    drafts.append(eventDraft(e, memberId: m, token: i.token, kind: "promoted", programme: programme, linkBase: linkBase))
                }
            }
            _ = try await enqueue(drafts, programme: programme)
        }
        return RSVPResult(invitation: try await invitation(token: token)!, promotedMemberIds: result.promotedMemberIds)
    }

    /// The desk or the account manager answering for a member (the invitation is made if there was none).
    @discardableResult
    public func rsvp(eventId: Int64, memberId: Int64, accept: Bool, channel: RSVPChannel, programme: Programme,
                     linkBase: String = "") async throws -> RSVPResult {
        let inv = try await ensureInvitation(eventId: eventId, memberId: memberId)
        return try await rsvp(token: inv.token, accept: accept, channel: channel, programme: programme, linkBase: linkBase)
    }

    /// Fills free places from the waitlist, first come first served (by the time they answered).
    func promoteWaitlist(_ sql: any SQLDatabase, _ e: Event) async throws -> [Int64] {
        let free = e.capacity - (try await placesTaken(sql, e.id))
        guard free > 0 else { return [] }
        let waiting = try await sql.rows("""
            SELECT id, member_id FROM event_invitations WHERE event_id = \(bind: e.id) AND status = 'waitlisted'
            ORDER BY rsvp_at_ms, id LIMIT \(unsafeRaw: String(free))
            """)
        var promoted: [Int64] = []
        for r in waiting {
            try await sql.exec("UPDATE event_invitations SET status = 'accepted' WHERE id = \(bind: try r.int64("id"))")
            if let m = try r.optInt64("member_id") { promoted.append(m) }
        }
        return promoted
    }

    /// A member's invitations with their events, soonest first, for /m/events.
    public func memberInvitations(memberId: Int64) async throws -> [(Event, EventInvitation)] {
        var out: [(Event, EventInvitation)] = []
        for inv in try await sql.rows("""
            SELECT \(unsafeRaw: Store.invitationColumns) FROM event_invitations i LEFT JOIN members m ON m.id = i.member_id
            WHERE i.member_id = \(bind: memberId) ORDER BY i.id DESC
            """).map(Store.invitation) {
            if let e = try await event(id: inv.eventId), e.status != .draft { out.append((e, inv)) }
        }
        return out.sorted { $0.0.startsAtMs > $1.0.startsAtMs }
    }
}
