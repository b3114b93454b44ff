import Foundation
import MallVIPCore
import SQLKit

/// Subqueries the report sections share. Every one reads the aggregates of migration 025 or `member_daily_spend`,
/// never purchases.
enum ReportSQL {
    /// One row per member who bought in `range` (in the mall, if given): `member_id, spend_fen, purchases, days,
    /// last_day`. Whole calendar months come from `member_month_stats`; the days at either end of a range that does
    /// not start or end on a month boundary come from `member_daily_spend`. Purchase days are counted per mall.
    /// `changedOnly`: just the members on the snapshots' change list (migration 027), read live beside a snapshot;
    /// `members`: just these (a few rows each by the tables' member keys).
    static func memberPeriod(_ range: DayRange, mallId: Int64?, changedOnly: Bool = false, members: [Int64]? = nil) -> SQLQueryString {
        let (months, edges) = range.monthSplit
        var mall: SQLQueryString = mallId.map { " AND mall_id = \(int: $0)" } ?? ""
        if changedOnly { mall.appendLiteral(" AND member_id IN (SELECT member_id FROM report_member_changes)") }
        if let members { mall.appendInterpolation(" AND member_id IN \(list: members)" as SQLQueryString) }
        var parts: [SQLQueryString] = []
        if let months {
            parts.append("""
                SELECT member_id, spend_fen, purchases, \(unsafeRaw: popcount("days_mask")) AS days, last_day FROM member_month_stats
                WHERE month >= \(int: months.lowerBound) AND month <= \(int: months.upperBound)\(mall)
                """)
        }
        for e in edges {
            parts.append("""
                SELECT member_id, spend_fen, CAST(purchases AS BIGINT) AS purchases, CAST(1 AS BIGINT) AS days, day AS last_day FROM member_daily_spend
                WHERE day >= \(int: e.from.dayNumber) AND day <= \(int: e.to.dayNumber)\(mall)
                """)
        }
        var q = SQLQueryString("""
            (SELECT u.member_id, CAST(SUM(u.spend_fen) AS BIGINT) AS spend_fen, CAST(SUM(u.purchases) AS BIGINT) AS purchases,
              CAST(SUM(u.days) AS BIGINT) AS days, MAX(u.last_day) AS last_day FROM (
            """)
        for (i, p) in parts.enumerated() {
            if i > 0 { q.appendLiteral(" UNION ALL ") }
            q.appendInterpolation(p)
        }
        q.appendLiteral(") u GROUP BY u.member_id)")
        return q
    }

    /// Bits set in a 31-bit day mask, in SQL both stores run (no popcount function in either).
    static func popcount(_ column: String) -> String {
        "(" + (0..<31).map { "((\(column) >> \($0)) & 1)" }.joined(separator: " + ") + ")"
    }

    /// `member_id, tier` as the tier history stood before `beforeMs`: the last tier change before then.
    /// `members`: just these (the top N), so that the tier history of everybody else is not grouped.
    static func tiersAsOf(beforeMs: Int64, members: [Int64]? = nil) -> SQLQueryString {
        let only: SQLQueryString = members.map { " AND member_id IN \(list: $0)" } ?? ""
        return """
        (SELECT t.member_id, t.to_tier AS tier FROM tier_changes t
         JOIN (SELECT member_id, MAX(id) AS id FROM tier_changes WHERE at_ms < \(int: beforeMs)\(only) GROUP BY member_id) l ON l.id = t.id)
        """
    }

    /// Members enrolled on or before `day` (at the mall, if given), as a WHERE fragment on `m`.
    static func membersBy(_ day: LocalDate, mallId: Int64?) -> SQLQueryString {
        let mall: SQLQueryString = mallId.map { " AND m.enrolled_mall_id = \(int: $0)" } ?? ""
        return "m.enrolled_day <= \(int: day.dayNumber)\(mall)"
    }
}
