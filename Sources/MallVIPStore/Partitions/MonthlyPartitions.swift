import Foundation
import MallVIPCore
import SQLKit

/// Monthly RANGE partitions of the history tables on PostgreSQL (issue 21, docs/scaling.md "Partitioned history"):
/// `purchases` and `purchase_lines` by `business_day` (day number; a month is [day number of its 1st, that of the
/// next 1st)), `points_ledger` by `at_ms` (local midnight of the 1st in the programme's time zone, in ms). Each table
/// has one partition per month, `<table>_p202612`, and a DEFAULT partition, `<table>_default`, that catches anything
/// outside the months created (a receipt back-dated by years still posts). SQLite keeps plain tables.
enum MonthlyPartitions {
    struct Table: Sendable {
        let name: String
        let key: String
        let inMs: Bool
    }

    /// In foreign-key order: purchases before the lines that reference them.
    static let tables = [Table(name: "purchases", key: "business_day", inMs: false),
                         Table(name: "purchase_lines", key: "business_day", inMs: false),
                         Table(name: "points_ledger", key: "at_ms", inMs: true)]

    static func bounds(_ t: Table, _ m: FinanceMonth, _ tz: TimeZone) -> (lo: Int64, hi: Int64) {
        if t.inMs { return (epochMillis(m.firstDay.start(in: tz)), epochMillis(m.next.firstDay.start(in: tz))) }
        return (Int64(m.firstDay.dayNumber), Int64(m.next.firstDay.dayNumber))
    }

    static func name(_ t: Table, _ m: FinanceMonth) -> String { "\(t.name)_p\(m.key)" }

    /// The month a partition name stands for (`purchases_p202612` → 2026-12); nil for the default or another name.
    static func month(of partition: String, table t: Table) -> FinanceMonth? {
        let prefix = t.name + "_p"
        guard partition.hasPrefix(prefix), let key = Int(partition.dropFirst(prefix.count)),
              String(key) == partition.dropFirst(prefix.count), key >= 197001, key <= 999912 else { return nil }
        return FinanceMonth(key: key)
    }

    /// Whether `purchases` is partitioned here (PostgreSQL after migration 046).
    static func isPartitioned(_ sql: any SQLDatabase) async throws -> Bool {
        guard sql.storeDialect == .postgresql else { return false }
        return try await sql.row("SELECT 1 AS x FROM pg_partitioned_table WHERE partrelid = to_regclass('purchases')") != nil
    }

    /// The partitions attached to each table, by table name.
    static func attached(_ sql: any SQLDatabase) async throws -> [String: Set<String>] {
        var out: [String: Set<String>] = [:]
        for r in try await sql.rows("""
            SELECT parent.relname AS parent, child.relname AS child FROM pg_inherits i
            JOIN pg_class parent ON parent.oid = i.inhparent JOIN pg_class child ON child.oid = i.inhrelid
            WHERE parent.relname IN ('purchases', 'purchase_lines', 'points_ledger')
              AND parent.relnamespace = current_schema()::regnamespace AND child.relnamespace = parent.relnamespace
            """) {
            out[try r.string("parent"), default: []].insert(try r.string("child"))
        }
        return out
    }

    static func tableExists(_ sql: any SQLDatabase, _ name: String) async throws -> Bool {
        try await sql.row("SELECT 1 AS x FROM pg_class WHERE relname = \(bind: name) AND relkind IN ('r', 'p') AND relnamespace = current_schema()::regnamespace") != nil
    }

    /// Creates month `m`'s partition of each table where it is missing; rows of that month already in the default
    /// partition (posted before the month was created, or back-dated) move into it. Runs inside the caller's
    /// transaction. How: each new partition is first a plain table (`LIKE` the parent), the default's rows of the
    /// month are copied into it and deleted from the default (lines before purchases: the lines' foreign key), then it
    /// is ATTACHed — ATTACH takes only a SHARE UPDATE EXCLUSIVE lock on the parent (posting goes on), where
    /// `CREATE TABLE … PARTITION OF` would lock the parent exclusively; the copy fires no insert trigger (no webhook
    /// or WeChat event for a row that only moved), and ATTACH clones the parent's indexes, row triggers and keys.
    /// Returns the partitions created.
    @discardableResult
    static func ensure(_ sql: any SQLDatabase, month m: FinanceMonth, tz: TimeZone) async throws -> [String] {
        var created: [(Table, String)] = []
        for t in tables {
            let p = name(t, m)
            if try await tableExists(sql, p) { continue }   // attached, or detached and kept for its archive
            let (lo, hi) = bounds(t, m, tz)
            try await sql.exec("CREATE TABLE \(ident: p) (LIKE \(ident: t.name) INCLUDING DEFAULTS)")
            // The range as a CHECK first: ATTACH then skips its own scan of the new table.
            try await sql.exec("ALTER TABLE \(ident: p) ADD CONSTRAINT \(ident: p + "_range") CHECK (\(ident: t.key) >= \(unsafeRaw: String(lo)) AND \(ident: t.key) < \(unsafeRaw: String(hi)))")
            try await sql.exec("INSERT INTO \(ident: p) SELECT * FROM \(ident: t.name + "_default") WHERE \(ident: t.key) >= \(unsafeRaw: String(lo)) AND \(ident: t.key) < \(unsafeRaw: String(hi))")
            created.append((t, p))
        }
        for (t, _) in created.reversed() {
            let (lo, hi) = bounds(t, m, tz)
            try await sql.exec("DELETE FROM \(ident: t.name + "_default") WHERE \(ident: t.key) >= \(unsafeRaw: String(lo)) AND \(ident: t.key) < \(unsafeRaw: String(hi))")
        }
        for (t, p) in created {
            let (lo, hi) = bounds(t, m, tz)
            try await sql.exec("ALTER TABLE \(ident: t.name) ATTACH PARTITION \(ident: p) FOR VALUES FROM (\(unsafeRaw: String(lo))) TO (\(unsafeRaw: String(hi)))")
            try await sql.exec("ALTER TABLE \(ident: p) DROP CONSTRAINT \(ident: p + "_range")")
        }
        return created.map(\.1)
    }
}
