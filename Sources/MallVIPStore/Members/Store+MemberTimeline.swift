import Foundation
import MallVIPCore
import SQLKit

/// One entry of a member's timeline (the console member page, issue 17): what happened, when, and the few values
/// the page shows for it. The fields are generic on purpose (one row shape for ten sources); `kind` says how to read
/// them, documented on each case.
public struct TimelineEntry: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable {
        /// text: receipt no., text2: mall code, amount: total fen, amount2: refunded fen, points: net points.
        case purchase
        /// text: ledger kind (adjust, redeem, expire, referral …; earning shows on the purchase), text2: note,
        /// points: the change, amount: balance after.
        case points
        /// text: from tier, text2: to tier, state: kind (upgrade, review, manual …).
        case tier
        /// text: name zh, text2: name en, state: issued | used | void, amount: face fen.
        case coupon
        /// text: item name zh, text2: item name en, state: done | void, points: points taken.
        case redemption
        /// text: event title, state: invited | accepted | declined | waitlisted | attended.
        case event
        /// text: reason (event | complaint | quarterly), points: NPS score, amount: CSAT score, text2: comment.
        case survey
        /// text: category, text2: channel, state: open | responded | resolved.
        case complaint
        /// text: channel, text2: subject or template, state: outbox status, flag: bought within the attribution
        /// window after it was sent (nil: not sent, or the window is still running with no purchase yet).
        case message
        /// text: contact kind (call | sms | visit | gift | note), text2: note, state: staff display name.
        case contact
    }

    public var kind: Kind
    public var id: Int64
    public var atMs: Int64
    public var text: String
    public var text2: String?
    public var state: String?
    public var amount: Int64?
    public var amount2: Int64?
    public var points: Int64?
    public var flag: Bool?

    public init(kind: Kind, id: Int64, atMs: Int64, text: String, text2: String? = nil, state: String? = nil,
                amount: Int64? = nil, amount2: Int64? = nil, points: Int64? = nil, flag: Bool? = nil) {
        self.kind = kind; self.id = id; self.atMs = atMs; self.text = text; self.text2 = text2; self.state = state
        self.amount = amount; self.amount2 = amount2; self.points = points; self.flag = flag
    }

    /// Where this entry sits in the total order (newest first; same millisecond: by kind, then id, both descending).
    public var cursor: TimelineCursor { TimelineCursor(atMs: atMs, rank: kind.rank, id: id) }
}

extension TimelineEntry.Kind {
    var rank: Int { Self.allCases.firstIndex(of: self)! }
}

/// A page boundary: the next page holds the entries strictly after this one in the timeline's order. Written in a
/// link as `atMs.rank.id` (`?before=`).
public struct TimelineCursor: Sendable, Equatable, CustomStringConvertible {
    public var atMs: Int64
    public var rank: Int
    public var id: Int64

    public init(atMs: Int64, rank: Int, id: Int64) { self.atMs = atMs; self.rank = rank; self.id = id }

    public init?(_ text: String) {
        let parts = text.split(separator: ".")
        guard parts.count == 3, let a = Int64(parts[0]), let r = Int(parts[1]), let i = Int64(parts[2]),
              (0..<TimelineEntry.Kind.allCases.count).contains(r) else { return nil }
        self.init(atMs: a, rank: r, id: i)
    }

    public var description: String { "\(atMs).\(rank).\(id)" }
}

public struct TimelinePage: Sendable, Equatable {
    public var entries: [TimelineEntry]
    /// The cursor of the next page; nil on the last page.
    public var next: TimelineCursor?
    public init(entries: [TimelineEntry], next: TimelineCursor?) { self.entries = entries; self.next = next }
}

extension Store {
    /// A member's timeline, newest first, `limit` entries after `before`. One query per source, each for this member,
    /// newest first, with the same limit (plus one to know whether more follow), merged here: no source is ever read
    /// whole, so the page costs the same for a member with ten purchases or ten thousand.
    /// `kinds`: the sources the viewer may read (counter staff do not read the account manager's contact log).
    public func memberTimeline(memberId: Int64, before: TimelineCursor? = nil, limit: Int = 30,
                               kinds: Set<TimelineEntry.Kind> = Set(TimelineEntry.Kind.allCases)) async throws -> TimelinePage {
        let limit = max(1, min(limit, 200))
        let (_, programme) = try await self.programme()
        var all: [TimelineEntry] = []
        for kind in TimelineEntry.Kind.allCases where kinds.contains(kind) {
            all += try await timelineSource(kind, memberId: memberId, before: before, limit: limit + 1, programme: programme)
        }
        all.sort { a, b in
            if a.atMs != b.atMs { return a.atMs > b.atMs }
            if a.kind.rank != b.kind.rank { return a.kind.rank > b.kind.rank }
            return a.id > b.id
        }
        let page = Array(all.prefix(limit))
        return TimelinePage(entries: page, next: all.count > limit ? page.last?.cursor : nil)
    }

    /// The condition "after the cursor" for one source whose time column is `time`: entries of a kind ranked below the
    /// cursor's come after it at the same millisecond, of the same kind only those with a smaller id.
    private func after(_ before: TimelineCursor?, _ kind: TimelineEntry.Kind, time: String, id: String) -> SQLQueryString {
        guard let c = before else { return "" }
        let r = kind.rank
        if r < c.rank { return " AND \(unsafeRaw: time) <= \(bind: c.atMs)" }
        if r > c.rank { return " AND \(unsafeRaw: time) < \(bind: c.atMs)" }
        return " AND (\(unsafeRaw: time) < \(bind: c.atMs) OR (\(unsafeRaw: time) = \(bind: c.atMs) AND \(unsafeRaw: id) < \(bind: c.id)))"
    }

    private func timelineSource(_ kind: TimelineEntry.Kind, memberId m: Int64, before: TimelineCursor?, limit n: Int,
                                programme: Programme) async throws -> [TimelineEntry] {
        switch kind {
        case .purchase:
            // Read through purchases_member (member, business day): bounded by the cursor's day (a day of slack for the
            // zone), so a later page does not scan the newer purchases again.
            var dayBound: SQLQueryString = ""
            if let c = before {
                let day = LocalDate.of(Date(timeIntervalSince1970: Double(c.atMs) / 1000), in: programme.timeZone).dayNumber + 1
                dayBound = " AND p.business_day <= \(bind: day)"
            }
            return try await sql.rows("""
                SELECT p.id, p.occurred_at_ms, p.receipt_no, ml.code AS mall, p.total_fen, p.refunded_fen,
                       p.points_earned - p.points_reversed AS pts
                FROM purchases p JOIN malls ml ON ml.id = p.mall_id
                WHERE p.member_id = \(bind: m)\(dayBound)\(after(before, kind, time: "p.occurred_at_ms", id: "p.id"))
                ORDER BY p.occurred_at_ms DESC, p.id DESC LIMIT \(bind: n)
                """).map { r in
                TimelineEntry(kind: kind, id: try r.int64("id"), atMs: try r.int64("occurred_at_ms"), text: try r.string("receipt_no"),
                              text2: try r.string("mall"), amount: try r.int64("total_fen"), amount2: try r.int64("refunded_fen"),
                              points: try r.int64("pts"))
            }
        case .points:
            // Earning is shown on its purchase; every other movement of the balance is its own entry.
            return try await sql.rows("""
                SELECT id, at_ms, kind, note, points, balance_after FROM points_ledger
                WHERE member_id = \(bind: m) AND kind <> 'earn'\(after(before, kind, time: "at_ms", id: "id"))
                ORDER BY at_ms DESC, id DESC LIMIT \(bind: n)
                """).map { r in
                TimelineEntry(kind: kind, id: try r.int64("id"), atMs: try r.int64("at_ms"), text: try r.string("kind"),
                              text2: try r.string("note"), amount: try r.int64("balance_after"), points: try r.int64("points"))
            }
        case .tier:
            return try await sql.rows("""
                SELECT id, at_ms, from_tier, to_tier, kind FROM tier_changes
                WHERE member_id = \(bind: m)\(after(before, kind, time: "at_ms", id: "id"))
                ORDER BY at_ms DESC, id DESC LIMIT \(bind: n)
                """).map { r in
                TimelineEntry(kind: kind, id: try r.int64("id"), atMs: try r.int64("at_ms"), text: try r.string("from_tier"),
                              text2: try r.string("to_tier"), state: try r.string("kind"))
            }
        case .coupon:
            return try await sql.rows("""
                SELECT id, issued_at_ms, name_zh, name_en, status, face_fen FROM coupons
                WHERE member_id = \(bind: m)\(after(before, kind, time: "issued_at_ms", id: "id"))
                ORDER BY issued_at_ms DESC, id DESC LIMIT \(bind: n)
                """).map { r in
                TimelineEntry(kind: kind, id: try r.int64("id"), atMs: try r.int64("issued_at_ms"), text: try r.string("name_zh"),
                              text2: try r.string("name_en"), state: try r.string("status"), amount: try r.optInt64("face_fen"))
            }
        case .redemption:
            return try await sql.rows("""
                SELECT r.id, r.at_ms, i.name_zh, i.name_en, r.status, r.points FROM redemptions r JOIN reward_items i ON i.id = r.item_id
                WHERE r.member_id = \(bind: m)\(after(before, kind, time: "r.at_ms", id: "r.id"))
                ORDER BY r.at_ms DESC, r.id DESC LIMIT \(bind: n)
                """).map { r in
                TimelineEntry(kind: kind, id: try r.int64("id"), atMs: try r.int64("at_ms"), text: try r.string("name_zh"),
                              text2: try r.string("name_en"), state: try r.string("status"), points: try r.int64("points"))
            }
        case .event:
            return try await sql.rows("""
                SELECT ei.id, ei.created_at_ms, e.title, ei.status FROM event_invitations ei JOIN events e ON e.id = ei.event_id
                WHERE ei.member_id = \(bind: m)\(after(before, kind, time: "ei.created_at_ms", id: "ei.id"))
                ORDER BY ei.created_at_ms DESC, ei.id DESC LIMIT \(bind: n)
                """).map { r in
                TimelineEntry(kind: kind, id: try r.int64("id"), atMs: try r.int64("created_at_ms"), text: try r.string("title"),
                              state: try r.string("status"))
            }
        case .survey:
            return try await sql.rows("""
                SELECT id, answered_at_ms, reason, nps, csat, comment FROM survey_links
                WHERE member_id = \(bind: m) AND answered_at_ms IS NOT NULL\(after(before, kind, time: "answered_at_ms", id: "id"))
                ORDER BY answered_at_ms DESC, id DESC LIMIT \(bind: n)
                """).map { r in
                TimelineEntry(kind: kind, id: try r.int64("id"), atMs: try r.int64("answered_at_ms"), text: try r.string("reason"),
                              text2: try r.optString("comment"), amount: try r.optInt("csat").map(Int64.init),
                              points: try r.optInt("nps").map(Int64.init))
            }
        case .complaint:
            return try await sql.rows("""
                SELECT id, created_at_ms, category, channel, status FROM complaints
                WHERE member_id = \(bind: m)\(after(before, kind, time: "created_at_ms", id: "id"))
                ORDER BY created_at_ms DESC, id DESC LIMIT \(bind: n)
                """).map { r in
                TimelineEntry(kind: kind, id: try r.int64("id"), atMs: try r.int64("created_at_ms"), text: try r.string("category"),
                              text2: try r.string("channel"), state: try r.string("status"))
            }
        case .message:
            let rows = try await sql.rows("""
                SELECT o.id, o.created_at_ms, o.sent_at_ms, o.channel, COALESCE(o.subject, o.template_code, o.source_code) AS what,
                       o.status, c.window_days
                FROM outbox_messages o LEFT JOIN campaigns c ON c.id = o.campaign_id
                WHERE o.member_id = \(bind: m)\(after(before, kind, time: "o.created_at_ms", id: "o.id"))
                ORDER BY o.created_at_ms DESC, o.id DESC LIMIT \(bind: n)
                """)
            return try await withPurchaseAfter(memberId: m, rows: rows, programme: programme)
        case .contact:
            return try await sql.rows("""
                SELECT c.id, c.at_ms, c.kind, c.note, s.display_name FROM member_contacts c LEFT JOIN staff_users s ON s.id = c.staff_id
                WHERE c.member_id = \(bind: m)\(after(before, kind, time: "c.at_ms", id: "c.id"))
                ORDER BY c.at_ms DESC, c.id DESC LIMIT \(bind: n)
                """).map { r in
                TimelineEntry(kind: kind, id: try r.int64("id"), atMs: try r.int64("at_ms"), text: try r.string("kind"),
                              text2: try r.string("note"), state: try r.optString("display_name"))
            }
        }
    }

    /// Messages with "bought afterwards": a purchase on the send's business day or within the window after it — the
    /// campaign report's attribution window (`campaigns.window_days`; for journey and manual messages the programme's
    /// `reports.messageEffectDays`, 30 days by default like a new campaign's window). One range read of the member's purchase days through `purchases_member`.
    private func withPurchaseAfter(memberId: Int64, rows: [any SQLRow], programme: Programme) async throws -> [TimelineEntry] {
        let tz = programme.timeZone
        struct Sent { var start: Int; var end: Int }
        var parsed: [(TimelineEntry, Sent?)] = []
        for r in rows {
            let sentMs = try r.optInt64("sent_at_ms")
            let window = try r.optInt("window_days") ?? programme.reports.messageEffectDays
            let e = TimelineEntry(kind: .message, id: try r.int64("id"), atMs: try r.int64("created_at_ms"), text: try r.string("channel"),
                                  text2: try r.optString("what"), state: try r.string("status"))
            let sent = sentMs.map { ms -> Sent in
                let d = LocalDate.of(Date(timeIntervalSince1970: Double(ms) / 1000), in: tz).dayNumber
                return Sent(start: d, end: d + window)
            }
            parsed.append((e, sent))
        }
        let windows = parsed.compactMap(\.1)
        guard let lo = windows.map(\.start).min(), let hi = windows.map(\.end).max() else { return parsed.map(\.0) }
        let days = Set(try await sql.rows("""
            SELECT DISTINCT business_day FROM purchases
            WHERE member_id = \(bind: memberId) AND business_day >= \(bind: lo) AND business_day < \(bind: hi)
            """).map { try $0.int("business_day") })
        let today = LocalDate.of(now, in: tz).dayNumber
        return parsed.map { e, sent in
            var e = e
            if let s = sent {
                let bought = days.contains { $0 >= s.start && $0 < s.end }
                e.flag = bought ? true : (today >= s.end ? false : nil)
            }
            return e
        }
    }
}
