import Foundation
import MallVIPCore
import SQLKit

/// Changes to the report aggregates (migration 025) that one write makes, summed in memory by key and written as
/// one multi-row upsert per table, rows in key order (concurrent writers take the row locks in the same order, so
/// they cannot deadlock). Numbers go in as typed literals; there is no bound text.
struct ReportDelta {
    struct CounterKey: Hashable, Comparable {
        var mall: Int64, counter: Int64, day: Int
        static func < (a: Self, b: Self) -> Bool { (a.counter, a.day) < (b.counter, b.day) }
    }
    struct CounterRow {
        var sales: Int64 = 0, memberSales: Int64 = 0, lines: Int64 = 0, memberLines: Int64 = 0
        var receipts: Int64 = 0, memberReceipts: Int64 = 0, lead: Int64 = 0, memberLead: Int64 = 0
        var refunded: Int64 = 0, memberRefunded: Int64 = 0
    }
    struct BandKey: Hashable, Comparable {
        var mall: Int64, day: Int, band: Int64
        static func < (a: Self, b: Self) -> Bool { (a.mall, a.day, a.band) < (b.mall, b.day, b.band) }
    }
    struct BandRow { var lines: Int64 = 0, sales: Int64 = 0, memberLines: Int64 = 0, memberSales: Int64 = 0 }
    struct MonthKey: Hashable, Comparable {
        var member: Int64, mall: Int64, month: Int
        static func < (a: Self, b: Self) -> Bool { (a.member, a.mall, a.month) < (b.member, b.mall, b.month) }
    }
    struct MonthRow { var spend: Int64 = 0, purchases: Int64 = 0, mask: Int64 = 0, lastDay = 0 }
    struct ChangeKey: Hashable, Comparable {
        var member: Int64, day: Int
        static func < (a: Self, b: Self) -> Bool { (a.member, a.day) < (b.member, b.day) }
    }

    /// One line of a receipt as the aggregates see it: its counter, amount and what has been refunded of it.
    struct Line { var counter: Int64; var amount: Int64; var refunded: Int64 = 0 }

    let policy: ReportsPolicy
    /// Which shard of `counter_day_sales` / `price_band_day_sales` this write adds to (migration 031): a purchase
    /// lane's own (0, 1, …), so parallel lanes never wait on each other's rows; `offLane` (-1) for every write outside
    /// the lanes (refunds, enrolment credits, imports), so those never share a row with a lane either (on PostgreSQL
    /// an enrolment credit sharing lane 0's rows deadlocked with it: the lane's one-statement CTE takes its row locks
    /// in no fixed order). A rebuild writes shard 0. Readers sum over shards.
    var shard: Int
    static let offLane = -1
    var counters: [CounterKey: CounterRow] = [:]
    var bands: [BandKey: BandRow] = [:]
    var months: [MonthKey: MonthRow] = [:]
    /// Members and days whose period figures changed: the member-period snapshots (migration 027) read them live.
    var changes: Set<ChangeKey> = []

    init(policy: ReportsPolicy, shard: Int = ReportDelta.offLane) {
        self.policy = policy
        self.shard = shard
    }

    var isEmpty: Bool { counters.isEmpty && bands.isEmpty && months.isEmpty }

    /// A new receipt (member or not).
    mutating func purchase(mall: Int64, day: LocalDate, member: Int64?, lines: [Line]) {
        add(mall: mall, day: day, member: member, lines: lines, asMemberOnly: false)
    }

    /// A recorded non-member receipt credited to a new member at enrolment: its sales become member sales.
    mutating func credit(mall: Int64, day: LocalDate, member: Int64, lines: [Line]) {
        add(mall: mall, day: day, member: member, lines: lines, asMemberOnly: true)
    }

    private mutating func add(mall: Int64, day: LocalDate, member: Int64?, lines: [Line], asMemberOnly: Bool) {
        let m: Int64 = member == nil ? 0 : 1
        var seen = Set<Int64>()
        for (i, l) in lines.enumerated() {
            let net = l.amount - l.refunded
            let first = seen.insert(l.counter).inserted ? Int64(1) : 0
            let lead: Int64 = i == 0 ? 1 : 0
            let key = CounterKey(mall: mall, counter: l.counter, day: day.dayNumber)
            var c = counters[key] ?? CounterRow()
            if !asMemberOnly {
                c.sales += net
                c.lines += 1
                c.receipts += first
                c.lead += lead
                c.refunded += l.refunded
            }
            c.memberSales += m * net
            c.memberLines += m
            c.memberReceipts += m * first
            c.memberLead += m * lead
            c.memberRefunded += m * l.refunded
            counters[key] = c
            let bk = BandKey(mall: mall, day: day.dayNumber, band: policy.priceBand(of: l.amount))
            var b = bands[bk] ?? BandRow()
            if !asMemberOnly {
                b.lines += 1
                b.sales += net
            }
            b.memberLines += m
            b.memberSales += m * net
            bands[bk] = b
        }
        if let member {
            let key = MonthKey(member: member, mall: mall, month: day.monthKey)
            var r = months[key] ?? MonthRow()
            r.spend += lines.reduce(0) { $0 + $1.amount - $1.refunded }
            r.purchases += 1
            r.mask |= Int64(1) << (day.day - 1)
            r.lastDay = max(r.lastDay, day.dayNumber)
            months[key] = r
            changes.insert(ChangeKey(member: member, day: day.dayNumber))
        }
    }

    /// Refunded amounts of a receipt's lines (`amount` = the line's amount, for its price band).
    mutating func refund(mall: Int64, day: LocalDate, member: Int64?, taken: [(line: Line, fen: Int64)]) {
        let m: Int64 = member == nil ? 0 : 1
        var total: Int64 = 0
        for (l, fen) in taken {
            let key = CounterKey(mall: mall, counter: l.counter, day: day.dayNumber)
            var c = counters[key] ?? CounterRow()
            c.sales -= fen
            c.refunded += fen
            c.memberSales -= m * fen
            c.memberRefunded += m * fen
            counters[key] = c
            let bk = BandKey(mall: mall, day: day.dayNumber, band: policy.priceBand(of: l.amount))
            var b = bands[bk] ?? BandRow()
            b.sales -= fen
            b.memberSales -= m * fen
            bands[bk] = b
            total += fen
        }
        if let member {
            let key = MonthKey(member: member, mall: mall, month: day.monthKey)
            var r = months[key] ?? MonthRow()
            r.spend -= total
            months[key] = r
            changes.insert(ChangeKey(member: member, day: day.dayNumber))
        }
    }

    /// The upserts, at most 2,000 rows each.
    func statements() -> [SQLQueryString] {
        var out: [SQLQueryString] = []
        for chunk in counters.keys.sorted().chunked(2_000) {
            var q = SQLQueryString("""
                INSERT INTO counter_day_sales (mall_id, counter_id, day, shard, sales_fen, member_sales_fen, lines, member_lines, receipts,
                  member_receipts, lead_receipts, member_lead_receipts, refunded_fen, member_refunded_fen) VALUES
                """)
            for (n, k) in chunk.enumerated() {
                let c = counters[k]!
                q.appendInterpolation("\(unsafeRaw: n == 0 ? " " : ", ")(\(int: k.mall), \(int: k.counter), \(int: k.day), \(int: shard), \(int: c.sales), \(int: c.memberSales), \(int: c.lines), \(int: c.memberLines), \(int: c.receipts), \(int: c.memberReceipts), \(int: c.lead), \(int: c.memberLead), \(int: c.refunded), \(int: c.memberRefunded))" as SQLQueryString)
            }
            q.appendLiteral(" ON CONFLICT (counter_id, day, shard) DO UPDATE SET ")
            q.appendLiteral(["sales_fen", "member_sales_fen", "lines", "member_lines", "receipts", "member_receipts", "lead_receipts",
                             "member_lead_receipts", "refunded_fen", "member_refunded_fen"]
                .map { "\($0) = counter_day_sales.\($0) + excluded.\($0)" }.joined(separator: ", "))
            out.append(q)
        }
        for chunk in bands.keys.sorted().chunked(2_000) {
            var q = SQLQueryString("INSERT INTO price_band_day_sales (mall_id, day, band_fen, shard, lines, sales_fen, member_lines, member_sales_fen) VALUES")
            for (n, k) in chunk.enumerated() {
                let b = bands[k]!
                q.appendInterpolation("\(unsafeRaw: n == 0 ? " " : ", ")(\(int: k.mall), \(int: k.day), \(int: k.band), \(int: shard), \(int: b.lines), \(int: b.sales), \(int: b.memberLines), \(int: b.memberSales))" as SQLQueryString)
            }
            q.appendLiteral(" ON CONFLICT (mall_id, day, band_fen, shard) DO UPDATE SET ")
            q.appendLiteral(["lines", "sales_fen", "member_lines", "member_sales_fen"]
                .map { "\($0) = price_band_day_sales.\($0) + excluded.\($0)" }.joined(separator: ", "))
            out.append(q)
        }
        for chunk in months.keys.sorted().chunked(2_000) {
            var q = SQLQueryString("INSERT INTO member_month_stats (member_id, mall_id, month, spend_fen, purchases, days_mask, last_day) VALUES")
            for (n, k) in chunk.enumerated() {
                let r = months[k]!
                q.appendInterpolation("\(unsafeRaw: n == 0 ? " " : ", ")(\(int: k.member), \(int: k.mall), \(int: k.month), \(int: r.spend), \(int: r.purchases), \(int: r.mask), \(int: r.lastDay))" as SQLQueryString)
            }
            q.appendLiteral("""
                 ON CONFLICT (member_id, mall_id, month) DO UPDATE SET spend_fen = member_month_stats.spend_fen + excluded.spend_fen,
                  purchases = member_month_stats.purchases + excluded.purchases, days_mask = member_month_stats.days_mask | excluded.days_mask,
                  last_day = CASE WHEN excluded.last_day > member_month_stats.last_day THEN excluded.last_day ELSE member_month_stats.last_day END
                """)
            out.append(q)
        }
        for chunk in changes.sorted().chunked(2_000) {
            var q = SQLQueryString("INSERT INTO report_member_changes (member_id, day) VALUES")
            for (n, k) in chunk.enumerated() {
                q.appendInterpolation("\(unsafeRaw: n == 0 ? " " : ", ")(\(int: k.member), \(int: k.day))" as SQLQueryString)
            }
            q.appendLiteral(" ON CONFLICT (member_id, day) DO NOTHING")
            out.append(q)
        }
        return out
    }

    func write(_ sql: any SQLDatabase) async throws {
        for q in statements() { try await sql.exec(q) }
    }
}

/// Rebuilding the aggregates from the raw rows, in SQL: what migration 025 does once, the nightly job does for the
/// recent months and `mallvip reports rebuild` does for everything. The live path must always equal it (tested).
enum ReportAggregates {
    /// Replaces the aggregates of business days from the first of `from`'s month (everything when nil).
    /// `lock`: inside a transaction on PostgreSQL, hold the aggregate tables while they are replaced (the migration
    /// runs outside one, before anything can write).
    /// `sharded`: the tables have migration 031's `shard` column (false only inside migration 025, before 031 ran).
    static func rebuild(_ sql: any SQLDatabase, policy: ReportsPolicy, from: LocalDate?, lock: Bool = true, sharded: Bool = true) async throws {
        let shard: SQLQueryString = sharded ? "shard, " : ""
        let shardValue: SQLQueryString = sharded ? "0, " : ""
        let start = from.map { LocalDate(year: $0.year, month: $0.month, day: 1) }
        let dayFilter: SQLQueryString = start.map { "AND p.business_day >= \(int: $0.dayNumber)" } ?? ""
        if lock {
            // Purchases posted meanwhile wait for the rebuild instead of adding to rows it is replacing.
            try await sql.lockExclusive("counter_day_sales", "price_band_day_sales", "member_month_stats")
        }
        if let start {
            try await sql.exec("DELETE FROM counter_day_sales WHERE day >= \(int: start.dayNumber)")
            try await sql.exec("DELETE FROM price_band_day_sales WHERE day >= \(int: start.dayNumber)")
            try await sql.exec("DELETE FROM member_month_stats WHERE month >= \(int: start.monthKey)")
        } else {
            for t in ["counter_day_sales", "price_band_day_sales", "member_month_stats"] { try await sql.exec("DELETE FROM \(ident: t)") }
        }
        try await fillCalendar(sql)
        let member = "p.member_id IS NOT NULL"
        try await sql.exec("""
            INSERT INTO counter_day_sales (mall_id, counter_id, day, \(shard)sales_fen, member_sales_fen, lines, member_lines, receipts,
              member_receipts, lead_receipts, member_lead_receipts, refunded_fen, member_refunded_fen)
            SELECT p.mall_id, l.counter_id, p.business_day, \(shardValue)SUM(l.amount_fen - l.refunded_fen),
              SUM(CASE WHEN \(unsafeRaw: member) THEN l.amount_fen - l.refunded_fen ELSE 0 END),
              COUNT(*), SUM(CASE WHEN \(unsafeRaw: member) THEN 1 ELSE 0 END),
              COUNT(DISTINCT l.purchase_id), COUNT(DISTINCT CASE WHEN \(unsafeRaw: member) THEN l.purchase_id END),
              SUM(CASE WHEN l.line_no = 1 THEN 1 ELSE 0 END), SUM(CASE WHEN l.line_no = 1 AND \(unsafeRaw: member) THEN 1 ELSE 0 END),
              SUM(l.refunded_fen), SUM(CASE WHEN \(unsafeRaw: member) THEN l.refunded_fen ELSE 0 END)
            FROM purchase_lines l JOIN purchases p ON p.id = l.purchase_id
            WHERE 1 = 1 \(dayFilter)
            GROUP BY p.mall_id, l.counter_id, p.business_day
            """)
        try await sql.exec("""
            INSERT INTO price_band_day_sales (mall_id, day, band_fen, \(shard)lines, sales_fen, member_lines, member_sales_fen)
            SELECT p.mall_id, p.business_day, \(unsafeRaw: bandExpression(policy, column: "l.amount_fen")), \(shardValue)COUNT(*), SUM(l.amount_fen - l.refunded_fen),
              SUM(CASE WHEN \(unsafeRaw: member) THEN 1 ELSE 0 END), SUM(CASE WHEN \(unsafeRaw: member) THEN l.amount_fen - l.refunded_fen ELSE 0 END)
            FROM purchase_lines l JOIN purchases p ON p.id = l.purchase_id
            WHERE 1 = 1 \(dayFilter)
            GROUP BY 1, 2, 3
            """)
        // Distinct days are distinct bits, so the sum of the distinct bits is their OR.
        try await sql.exec("""
            INSERT INTO member_month_stats (member_id, mall_id, month, spend_fen, purchases, days_mask, last_day)
            SELECT p.member_id, p.mall_id, c.month, SUM(p.total_fen - p.refunded_fen), COUNT(*), SUM(DISTINCT c.bit), MAX(p.business_day)
            FROM purchases p JOIN report_calendar c ON c.day = p.business_day
            WHERE \(unsafeRaw: member) \(dayFilter)
            GROUP BY p.member_id, p.mall_id, c.month
            """)
    }

    /// `CASE` giving the price band (its lower bound in fen) of an amount column.
    static func bandExpression(_ policy: ReportsPolicy, column: String) -> String {
        guard !policy.priceBandsFen.isEmpty else { return "CAST(0 AS BIGINT)" }
        return "CASE " + policy.priceBandsFen.reversed().map { "WHEN \(column) >= \($0) THEN CAST(\($0) AS BIGINT)" }.joined(separator: " ")
            + " ELSE CAST(0 AS BIGINT) END"
    }

    /// Adds the business days purchases fall on to `report_calendar`.
    static func fillCalendar(_ sql: any SQLDatabase) async throws {
        guard let r = try await sql.row("SELECT MIN(business_day) AS lo, MAX(business_day) AS hi FROM purchases"),
              let lo = try r.optInt("lo"), let hi = try r.optInt("hi") else { return }
        for chunk in Array(lo...hi).chunked(2_000) {
            var q = SQLQueryString("INSERT INTO report_calendar (day, month, bit) VALUES")
            for (n, d) in chunk.enumerated() {
                let date = LocalDate(dayNumber: d)
                q.appendLiteral("\(n == 0 ? " " : ", ")(\(d), \(date.monthKey), \(Int64(1) << (date.day - 1)))")
            }
            q.appendLiteral(" ON CONFLICT (day) DO NOTHING")
            try await sql.exec(q)
        }
    }
}

extension Store {
    /// Rebuilds the report aggregates from purchases, lines and refunds: all of them, or the business days from the
    /// first of `from`'s month (the nightly job redoes the last two months, which also picks up a change of price
    /// bands there). Returns how long it took.
    @discardableResult
    public func rebuildReportAggregates(from: LocalDate? = nil) async throws -> Duration {
        let started = ContinuousClock.now
        let (_, programme) = try await self.programme()
        try await write { tx in try await ReportAggregates.rebuild(tx.sql, policy: programme.reports, from: from) }
        return ContinuousClock.now - started
    }
}

extension Store {
    /// Enrolment credits a recorded non-member receipt to the new member: its sales become member sales.
    func creditReportAggregates(_ sql: any SQLDatabase, purchaseId: Int64, memberId: Int64, mallId: Int64, day: LocalDate,
                                policy: ReportsPolicy) async throws {
        let lines = try await sql.rows("""
            SELECT counter_id, amount_fen, refunded_fen FROM purchase_lines WHERE purchase_id = \(bind: purchaseId) ORDER BY line_no
            """).map { ReportDelta.Line(counter: try $0.int64("counter_id"), amount: try $0.int64("amount_fen"), refunded: try $0.int64("refunded_fen")) }
        var report = ReportDelta(policy: policy)
        report.credit(mall: mallId, day: day, member: memberId, lines: lines)
        try await report.write(sql)
    }
}

extension Store {
    /// The nightly pass (daily jobs): rebuilds the report aggregates of the last two calendar months and then the
    /// member-period snapshots and daily points (`buildReportSnapshots`), once per business day (`job_runs`). Returns the time taken, nil when it already ran today.
    public func runReportRebuild(on day: LocalDate) async throws -> Duration? {
        if try await sql.row("SELECT day FROM job_runs WHERE job = 'reportAggregates' AND day = \(bind: day.dayNumber)") != nil { return nil }
        let rebuilt = try await rebuildReportAggregates(from: day.adding(months: -1))
        // Then the member-period snapshots and the daily points (migration 027), from the aggregates just rebuilt.
        let snapshots = try await buildReportSnapshots(on: day)
        let took = rebuilt + snapshots.took
        let ms = took.components.seconds * 1000 + took.components.attoseconds / 1_000_000_000_000_000
        try await write { tx in
            try await tx.sql.exec("""
                INSERT INTO job_runs (job, day, finished_at_ms, summary) VALUES ('reportAggregates', \(bind: day.dayNumber), \(bind: epochMillis(self.now)),
                  \(bind: "rebuilt from \(LocalDate(year: day.adding(months: -1).year, month: day.adding(months: -1).month, day: 1)) in \(ms) ms, \(snapshots.rows) snapshot rows")) ON CONFLICT (job, day) DO NOTHING
                """)
        }
        return took
    }
}

extension Store {
    /// "N members, N purchases, N lines" for benchmark output.
    public func benchCounts() async throws -> String {
        var parts: [String] = []
        for t in ["members", "purchases", "purchase_lines", "member_month_stats", "counter_day_sales"] {
            parts.append("\(try await sql.row("SELECT COUNT(*) AS n FROM \(ident: t)")!.int("n")) \(t)")
        }
        return parts.joined(separator: ", ")
    }
}
