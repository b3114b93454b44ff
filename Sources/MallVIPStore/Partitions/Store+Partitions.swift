import FluentKit
import Foundation
import MallVIPCore
import SQLKit

/// One partition of the history tables (`mallvip partitions list`).
public struct HistoryPartition: Sendable, Equatable {
    public var table: String
    public var name: String
    /// Nil for the default partition.
    public var month: FinanceMonth?
    /// False: detached (kept as a plain table until it is archived with pg_dump and dropped).
    public var attached: Bool
    public var rows: Int64
}

extension Store {
    /// Months created ahead of the current one by the daily job: `MALLVIP_PARTITION_MONTHS_AHEAD`, 1–24, default 3.
    public static var partitionMonthsAhead: Int {
        guard let text = ProcessInfo.processInfo.environment["MALLVIP_PARTITION_MONTHS_AHEAD"], let n = Int(text) else {
            return M046_MonthlyPartitions.monthsAhead
        }
        return min(24, max(1, n))
    }

    /// The primary's connection: partitions are read and changed there, never on a replica.
    var historySQL: any SQLDatabase { (primaryDB ?? db).sql }

    /// Whether the history tables are partitioned (PostgreSQL after migration 046); false on SQLite.
    public func historyPartitioned() async throws -> Bool { try await MonthlyPartitions.isPartitioned(historySQL) }

    /// The daily job's part (docs/scaling.md "Partitioned history"): the partitions of `day`'s month and the
    /// `monthsAhead` after it, where missing; idempotent, nothing on SQLite. One transaction under an advisory lock,
    /// so two servers running the jobs at once do not race. Returns the partitions created.
    @discardableResult
    public func ensureHistoryPartitions(on day: LocalDate, monthsAhead: Int = Store.partitionMonthsAhead) async throws -> [String] {
        guard try await historyPartitioned() else { return [] }
        let (_, programme) = try await self.programme()
        let tz = programme.timeZone
        let first = FinanceMonth(day)
        let last = (0..<max(0, monthsAhead)).reduce(first) { m, _ in m.next }
        // Cheap when nothing is missing (the hourly pass): one catalogue read, no lock.
        let existing = try await MonthlyPartitions.attached(historySQL).values.reduce(into: Set<String>()) { $0.formUnion($1) }
        let missing = first.through(last).filter { m in MonthlyPartitions.tables.contains { !existing.contains(MonthlyPartitions.name($0, m)) } }
        guard !missing.isEmpty else { return [] }
        return try await write { tx in
            try await tx.sql.exec("SELECT pg_advisory_xact_lock(21046)")
            var created: [String] = []
            for m in missing { created += try await MonthlyPartitions.ensure(tx.sql, month: m, tz: tz) }
            if !created.isEmpty {
                try await self.audit(tx, actor: "jobs", action: "partitions.create", subject: "history",
                                     detail: created.joined(separator: ","))
            }
            return created
        }
    }

    /// Every partition of the three tables, attached or detached-and-kept, with its row count (the planner's estimate
    /// for attached month partitions — exact counts would read every month — and exact for the default).
    public func historyPartitions() async throws -> [HistoryPartition] {
        guard try await historyPartitioned() else { return [] }
        let attached = try await MonthlyPartitions.attached(historySQL)
        var out: [HistoryPartition] = []
        for t in MonthlyPartitions.tables {
            let rows = try await historySQL.rows("""
                SELECT relname, reltuples::BIGINT AS n FROM pg_class WHERE relkind = 'r' AND relnamespace = current_schema()::regnamespace AND relname LIKE \(bind: t.name + "\\_p%") ORDER BY relname
                """)
            for r in rows {
                let name = try r.string("relname")
                guard let month = MonthlyPartitions.month(of: name, table: t) else { continue }
                out.append(HistoryPartition(table: t.name, name: name, month: month, attached: attached[t.name]?.contains(name) ?? false,
                                            rows: max(0, try r.int64("n"))))
            }
            let d = try await historySQL.row("SELECT COUNT(*) AS n FROM \(ident: t.name + "_default")")
            out.append(HistoryPartition(table: t.name, name: t.name + "_default", month: nil, attached: true, rows: try d?.int64("n") ?? 0))
        }
        return out
    }

    /// `mallvip partitions detach --before YYYY-MM`: detaches every attached month partition of the three tables
    /// before `month` (lines first, their foreign key to purchases dropped on the detached table, then purchases, then
    /// the ledger). The tables stay in the database, outside every report, until the operator archives them
    /// (`pg_dump -t`) and drops them. Refused: on SQLite (`partitions.postgres`); a month to detach that `mallvip finance
    /// close` has not closed (`partitions.month.open`): reports and the liability roll-forward of an open month still
    /// read its rows; the current month or a later one (`partitions.month.current`).
    @discardableResult
    public func detachHistoryPartitions(before month: FinanceMonth, actor: String) async throws -> [String] {
        guard try await historyPartitioned() else {
            throw DomainError.invalid("before", "partitions.postgres", zh: "按月分区只在 PostgreSQL 上使用（SQLite 无需归档）",
                                      en: "monthly partitions exist on PostgreSQL only (nothing to detach on SQLite)")
        }
        let (_, programme) = try await self.programme()
        let current = FinanceMonth(LocalDate.of(now, in: programme.timeZone))
        guard month <= current else {
            throw DomainError.invalid("before", "partitions.month.current", zh: "只能分离本月之前的月份（--before 最晚为 \(current)）",
                                      en: "only months before the current one can be detached (--before at most \(current))")
        }
        let attached = try await MonthlyPartitions.attached(historySQL)
        var months = Set<FinanceMonth>()
        for t in MonthlyPartitions.tables {
            for p in attached[t.name] ?? [] { if let m = MonthlyPartitions.month(of: p, table: t), m < month { months.insert(m) } }
        }
        let closed = Set(try await historySQL.rows("SELECT DISTINCT month FROM finance_closed_months").compactMap { FinanceMonth(key: try $0.int("month")) })
        if let open = months.sorted().first(where: { !closed.contains($0) }) {
            throw DomainError(.conflict, field: "before", rule: "partitions.month.open",
                              zh: "\(open) 尚未结账：先运行 mallvip finance close --month \(open)，再分离归档",
                              en: "\(open) is not closed: run mallvip finance close --month \(open) before detaching it")
        }
        let toDetach = months.sorted()
        let order = [MonthlyPartitions.tables[1], MonthlyPartitions.tables[0], MonthlyPartitions.tables[2]]
        return try await write { tx in
            try await tx.sql.exec("SELECT pg_advisory_xact_lock(21046)")
            var detached: [String] = []
            let tz = programme.timeZone
            for m in toDetach {
                let days = MonthlyPartitions.bounds(MonthlyPartitions.tables[0], m, tz)
                let ms = MonthlyPartitions.bounds(MonthlyPartitions.tables[2], m, tz)
                try await tx.sql.exec("""
                    INSERT INTO history_detached_months (month, day_from, day_to, at_from_ms, at_to_ms, detached_by, detached_at_ms)
                    VALUES (\(bind: m.key), \(bind: days.lo), \(bind: days.hi), \(bind: ms.lo), \(bind: ms.hi), \(bind: actor), \(bind: epochMillis(self.now)))
                    ON CONFLICT (month) DO NOTHING
                    """)
                let ledger = MonthlyPartitions.name(MonthlyPartitions.tables[2], m)
                if attached["points_ledger"]?.contains(ledger) ?? false {
                    try await tx.sql.exec("""
                        INSERT INTO detached_ledger_sums (member_id, points) SELECT member_id, SUM(points) FROM \(ident: ledger) GROUP BY member_id
                        ON CONFLICT (member_id) DO UPDATE SET points = detached_ledger_sums.points + excluded.points
                        """)
                }
                for t in order {
                    let p = MonthlyPartitions.name(t, m)
                    guard attached[t.name]?.contains(p) ?? false else { continue }
                    try await tx.sql.exec("ALTER TABLE \(ident: t.name) DETACH PARTITION \(ident: p)")
                    // The detached lines keep the foreign key to purchases; it would block detaching their purchases.
                    for fk in try await tx.sql.rows("""
                        SELECT conname FROM pg_constraint WHERE conrelid = \(bind: p)::regclass AND contype = 'f' AND confrelid = 'purchases'::regclass
                        """) {
                        try await tx.sql.exec("ALTER TABLE \(ident: p) DROP CONSTRAINT \(ident: try fk.string("conname"))")
                    }
                    detached.append(p)
                }
            }
            try await self.audit(tx, actor: actor, action: "partitions.detach", subject: "before:\(month)",
                                 detail: detached.joined(separator: ","))
            return detached
        }
    }
}
