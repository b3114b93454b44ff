import Foundation
import MallVIPCore
import SQLKit

/// Points by local day and ledger kind (migration 027, `points_day_stats`) for the ledger rows up to a watermark
/// id; the points section adds the rows after it live. Ledger rows are only ever appended, so the figures are
/// exactly the ledger's, however late a row with an old time is written: it has a new id and is read live until
/// the next nightly pass folds it in.
enum PointsDayStats {
    static let watermarkKey = "pointsLedgerId"

    /// Folds the ledger rows after the watermark into the daily rows and moves the watermark to the last id.
    static func advance(_ sql: any SQLDatabase, zone: TimeZone) async throws {
        // Ids are handed out before commit: a row with a lower id still being written must not fall behind
        // the new watermark, so writers finish first and wait for this short pass (a table lock on PostgreSQL;
        // on SQLite the one writer already waits).
        try await sql.lockExclusive("points_ledger")
        let from = try await ReportSnapshots.state(sql, watermarkKey) ?? 0
        guard let r = try await sql.row("""
            SELECT MAX(id) AS hi, MIN(at_ms) AS lo_ms, MAX(at_ms) AS hi_ms FROM points_ledger WHERE id > \(int: from)
            """), let to = try r.optInt("hi").map(Int64.init), let loMs = try r.optInt("lo_ms"), let hiMs = try r.optInt("hi_ms") else { return }
        let lo = LocalDate.of(Date(timeIntervalSince1970: Double(loMs) / 1000), in: zone)
        let hi = LocalDate.of(Date(timeIntervalSince1970: Double(hiMs) / 1000), in: zone)
        try await sql.exec("""
            INSERT INTO points_day_stats (day, kind, points)
            SELECT \(dayExpression(zone: zone, from: lo, to: hi)) AS d, kind, CAST(SUM(points) AS BIGINT) FROM points_ledger
            WHERE id > \(int: from) AND id <= \(int: to) GROUP BY 1, 2
            ON CONFLICT (day, kind) DO UPDATE SET points = points_day_stats.points + excluded.points
            """)
        try await ReportSnapshots.setState(sql, watermarkKey, to)
    }

    /// The local day of `at_ms`: by arithmetic when the zone's offset is the same over the days (China keeps +8
    /// all year), else a CASE over each day's start.
    static func dayExpression(zone: TimeZone, from: LocalDate, to: LocalDate) -> SQLQueryString {
        let offsets = Set(stride(from: from.dayNumber - 1, through: to.dayNumber + 1, by: 1).map {
            zone.secondsFromGMT(for: LocalDate(dayNumber: $0).start(in: zone))
        })
        if offsets.count == 1, let offset = offsets.first {
            return "CAST((at_ms + \(int: Int64(offset) * 1000)) / 86400000 AS INTEGER)"
        }
        var q = SQLQueryString("CASE")
        for d in stride(from: to.dayNumber, through: from.dayNumber, by: -1) {
            q.appendLiteral(" WHEN at_ms >= \(epochMillis(LocalDate(dayNumber: d).start(in: zone))) THEN \(d)")
        }
        q.appendLiteral(" ELSE \(from.dayNumber - 1) END")
        return q
    }
}
