import Foundation
import MallVIPCore
import SQLKit

extension Store {
    /// A report section's member figures for `ranges`, from `report_figure_cache` while they cannot have changed:
    /// computed under the current snapshot build, and no purchase, refund or enrolment credit listed in
    /// `report_member_changes` since then falls on any of those days. Otherwise computed (from the snapshots and the
    /// listed members) and, when nothing is listed on those days, kept for the next reader. Exact either way: a
    /// listed change is the only way a member's period figures move (the live path lists them with the aggregates).
    func cachedFigures<T: Codable & Sendable>(_ key: String, ranges: [DayRange], _ compute: () async throws -> T) async throws -> T {
        let sql = self.sql
        guard let build = try await ReportSnapshots.state(sql, ReportSnapshots.buildKey) else { return try await compute() }
        func unchanged() async throws -> Bool {
            for r in ranges {
                let listed = try await sql.row("""
                    SELECT day FROM report_member_changes WHERE day >= \(int: r.from.dayNumber) AND day <= \(int: r.to.dayNumber) LIMIT 1
                    """)
                if listed != nil { return false }
            }
            return true
        }
        if let row = try await sql.row("SELECT build, payload FROM report_figure_cache WHERE key = \(bind: key)"),
           try row.int64("build") == build, try await unchanged() {
            return try JSONDecoder().decode(T.self, from: Data(try row.string("payload").utf8))
        }
        let value = try await compute()
        // Checked after computing: a change written meanwhile is listed by now and keeps this result out.
        if try await unchanged(), try await ReportSnapshots.state(sql, ReportSnapshots.buildKey) == build {
            let payload = String(decoding: try JSONEncoder().encode(value), as: UTF8.self)
            // On a replica-reading copy the cache row goes to the primary (a standby is read-only); a change the
            // replica had not replayed yet is listed there and keeps this row from being used (checked on read).
            try await (primaryDB ?? db).sql.exec("""
                INSERT INTO report_figure_cache (key, build, payload) VALUES (\(bind: key), \(int: build), \(bind: payload))
                ON CONFLICT (key) DO UPDATE SET build = excluded.build, payload = excluded.payload
                """)
        }
        return value
    }
}

extension Store {
    /// Empties the cached report figures (the benchmark's cold runs); they are computed again on the next read.
    public func dropReportFigureCache() async throws {
        try await sql.exec("DELETE FROM report_figure_cache")
    }
}

/// Keys of the cached figures: the section, its days, the mall and the policy values the figures depend on.
enum FigureKey {
    static func make(_ section: String, _ ranges: [DayRange], mallId: Int64?, _ policy: String = "") -> String {
        ([section] + ranges.map { "\($0.from.dayNumber)-\($0.to.dayNumber)" } + ["mall\(mallId ?? 0)", policy]).joined(separator: "|")
    }
}
