import FluentKit
import Foundation
import MallVIPCore
import SQLKit

/// Today's figures for the console home page, per mall when `mallId` is given.
public struct DashboardFigures: Sendable, Equatable {
    public var members: Int
    public var newMembersToday: Int
    public var purchasesToday: Int
    public var salesTodayFen: Int64
    public var memberSalesTodayFen: Int64
    public var pendingTierRequests: Int
}

extension Store {
    public func dashboard(on day: LocalDate, mallId: Int64? = nil) async throws -> DashboardFigures {
        // Issue 21: every mall spelled out when none is asked, so that both stores search the (mall_id, business_day)
        // index instead of reading every purchase (and PostgreSQL prunes the month partitions).
        let mallFilter: SQLQueryString = mallId.map { "AND mall_id = \(bind: $0)" } ?? "AND mall_id IN (SELECT id FROM malls)"
        let members = try await sql.row("SELECT COUNT(*) AS n FROM members WHERE status = 'active'")!.int("n")
        let newToday = try await sql.row("SELECT COUNT(*) AS n FROM members WHERE enrolled_day = \(bind: day.dayNumber)")!.int("n")
        let sales = try await sql.row("""
            SELECT COUNT(*) AS n, CAST(COALESCE(SUM(total_fen - refunded_fen), 0) AS BIGINT) AS total,
                   CAST(COALESCE(SUM(CASE WHEN member_id IS NOT NULL THEN total_fen - refunded_fen ELSE 0 END), 0) AS BIGINT) AS member_total
            FROM purchases WHERE business_day = \(bind: day.dayNumber) \(mallFilter)
            """)!
        let pending = try await sql.row("SELECT COUNT(*) AS n FROM tier_requests WHERE status = 'pending'")!.int("n")
        return DashboardFigures(members: members, newMembersToday: newToday, purchasesToday: try sales.int("n"),
                                salesTodayFen: try sales.int64("total"), memberSalesTodayFen: try sales.int64("member_total"),
                                pendingTierRequests: pending)
    }
}
