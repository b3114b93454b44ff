import FluentKit
import Foundation
import MallVIPCore
import SQLKit

/// Movement totals for the points liability (issue 20, docs/finance.md "Movements"): every `points_ledger` row,
/// summed per month (of its `at_ms`, in the programme's time zone), mall and kind. A row's mall: earn and reverse
/// rows, their purchase's; any other row, the member's enrolment mall (0 when none; the group's only mall when there
/// is one). Sales: an earn row's purchase's eligible amount; a reverse row takes back eligible × points reversed ÷
/// points earned (rounded as `finance.rounding`).
extension Store {
    /// The month of the first ledger row; nil when the ledger is empty.
    public func financeFirstMonth() async throws -> FinanceMonth? {
        let (_, programme) = try await self.programme()
        guard let r = try await sql.row("SELECT MIN(at_ms) AS t FROM points_ledger"), let t = try r.optInt64("t") else { return nil }
        return FinanceMonth(LocalDate.of(Date(timeIntervalSince1970: Double(t) / 1000), in: programme.timeZone))
    }

    /// Raw movement totals per month and mall for `from` through `through`, as the ledger holds them now (closed months
    /// included: `pointsRollForward` compares them with what was frozen). Rows dated before `from` are left out.
    public func financeMovements(from: FinanceMonth, through: FinanceMonth) async throws -> [FinanceMonth: [Int64: PointsMovements]] {
        let (_, programme) = try await self.programme()
        let zone = programme.timeZone
        let months = from.through(through)
        guard !months.isEmpty else { return [:] }
        let bounds = months.map { epochMillis($0.next.firstDay.start(in: zone)) }
        let start = epochMillis(from.firstDay.start(in: zone)), end = bounds.last!
        // The month of a row: the first month whose end is after it.
        var bucket = "CASE"
        for (i, b) in bounds.enumerated() { bucket += " WHEN l.at_ms < \(b) THEN \(months[i].key)" }
        bucket += " END"
        let onlyMall = try await malls().map(\.id)
        let fallback = onlyMall.count == 1 ? onlyMall[0] : 0
        var out: [FinanceMonth: [Int64: PointsMovements]] = [:]
        for r in try await sql.rows("""
            SELECT \(unsafeRaw: bucket) AS mk, COALESCE(p.mall_id, m.enrolled_mall_id, \(unsafeRaw: String(fallback))) AS mall, l.kind AS kind,
              CAST(COALESCE(SUM(l.points), 0) AS BIGINT) AS pts,
              CAST(COALESCE(SUM(CASE WHEN l.kind = \(bind: LedgerKind.earn.rawValue) THEN p.eligible_fen ELSE 0 END), 0) AS BIGINT) AS sales
            FROM points_ledger l
              LEFT JOIN members m ON m.id = l.member_id
              LEFT JOIN purchases p ON p.id = l.purchase_id AND l.kind IN (\(bind: LedgerKind.earn.rawValue), \(bind: LedgerKind.reverse.rawValue))
            WHERE l.at_ms >= \(bind: start) AND l.at_ms < \(bind: end)
            GROUP BY 1, 2, 3
            """) {
            guard let month = FinanceMonth(key: try r.int("mk")) else { continue }
            let mall = try r.int64("mall")
            let kindText = try r.string("kind")
            var x = out[month]?[mall] ?? PointsMovements()
            if let kind = LedgerKind(rawValue: kindText) { x.add(kind, try r.int64("pts")) } else { x.bonus += try r.int64("pts") }
            x.salesFen = Saturating.add(x.salesFen, try r.int64("sales"))
            out[month, default: [:]][mall] = x
        }
        // Refunds: the eligible sales each reverse row takes back, row by row (refunds are few).
        let rounding = programme.finance.rounding
        for r in try await sql.rows("""
            SELECT \(unsafeRaw: bucket) AS mk, p.mall_id AS mall, l.points AS pts, p.eligible_fen AS eligible, p.points_earned AS earned
            FROM points_ledger l JOIN purchases p ON p.id = l.purchase_id
            WHERE l.kind = \(bind: LedgerKind.reverse.rawValue) AND l.at_ms >= \(bind: start) AND l.at_ms < \(bind: end)
            """) {
            guard let month = FinanceMonth(key: try r.int("mk")) else { continue }
            let earned = try r.int64("earned")
            guard earned > 0 else { continue }
            let back = rounding.mulDiv(try r.int64("eligible"), -(try r.int64("pts")), earned)
            out[month, default: [:]][try r.int64("mall"), default: PointsMovements()].refundedSalesFen += back
        }
        return out
    }
}
