import FluentKit
import Foundation
import MallVIPCore
import SQLKit

public struct ChurnFigures: Sendable, Equatable {
    public var from: LocalDate
    public var to: LocalDate
    /// Members given a churn call-back in the period.
    public var flagged: Int
    /// Call-backs with an outcome (done, not reachable, declined), and those where the member was reached.
    public var called: Int
    public var reached: Int
    /// Called members who bought within `wonBackDays` of the call.
    public var wonBack: Int
    /// Important members at the start of the period, and how many of them were flagged.
    public var base: Int
    public var lost: Int
    public var targetPermille: Int
    public var wonBackDays: Int

    /// Lost per mille of the base; nil without a base.
    public var ratePermille: Int? { base == 0 ? nil : Int((Int64(lost) * 1000 + Int64(base) / 2) / Int64(base)) }
    public var meetsTarget: Bool { (ratePermille ?? 0) < targetPermille }
}

extension Store {
    /// Churn over the 12 months ending `today` (docs/domain.md §10): important customers lost over a year divided by
    /// the base, "lost" meaning flagged for `inactiveMonths` without a purchase. The base is the members enrolled
    /// by the start who are important now or were flagged in the period (a flagged member stays counted even if
    /// their tier has since dropped).
    public func churnFigures(today: LocalDate) async throws -> ChurnFigures {
        let (_, programme) = try await self.programme()
        let policy = programme.churn
        let from = today.adding(months: -12)
        let fromMs = epochMillis(from.start(in: programme.timeZone))
        let toMs = epochMillis(today.adding(days: 1).start(in: programme.timeZone))
        let inPeriod: SQLQueryString = "kind = 'churn' AND created_at_ms >= \(bind: fromMs) AND created_at_ms < \(bind: toMs)"

        let flagged = try await sql.row("SELECT COUNT(DISTINCT member_id) AS n FROM service_tasks WHERE \(inPeriod)")!.int("n")
        let calls = try await sql.rows("""
            SELECT member_id, status, closed_at_ms FROM service_tasks WHERE \(inPeriod) AND status IN ('done', 'unreachable', 'declined')
            """)
        var wonBack = Set<Int64>(), reached = 0
        for c in calls {
            if try c.string("status") == "done" { reached += 1 }
            let member = try c.int64("member_id")
            let closed = LocalDate.of(dateFromMillis(try c.int64("closed_at_ms")), in: programme.timeZone)
            if try await sql.row("""
                SELECT id FROM purchases WHERE member_id = \(bind: member) AND total_fen > refunded_fen
                  AND business_day >= \(bind: closed.dayNumber) AND business_day <= \(bind: closed.adding(days: policy.wonBackDays).dayNumber)
                LIMIT 1
                """) != nil { wonBack.insert(member) }
        }
        let flaggedSet: SQLQueryString = "SELECT member_id FROM service_tasks WHERE \(inPeriod)"
        let base = try await sql.row("""
            SELECT COUNT(*) AS n FROM members m WHERE m.enrolled_day <= \(bind: from.dayNumber)
              AND (\(SegmentSQL.effectiveTier(programme, today: today.dayNumber)) IN (\(binds: programme.importantTierCodes))
                   OR m.id IN (\(flaggedSet)))
            """)!.int("n")
        let lost = try await sql.row("""
            SELECT COUNT(*) AS n FROM members m WHERE m.enrolled_day <= \(bind: from.dayNumber) AND m.id IN (\(flaggedSet))
            """)!.int("n")
        return ChurnFigures(from: from, to: today, flagged: flagged, called: calls.count, reached: reached, wonBack: wonBack.count,
                            base: base, lost: lost, targetPermille: policy.targetRatePermille, wonBackDays: policy.wonBackDays)
    }
}
