import Foundation
import MallVIPCore
import SQLKit

extension Store {
    /// Sales and VIP share of a scope, in total or by day, month, department, floor or counter, from
    /// `counter_day_sales`. Departments and floors are the counters' as they are now, so that last year is restated
    /// in this year's organisation. Groups come sorted by key.
    public func reportSales(_ scope: ReportScope, by grouping: SalesGrouping) async throws -> [SalesGroup] {
        let mall: SQLQueryString = scope.mallId.map { " AND s.mall_id = \(int: $0)" } ?? ""
        let key: String
        switch grouping {
        case .total: key = "''"
        case .day, .month: key = "s.day"
        case .department: key = "d.code"
        case .floor: key = "c.floor"
        case .counter: key = "c.code"
        }
        let rows = try await sql.rows("""
            SELECT \(unsafeRaw: key) AS k, MIN(c.name) AS counter_name, MIN(c.brand) AS brand, MIN(d.code) AS dept, MIN(d.name) AS dept_name,
              CAST(COALESCE(SUM(s.sales_fen), 0) AS BIGINT) AS sales, CAST(COALESCE(SUM(s.member_sales_fen), 0) AS BIGINT) AS member_sales,
              CAST(COALESCE(SUM(s.lines), 0) AS BIGINT) AS lines, CAST(COALESCE(SUM(s.member_lines), 0) AS BIGINT) AS member_lines,
              CAST(COALESCE(SUM(s.lead_receipts), 0) AS BIGINT) AS receipts, CAST(COALESCE(SUM(s.member_lead_receipts), 0) AS BIGINT) AS member_receipts,
              CAST(COALESCE(SUM(s.receipts), 0) AS BIGINT) AS tickets, CAST(COALESCE(SUM(s.member_receipts), 0) AS BIGINT) AS member_tickets,
              CAST(COALESCE(SUM(s.refunded_fen), 0) AS BIGINT) AS refunded, CAST(COALESCE(SUM(s.member_refunded_fen), 0) AS BIGINT) AS member_refunded
            FROM counter_day_sales s JOIN counters c ON c.id = s.counter_id JOIN departments d ON d.id = c.department_id
            WHERE s.day >= \(int: scope.range.from.dayNumber) AND s.day <= \(int: scope.range.to.dayNumber)\(mall)
            \(unsafeRaw: grouping == .total ? "" : "GROUP BY " + key)
            """)
        var groups: [String: SalesGroup] = [:]
        for r in rows {
            var t = SalesTotals()
            t.salesFen = try r.int64("sales"); t.memberSalesFen = try r.int64("member_sales")
            t.lines = try r.int64("lines"); t.memberLines = try r.int64("member_lines")
            t.receipts = try r.int64("receipts"); t.memberReceipts = try r.int64("member_receipts")
            t.tickets = try r.int64("tickets"); t.memberTickets = try r.int64("member_tickets")
            t.refundedFen = try r.int64("refunded"); t.memberRefundedFen = try r.int64("member_refunded")
            let g: SalesGroup
            switch grouping {
            case .total: g = SalesGroup(key: "", label: "", sales: t)
            case .day, .month:
                let day = LocalDate(dayNumber: try r.int("k"))
                let k = grouping == .day ? day.description : String(day.description.prefix(7))
                g = SalesGroup(key: k, label: k, sales: t)
            case .department: g = SalesGroup(key: try r.string("k"), label: try r.string("dept_name"), sales: t)
            case .floor: g = SalesGroup(key: try r.string("k"), label: try r.string("k"), sales: t)
            case .counter:
                let (name, brand) = (try r.string("counter_name"), try r.string("brand"))
                g = SalesGroup(key: try r.string("k"), label: "\(name) · \(brand)", parent: try r.string("dept_name"), sales: t)
            }
            if let prior = groups[g.key] { groups[g.key]!.sales = prior.sales + g.sales } else { groups[g.key] = g }
        }
        if grouping == .total && groups.isEmpty { return [SalesGroup(key: "", label: "", sales: SalesTotals())] }
        return groups.values.sorted { $0.key < $1.key }
    }

    /// Lines and sales by price band (a line's amount; `reports.priceBands`), from `price_band_day_sales`.
    public func reportPriceBands(_ scope: ReportScope) async throws -> [PriceBandRow] {
        let mall: SQLQueryString = scope.mallId.map { " AND mall_id = \(int: $0)" } ?? ""
        return try await sql.rows("""
            SELECT band_fen, CAST(SUM(lines) AS BIGINT) AS lines, CAST(SUM(sales_fen) AS BIGINT) AS sales,
              CAST(SUM(member_lines) AS BIGINT) AS member_lines, CAST(SUM(member_sales_fen) AS BIGINT) AS member_sales
            FROM price_band_day_sales WHERE day >= \(int: scope.range.from.dayNumber) AND day <= \(int: scope.range.to.dayNumber)\(mall)
            GROUP BY band_fen ORDER BY band_fen
            """).map {
            PriceBandRow(bandFen: try $0.int64("band_fen"), lines: try $0.int64("lines"), salesFen: try $0.int64("sales"),
                         memberLines: try $0.int64("member_lines"), memberSalesFen: try $0.int64("member_sales"))
        }
    }

    /// Points by ledger kind written on the scope's days, and the points outstanding before and after them (group-wide:
    /// points belong to the member, not to a mall).
    public func reportPoints(_ range: DayRange) async throws -> PointsReport {
        let (_, programme) = try await self.programme()
        let zone = programme.timeZone
        let start = epochMillis(range.from.start(in: zone)), end = epochMillis(range.to.adding(days: 1).start(in: zone))
        // Days folded into `points_day_stats` (ledger ids up to the watermark) plus the later rows, read live.
        let mark = try await ReportSnapshots.state(sql, PointsDayStats.watermarkKey) ?? 0
        var byKind: [String: Int64] = [:]
        for r in try await sql.rows("""
            SELECT kind, CAST(SUM(points) AS BIGINT) AS pts FROM points_day_stats
            WHERE day >= \(int: range.from.dayNumber) AND day <= \(int: range.to.dayNumber) GROUP BY kind
            UNION ALL
            SELECT kind, CAST(SUM(points) AS BIGINT) AS pts FROM points_ledger
            WHERE id > \(int: mark) AND at_ms >= \(int: start) AND at_ms < \(int: end) GROUP BY kind
            """) { byKind[try r.string("kind"), default: 0] += try r.int64("pts") }
        func outstanding(before day: LocalDate, ms: Int64) async throws -> Int64 {
            try await sql.row("""
                SELECT CAST(COALESCE((SELECT SUM(points) FROM points_day_stats WHERE day < \(int: day.dayNumber)), 0)
                  + COALESCE((SELECT SUM(points) FROM points_ledger WHERE id > \(int: mark) AND at_ms < \(int: ms)), 0) AS BIGINT) AS pts
                """)!.int64("pts")
        }
        return PointsReport(byKind: byKind, outstandingStart: try await outstanding(before: range.from, ms: start),
                            outstandingEnd: try await outstanding(before: range.to.adding(days: 1), ms: end),
                            fenPerThousandPoints: programme.redemption.fenPerThousandPoints)
    }
}
