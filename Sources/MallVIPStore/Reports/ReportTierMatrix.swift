import Foundation
import MallVIPCore
import SQLKit

/// Tiers and migration at scale (issue 21): the nightly job keeps, for the periods the report packs open (this and
/// the last month, quarter, half and year, the twelve months ending yesterday), the matrix "tier at the start → tier
/// at the end" (migration 050). A reader takes the stored matrix and replaces the contribution of every member with
/// a tier change written after it (`tier_changes.id > last_change_id`): their row as the build saw it (changes up to
/// that id) is taken out and their row now is put in. Everybody else's changes are all in the build, so the result is
/// exactly the live computation's (`ReportTierMatrixTests` compares the two).
///
/// The nightly pass carries a matrix forward instead of regrouping the tier history where it can: the same start and
/// a later end (this month tomorrow) is the stored one with the members changed since folded in the same way —
/// valid when no change the build contained was dated at or after its end (`future_changes` = 0). Members are never
/// deleted (erasure keeps the row) and their enrolment mall never changes, so the mall filter needs no change list.
enum ReportTierMatrix {
    typealias Matrix = [String: [String: Int]]

    /// `from_tier, to_tier, n`: members (of the mall) by the last tier change before `startMs` ('' when none) and the
    /// last before `endMs`, one grouping of the tier history. `maxId`: only changes up to that id (the matrix as a
    /// build saw it). `changedAfter`: only members with a change after that id.
    static func query(startMs: Int64, endMs: Int64, mallId: Int64?, maxId: Int64? = nil, changedAfter: Int64? = nil) -> SQLQueryString {
        var filter = SQLQueryString("")
        if let maxId { filter.appendInterpolation(" AND id <= \(int: maxId)" as SQLQueryString) }
        if let changedAfter {
            filter.appendInterpolation(" AND member_id IN (SELECT member_id FROM tier_changes WHERE id > \(int: changedAfter))" as SQLQueryString)
        }
        let mall: SQLQueryString = mallId.map { " JOIN members m ON m.id = x.member_id AND m.enrolled_mall_id = \(int: $0)" } ?? ""
        return """
            SELECT COALESCE(s.to_tier, '') AS from_tier, e.to_tier AS to_tier, COUNT(*) AS n
            FROM (SELECT member_id, MAX(CASE WHEN at_ms < \(int: startMs) THEN id END) AS sid, MAX(id) AS eid
                  FROM tier_changes WHERE at_ms < \(int: endMs)\(filter) GROUP BY member_id) x
            JOIN tier_changes e ON e.id = x.eid
            LEFT JOIN tier_changes s ON s.id = x.sid\(mall)
            GROUP BY COALESCE(s.to_tier, ''), e.to_tier
            """
    }

    static func read(_ sql: any SQLDatabase, _ q: SQLQueryString) async throws -> Matrix {
        var m: Matrix = [:]
        for r in try await sql.rows(q) {
            m[try r.string("from_tier"), default: [:]][try r.string("to_tier"), default: 0] += try r.int("n")
        }
        return m
    }

    static func add(_ a: inout Matrix, _ b: Matrix, sign: Int) {
        for (f, row) in b { for (t, n) in row { a[f, default: [:]][t, default: 0] += sign * n } }
        for f in Array(a.keys) {
            a[f] = a[f]!.filter { $0.value != 0 }
            if a[f]!.isEmpty { a[f] = nil }
        }
    }

    /// `stored` (built with changes up to `lastId`) brought up to every change now, for `startMs…endMs`.
    static func fold(_ sql: any SQLDatabase, _ stored: Matrix, lastId: Int64, startMs: Int64, endMs: Int64, mallId: Int64?,
                     upTo: Int64? = nil) async throws -> Matrix {
        guard try await sql.row("SELECT id FROM tier_changes WHERE id > \(int: lastId) LIMIT 1") != nil else { return stored }
        var m = stored
        add(&m, try await read(sql, query(startMs: startMs, endMs: endMs, mallId: mallId, maxId: lastId, changedAfter: lastId)), sign: -1)
        add(&m, try await read(sql, query(startMs: startMs, endMs: endMs, mallId: mallId, maxId: upTo, changedAfter: lastId)), sign: 1)
        return m
    }

    static func stored(_ sql: any SQLDatabase, build id: Int64) async throws -> Matrix {
        try await read(sql, "SELECT from_tier, to_tier, members AS n FROM report_tier_matrix WHERE build_id = \(int: id)")
    }

    /// The mall key of the builds serving `mallId` (0: all malls). No single-mall alias: a member whose enrolment
    /// mall is not the group's one mall would be counted (ReportTierMatrixTests caught it); one mall reads live.
    static func mallKey(_ sql: any SQLDatabase, _ mallId: Int64?) async throws -> Int64 { mallId ?? 0 }

    /// The matrix for `startMs…endMs`: from a nightly build when one exists, else computed.
    static func matrix(_ sql: any SQLDatabase, startMs: Int64, endMs: Int64, mallId: Int64?) async throws -> Matrix {
        let key = try await mallKey(sql, mallId)
        if let b = try await sql.row("""
            SELECT id, last_change_id FROM report_tier_builds WHERE mall_id = \(int: key) AND from_ms = \(int: startMs) AND to_ms = \(int: endMs)
            """) {
            return try await fold(sql, try await stored(sql, build: try b.int64("id")), lastId: try b.int64("last_change_id"),
                                  startMs: startMs, endMs: endMs, mallId: mallId)
        }
        return try await read(sql, query(startMs: startMs, endMs: endMs, mallId: mallId))
    }

    /// The start and end instants of the tier report of `range` (the tier at the end of the day before it, and at
    /// the end of its last day).
    static func instants(_ range: DayRange, zone: TimeZone) -> (Int64, Int64) {
        (epochMillis(range.from.start(in: zone)), epochMillis(range.to.adding(days: 1).start(in: zone)))
    }

    /// The ranges the nightly job keeps matrices for on `today`: each report-pack period to date and the one before.
    static func standardRanges(on today: LocalDate) -> [DayRange] {
        var periods: [ReportPeriod] = [.last12(endingOn: today.adding(days: -1))]
        for kind in [ReportPeriod.Kind.month, .quarter, .half, .year] {
            let p = ReportPeriod.containing(today, kind: kind)
            periods += [p, p.previous]
        }
        var seen = Set<DayRange>()
        return periods.compactMap { $0.through(today) ?? $0.range }.filter { seen.insert($0).inserted }
    }

    /// Builds (or carries forward) the matrices of `standardRanges(on: today)` for all malls and, when there are
    /// several, each mall, and drops the others. Tier changes wait meanwhile on PostgreSQL (a change with a lower
    /// id committing after the build read the highest one would otherwise be missed). Returns the matrices computed
    /// from the whole history and those carried forward.
    static func build(_ sql: any SQLDatabase, on today: LocalDate, zone: TimeZone) async throws -> (full: Int, carried: Int) {
        try await sql.lockExclusive("tier_changes")
        let lastId = try await sql.row("SELECT COALESCE(MAX(id), 0) AS id FROM tier_changes")!.int64("id")
        let malls = try await sql.rows("SELECT id FROM malls ORDER BY id").map { try $0.int64("id") }
        let scopes: [Int64?] = malls.count > 1 ? [nil] + malls.map { Optional($0) } : [nil]
        struct Old { var id: Int64; var mall: Int64; var from: Int64; var to: Int64; var last: Int64; var future: Int64 }
        let old = try await sql.rows("SELECT id, mall_id, from_ms, to_ms, last_change_id, future_changes FROM report_tier_builds").map {
            Old(id: try $0.int64("id"), mall: try $0.int64("mall_id"), from: try $0.int64("from_ms"), to: try $0.int64("to_ms"),
                last: try $0.int64("last_change_id"), future: try $0.int64("future_changes"))
        }
        var built: [(mall: Int64, from: Int64, to: Int64, matrix: Matrix, future: Int64)] = []
        var full = 0, carried = 0
        for range in standardRanges(on: today) {
            let (startMs, endMs) = instants(range, zone: zone)
            for mall in scopes {
                let key = mall ?? 0
                // Same start, an end no later, nothing it contained dated at or after its end: fold the changes in.
                let base = old.filter { $0.mall == key && $0.from == startMs && $0.to <= endMs && $0.future == 0 }.max { $0.to < $1.to }
                let matrix: Matrix
                if let base, base.last <= lastId {
                    var m = try await stored(sql, build: base.id)
                    if base.to < endMs {
                        // Members with a change dated in base.to…endMs all have ids after base.last (future = 0).
                        m = try await foldWindow(sql, m, base: base.last, lastId: lastId, startMs: startMs, oldEnd: base.to, endMs: endMs, mallId: mall)
                    } else {
                        m = try await fold(sql, m, lastId: base.last, startMs: startMs, endMs: endMs, mallId: mall, upTo: lastId)
                    }
                    matrix = m
                    carried += 1
                } else {
                    matrix = try await read(sql, query(startMs: startMs, endMs: endMs, mallId: mall, maxId: lastId))
                    full += 1
                }
                let future = try await sql.row("""
                    SELECT COUNT(*) AS n FROM tier_changes WHERE at_ms >= \(int: endMs) AND id <= \(int: lastId)
                    """)!.int64("n")
                built.append((key, startMs, endMs, matrix, future))
            }
        }
        try await sql.exec("DELETE FROM report_tier_matrix")
        try await sql.exec("DELETE FROM report_tier_builds")
        for b in built {
            let id = try await sql.row("""
                INSERT INTO report_tier_builds (mall_id, from_ms, to_ms, last_change_id, future_changes)
                VALUES (\(int: b.mall), \(int: b.from), \(int: b.to), \(int: lastId), \(int: b.future)) RETURNING id
                """)!.int64("id")
            for (f, row) in b.matrix {
                for (t, n) in row where n != 0 {
                    try await sql.exec("""
                        INSERT INTO report_tier_matrix (build_id, from_tier, to_tier, members) VALUES (\(int: id), \(bind: f), \(bind: t), \(int: Int64(n)))
                        """)
                }
            }
        }
        try await ReportSnapshots.setState(sql, "tierSoleMall", malls.count == 1 ? malls[0] : 0)
        return (full, carried)
    }

    /// `stored` (start…oldEnd, changes up to `base`) moved to start…endMs with the changes up to `lastId`: the members
    /// with a change after `base` leave with their old row and come back with their new one. Nobody else has a
    /// change dated in oldEnd…endMs (the build had none dated after oldEnd), so their row is the same.
    static func foldWindow(_ sql: any SQLDatabase, _ stored: Matrix, base: Int64, lastId: Int64, startMs: Int64, oldEnd: Int64, endMs: Int64,
                           mallId: Int64?) async throws -> Matrix {
        var m = stored
        add(&m, try await read(sql, query(startMs: startMs, endMs: oldEnd, mallId: mallId, maxId: base, changedAfter: base)), sign: -1)
        add(&m, try await read(sql, query(startMs: startMs, endMs: endMs, mallId: mallId, maxId: lastId, changedAfter: base)), sign: 1)
        return m
    }
}

extension Store {
    /// Builds the nightly tier matrices (`ReportTierMatrix.build`) in one write transaction.
    @discardableResult
    public func buildReportTierMatrices(on today: LocalDate) async throws -> (full: Int, carried: Int) {
        let (_, programme) = try await self.programme()
        let zone = programme.timeZone
        return try await write { tx in try await ReportTierMatrix.build(tx.sql, on: today, zone: zone) }
    }
}
