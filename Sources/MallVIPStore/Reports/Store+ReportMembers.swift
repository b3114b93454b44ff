import Foundation
import MallVIPCore
import SQLKit

extension Store {
    /// Members total and new, active cards with their spend and purchases, repurchase (purchase days ≥
    /// `reports.repurchase.minDays`) and retention against `previous` (the period before).
    public func reportMembers(_ scope: ReportScope, previous: DayRange) async throws -> MemberFigures {
        let (_, programme) = try await self.programme()
        let minDays = programme.reports.repurchase.minDays
        let r = scope.range
        let mall: SQLQueryString = scope.mallId.map { " AND enrolled_mall_id = \(int: $0)" } ?? ""
        let counts = try await sql.row("""
            SELECT (SELECT COUNT(*) FROM members WHERE enrolled_day <= \(int: r.to.dayNumber)\(mall)) AS total,
                   (SELECT COUNT(*) FROM members WHERE enrolled_day >= \(int: r.from.dayNumber) AND enrolled_day <= \(int: r.to.dayNumber)\(mall)) AS fresh
            """)!
        let activity = try await cachedFigures(FigureKey.make("members", [r, previous], mallId: scope.mallId, "\(minDays)"),
                                               ranges: [r, previous]) { () async throws -> [Int64] in
            let this = try await memberPeriod(r, mallId: scope.mallId)
            let active = try await sql.row("""
                SELECT COUNT(*) AS n, CAST(COALESCE(SUM(a.spend_fen), 0) AS BIGINT) AS spend, CAST(COALESCE(SUM(a.purchases), 0) AS BIGINT) AS purchases,
                       COALESCE(SUM(CASE WHEN a.days >= \(int: minDays) THEN 1 ELSE 0 END), 0) AS repeaters
                FROM \(this) a
                """)!
            let prev = try await memberPeriod(previous, mallId: scope.mallId)
            let retention = try await sql.row("""
                SELECT COUNT(*) AS n, COALESCE(SUM(CASE WHEN a.member_id IS NULL THEN 0 ELSE 1 END), 0) AS kept
                FROM \(prev) b LEFT JOIN \(this) a ON a.member_id = b.member_id
                """)!
            return [try active.int64("n"), try active.int64("spend"), try active.int64("purchases"), try active.int64("repeaters"),
                    try retention.int64("n"), try retention.int64("kept")]
        }
        return MemberFigures(total: try counts.int("total"), new: try counts.int("fresh"), days: r.days, active: Int(activity[0]),
                             spendFen: activity[1], purchases: activity[2], repeatBuyers: Int(activity[3]), minDays: minDays,
                             previousActive: Int(activity[4]), retained: Int(activity[5]))
    }

    /// Churn at the scope's end (see `ChurnReport`): `churn.inactiveMonths` and `churn.targetRate` from the programme.
    public func reportChurn(_ scope: ReportScope) async throws -> ChurnReport {
        let (_, programme) = try await self.programme()
        let policy = programme.churn
        let baseRange = DayRange(from: scope.range.from.adding(months: -12), to: scope.range.from.adding(days: -1))
        let recent = DayRange(from: scope.range.to.windowStart(months: policy.inactiveMonths), to: scope.range.to)
        let counts = try await cachedFigures(FigureKey.make("churn", [baseRange, recent], mallId: scope.mallId), ranges: [baseRange, recent]) {
            () async throws -> [Int] in
            let base = try await memberPeriod(baseRange, mallId: scope.mallId)
            let since = try await memberPeriod(recent, mallId: scope.mallId)
            let row = try await sql.row("""
                SELECT COUNT(*) AS n, COALESCE(SUM(CASE WHEN a.member_id IS NULL THEN 1 ELSE 0 END), 0) AS lost
                FROM \(base) b LEFT JOIN \(since) a ON a.member_id = b.member_id
                """)!
            return [try row.int("n"), try row.int("lost")]
        }
        return ChurnReport(base: counts[0], lost: counts[1], inactiveMonths: policy.inactiveMonths, targetPermille: policy.targetRatePermille)
    }

    /// Members at the scope's end by gender and age band (age on the last day; `reports.ageBands`), with how many of
    /// them bought in the period and what they spent.
    public func reportDemographics(_ scope: ReportScope) async throws -> [DemographicRow] {
        let (_, programme) = try await self.programme()
        let cutoffs = AgeBands.cutoffs(ages: programme.reports.ageBands, on: scope.range.to)
        var band = SQLQueryString("CASE WHEN m.birthday IS NULL THEN -1")
        for (i, c) in cutoffs.enumerated().reversed() { band.appendInterpolation(" WHEN m.birthday <= \(bind: c) THEN \(int: i + 1)" as SQLQueryString) }
        band.appendLiteral(" ELSE 0 END")
        let period = try await memberPeriod(scope.range, mallId: scope.mallId)
        return try await sql.rows("""
            SELECT m.gender, \(band) AS band, COUNT(*) AS members, COALESCE(SUM(CASE WHEN a.member_id IS NULL THEN 0 ELSE 1 END), 0) AS active,
                   CAST(COALESCE(SUM(a.spend_fen), 0) AS BIGINT) AS spend
            FROM members m LEFT JOIN \(period) a ON a.member_id = m.id
            WHERE \(ReportSQL.membersBy(scope.range.to, mallId: scope.mallId))
            GROUP BY 1, 2 ORDER BY 1, 2
            """).map {
            DemographicRow(gender: try $0.string("gender"), ageBand: try $0.int("band"), members: try $0.int("members"),
                           active: try $0.int("active"), spendFen: try $0.int64("spend"))
        }
    }

    /// Tier distribution at the start and end of the scope and the migration matrix between them, from the tier
    /// history (`tier_changes`): a member's tier on a date is the last change before that date ended.
    public func reportTiers(_ scope: ReportScope, from: LocalDate? = nil, to: LocalDate? = nil) async throws -> TierReport {
        let (_, programme) = try await self.programme()
        let zone = programme.timeZone
        let a = from ?? scope.range.from.adding(days: -1), b = to ?? scope.range.to
        let startMs = epochMillis(a.adding(days: 1).start(in: zone)), endMs = epochMillis(b.adding(days: 1).start(in: zone))
        // A nightly matrix brought up to now when the period is one the packs open, else one grouping of the history.
        let matrix = try await ReportTierMatrix.matrix(sql, startMs: startMs, endMs: endMs, mallId: scope.mallId)
        let rows = matrix.flatMap { f, row in row.map { (f, $0.key, $0.value) } }
        var report = TierReport(start: [:], end: [:], matrix: [:])
        for (f, t, n) in rows {
            report.matrix[f, default: [:]][t, default: 0] += n
            report.end[t, default: 0] += n
            if !f.isEmpty { report.start[f, default: 0] += n }
        }
        return report
    }
}
