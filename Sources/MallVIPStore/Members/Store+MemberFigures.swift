import Foundation
import MallVIPCore
import SQLKit

/// What the member page shows beside the timeline (issue 17; docs/domain.md §3.3 and §10): the important-customer
/// segment (core, potential, stable: `reports.segments`, first match wins, the segment report's rule), the RFM
/// score and class (segments' default cut-offs), the ABC class (`reports.abc`, the same ranking as the ABC report),
/// purchase frequency and the churn-risk flag (`churn.inactiveMonths`, the churn list's rule).
public struct MemberAtAGlance: Sendable, Equatable {
    /// The twelve months ending today.
    public var spendFen: Int64
    public var purchases: Int
    public var purchaseDays: Int
    public var lastPurchase: LocalDate?
    /// Index into `reports.segments`; nil = none of them ("other").
    public var segmentIndex: Int?
    public var rfm: RFMScore
    public var rfmClass: RFMClass
    /// Ranked over the twelve months ending yesterday (the nightly snapshot's range, so the ranking reads it).
    public var abc: ABCClass
    /// No purchase for `churn.inactiveMonths` (or never, and enrolled that long ago).
    public var churnRisk: Bool
}

extension Store {
    public func memberAtAGlance(memberId: Int64, enrolledOn: LocalDate, programme: Programme, today: LocalDate) async throws -> MemberAtAGlance {
        let rfmDef = RFMDefinition()
        let months = max(12, rfmDef.months)
        let own = DayRange(from: today.windowStart(months: months), to: today)
        let mine = try await sql.row("""
            SELECT spend_fen, purchases, days, last_day FROM \(ReportSQL.memberPeriod(own, mallId: nil, members: [memberId])) p
            """)
        let spend = try mine?.int64("spend_fen") ?? 0
        let purchases = Int(try mine?.int64("purchases") ?? 0)
        let days = Int(try mine?.int64("days") ?? 0)
        // The last purchase ever (not only within the year): the churn flag and recency need it.
        let last = try await sql.row("SELECT MAX(day) AS d FROM member_daily_spend WHERE member_id = \(bind: memberId)")?
            .optInt("d").map(LocalDate.init(dayNumber:))
        let rfm = rfmDef.score(daysSinceLast: last.map { today.dayNumber - $0.dayNumber }, purchases: purchases, spendFen: spend)

        // ABC: the spend ranked above this member (by spend, then id, as the report ranks) over everyone's year.
        let yesterday = today.adding(days: -1)
        let year = DayRange(from: yesterday.windowStart(months: 12), to: yesterday)
        let period = try await memberPeriod(year, mallId: nil)
        let r = try await sql.row("""
            WITH p AS \(period), me AS (SELECT COALESCE((SELECT spend_fen FROM p WHERE member_id = \(bind: memberId)), 0) AS s)
            SELECT CAST(COALESCE(SUM(CASE WHEN p.spend_fen > me.s OR (p.spend_fen = me.s AND p.member_id < \(bind: memberId))
                                     THEN p.spend_fen ELSE 0 END), 0) AS BIGINT) AS above,
                   CAST(COALESCE(SUM(p.spend_fen), 0) AS BIGINT) AS total
            FROM p, me
            """)
        let abc = programme.reports.abcClass(cumulativeBeforeFen: try r?.int64("above") ?? 0, totalFen: try r?.int64("total") ?? 0)

        let churn = programme.churn.isInactive(lastPurchase: last ?? enrolledOn, checkedOn: today)
        return MemberAtAGlance(spendFen: spend, purchases: purchases, purchaseDays: days, lastPurchase: last,
                             segmentIndex: programme.reports.segmentIndex(spendFen: spend, purchaseDays: days),
                             rfm: rfm, rfmClass: rfmDef.classify(rfm), abc: abc, churnRisk: churn)
    }
}
