import FluentKit
import Foundation
import MallVIPCore
import SQLKit

/// One purchase of a pair the cross-channel rules found, as the review list shows it.
public struct ChannelPurchaseSummary: Sendable, Equatable {
    public var id: Int64
    public var receiptNo: String
    public var channel: String
    public var channelRef: String?
    public var occurredAtMs: Int64
    public var totalFen: Int64
    public var refundedFen: Int64
    public var pointsEarned: Int64
    public var pointsReversed: Int64
    public var memberId: Int64?
    public var cardNo: String?
    public var counterCode: String
}

/// A row of `channel_duplicates` (migration 043): an exact copy refused (`receipt`), a receipt claimed (`claim`), or a
/// match flagged for review (`match`, `open` → `confirmed` / `dismissed`).
public struct ChannelDuplicate: Sendable, Equatable {
    public var id: Int64
    public var mallId: Int64
    public var rule: String
    public var state: String
    public var first: ChannelPurchaseSummary
    /// The later purchase of a match; nil for an exact copy (never recorded) or a claim.
    public var second: ChannelPurchaseSummary?
    /// The copy's own channel, key and receipt number (for an exact copy, all there is of it).
    public var channel: String
    public var channelRef: String?
    public var receiptNo: String
    public var createdAtMs: Int64
    public var reviewedBy: String?
    public var reviewedAtMs: Int64?
    public var note: String?
    public var refundNo: String?
}

/// Points by channel for a period, and the duplicates caught (docs/reports.md "Points by channel").
public struct ChannelReport: Sendable, Equatable {
    public struct Line: Sendable, Equatable {
        public var channel: String
        public var purchases: Int64
        /// Sales net of refunds, fen.
        public var salesFen: Int64
        /// Points earned net of reversals.
        public var points: Int64
    }
    public struct Duplicates: Sendable, Equatable {
        public var rule: String
        public var state: String
        public var count: Int64
        /// Points the reviewers' confirmations took back (confirmed matches).
        public var pointsReversed: Int64
    }
    public var from: LocalDate
    public var through: LocalDate
    public var lines: [Line]
    public var duplicates: [Duplicates]
    public var total: Line {
        Line(channel: "total", purchases: lines.reduce(0) { $0 + $1.purchases }, salesFen: lines.reduce(0) { $0 + $1.salesFen },
             points: lines.reduce(0) { $0 + $1.points })
    }
    public func count(rule: String, state: String? = nil) -> Int64 {
        duplicates.filter { $0.rule == rule && (state == nil || $0.state == state) }.reduce(0) { $0 + $1.count }
    }
}

extension Store {
    /// Rule (c) for one purchase just recorded: every other channel's purchase in its mall at the same counter (first
    /// line) for the same total within the match window either side — not refunded in full — is flagged with it
    /// (`open`). Returns the other purchases' ids. Idempotent: a pair is one row (`dedupe_key` `match|<lower id>|<higher id>`).
    @discardableResult
    func flagMatches(purchaseId: Int64) async throws -> [Int64] {
        let (_, programme) = try await self.programme()
        let w = programme.channels.matchWindowMs
        guard let me = try await sql.row("""
            SELECT p.mall_id, p.channel, p.receipt_no, p.channel_ref, p.total_fen, p.occurred_at_ms, p.business_day, l.counter_id
            FROM purchases p JOIN purchase_lines l ON l.purchase_id = p.id AND l.line_no = 1 WHERE p.id = \(bind: purchaseId)
            """) else { return [] }
        let at = try me.int64("occurred_at_ms"), day = try me.int("business_day"), mallId = try me.int64("mall_id")
        let others = try await sql.rows("""
            SELECT p.id FROM purchases p JOIN purchase_lines l ON l.purchase_id = p.id AND l.line_no = 1
            WHERE p.mall_id = \(bind: mallId) AND p.business_day BETWEEN \(bind: day - 1) AND \(bind: day + 1)
              AND p.occurred_at_ms BETWEEN \(bind: at - w) AND \(bind: at + w) AND p.total_fen = \(bind: try me.int64("total_fen"))
              AND l.counter_id = \(bind: try me.int64("counter_id")) AND p.channel <> \(bind: try me.string("channel"))
              AND p.refunded_fen < p.total_fen AND p.id <> \(bind: purchaseId)
            ORDER BY p.id LIMIT 20
            """).map { try $0.int64("id") }
        for other in others { _ = try await insertMatch(mallId: mallId, a: other, b: purchaseId) }
        return others
    }

    /// One `match` row for a pair (the lower id first), unless the pair already has one. True when it was new.
    func insertMatch(mallId: Int64, a: Int64, b: Int64) async throws -> Bool {
        let (first, second) = (min(a, b), max(a, b))
        return try await write { tx in
            guard let later = try await tx.sql.row("SELECT channel, channel_ref, receipt_no FROM purchases WHERE id = \(bind: second)") else { return false }
            return try await tx.sql.row("""
                INSERT INTO channel_duplicates (mall_id, rule, state, first_purchase_id, second_purchase_id, channel, channel_ref, receipt_no,
                  dedupe_key, created_at_ms)
                VALUES (\(bind: mallId), 'match', 'open', \(bind: first), \(bind: second), \(bind: try later.string("channel")),
                        \(bind: try later.optString("channel_ref")), \(bind: try later.string("receipt_no")), \(bind: "match|\(first)|\(second)"),
                        \(bind: epochMillis(self.now)))
                ON CONFLICT (dedupe_key) DO NOTHING RETURNING id
                """) != nil
        }
    }

    /// The till side of rule (c), after the fact (the till's hot path runs no extra statement): every purchase of a
    /// channel with its own key (WeChat Pay, photo) that occurred since `since` (default: two days before `now`) is
    /// paired with the other channels' purchases — a till's, typically posted after it — at the same counter for the
    /// same total within the match window. New pairs are flagged `open`; pairs already flagged are left alone. Driven
    /// from the channel purchases (the partial index of migration 043), each joined to its mall's days: cheap enough for
    /// the hourly pass of the daily jobs and the review page's button. Returns how many flags are new.
    /// The channels whose purchases carry their own key (`channel_ref`), the sweep's starting points.
    static let keyedChannels = [PurchaseChannel.wechatPay, .photo, .desk].map(\.rawValue)

    @discardableResult
    public func sweepChannelMatches(since: Date? = nil) async throws -> Int {
        let (_, programme) = try await self.programme()
        let w = programme.channels.matchWindowMs
        let sinceMs = epochMillis(since ?? now.addingTimeInterval(-2 * 86_400))
        // CROSS JOIN fixes SQLite's join order (its planner, without statistics, started from every purchase line and
        // held the pool's connection for minutes on a demo mall): the few channel purchases first (partial index of
        // migration 043, by channel), then their mall-days (purchases_day), then the lines by purchase. PostgreSQL plans it freely.
        let pairs = try await sql.rows("""
            SELECT o.mall_id, o.id AS oid, t.id AS tid
            FROM purchases o CROSS JOIN purchase_lines ol CROSS JOIN purchases t CROSS JOIN purchase_lines tl
            WHERE o.channel IN \(list: Self.keyedChannels) AND o.channel_ref IS NOT NULL
              AND o.occurred_at_ms >= \(bind: sinceMs) AND o.refunded_fen < o.total_fen
              AND ol.purchase_id = o.id AND ol.line_no = 1
              AND t.mall_id = o.mall_id AND t.business_day BETWEEN o.business_day - 1 AND o.business_day + 1
              AND t.occurred_at_ms BETWEEN o.occurred_at_ms - \(bind: w) AND o.occurred_at_ms + \(bind: w)
              AND t.total_fen = o.total_fen AND t.channel <> o.channel AND t.refunded_fen < t.total_fen
              AND tl.purchase_id = t.id AND tl.line_no = 1 AND tl.counter_id = ol.counter_id
            ORDER BY o.id, t.id
            """)
        var added = 0
        for p in pairs where try await insertMatch(mallId: try p.int64("mall_id"), a: try p.int64("oid"), b: try p.int64("tid")) {
            added += 1
        }
        return added
    }

    static let duplicateColumns = """
        d.id, d.mall_id, d.rule, d.state, d.first_purchase_id, d.second_purchase_id, d.channel AS d_channel, d.channel_ref AS d_ref,
        d.receipt_no AS d_receipt, d.created_at_ms, d.reviewed_by, d.reviewed_at_ms, d.note, d.refund_no
        """

    /// The findings of `mallIds` (nil: every mall) in `states`, newest first.
    public func channelDuplicates(mallIds: [Int64]?, states: [String] = ["open"], limit: Int = 200) async throws -> [ChannelDuplicate] {
        if let mallIds, mallIds.isEmpty { return [] }
        var q = SQLQueryString("SELECT \(unsafeRaw: Self.duplicateColumns) FROM channel_duplicates d WHERE d.state IN \(list: states)")
        if let mallIds { q.appendLiteral(" AND d.mall_id IN "); q.appendInterpolation(list: mallIds) }
        q.appendLiteral(" ORDER BY d.id DESC LIMIT \(max(1, min(limit, 1000)))")
        return try await duplicates(try await sql.rows(q))
    }

    public func channelDuplicate(id: Int64) async throws -> ChannelDuplicate? {
        try await duplicates(try await sql.rows("SELECT \(unsafeRaw: Self.duplicateColumns) FROM channel_duplicates d WHERE d.id = \(bind: id)")).first
    }

    private func duplicates(_ rows: [any SQLRow]) async throws -> [ChannelDuplicate] {
        var ids = Set<Int64>()
        for r in rows {
            ids.insert(try r.int64("first_purchase_id"))
            if let s = try r.optInt64("second_purchase_id") { ids.insert(s) }
        }
        var summaries: [Int64: ChannelPurchaseSummary] = [:]
        if !ids.isEmpty {
            for r in try await sql.rows("""
                SELECT p.id, p.receipt_no, p.channel, p.channel_ref, p.occurred_at_ms, p.total_fen, p.refunded_fen, p.points_earned,
                  p.points_reversed, p.member_id, p.card_no, c.code
                FROM purchases p JOIN purchase_lines l ON l.purchase_id = p.id AND l.line_no = 1 JOIN counters c ON c.id = l.counter_id
                WHERE p.id IN \(list: Array(ids).sorted())
                """) {
                let s = ChannelPurchaseSummary(
                    id: try r.int64("id"), receiptNo: try r.string("receipt_no"), channel: try r.string("channel"),
                    channelRef: try r.optString("channel_ref"), occurredAtMs: try r.int64("occurred_at_ms"), totalFen: try r.int64("total_fen"),
                    refundedFen: try r.int64("refunded_fen"), pointsEarned: try r.int64("points_earned"),
                    pointsReversed: try r.int64("points_reversed"), memberId: try r.optInt64("member_id"), cardNo: try r.optString("card_no"),
                    counterCode: try r.string("code"))
                summaries[s.id] = s
            }
        }
        return try rows.compactMap { r in
            guard let first = summaries[try r.int64("first_purchase_id")] else { return nil }
            return ChannelDuplicate(
                id: try r.int64("id"), mallId: try r.int64("mall_id"), rule: try r.string("rule"), state: try r.string("state"), first: first,
                second: try r.optInt64("second_purchase_id").flatMap { summaries[$0] }, channel: try r.string("d_channel"),
                channelRef: try r.optString("d_ref"), receiptNo: try r.string("d_receipt"), createdAtMs: try r.int64("created_at_ms"),
                reviewedBy: try r.optString("reviewed_by"), reviewedAtMs: try r.optInt64("reviewed_at_ms"), note: try r.optString("note"),
                refundNo: try r.optString("refund_no"))
        }
    }

    /// A reviewer confirms a match: the two purchases are one. The later purchase is reversed in full as a refund
    /// numbered `DUP<flag id>` through the refund path (points back through the ledger as `reverse`, rolling spend and
    /// report aggregates down, a tier it brought re-evaluated). Idempotent: confirming again (a double click, two
    /// reviewers at once, a retry after a crash between the two steps) reverses nothing more — the state changes once
    /// and the refund number is unique. A dismissed flag cannot be confirmed (409).
    @discardableResult
    public func confirmChannelDuplicate(id: Int64, actor: String, note: String = "") async throws -> ChannelDuplicate {
        guard let flag = try await channelDuplicate(id: id) else { throw Self.flagNotFound(id) }
        guard flag.rule == "match", let second = flag.second else {
            throw DomainError(.conflict, field: "id", rule: "channel.flag.rule", zh: "只有匹配待审的记录可以确认",
                              en: "only a flagged match can be confirmed")
        }
        let refundNo = "DUP\(id)"
        if flag.state == "open" {
            try await write { tx in
                try await tx.sql.exec("""
                    UPDATE channel_duplicates SET state = 'confirmed', reviewed_by = \(bind: actor), reviewed_at_ms = \(bind: epochMillis(self.now)),
                      note = \(bind: note), refund_no = \(bind: refundNo) WHERE id = \(bind: id) AND state = 'open'
                    """)
                try await self.audit(tx, actor: actor, action: "channel.duplicate.confirm", subject: "purchase:\(second.id)",
                                     detail: "flag \(id): \(second.receiptNo) copies \(flag.first.receiptNo)")
            }
        }
        guard let now = try await channelDuplicate(id: id), now.state == "confirmed" else {
            throw DomainError(.conflict, field: "id", rule: "channel.flag.state", zh: "该记录已被驳回，不能再确认",
                              en: "this flag was dismissed and cannot be confirmed")
        }
        // The later purchase's remaining amount per counter, refunded in full (nothing left: already reversed).
        let rows = try await sql.rows("""
            SELECT c.code, CAST(SUM(l.amount_fen - l.refunded_fen) AS BIGINT) AS left_fen FROM purchase_lines l JOIN counters c ON c.id = l.counter_id
            WHERE l.purchase_id = \(bind: second.id) GROUP BY c.code ORDER BY c.code
            """)
        let lines = try rows.map { RefundLineRequest(counter: try $0.string("code"), amountFen: try $0.int64("left_fen")) }.filter { $0.amountFen > 0 }
        let already = try await sql.row("SELECT id FROM refunds WHERE refund_no = \(bind: refundNo) AND purchase_id = \(bind: second.id)") != nil
        if !lines.isEmpty && !already {
            do {
                _ = try await postRefund(RefundRequest(refundNo: refundNo, receiptNo: second.receiptNo, lines: lines))
            } catch let e as DomainError where e.rule == "refund.idempotency" {
                // Another confirmation refunded it a moment ago: reversed once.
            }
        }
        return try await channelDuplicate(id: id) ?? now
    }

    /// A reviewer dismisses a match: two real purchases; both keep their points. Dismissing again is a no-op; a
    /// confirmed flag cannot be dismissed (409).
    public func dismissChannelDuplicate(id: Int64, actor: String, note: String = "") async throws {
        guard let flag = try await channelDuplicate(id: id) else { throw Self.flagNotFound(id) }
        guard flag.rule == "match" else {
            throw DomainError(.conflict, field: "id", rule: "channel.flag.rule", zh: "只有匹配待审的记录可以驳回",
                              en: "only a flagged match can be dismissed")
        }
        if flag.state == "dismissed" { return }
        let changed: Bool = try await write { tx in
            guard try await tx.sql.row("""
                UPDATE channel_duplicates SET state = 'dismissed', reviewed_by = \(bind: actor), reviewed_at_ms = \(bind: epochMillis(self.now)),
                  note = \(bind: note) WHERE id = \(bind: id) AND state = 'open' RETURNING id
                """) != nil else { return false }
            try await self.audit(tx, actor: actor, action: "channel.duplicate.dismiss", subject: "flag:\(id)", detail: note)
            return true
        }
        if !changed, try await channelDuplicate(id: id)?.state != "dismissed" {
            throw DomainError(.conflict, field: "id", rule: "channel.flag.state", zh: "该记录已确认为重复，不能驳回",
                              en: "this flag was confirmed and cannot be dismissed")
        }
    }

    static func flagNotFound(_ id: Int64) -> DomainError {
        DomainError(.notFound, field: "id", rule: "channel.flag.exists", zh: "没有这条重复记录：\(id)", en: "no such duplicate flag \(id)")
    }

    /// Points by channel for business days `from`…`through` (inclusive) in `mallIds` (nil: every mall): purchases, sales
    /// net of refunds and points net of reversals, straight from `purchases` (so the channels add up to its totals), and
    /// the duplicates found of purchases of those days, by rule and state.
    public func channelReport(from: LocalDate, through: LocalDate, mallIds: [Int64]?) async throws -> ChannelReport {
        var report = ChannelReport(from: from, through: through, lines: [], duplicates: [])
        if let mallIds, mallIds.isEmpty { return report }
        var q = SQLQueryString("""
            SELECT channel, COUNT(*) AS n, CAST(COALESCE(SUM(total_fen - refunded_fen), 0) AS BIGINT) AS sales,
              CAST(COALESCE(SUM(points_earned - points_reversed), 0) AS BIGINT) AS points
            FROM purchases WHERE business_day >= \(bind: from.dayNumber) AND business_day <= \(bind: through.dayNumber)
            """)
        if let mallIds { q.appendLiteral(" AND mall_id IN "); q.appendInterpolation(list: mallIds) }
        q.appendLiteral(" GROUP BY channel ORDER BY channel")
        report.lines = try await sql.rows(q).map {
            ChannelReport.Line(channel: try $0.string("channel"), purchases: try $0.int64("n"), salesFen: try $0.int64("sales"),
                               points: try $0.int64("points"))
        }
        var d = SQLQueryString("""
            SELECT d.rule, d.state, COUNT(*) AS n, CAST(COALESCE(SUM(r.points_reversed), 0) AS BIGINT) AS reversed
            FROM channel_duplicates d JOIN purchases p ON p.id = d.first_purchase_id
              LEFT JOIN refunds r ON r.refund_no = d.refund_no AND r.purchase_id = d.second_purchase_id
            WHERE p.business_day >= \(bind: from.dayNumber) AND p.business_day <= \(bind: through.dayNumber)
            """)
        if let mallIds { d.appendLiteral(" AND d.mall_id IN "); d.appendInterpolation(list: mallIds) }
        d.appendLiteral(" GROUP BY d.rule, d.state ORDER BY d.rule, d.state")
        report.duplicates = try await sql.rows(d).map {
            ChannelReport.Duplicates(rule: try $0.string("rule"), state: try $0.string("state"), count: try $0.int64("n"),
                                     pointsReversed: try $0.int64("reversed"))
        }
        return report
    }
}
