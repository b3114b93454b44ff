import FluentKit
import Foundation
import MallVIPCore
import SQLKit

extension Store {
    /// A new event, in draft until invitations go out.
    public func createEvent(_ input: EventInput, programme: Programme, actor: String) async throws -> Event {
        let v = try input.validated(programme: programme)
        let nowMs = epochMillis(now)
        let code = "EV" + Store.eventToken(length: 8).uppercased()
        let id = try await write { tx in
            try await tx.sql.row("""
                INSERT INTO events (code, type, title, starts_at_ms, ends_at_ms, place, capacity, budget_fen, audience_segment_id,
                  audience_tiers, rsvp_deadline_ms, status, created_by, created_at_ms)
                VALUES (\(bind: code), \(bind: v.type.rawValue), \(bind: v.title), \(bind: v.startsAtMs), \(bind: v.endsAtMs),
                  \(bind: v.place), \(bind: Int64(v.capacity)), \(bind: v.budgetFen), \(bind: v.audienceSegmentId),
                  \(bind: v.audienceTiers.isEmpty ? nil : v.audienceTiers.joined(separator: ",")), \(bind: v.rsvpDeadlineMs),
                  'draft', \(bind: actor), \(bind: nowMs)) RETURNING id
                """)!.int64("id")
        }
        return try await event(id: id)!
    }

    /// Edits the details; capacity may not go below the places already taken.
    public func updateEvent(id: Int64, _ input: EventInput, programme: Programme) async throws -> Event {
        let v = try input.validated(programme: programme)
        try await write { tx in
            let sql = tx.sql
            guard try await self.lockEvent(sql, id) != nil else { throw Store.eventNotFound }
            let taken = try await self.placesTaken(sql, id)
            if v.capacity < taken {
                throw DomainError.invalid("capacity", "event.capacityTaken", zh: "已有 \(taken) 人接受，名额不能更少",
                                          en: "\(taken) have accepted; capacity cannot be lower")
            }
            try await sql.exec("""
                UPDATE events SET type = \(bind: v.type.rawValue), title = \(bind: v.title), starts_at_ms = \(bind: v.startsAtMs),
                  ends_at_ms = \(bind: v.endsAtMs), place = \(bind: v.place), capacity = \(bind: Int64(v.capacity)),
                  budget_fen = \(bind: v.budgetFen), audience_segment_id = \(bind: v.audienceSegmentId),
                  audience_tiers = \(bind: v.audienceTiers.isEmpty ? nil : v.audienceTiers.joined(separator: ",")),
                  rsvp_deadline_ms = \(bind: v.rsvpDeadlineMs) WHERE id = \(bind: id)
                """)
        }
        return try await event(id: id)!
    }

    public func setEventStatus(id: Int64, _ status: EventStatus) async throws {
        try await write { tx in
            guard try await self.lockEvent(tx.sql, id) != nil else { throw Store.eventNotFound }
            try await tx.sql.exec("UPDATE events SET status = \(bind: status.rawValue) WHERE id = \(bind: id)")
        }
    }

    /// The members the event is for: the segment's members, narrowed to the listed tiers when both are given.
    public func eventAudience(_ e: Event, programme: Programme) async throws -> [Int64] {
        let today = LocalDate.of(now, in: programme.timeZone)
        var ids: [Int64]
        if let seg = e.audienceSegmentId {
            ids = try await segmentMemberIds(segmentId: seg, on: today)
        } else if e.audienceTiers.isEmpty {
            throw DomainError.invalid("audience", "event.audience", zh: "请选择目标客群或等级", en: "choose a segment or tiers")
        } else {
            ids = try await sql.rows("SELECT id FROM members WHERE status = 'active' ORDER BY id").map { try $0.int64("id") }
        }
        if !e.audienceTiers.isEmpty, !ids.isEmpty {
            var inTiers = Set<Int64>()
            for chunk in ids.chunked(500) {
                for r in try await sql.rows("""
                    SELECT id FROM members WHERE id IN \(list: Array(chunk)) AND earned_tier IN \(list: e.audienceTiers)
                    """) { inTiers.insert(try r.int64("id")) }
            }
            ids = ids.filter(inTiers.contains)
        }
        return ids
    }

    /// Invites the audience: one invitation per member (members already invited keep theirs), the event opens,
    /// and each new invitee gets the personal link through the outbox (consent and quiet hours apply there).
    public func inviteAudience(eventId: Int64, programme: Programme, linkBase: String, actor: String) async throws -> (invited: Int, messages: EnqueueResult) {
        guard let e = try await event(id: eventId) else { throw Store.eventNotFound }
        guard e.status == .draft || e.status == .open else {
            throw DomainError(.conflict, field: "status", rule: "event.status", zh: "活动已结束或取消", en: "the event is closed or cancelled")
        }
        let audience = try await eventAudience(e, programme: programme)
        let nowMs = epochMillis(now)
        let created: [(Int64, String)] = try await write { tx in
            let sql = tx.sql
            var made: [(Int64, String)] = []
            for m in audience {
                let token = Store.eventToken()
                if try await sql.row("""
                    INSERT INTO event_invitations (event_id, member_id, token, status, walk_in, created_at_ms)
                    VALUES (\(bind: eventId), \(bind: m), \(bind: token), 'invited', \(bind: false), \(bind: nowMs))
                    ON CONFLICT (event_id, member_id) DO NOTHING RETURNING id
                    """) != nil { made.append((m, token)) }
            }
            try await sql.exec("UPDATE events SET status = 'open' WHERE id = \(bind: eventId) AND status = 'draft'")
            return made
        }
        let messages = try await enqueue(created.map { member, token in
            eventDraft(e, memberId: member, token: token, kind: "invite", programme: programme, linkBase: linkBase)
        }, programme: programme)
        return (created.count, messages)
    }

    /// The invitation of a member for the desk or the account manager: made on the spot when they were not invited.
    public func ensureInvitation(eventId: Int64, memberId: Int64) async throws -> EventInvitation {
        if let i = try await invitation(eventId: eventId, memberId: memberId) { return i }
        guard try await event(id: eventId) != nil else { throw Store.eventNotFound }
        let nowMs = epochMillis(now)
        try await write { tx in
            try await tx.sql.exec("""
                INSERT INTO event_invitations (event_id, member_id, token, status, walk_in, created_at_ms)
                VALUES (\(bind: eventId), \(bind: memberId), \(bind: Store.eventToken()), 'invited', \(bind: false), \(bind: nowMs))
                ON CONFLICT (event_id, member_id) DO NOTHING
                """)
        }
        return try await invitation(eventId: eventId, memberId: memberId)!
    }

    func eventDraft(_ e: Event, memberId: Int64, token: String, kind: String, programme: Programme, linkBase: String) -> OutboxDraft {
        let tz = programme.timeZone
        let start = dateFromMillis(e.startsAtMs)
        let f = DateFormatter()
        f.timeZone = tz
        f.locale = Locale(identifier: "zh_CN")
        f.dateFormat = "M月d日 HH:mm"
        let link = linkBase + "/e/" + token
        let store = programme.messaging.storeName
        let when = f.string(from: start)
        let body = switch kind {
        case "remind": "\(store)提醒您：\(e.title) 将于 \(when) 在\(e.place)举行，期待您的光临。凭此链接入场：\(link)"
        case "promoted": "\(store)：\(e.title)（\(when)，\(e.place)）有名额空出，您已由候补转为确认出席。入场凭证：\(link)"
        default: "\(store)诚邀您参加\(e.title)，\(when)，\(e.place)。请点击回复是否出席：\(link)"
        }
        return OutboxDraft(memberId: memberId, channel: .sms, purpose: .care, source: .manual, sourceCode: "event:\(e.id)",
                           periodKey: kind, body: body)
    }

    func lockEvent(_ sql: any SQLDatabase, _ id: Int64) async throws -> Event? {
        let lock = sql.storeDialect.forUpdate
        return try await sql.row("SELECT \(unsafeRaw: Store.eventColumns) FROM events WHERE id = \(bind: id)\(unsafeRaw: lock)").map(Store.event)
    }

    /// Places counted against capacity: accepted and attended (walk-ins included: they stand in the room too).
    func placesTaken(_ sql: any SQLDatabase, _ eventId: Int64) async throws -> Int {
        try await sql.row("""
            SELECT COUNT(*) AS n FROM event_invitations WHERE event_id = \(bind: eventId) AND status IN ('accepted', 'attended')
            """)!.int("n")
    }

    static let eventNotFound = DomainError(.notFound, field: "event", rule: "event.exists", zh: "活动不存在", en: "event not found")

    /// Unguessable: the token alone opens the RSVP page without a login.
    static func eventToken(length: Int = 22) -> String {
        let alphabet = Array("abcdefghijkmnpqrstuvwxyz23456789")
        var rng = SystemRandomNumberGenerator()
        return String((0..<length).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] })
    }
}
