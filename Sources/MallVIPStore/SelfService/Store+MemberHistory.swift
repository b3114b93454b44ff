import Foundation
import MallVIPCore
import SQLKit

/// One page of a member's history, newest first.
public struct HistoryPage<Item: Sendable>: Sendable {
    public var items: [Item]
    /// 1-based.
    public var page: Int
    public var hasMore: Bool
}

/// A purchase as its owner sees it: the receipt, where, each line's counter, and the points it moved.
public struct PurchaseDetail: Sendable, Equatable {
    public struct Line: Sendable, Equatable {
        public var counterName: String
        public var brand: String
        public var amountFen: Int64
        public var refundedFen: Int64
        public var earnsPoints: Bool
    }
    public var summary: PurchaseSummary
    public var mallName: String
    public var lines: [Line]
    public var ledger: [LedgerEntry]
}

// Member self-service reads (/m/). Every function takes the signed-in member's id and filters on it, so an id or
// code of someone else's record finds nothing.
extension Store {
    public func ledgerPage(memberId: Int64, page: Int, perPage: Int = 20) async throws -> HistoryPage<LedgerEntry> {
        let (page, offset) = Self.pageOffset(page, perPage)
        let rows = try await sql.rows("""
            SELECT * FROM points_ledger WHERE member_id = \(bind: memberId) ORDER BY id DESC
            LIMIT \(unsafeRaw: String(perPage + 1)) OFFSET \(unsafeRaw: String(offset))
            """).map(ledgerEntryFrom)
        return HistoryPage(items: Array(rows.prefix(perPage)), page: page, hasMore: rows.count > perPage)
    }

    public func purchasesPage(memberId: Int64, page: Int, perPage: Int = 20) async throws -> HistoryPage<PurchaseSummary> {
        let (page, offset) = Self.pageOffset(page, perPage)
        let rows = try await sql.rows("""
            SELECT p.*, m.code AS mall_code FROM purchases p JOIN malls m ON m.id = p.mall_id
            WHERE p.member_id = \(bind: memberId) ORDER BY p.occurred_at_ms DESC, p.id DESC
            LIMIT \(unsafeRaw: String(perPage + 1)) OFFSET \(unsafeRaw: String(offset))
            """).map(purchaseSummaryFrom)
        return HistoryPage(items: Array(rows.prefix(perPage)), page: page, hasMore: rows.count > perPage)
    }

    /// Nil unless the purchase is this member's.
    public func memberPurchase(memberId: Int64, purchaseId: Int64) async throws -> PurchaseDetail? {
        guard let row = try await sql.row("""
            SELECT p.*, m.code AS mall_code, m.name AS mall_name FROM purchases p JOIN malls m ON m.id = p.mall_id
            WHERE p.id = \(bind: purchaseId) AND p.member_id = \(bind: memberId)
            """) else { return nil }
        let lines = try await sql.rows("""
            SELECT l.amount_fen, l.refunded_fen, l.earns_points, c.name, c.brand FROM purchase_lines l
            JOIN counters c ON c.id = l.counter_id WHERE l.purchase_id = \(bind: purchaseId) ORDER BY l.line_no
            """).map {
            PurchaseDetail.Line(counterName: try $0.string("name"), brand: try $0.string("brand"), amountFen: try $0.int64("amount_fen"),
                                refundedFen: try $0.int64("refunded_fen"), earnsPoints: try $0.bool("earns_points"))
        }
        let ledger = try await sql.rows("""
            SELECT * FROM points_ledger WHERE member_id = \(bind: memberId) AND purchase_id = \(bind: purchaseId) ORDER BY id
            """).map(ledgerEntryFrom)
        return PurchaseDetail(summary: try purchaseSummaryFrom(row), mallName: try row.string("mall_name"), lines: lines, ledger: ledger)
    }

    /// Nil unless the coupon is this member's.
    public func memberCoupon(memberId: Int64, code: String) async throws -> CouponRecord? {
        let (_, programme) = try await self.programme()
        guard let normal = CouponCode.normalize(code, prefix: programme.coupons.codePrefix),
              try await sql.row("SELECT id FROM coupons WHERE code = \(bind: normal) AND member_id = \(bind: memberId)") != nil
        else { return nil }
        return try await couponRow(code: normal)
    }

    static func pageOffset(_ page: Int, _ perPage: Int) -> (page: Int, offset: Int) {
        let p = max(1, min(page, 10_000))
        return (p, (p - 1) * perPage)
    }
}
