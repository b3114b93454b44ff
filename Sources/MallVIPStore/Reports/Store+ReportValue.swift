import Foundation
import MallVIPCore
import SQLKit

extension Store {
    /// The RFM grid of the members who bought in the scope: recency (days from the last purchase to the period's
    /// end), frequency (purchases) and monetary value (net spend), each graded 1…`reports.rfm.grades` by percent rank
    /// (`RankGrade`: equal values share a grade). One row per (r, f, m) combination found.
    public func reportRFM(_ scope: ReportScope) async throws -> [RFMCell] {
        let (_, programme) = try await self.programme()
        let g = programme.reports.rfmGrades
        func grade(_ column: String) -> String { "1 + (\(g) * (RANK() OVER (ORDER BY \(column)) - 1)) / COUNT(*) OVER ()" }
        return try await cachedFigures(FigureKey.make("rfm", [scope.range], mallId: scope.mallId, "\(g)"), ranges: [scope.range]) {
        let period = try await memberPeriod(scope.range, mallId: scope.mallId)
        return try await sql.rows("""
            WITH p AS \(period),
            g AS (SELECT spend_fen, \(unsafeRaw: grade("last_day")) AS r, \(unsafeRaw: grade("purchases")) AS f, \(unsafeRaw: grade("spend_fen")) AS m FROM p)
            SELECT r, f, m, COUNT(*) AS n, CAST(SUM(spend_fen) AS BIGINT) AS spend FROM g GROUP BY r, f, m ORDER BY r, f, m
            """).map {
            RFMCell(r: try $0.int("r"), f: try $0.int("f"), m: try $0.int("m"), members: try $0.int("n"), spendFen: try $0.int64("spend"))
        }
        }
    }

    /// ABC classes by cumulative spend share (`reports.abc`): members ranked by spend (then id); a member is A while
    /// the spend ranked above them is under the A cut-off, B under A + B, C after.
    public func reportABC(_ scope: ReportScope) async throws -> [ValueClassRow] {
        let (_, programme) = try await self.programme()
        let p = programme.reports
        return try await cachedFigures(FigureKey.make("abc", [scope.range], mallId: scope.mallId, "\(p.abcAPermille)/\(p.abcBPermille)"),
                                       ranges: [scope.range]) {
        let period = try await memberPeriod(scope.range, mallId: scope.mallId)
        return try await sql.rows("""
            WITH p AS \(period),
            o AS (SELECT spend_fen, COALESCE(SUM(spend_fen) OVER (ORDER BY spend_fen DESC, member_id ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS above,
                         SUM(spend_fen) OVER () AS total FROM p)
            SELECT CASE WHEN total > 0 AND above * 1000 < \(int: p.abcAPermille) * total THEN 'A'
                        WHEN total > 0 AND above * 1000 < \(int: p.abcAPermille + p.abcBPermille) * total THEN 'B' ELSE 'C' END AS cls,
                   COUNT(*) AS n, CAST(SUM(spend_fen) AS BIGINT) AS spend
            FROM o GROUP BY 1 ORDER BY 1
            """).map { ValueClassRow(key: try $0.string("cls"), members: try $0.int("n"), spendFen: try $0.int64("spend")) }
        }
    }

    /// The important-customer segments (`reports.segments`, first match wins) and the high-value count over the twelve
    /// months ending on the scope's last day, with the mall's sales in those months for the contribution share.
    public func reportSegments(_ scope: ReportScope) async throws -> SegmentReport {
        let (_, programme) = try await self.programme()
        let policy = programme.reports
        let year = DayRange(from: scope.range.to.windowStart(months: 12), to: scope.range.to)
        func bound(_ b: SpendBound, below: Bool) -> String { "spend_fen \(below ? (b.inclusive ? ">=" : ">") : (b.inclusive ? "<=" : "<")) \(b.fen)" }
        var segment = "CASE"
        for (i, s) in policy.segments.enumerated() {
            var conds = [bound(s.min, below: true)]
            if let max = s.max { conds.append(bound(max, below: false)) }
            if s.minPurchaseDays > 0 { conds.append("days >= \(s.minPurchaseDays)") }
            segment += " WHEN \(conds.joined(separator: " AND ")) THEN \(i)"
        }
        segment += " ELSE -1 END"
        let high = bound(policy.highValue, below: true)
        // The member part is cached; the mall's sales (which non-member receipts move too) are read each time.
        var report = try await cachedFigures(FigureKey.make("segments", [year], mallId: scope.mallId, "\(policy.segments)|\(policy.highValue)"),
                                             ranges: [year]) {
        let period = try await memberPeriod(year, mallId: scope.mallId)
        let rows = try await sql.rows("""
            SELECT \(unsafeRaw: segment) AS seg, COUNT(*) AS n, CAST(SUM(spend_fen) AS BIGINT) AS spend,
                   SUM(CASE WHEN \(unsafeRaw: high) THEN 1 ELSE 0 END) AS hv_n, CAST(SUM(CASE WHEN \(unsafeRaw: high) THEN spend_fen ELSE 0 END) AS BIGINT) AS hv_spend
            FROM \(period) p GROUP BY 1 ORDER BY 1
            """)
        var out: [ValueClassRow] = []
        var highValue = ValueClassRow(key: "highValue", members: 0, spendFen: 0)
        for r in rows {
            let i = try r.int("seg")
            out.append(ValueClassRow(key: i >= 0 ? policy.segments[i].code : "", members: try r.int("n"), spendFen: try r.int64("spend")))
            highValue.members += try r.int("hv_n")
            highValue.spendFen += try r.int64("hv_spend")
        }
        return SegmentReport(from: year.from, to: year.to, rows: out, highValue: highValue, mallSalesFen: 0)
        }
        report.mallSalesFen = try await reportSales(ReportScope(range: year, mallId: scope.mallId), by: .total)[0].sales.salesFen
        return report
    }

    /// The top `reports.topN` members by spend in the scope (ties by member id), with their rank in the previous
    /// period's top N, their spend then and a year ago, and their tier at the start and end.
    public func reportTop(_ scope: ReportScope, previous: DayRange, lastYear: DayRange) async throws -> TopReport {
        let (_, programme) = try await self.programme()
        let n = programme.reports.topN
        let zone = programme.timeZone
        // The two rankings are cached; names, cards, tiers and the spends of these few members are read each time.
        let ranking = try await cachedFigures(FigureKey.make("top", [scope.range, previous], mallId: scope.mallId, "\(n)"),
                                              ranges: [scope.range, previous]) { () async throws -> TopRanking in
            let this = try await memberPeriod(scope.range, mallId: scope.mallId)
            let rows = try await sql.rows("""
                SELECT a.member_id, a.spend_fen, a.purchases, a.days, a.last_day FROM \(this) a ORDER BY a.spend_fen DESC, a.member_id LIMIT \(int: n)
                """).map {
                TopRanking.Row(id: try $0.int64("member_id"), spend: try $0.int64("spend_fen"), purchases: try $0.int64("purchases"),
                               days: try $0.int64("days"), lastDay: try $0.int("last_day"))
            }
            let before = try await memberPeriod(previous, mallId: scope.mallId)
            let prevTop = try await sql.rows("""
                SELECT member_id FROM \(before) p ORDER BY spend_fen DESC, member_id LIMIT \(int: n)
                """).map { try $0.int64("member_id") }
            return TopRanking(rows: rows, previous: prevTop)
        }
        let prevTop = ranking.previous
        let ids = ranking.rows.map(\.id)
        var names: [Int64: (name: String, card: String?)] = [:]
        if !ids.isEmpty {
            for r in try await sql.rows("""
                SELECT m.id, m.name, (SELECT c.card_no FROM cards c WHERE c.member_id = m.id AND c.state = 'active' ORDER BY c.id LIMIT 1) AS card_no
                FROM members m WHERE m.id IN \(list: ids)
                """) { names[try r.int64("id")] = (try r.string("name"), try r.optString("card_no")) }
        }
        func spends(_ range: DayRange, _ members: [Int64]) async throws -> [Int64: Int64] {
            guard !members.isEmpty else { return [:] }
            var out: [Int64: Int64] = [:]
            for r in try await sql.rows("""
                SELECT member_id, spend_fen FROM \(ReportSQL.memberPeriod(range, mallId: scope.mallId, members: members)) p
                """) { out[try r.int64("member_id")] = try r.int64("spend_fen") }
            return out
        }
        func tiers(before day: LocalDate) async throws -> [Int64: String] {
            guard !ids.isEmpty else { return [:] }
            var out: [Int64: String] = [:]
            for r in try await sql.rows("""
                SELECT member_id, tier FROM \(ReportSQL.tiersAsOf(beforeMs: epochMillis(day.start(in: zone)), members: ids)) t
                """) { out[try r.int64("member_id")] = try r.string("tier") }
            return out
        }
        let (prevSpend, lySpend) = (try await spends(previous, ids), try await spends(lastYear, ids))
        let (start, end) = (try await tiers(before: scope.range.from), try await tiers(before: scope.range.to.adding(days: 1)))
        let prevRank = Dictionary(uniqueKeysWithValues: prevTop.enumerated().map { ($0.element, $0.offset + 1) })
        // A member row always exists for a purchase's member (the ranking's inner join with members before).
        let top = ranking.rows.filter { names[$0.id] != nil }.enumerated().map { (i, r) in
            TopMemberRow(rank: i + 1, memberId: r.id, cardNo: names[r.id]?.card, name: names[r.id]?.name ?? "",
                         tierStart: start[r.id], tierEnd: end[r.id], spendFen: r.spend, purchases: r.purchases,
                         days: r.days, lastDay: LocalDate(dayNumber: r.lastDay), previousRank: prevRank[r.id],
                         previousSpendFen: prevSpend[r.id] ?? 0, lastYearSpendFen: lySpend[r.id] ?? 0)
        }
        let kept = Set(ids)
        let dropped = prevTop.filter { !kept.contains($0) }
        let stillBuying = try await spends(scope.range, dropped)
        return TopReport(rows: top, stayed: prevTop.count - dropped.count, dropped: dropped.count,
                         droppedInactive: dropped.filter { stillBuying[$0] == nil }.count)
    }
}

/// The cached part of the top-N report: this period's ranking and the previous period's member ids in order.
struct TopRanking: Codable, Sendable {
    struct Row: Codable, Sendable {
        var id: Int64, spend: Int64, purchases: Int64, days: Int64, lastDay: Int
    }
    var rows: [Row]
    var previous: [Int64]
}
