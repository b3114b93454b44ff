import FluentKit
import Foundation
import MallVIPCore
import SQLKit

public struct LapsingMember: Sendable, Equatable {
    public var memberId: Int64
    public var name: String
    public var phone: String
    public var tier: String
    public var points: Int64
    public var lastActivity: LocalDate
    public var accountManagerId: Int64?
}

extension Store {
    /// Cards about to lapse (docs/domain.md §10 "a monthly export of cards about to become invalid"): the list of
    /// `asOf`'s month holds the members whose last purchase (or, never having bought, enrolment) up to `asOf` fell
    /// in the month `lapseMonths` before (see `ChurnPolicy.lapseSourceMonth`).
    /// `staffId`: one account manager's members; `unassignedOnly`: members without one.
    public func lapsingMembers(_ programme: Programme, asOf: LocalDate, staffId: Int64?, unassignedOnly: Bool) async throws -> [LapsingMember] {
        let source = programme.churn.lapseSourceMonth(listedOn: asOf)
        let from = source.dayNumber
        let before = source.adding(months: 1).dayNumber
        var q: SQLQueryString = """
            SELECT id, name, phone, tier, points_balance, account_manager_id, last_day FROM (
              SELECT m.id, m.name, m.phone, \(SegmentSQL.effectiveTier(programme, today: asOf.dayNumber)) AS tier, m.points_balance,
                m.account_manager_id, \(Store.lastActivitySQL(upTo: asOf)) AS last_day
              FROM members m WHERE m.status = 'active'
            """
        if let staffId { q.appendLiteral(" AND m.account_manager_id = "); q.appendInterpolation(bind: staffId) }
        if unassignedOnly { q.appendLiteral(" AND m.account_manager_id IS NULL") }
        q.appendLiteral(") x WHERE last_day < "); q.appendInterpolation(bind: before)
        q.appendLiteral(" AND last_day >= "); q.appendInterpolation(bind: from)
        q.appendLiteral(" ORDER BY last_day, id")
        return try await sql.rows(q).map { r in
            LapsingMember(memberId: try r.int64("id"), name: try r.string("name"), phone: try r.string("phone"),
                          tier: try r.string("tier"), points: try r.int64("points_balance"),
                          lastActivity: LocalDate(dayNumber: try r.int("last_day")), accountManagerId: try r.optInt64("account_manager_id"))
        }
    }
}
