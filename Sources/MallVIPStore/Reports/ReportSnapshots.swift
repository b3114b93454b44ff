import Foundation
import MallVIPCore
import SQLKit

/// The member-period snapshots (migration 027): what `ReportSQL.memberPeriod` gives for the periods the dashboard
/// and the report packs ask for, one row per member, built by the nightly job up to the day before it runs (the
/// horizon). Figures stay exactly those of the aggregates: a member with any purchase, refund or enrolment credit
/// recorded after the build, or on a day after the horizon (today), is in `report_member_changes` and is read
/// live; everybody else comes from the snapshot. A period running past the horizon (this month, this year) uses
/// the snapshot of its days up to the horizon: nobody outside the change list has a purchase after it.
enum ReportSnapshots {
    /// `mall_id` of a snapshot for all malls.
    static func mallKey(_ mallId: Int64?) -> Int64 { mallId ?? 0 }
    /// `report_state` key of the current build's number (cached figures of an earlier build are stale).
    static let buildKey = "snapshotBuild"

    /// The snapshot that serves `range`: the same first day, and either the same last day or the horizon when the
    /// range runs past it. Nil when there is none (the caller reads live).
    static func find(_ sql: any SQLDatabase, _ range: DayRange, mallId: Int64?) async throws -> Int64? {
        guard let horizon = try await state(sql, "snapshotHorizon") else { return nil }
        let to = min(range.to.dayNumber, Int(horizon))
        guard to >= range.from.dayNumber else { return nil }
        // Built when the group had one mall: the all-malls rows are that mall's (later malls' purchases are listed
        // changes, read live with the mall filter).
        var key = mallKey(mallId)
        if let mallId, try await state(sql, "snapshotSoleMall") == mallId { key = 0 }
        return try await sql.row("""
            SELECT id FROM report_snapshots WHERE mall_id = \(int: key) AND from_day = \(int: range.from.dayNumber) AND to_day = \(int: to)
            """).map { try $0.int64("id") }
    }

    /// `member_id, spend_fen, purchases, days, last_day` for `range` from snapshot `id`: its rows for members not
    /// on the change list, and the live figures of those who are.
    static func memberPeriod(snapshot id: Int64, _ range: DayRange, mallId: Int64?) -> SQLQueryString {
        """
        (SELECT s.member_id, s.spend_fen, s.purchases, s.days, s.last_day FROM member_period_snapshot s
         WHERE s.snapshot_id = \(int: id) AND s.member_id NOT IN (SELECT member_id FROM report_member_changes)
         UNION ALL
         SELECT c.member_id, c.spend_fen, c.purchases, c.days, c.last_day FROM \(ReportSQL.memberPeriod(range, mallId: mallId, changedOnly: true)) c)
        """
    }

    static func state(_ sql: any SQLDatabase, _ key: String) async throws -> Int64? {
        try await sql.row("SELECT value FROM report_state WHERE key = \(bind: key)").map { try $0.int64("value") }
    }

    static func setState(_ sql: any SQLDatabase, _ key: String, _ value: Int64) async throws {
        try await sql.exec("""
            INSERT INTO report_state (key, value) VALUES (\(bind: key), \(int: value)) ON CONFLICT (key) DO UPDATE SET value = excluded.value
            """)
    }

    /// The day ranges whose member figures the dashboard (the twelve months ending yesterday, this year, this month)
    /// and the report packs (this and the last month, quarter, half and year) read on `today`: each period's days to
    /// date, the period before (retention, top N before), the churn base and recent window, the segments' year.
    static func standardRanges(on today: LocalDate, inactiveMonths: Int) -> [DayRange] {
        var periods: [ReportPeriod] = [.last12(endingOn: today.adding(days: -1))]
        for kind in [ReportPeriod.Kind.month, .quarter, .half, .year] {
            let p = ReportPeriod.containing(today, kind: kind)
            periods += [p, p.previous]
        }
        var out: [DayRange] = []
        for p in periods {
            guard let r = p.through(today) else { continue }
            // This period and the same days a year before (the dashboard's 同比 column), each with what it reads.
            for (range, previous) in [(r, p.previous.range), (r.lastYear, p.previous.lastYear.range)] {
                out.append(range)
                out.append(previous)
                out.append(DayRange(from: range.from.adding(months: -12), to: range.from.adding(days: -1)))
                out.append(DayRange(from: range.to.windowStart(months: inactiveMonths), to: range.to))
                out.append(DayRange(from: range.to.windowStart(months: 12), to: range.to))
            }
        }
        var seen = Set<DayRange>()
        return out.filter { seen.insert($0).inserted }
    }

    /// Replaces every snapshot with ones built on `today` (horizon: yesterday), for all malls and, when there are
    /// several, each mall. On PostgreSQL the change list is locked first: a purchase still writing waits, and its
    /// change is then recorded after the build, so it is read live (never lost between the build and the clean-up).
    static func build(_ sql: any SQLDatabase, on today: LocalDate, inactiveMonths: Int, nowMs: Int64) async throws -> Int {
        try await sql.lockExclusive("report_member_changes")
        let horizon = today.adding(days: -1)
        try await sql.exec("DELETE FROM member_period_snapshot")
        try await sql.exec("DELETE FROM report_snapshots")
        try await sql.exec("DELETE FROM report_figure_cache")
        let build = max(nowMs, (try await state(sql, buildKey) ?? 0) + 1)
        let malls = try await sql.rows("SELECT id FROM malls ORDER BY id").map { try $0.int64("id") }
        let scopes: [Int64?] = malls.count > 1 ? [nil] + malls.map { Optional($0) } : [nil]
        var rows = 0
        for range in standardRanges(on: today, inactiveMonths: inactiveMonths) where range.from <= horizon {
            let built = DayRange(from: range.from, to: min(range.to, horizon))
            for mall in scopes {
                guard try await sql.row("""
                    SELECT id FROM report_snapshots WHERE mall_id = \(int: mallKey(mall)) AND from_day = \(int: built.from.dayNumber) AND to_day = \(int: built.to.dayNumber)
                    """) == nil else { continue }
                let id = try await sql.row("""
                    INSERT INTO report_snapshots (mall_id, from_day, to_day, built_at_ms)
                    VALUES (\(int: mallKey(mall)), \(int: built.from.dayNumber), \(int: built.to.dayNumber), \(int: nowMs)) RETURNING id
                    """)!.int64("id")
                try await sql.exec("""
                    INSERT INTO member_period_snapshot (snapshot_id, member_id, spend_fen, purchases, days, last_day)
                    SELECT \(int: id), p.member_id, p.spend_fen, p.purchases, p.days, p.last_day FROM \(ReportSQL.memberPeriod(built, mallId: mall)) p
                    """)
                rows += try await sql.row("SELECT COUNT(*) AS n FROM member_period_snapshot WHERE snapshot_id = \(int: id)")!.int("n")
            }
        }
        // Changes on days up to the horizon are in the snapshots now; later days' stay listed.
        try await sql.exec("DELETE FROM report_member_changes WHERE day <= \(int: horizon.dayNumber)")
        try await setState(sql, "snapshotHorizon", Int64(horizon.dayNumber))
        try await setState(sql, buildKey, build)
        try await setState(sql, "snapshotSoleMall", malls.count == 1 ? malls[0] : 0)
        return rows
    }

    /// Drops every snapshot (a bulk load wrote member figures without the change list).
    static func discard(_ sql: any SQLDatabase) async throws {
        try await sql.exec("DELETE FROM member_period_snapshot")
        try await sql.exec("DELETE FROM report_snapshots")
        try await sql.exec("DELETE FROM report_figure_cache")
        try await sql.exec("DELETE FROM report_state WHERE key IN ('snapshotHorizon', 'snapshotBuild')")
        // The tier matrices too (migration 050): a bulk load may write tier history with ids it chose.
        try await sql.exec("DELETE FROM report_tier_matrix")
        try await sql.exec("DELETE FROM report_tier_builds")
    }
}

extension Store {
    /// `member_id, spend_fen, purchases, days, last_day` of the members who bought in `range`: from a snapshot when
    /// one serves the range, else from the aggregates.
    func memberPeriod(_ range: DayRange, mallId: Int64?) async throws -> SQLQueryString {
        if let id = try await ReportSnapshots.find(sql, range, mallId: mallId) {
            return ReportSnapshots.memberPeriod(snapshot: id, range, mallId: mallId)
        }
        return ReportSQL.memberPeriod(range, mallId: mallId)
    }

    /// Builds the member-period snapshots, brings the daily points up to date and (`prewarm`) computes the
    /// dashboard's default member figures (the nightly job). Returns the snapshot rows written and the time taken.
    @discardableResult
    public func buildReportSnapshots(on today: LocalDate, prewarm: Bool = true) async throws -> (rows: Int, took: Duration) {
        let started = ContinuousClock.now
        let (_, programme) = try await self.programme()
        let nowMs = epochMillis(now)
        let rows = try await write { tx in
            try await ReportSnapshots.build(tx.sql, on: today, inactiveMonths: programme.churn.inactiveMonths, nowMs: nowMs)
        }
        try await write { tx in try await PointsDayStats.advance(tx.sql, zone: programme.timeZone) }
        try await buildReportTierMatrices(on: today)   // tiers and migration (issue 21, migration 050)
        if prewarm { try await prewarmReportFigures(on: today) }
        return (rows, ContinuousClock.now - started)
    }

    /// Computes and caches the member figures of the dashboard's default periods for all malls (the twelve months
    /// ending yesterday, this month and this year to date, and the same days a year before), so that the first
    /// reader after the nightly job finds them ready.
    func prewarmReportFigures(on today: LocalDate) async throws {
        for period in [ReportPeriod.last12(endingOn: today.adding(days: -1)), .containing(today, kind: .month), .containing(today, kind: .year)] {
            guard let range = period.through(today) else { continue }
            let scope = ReportScope(range: range, mallId: nil), ly = ReportScope(range: range.lastYear, mallId: nil)
            _ = try await reportMembers(scope, previous: period.previous.range)
            _ = try await reportMembers(ly, previous: period.previous.lastYear.range)
            _ = try await reportChurn(scope)
            _ = try await reportChurn(ly)
            _ = try await reportRFM(scope)
            _ = try await reportABC(scope)
            _ = try await reportSegments(scope)
            _ = try await reportTop(scope, previous: period.previous.range, lastYear: range.lastYear)
        }
    }
}
