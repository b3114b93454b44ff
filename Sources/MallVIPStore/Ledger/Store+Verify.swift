import FluentKit
import Foundation
import SQLKit

public struct VerifyReport: Sendable {
    public var membersChecked: Int
    public var mismatches: [String]
    public var ok: Bool { mismatches.isEmpty }
}

extension Store {
    /// For every member: points balance = sum of the ledger, and rolling-spend aggregates = the purchases they
    /// summarise (net of refunds), day by day.
    public func verify() async throws -> VerifyReport {
        var problems: [String] = []
        let count = try await sql.row("SELECT COUNT(*) AS n FROM members")!.int("n")
        // Months detached from the partitioned history (PostgreSQL, `mallvip partitions detach`): their ledger counts
        // through its per-member sum, their days' rolling spend is not compared (the purchases are archived).
        let partitioned = try await MonthlyPartitions.isPartitioned(sql)
        let ledger = partitioned
            ? "(SELECT member_id, points FROM points_ledger UNION ALL SELECT member_id, points FROM detached_ledger_sums)"
            : "points_ledger"
        var detachedDays: [(lo: Int, hi: Int)] = []
        if partitioned {
            detachedDays = try await sql.rows("SELECT day_from, day_to FROM history_detached_months").map { (try $0.int("day_from"), try $0.int("day_to")) }
        }
        let balances = try await sql.rows("""
            SELECT m.id, m.points_balance, CAST(COALESCE(l.s, 0) AS BIGINT) AS ledger_sum
            FROM members m LEFT JOIN (SELECT member_id, SUM(points) AS s FROM \(unsafeRaw: ledger) x GROUP BY member_id) l ON l.member_id = m.id
            WHERE m.points_balance <> COALESCE(l.s, 0)
            """)
        for r in balances {
            problems.append("member \(try r.int64("id")): points balance \(try r.int64("points_balance")) ≠ ledger sum \(try r.int64("ledger_sum"))")
        }
        let negative = try await sql.rows("SELECT id, points_balance FROM members WHERE points_balance < 0")
        for r in negative where try r.int64("points_balance") < 0 {
            problems.append("member \(try r.int64("id")): negative balance \(try r.int64("points_balance")) (refund after points were spent)")
        }
        struct Key: Hashable { var member: Int64; var mall: Int64; var day: Int }
        var expected: [Key: Int64] = [:]
        for r in try await sql.rows("""
            SELECT member_id, mall_id, business_day, CAST(SUM(total_fen - refunded_fen) AS BIGINT) AS s FROM purchases
            WHERE member_id IS NOT NULL GROUP BY member_id, mall_id, business_day
            """) {
            expected[Key(member: try r.int64("member_id"), mall: try r.int64("mall_id"), day: try r.int("business_day"))] = try r.int64("s")
        }
        var actual: [Key: Int64] = [:]
        for r in try await sql.rows("SELECT member_id, mall_id, day, spend_fen FROM member_daily_spend") {
            actual[Key(member: try r.int64("member_id"), mall: try r.int64("mall_id"), day: try r.int("day"))] = try r.int64("spend_fen")
        }
        for key in Set(expected.keys).union(actual.keys) where (expected[key] ?? 0) != (actual[key] ?? 0)
            && !detachedDays.contains(where: { key.day >= $0.lo && key.day < $0.hi }) {
            problems.append("member \(key.member) mall \(key.mall) day \(key.day): rolling spend \(actual[key] ?? 0) ≠ purchases \(expected[key] ?? 0)")
        }
        return VerifyReport(membersChecked: count, mismatches: problems.sorted())
    }
}
