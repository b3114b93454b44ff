import Foundation
import SQLKit

/// The demo's bulk load without index maintenance, foreign-key checks or triggers per row (issue 21, the one-million-member mall): into EMPTY tables, a
/// secondary index costs a random B-tree insert per row while the rows go in, and one sort when built afterwards.
/// `writeDemo` sets the secondary indexes of the tables it fills aside at the start of its transaction and builds
/// them again at its end, from the definitions the database itself holds (`sqlite_master.sql`, `pg_indexes.indexdef`):
/// the migrations stay the one source of the index list, and a migration that adds an index to one of these tables
/// needs no change here. Both steps run inside the demo's transaction, so a failed demo leaves the indexes as they
/// were. Indexes that back a constraint (primary keys, UNIQUE constraints, SQLite's autoindexes, an index a foreign
/// key depends on) stay: they cannot be dropped, and they guard the data while it goes in.
enum DemoIndexes {
    struct Index: Sendable, Equatable, CustomStringConvertible {
        var name: String
        var table: String
        /// The statement that creates it, as the database reports it.
        var definition: String
        var description: String { "\(table).\(name)" }
    }

    /// The tables the demo fills in bulk.
    static let tables = [
        "members", "cards", "purchases", "purchase_lines", "points_ledger", "member_daily_spend", "tier_changes", "tier_requests",
        "member_manager_history",
    ]

    /// The droppable secondary indexes of `tables`, by name.
    static func list(_ sql: any SQLDatabase, tables: [String] = tables) async throws -> [Index] {
        let names = (tables.map { "'" + $0.replacingOccurrences(of: "'", with: "''") + "'" }.joined(separator: ", "))
        let rows: [any SQLRow]
        if sql.storeDialect == .postgresql {
            // Only the parent of a partitioned table is named here: dropping its index drops the partitions' too, and
            // creating it again builds them on every partition.
            rows = try await sql.rows("""
                SELECT i.indexname AS name, i.tablename AS tbl, i.indexdef AS def FROM pg_indexes i
                WHERE i.schemaname = current_schema() AND i.tablename IN (\(unsafeRaw: names))
                  AND NOT EXISTS (SELECT 1 FROM pg_constraint c
                                  WHERE c.conindid = (quote_ident(i.schemaname) || '.' || quote_ident(i.indexname))::regclass)
                ORDER BY i.indexname
                """)
        } else {
            rows = try await sql.rows("""
                SELECT name, tbl_name AS tbl, sql AS def FROM sqlite_master
                WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN (\(unsafeRaw: names))
                ORDER BY name
                """)
        }
        return try rows.map { Index(name: try $0.string("name"), table: try $0.string("tbl"), definition: try $0.string("def")) }
    }

    /// PostgreSQL: the foreign keys declared on `tables` (the referencing side), as `Index` values whose definition is
    /// `pg_get_constraintdef`. Each costs a lookup in the referenced table per inserted row (a trigger per row);
    /// added back after the load, one constraint is checked by one join. Constraints a partition inherited from its
    /// parent are the parent's. SQLite: none (its checks on insert are a primary-key lookup, and its constraints
    /// cannot be dropped).
    static func foreignKeys(_ sql: any SQLDatabase, tables: [String] = tables) async throws -> [Index] {
        guard sql.storeDialect == .postgresql else { return [] }
        let names = (tables.map { "'" + $0.replacingOccurrences(of: "'", with: "''") + "'" }.joined(separator: ", "))
        return try await sql.rows("""
            SELECT c.conname AS name, t.relname AS tbl, pg_get_constraintdef(c.oid) AS def
            FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid JOIN pg_namespace n ON n.oid = t.relnamespace
            WHERE c.contype = 'f' AND c.conparentid = 0 AND n.nspname = current_schema() AND t.relname IN (\(unsafeRaw: names))
            ORDER BY t.relname, c.conname
            """).map { Index(name: try $0.string("name"), table: try $0.string("tbl"), definition: try $0.string("def")) }
    }

    /// The message triggers on `tables` (definitions from `sqlite_master.sql` / `pg_get_triggerdef`; on PostgreSQL only the
    /// parent's, which CREATE TRIGGER clones to partitions). They are the webhook events (migration 023) and the
    /// WeChat Pay sync (041): a PL/pgSQL call or a trigger program per inserted row, for nothing when nobody listens.
    static func triggers(_ sql: any SQLDatabase, tables: [String] = tables) async throws -> [Index] {
        let names = (tables.map { "'" + $0.replacingOccurrences(of: "'", with: "''") + "'" }.joined(separator: ", "))
        let rows: [any SQLRow]
        if sql.storeDialect == .postgresql {
            rows = try await sql.rows("""
                SELECT g.tgname AS name, t.relname AS tbl, pg_get_triggerdef(g.oid) AS def
                FROM pg_trigger g JOIN pg_class t ON t.oid = g.tgrelid JOIN pg_namespace n ON n.oid = t.relnamespace
                WHERE NOT g.tgisinternal AND g.tgparentid = 0 AND n.nspname = current_schema() AND t.relname IN (\(unsafeRaw: names))
                ORDER BY g.tgname
                """)
        } else {
            rows = try await sql.rows("""
                SELECT name, tbl_name AS tbl, sql AS def FROM sqlite_master
                WHERE type = 'trigger' AND tbl_name IN (\(unsafeRaw: names))
                ORDER BY name
                """)
        }
        return try rows.map { Index(name: try $0.string("name"), table: try $0.string("tbl"), definition: try $0.string("def")) }
            .filter { t in quietTriggerPrefixes.contains { t.name.hasPrefix($0) } }
    }

    /// The triggers that may be set aside, by name: only those that enqueue messages. Others (e.g. PostgreSQL's
    /// receipt-uniqueness trigger on partitioned purchases, migration 046) guard the data and always stay.
    static let quietTriggerPrefixes = ["webhook_", "wechatpay_sync_"]

    /// What `setAside` took away.
    struct SetAside: Sendable {
        var indexes: [Index]
        var foreignKeys: [Index]
        var triggers: [Index]
    }

    /// Drops the secondary indexes (and on PostgreSQL the foreign keys) of `tables` and returns what they were; call
    /// inside a transaction, on empty tables.
    static func setAside(_ sql: any SQLDatabase, tables: [String] = tables) async throws -> SetAside {
        let indexes = try await list(sql, tables: tables)
        let keys = try await foreignKeys(sql, tables: tables)
        // Triggers only while no webhook subscription is active: then the webhook triggers insert nothing, and the
        // WeChat Pay sync fires only for `wechat_pay` purchases of members, which the demo does not write. With a
        // subscriber the triggers stay and the demo's events are recorded as before.
        let listening = try await sql.row("SELECT COUNT(*) AS n FROM webhook_subscriptions WHERE active")!.int("n") > 0
        let quiet = listening ? [] : try await triggers(sql, tables: tables)
        for trigger in quiet {
            try await sql.exec(sql.storeDialect == .postgresql ? "DROP TRIGGER \(ident: trigger.name) ON \(ident: trigger.table)"
                                                               : "DROP TRIGGER \(ident: trigger.name)")
        }
        for key in keys { try await sql.exec("ALTER TABLE \(ident: key.table) DROP CONSTRAINT \(ident: key.name)") }
        for index in indexes { try await sql.exec("DROP INDEX \(ident: index.name)") }
        return SetAside(indexes: indexes, foreignKeys: keys, triggers: quiet)
    }

    /// Builds the indexes again from their definitions, then adds the foreign keys back (each checked against the rows
    /// written). PostgreSQL: with more sort memory than the default 64 MB (for this transaction only), so an index
    /// over millions of rows is sorted in memory.
    static func restore(_ sql: any SQLDatabase, _ set: SetAside) async throws {
        if sql.storeDialect == .postgresql, !set.indexes.isEmpty {
            try await sql.exec("SET LOCAL maintenance_work_mem = '1GB'")
        }
        for index in set.indexes { try await sql.exec("\(unsafeRaw: index.definition)") }
        for key in set.foreignKeys {
            try await sql.exec("ALTER TABLE \(ident: key.table) ADD CONSTRAINT \(ident: key.name) \(unsafeRaw: key.definition)")
        }
        for trigger in set.triggers { try await sql.exec("\(unsafeRaw: trigger.definition)") }
    }
}
