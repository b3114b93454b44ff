import Foundation
import MallVIPCore
import SQLKit

/// One purchase as the purchases export writes it.
public struct PurchaseExportRow: Sendable, Equatable {
    public var id: Int64
    public var mall: String
    public var receiptNo: String
    public var occurredAt: Date
    public var businessDay: LocalDate
    public var cardNo: String?
    public var totalFen: Int64
    public var eligibleFen: Int64
    public var refundedFen: Int64
    public var pointsEarned: Int64
    public var pointsReversed: Int64
}

/// One points-ledger row as the ledger export writes it.
public struct LedgerExportRow: Sendable, Equatable {
    public var id: Int64
    public var memberId: Int64
    public var cardNo: String?
    public var kind: String
    public var points: Int64
    public var balanceAfter: Int64
    public var receiptNo: String?
    public var note: String
    public var actor: String
    public var at: Date
}

/// Whole-table exports read in pages by id (keyset), so that a million rows stream out without being held in
/// memory and without OFFSET scans. Each export is audited once it has been written, with its row count.
extension Store {
    /// `malls` (here and below, issue 17): only the rows of these malls' members (purchases: made at these malls).
    public func exportMembersPage(after id: Int64, limit: Int, on day: LocalDate, malls: MallScope? = nil) async throws -> [SegmentMember] {
        let (_, programme) = try await self.programme()
        let scope = malls?.members("m") ?? ""
        return try await sql.rows("""
            SELECT \(unsafeRaw: Self.segmentMemberColumns) FROM members m WHERE m.id > \(bind: id)\(scope) ORDER BY m.id LIMIT \(bind: limit)
            """).map { try segmentMember($0, programme, day) }
    }

    /// Purchases of the business days `from`…`through` (inclusive).
    public func exportPurchasesPage(from: LocalDate, through: LocalDate, after id: Int64, limit: Int,
                                    malls: MallScope? = nil) async throws -> [PurchaseExportRow] {
        let scope = malls?.malls("p.mall_id") ?? ""
        return try await sql.rows("""
            SELECT p.id, ml.code AS mall, p.receipt_no, p.occurred_at_ms, p.business_day, p.card_no, p.total_fen, p.eligible_fen,
              p.refunded_fen, p.points_earned, p.points_reversed
            FROM purchases p JOIN malls ml ON ml.id = p.mall_id
            WHERE p.business_day >= \(bind: from.dayNumber) AND p.business_day <= \(bind: through.dayNumber) AND p.id > \(bind: id)\(scope)
            ORDER BY p.id LIMIT \(bind: limit)
            """).map { r in
            PurchaseExportRow(id: try r.int64("id"), mall: try r.string("mall"), receiptNo: try r.string("receipt_no"),
                              occurredAt: dateFromMillis(try r.int64("occurred_at_ms")), businessDay: LocalDate(dayNumber: try r.int("business_day")),
                              cardNo: try r.optString("card_no"), totalFen: try r.int64("total_fen"), eligibleFen: try r.int64("eligible_fen"),
                              refundedFen: try r.int64("refunded_fen"), pointsEarned: try r.int64("points_earned"),
                              pointsReversed: try r.int64("points_reversed"))
        }
    }

    /// Ledger rows written on the business days `from`…`through` (inclusive) in the programme's time zone.
    public func exportLedgerPage(from: LocalDate, through: LocalDate, after id: Int64, limit: Int,
                                 malls: MallScope? = nil) async throws -> [LedgerExportRow] {
        let scope = malls?.members("m", idColumn: "l.member_id") ?? ""
        let zone = try await programme().programme.timeZone
        let start = epochMillis(from.start(in: zone)), end = epochMillis(through.adding(days: 1).start(in: zone))
        return try await sql.rows("""
            SELECT l.id, l.member_id, l.kind, l.points, l.balance_after, l.note, l.actor, l.at_ms, p.receipt_no,
              (SELECT c.card_no FROM cards c WHERE c.member_id = l.member_id ORDER BY (c.state = 'active') DESC, c.id DESC LIMIT 1) AS card_no
            FROM points_ledger l LEFT JOIN purchases p ON p.id = l.purchase_id
            WHERE l.id > \(bind: id) AND l.at_ms >= \(bind: start) AND l.at_ms < \(bind: end)\(scope)
            ORDER BY l.id LIMIT \(bind: limit)
            """).map { r in
            LedgerExportRow(id: try r.int64("id"), memberId: try r.int64("member_id"), cardNo: try r.optString("card_no"),
                            kind: try r.string("kind"), points: try r.int64("points"), balanceAfter: try r.int64("balance_after"),
                            receiptNo: try r.optString("receipt_no"), note: try r.string("note"), actor: try r.string("actor"),
                            at: dateFromMillis(try r.int64("at_ms")))
        }
    }

    /// The audit row of a finished export: who, when (the row's time), what and how many rows.
    public func recordExport(_ what: String, rows: Int, detail: String, actor: String) async throws {
        try await audit(actor: actor, action: "export.\(what)", subject: what, detail: "rows=\(rows) \(detail)")
    }
}

/// A past export as the exports page lists it (from the audit log).
public struct ExportRecord: Sendable, Equatable {
    public var at: Date
    public var actor: String
    public var action: String
    public var subject: String
    public var detail: String
}

extension Store {
    /// The latest exports of personal data (members, purchases, ledger, segments, lapse lists), newest first.
    public func recentExports(limit: Int = 20) async throws -> [ExportRecord] {
        try await sql.rows("""
            SELECT at_ms, actor, action, subject, detail FROM audit_log
            WHERE action LIKE 'export.%' OR action IN ('segment.export', 'task.lapseExport')
            ORDER BY id DESC LIMIT \(bind: limit)
            """).map {
            ExportRecord(at: dateFromMillis(try $0.int64("at_ms")), actor: try $0.string("actor"), action: try $0.string("action"),
                         subject: try $0.string("subject"), detail: try $0.string("detail"))
        }
    }
}
