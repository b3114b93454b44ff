import FluentKit
import Foundation
import MallVIPCore
import SQLKit

/// What the door page shows after a lookup.
public enum CheckInOutcome: Sendable, Equatable {
    case checkedIn(EventInvitation)
    /// Scanned or typed a second time: answered, not counted again.
    case alreadyCheckedIn(EventInvitation)
    /// A member with no invitation: the page offers to record a walk-in.
    case notInvited(memberId: Int64, name: String, cardNo: String?)
    case walkIn(EventInvitation)
}

/// Head count at the door.
public struct DoorCount: Sendable, Equatable {
    public var capacity: Int
    public var attended: Int
    public var walkIns: Int
    /// Accepted and not yet arrived.
    public var expected: Int
    public var full: Bool { attended >= capacity }
}

extension Store {
    /// Check in by invitation token (or its `/e/` URL), card number or phone. Declined or waitlisted invitees who
    /// come anyway are let in: they were invited, and the door does not turn VIPs away.
    public func checkIn(eventId: Int64, input raw: String, actor: String) async throws -> CheckInOutcome {
        guard let input = CheckInInput(raw) else {
            throw DomainError.invalid("q", "checkin.empty", zh: "请输入卡号、手机号或扫描邀请二维码",
                                      en: "enter a card number or phone, or scan the invitation QR code")
        }
        let event = try await doorEvent(eventId)
        var invitationId: Int64?
        if let inv = try await invitation(token: input.text) {
            guard inv.eventId == event.id else {
                throw DomainError(.conflict, field: "q", rule: "checkin.otherEvent",
                                  zh: "这是另一场活动的邀请", en: "this invitation is for another event")
            }
            invitationId = inv.id
        } else if input.fromLink {
            throw Self.noMatch
        } else {
            var found = try await lookup(card: input.text, phone: nil)
            if found == nil { found = try await lookup(card: nil, phone: input.text) }
            guard let member = found else { throw Self.noMatch }
            guard let inv = try await invitation(eventId: event.id, memberId: member.id) else {
                return .notInvited(memberId: member.id, name: member.name, cardNo: member.cardNo)
            }
            invitationId = inv.id
        }
        let id = invitationId!
        let atMs = epochMillis(now)
        let (_, programme) = try await self.programme()
        let first = try await write { tx -> Bool in
            // On PostgreSQL two phones scanning the same code at once meet at this row lock; SQLite has one writer.
            let lock = tx.storeDialect.forUpdate
            guard let row = try await tx.sql.row("SELECT status FROM event_invitations WHERE id = \(bind: id)\(unsafeRaw: lock)"),
                  try row.string("status") != InvitationStatus.attended.rawValue else { return false }
            try await tx.sql.exec("""
                UPDATE event_invitations SET status = 'attended', checked_in_at_ms = \(bind: atMs), checked_in_by = \(bind: actor)
                WHERE id = \(bind: id)
                """)
            try await audit(tx, actor: actor, action: "event.checkIn", subject: "event:\(eventId)", detail: "invitation:\(id)")
            // Activity points for attending (issue 18), once per member and event, with the check-in.
            if let member = try await tx.sql.row("SELECT member_id FROM event_invitations WHERE id = \(bind: id)")?.optInt64("member_id") {
                try await self.awardActivityPoints(tx, memberId: member, occasion: .checkIn(eventId: eventId), programme: programme,
                                                   actor: actor, nowMs: atMs)
            }
            return true
        }
        guard let inv = try await invitation(id: id) else { throw Self.noMatch }
        return first ? .checkedIn(inv) : .alreadyCheckedIn(inv)
    }

    /// A walk-in: a member without an invitation (memberId) or a guest without a card (nil). Refused once the
    /// room is full; a member who turns out to be invited is checked in on their invitation instead.
    public func recordWalkIn(eventId: Int64, memberId: Int64?, actor: String) async throws -> CheckInOutcome {
        let event = try await doorEvent(eventId)
        if let memberId {
            guard let m = try await member(id: memberId), m.status == "active" else { throw Self.noMatch }
            if let inv = try await invitation(eventId: eventId, memberId: memberId) {
                return try await checkIn(eventId: eventId, input: inv.token, actor: actor)
            }
        }
        let atMs = epochMillis(now)
        let (_, programme) = try await self.programme()
        // Walk-ins have no link to send, but the column is unique and required.
        let token = Store.eventToken()
        do {
            try await write { tx in
                // Serialises walk-ins of one event so two doors cannot both take the last seat.
                _ = try await lockEvent(tx.sql, eventId)
                let row = try await tx.sql.row("""
                    SELECT COUNT(*) AS n FROM event_invitations WHERE event_id = \(bind: eventId) AND status = 'attended'
                    """)
                guard Int(try row?.int64("n") ?? 0) < event.capacity else {
                    throw DomainError(.conflict, field: "walkIn", rule: "event.full",
                                      zh: "已满员（\(event.capacity) 人），不能再登记现场来宾",
                                      en: "the event is full (\(event.capacity)); no more walk-ins")
                }
                try await tx.sql.exec("""
                    INSERT INTO event_invitations (event_id, member_id, token, status, walk_in, checked_in_at_ms, checked_in_by, created_at_ms)
                    VALUES (\(bind: eventId), \(bind: memberId), \(bind: token), 'attended', \(bind: true), \(bind: atMs), \(bind: actor), \(bind: atMs))
                    """)
                try await audit(tx, actor: actor, action: "event.walkIn", subject: "event:\(eventId)",
                                detail: memberId.map { "member:\($0)" } ?? "guest")
                if let memberId {   // a member walk-in attended too (issue 18 activity points)
                    try await self.awardActivityPoints(tx, memberId: memberId, occasion: .checkIn(eventId: eventId), programme: programme,
                                                       actor: actor, nowMs: atMs)
                }
            }
        } catch where isUniqueViolation(error) {
            // The same member recorded at another door a moment ago.
            if let memberId, let inv = try await invitation(eventId: eventId, memberId: memberId) { return .alreadyCheckedIn(inv) }
            throw error
        }
        guard let inv = try await invitation(token: token) else { throw Self.noMatch }
        return .walkIn(inv)
    }

    public func doorCount(eventId: Int64) async throws -> DoorCount {
        guard let event = try await event(id: eventId) else { throw Store.eventNotFound }
        let row = try await sql.row("""
            SELECT CAST(COALESCE(SUM(CASE WHEN status = 'attended' THEN 1 ELSE 0 END), 0) AS BIGINT) AS attended,
                   CAST(COALESCE(SUM(CASE WHEN status = 'attended' AND walk_in = \(bind: true) THEN 1 ELSE 0 END), 0) AS BIGINT) AS walk_ins,
                   CAST(COALESCE(SUM(CASE WHEN status = 'accepted' THEN 1 ELSE 0 END), 0) AS BIGINT) AS expected
            FROM event_invitations WHERE event_id = \(bind: eventId)
            """)
        return DoorCount(capacity: event.capacity, attended: Int(try row?.int64("attended") ?? 0),
                         walkIns: Int(try row?.int64("walk_ins") ?? 0), expected: Int(try row?.int64("expected") ?? 0))
    }

    /// The most recent arrivals, newest first, for the door page. `managedBy`: only that account manager's members
    /// (issue 14; the head count stays the whole event's, `doorCount`). `mallScope`: only members of those malls
    /// (issue 17; guests without a card are left out when it narrows).
    public func arrivals(eventId: Int64, limit: Int = 20, managedBy: Int64? = nil, mallScope: MallScope? = nil) async throws -> [EventInvitation] {
        var scope: SQLQueryString = ""
        if let managedBy { scope = " AND m.account_manager_id = \(bind: managedBy)" }
        if let mallScope { scope.appendInterpolation(mallScope.members()) }
        return try await sql.rows("""
            SELECT \(unsafeRaw: Store.invitationColumns) FROM event_invitations i LEFT JOIN members m ON m.id = i.member_id
            WHERE i.event_id = \(bind: eventId) AND i.status = 'attended'\(scope)
            ORDER BY i.checked_in_at_ms DESC, i.id DESC LIMIT \(unsafeRaw: String(limit))
            """).map(Store.invitation)
    }

    func invitation(id: Int64) async throws -> EventInvitation? {
        try await sql.row("""
            SELECT \(unsafeRaw: Store.invitationColumns) FROM event_invitations i LEFT JOIN members m ON m.id = i.member_id
            WHERE i.id = \(bind: id)
            """).map(Store.invitation)
    }

    /// Check-in is open for open and closed (finished, late arrivals recorded afterwards) events only.
    private func doorEvent(_ id: Int64) async throws -> Event {
        guard let event = try await event(id: id) else { throw Store.eventNotFound }
        guard event.status == .open || event.status == .closed else {
            throw DomainError(.conflict, field: "event", rule: "checkin.eventNotOpen",
                              zh: "活动\(event.status.label.zh)，不能签到", en: "the event is \(event.status.rawValue); no check-in")
        }
        return event
    }

    private static let noMatch = DomainError(.notFound, field: "q", rule: "checkin.notFound",
                                             zh: "找不到这张卡、手机号或邀请", en: "no card, phone or invitation matches")
}
