import FluentKit
import Foundation
import MallVIPCore
import SQLKit

/// Monthly partitioned history on PostgreSQL (issue 21, docs/scaling.md "Partitioned history").
///
/// Both stores: `purchase_lines.business_day`, its purchase's business day (backfilled here, written by every writer
/// of lines), so that lines partition with their purchase. On SQLite that is all.
///
/// PostgreSQL: `purchases` and `purchase_lines` become RANGE-partitioned by `business_day`, `points_ledger` by `at_ms`,
/// one partition per month (`MonthlyPartitions`) from the oldest month with data to three months ahead, and a DEFAULT
/// partition. Each table is rebuilt in this one transaction: renamed aside, re-created partitioned (`LIKE` the old:
/// columns, defaults, the identity — a new sequence set to the old maximum, so `pg_get_serial_sequence` and the
/// demo's and import's `setval` keep working), every row copied, the old dropped, then the primary key, indexes,
/// foreign keys and triggers re-created from what the old table had (read from the catalogue first, so an index a
/// later migration added before this ran would come along too).
///
/// Keys. A primary key or unique index of a partitioned table must contain the partition key, so:
/// - primary keys become (id, business_day) and (id, at_ms); ids stay unique (one sequence).
/// - receipt numbers: `(mall_id, receipt_no)` was unique, and that is the idempotency contract (a retried receipt
///   replays, another body under the same number is a 409). `(mall_id, receipt_no, business_day)` would let the same
///   number in twice on two days, and a lookup before the insert is not race-free: the lanes serialise per card or
///   phone, not per mall, so two tills could post the same number at once from two lanes. The uniqueness therefore
///   moves to a small non-partitioned table, `purchase_receipts (mall_id, receipt_no) PRIMARY KEY`, written by one
///   statement-level AFTER INSERT trigger on `purchases` (its transition table: one INSERT … SELECT per statement,
///   not per row). A duplicate raises the same unique violation (23505) in the same transaction as before, so the
///   posting paths' existing retry — read what is recorded, then replay or 409 — is unchanged, and no writer (lanes,
///   import, demo, channels) can forget it. Hot-path cost: one trigger call per batch and one narrow row per receipt,
///   in place of the unique index on purchases (which becomes a plain index for the lookups).
/// - `(channel, channel_ref)` unique where set (migration 043, one WeChat Pay transaction posts once): the same way,
///   in `purchase_channel_refs`, by the same trigger.
/// - `purchase_lines (purchase_id, business_day)` → `purchases (id, business_day)`: a composite foreign key.
///   `refunds.purchase_id` → `purchases`: refunds carry no business day, so that foreign key is dropped on PostgreSQL;
///   `mallvip verify` checks refunds against purchases instead.
struct M046_MonthlyPartitions: AsyncMigration {
    var name: String { "046_MonthlyPartitions" }

    /// Months ahead of the current one created here and by the daily job's default (`MALLVIP_PARTITION_MONTHS_AHEAD`).
    static let monthsAhead = 3
    /// The migration creates at most this many months back; older rows (a bad date?) stay in the default partition.
    static let maxMonthsBack = 120

    func prepare(on db: any Database) async throws {
        guard db.isPostgres else {
            try await db.sql.raw("ALTER TABLE purchase_lines ADD COLUMN business_day INTEGER NOT NULL DEFAULT 0").run()
            try await db.sql.raw("""
                UPDATE purchase_lines SET business_day = (SELECT p.business_day FROM purchases p WHERE p.id = purchase_lines.purchase_id)
                """).run()
            return
        }
        try await db.transaction { tx in try await Self.partition(tx.sql) }
    }

    static func partition(_ sql: any SQLDatabase) async throws {
        try await sql.exec("ALTER TABLE purchase_lines ADD COLUMN business_day BIGINT")
        try await sql.exec("UPDATE purchase_lines l SET business_day = p.business_day FROM purchases p WHERE p.id = l.purchase_id")
        try await sql.exec("ALTER TABLE purchase_lines ALTER COLUMN business_day SET NOT NULL")

        let tz = try await programmeTimeZone(sql)
        let now = FinanceMonth(LocalDate.of(Date(), in: tz))
        let last = (0..<monthsAhead).reduce(now) { m, _ in m.next }
        let floor = (0..<maxMonthsBack).reduce(now) { m, _ in m.previous }
        var first = now
        if let d = try await sql.row("SELECT MIN(business_day) AS d FROM purchases")?.optInt("d") {
            first = min(first, FinanceMonth(LocalDate(dayNumber: d)))
        }
        if let ms = try await sql.row("SELECT MIN(at_ms) AS ms FROM points_ledger")?.optInt64("ms") {
            first = min(first, FinanceMonth(LocalDate.of(Date(timeIntervalSince1970: Double(ms) / 1000), in: tz)))
        }
        first = max(first, floor)

        // What each table has now, read before anything changes.
        var triggers: [String: [String]] = [:], indexes: [String: [String]] = [:], foreignKeys: [String: [(String, String)]] = [:]
        for t in MonthlyPartitions.tables {
            triggers[t.name] = try await sql.rows("""
                SELECT pg_get_triggerdef(oid) AS def FROM pg_trigger WHERE tgrelid = \(bind: t.name)::regclass AND NOT tgisinternal ORDER BY tgname
                """).map { try $0.string("def") }
            indexes[t.name] = try await sql.rows("""
                SELECT pg_get_indexdef(indexrelid) AS def FROM pg_index WHERE indrelid = \(bind: t.name)::regclass AND NOT indisunique
                """).map { try $0.string("def") }
            foreignKeys[t.name] = try await sql.rows("""
                SELECT conname, pg_get_constraintdef(oid) AS def FROM pg_constraint
                WHERE conrelid = \(bind: t.name)::regclass AND contype = 'f' AND confrelid <> 'purchases'::regclass
                """).map { (try $0.string("conname"), try $0.string("def")) }
        }
        // Foreign keys into the old tables (lines → purchases, refunds → purchases) go before the tables do.
        for r in try await sql.rows("""
            SELECT conrelid::regclass::text AS t, conname FROM pg_constraint
            WHERE contype = 'f' AND confrelid IN ('purchases'::regclass, 'purchase_lines'::regclass, 'points_ledger'::regclass)
            """) {
            try await sql.exec("ALTER TABLE \(ident: try r.string("t")) DROP CONSTRAINT \(ident: try r.string("conname"))")
        }

        for t in MonthlyPartitions.tables {
            let old = t.name + "_unpartitioned"
            try await sql.exec("ALTER TABLE \(ident: t.name) RENAME TO \(ident: old)")
            try await sql.exec("""
                CREATE TABLE \(ident: t.name) (LIKE \(ident: old) INCLUDING DEFAULTS INCLUDING IDENTITY) PARTITION BY RANGE (\(ident: t.key))
                """)
            try await sql.exec("CREATE TABLE \(ident: t.name + "_default") PARTITION OF \(ident: t.name) DEFAULT")
            for m in first.through(last) {
                let (lo, hi) = MonthlyPartitions.bounds(t, m, tz)
                try await sql.exec("""
                    CREATE TABLE \(ident: MonthlyPartitions.name(t, m)) PARTITION OF \(ident: t.name)
                    FOR VALUES FROM (\(unsafeRaw: String(lo))) TO (\(unsafeRaw: String(hi)))
                    """)
            }
            try await sql.exec("INSERT INTO \(ident: t.name) SELECT * FROM \(ident: old)")
            try await sql.exec("DROP TABLE \(ident: old)")
            try await sql.exec("ALTER TABLE \(ident: t.name) ADD PRIMARY KEY (id, \(ident: t.key))")
            try await sql.exec("""
                SELECT setval(pg_get_serial_sequence(\(bind: t.name), 'id'), COALESCE((SELECT MAX(id) FROM \(ident: t.name)), 0) + 1, false)
                """)
        }
        // The unique receipt and channel keys as plain indexes for the lookups; uniqueness in the key tables below.
        try await sql.exec("CREATE INDEX purchases_receipt_key ON purchases (mall_id, receipt_no)")
        try await sql.exec("CREATE INDEX purchases_channel_ref ON purchases (channel, channel_ref) WHERE channel_ref IS NOT NULL")
        for t in MonthlyPartitions.tables {
            for def in indexes[t.name] ?? [] { try await sql.exec(SQLQueryString(def)) }
            for (name, def) in foreignKeys[t.name] ?? [] {
                try await sql.exec("ALTER TABLE \(ident: t.name) ADD CONSTRAINT \(ident: name) \(unsafeRaw: def)")
            }
        }
        try await sql.exec("""
            ALTER TABLE purchase_lines ADD CONSTRAINT purchase_lines_purchase_fkey
            FOREIGN KEY (purchase_id, business_day) REFERENCES purchases (id, business_day)
            """)

        try await sql.exec("""
            CREATE TABLE purchase_receipts (mall_id BIGINT NOT NULL, receipt_no TEXT NOT NULL, purchase_id BIGINT NOT NULL,
            business_day BIGINT NOT NULL, PRIMARY KEY (mall_id, receipt_no))
            """)
        try await sql.exec("""
            CREATE TABLE purchase_channel_refs (channel TEXT NOT NULL, channel_ref TEXT NOT NULL, purchase_id BIGINT NOT NULL,
            business_day BIGINT NOT NULL, PRIMARY KEY (channel, channel_ref))
            """)
        try await sql.exec("INSERT INTO purchase_receipts SELECT mall_id, receipt_no, id, business_day FROM purchases")
        try await sql.exec("""
            INSERT INTO purchase_channel_refs SELECT channel, channel_ref, id, business_day FROM purchases WHERE channel_ref IS NOT NULL
            """)
        try await sql.exec("""
            CREATE FUNCTION purchase_keys_insert() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
            INSERT INTO purchase_receipts (mall_id, receipt_no, purchase_id, business_day)
              SELECT mall_id, receipt_no, id, business_day FROM new_purchases;
            INSERT INTO purchase_channel_refs (channel, channel_ref, purchase_id, business_day)
              SELECT channel, channel_ref, id, business_day FROM new_purchases WHERE channel_ref IS NOT NULL;
            RETURN NULL;
            END
            $$
            """)
        try await sql.exec("""
            CREATE TRIGGER purchase_keys AFTER INSERT ON purchases REFERENCING NEW TABLE AS new_purchases
            FOR EACH STATEMENT EXECUTE FUNCTION purchase_keys_insert()
            """)
        // Detached months (`mallvip partitions detach`) and each member's ledger sum in them: `mallvip verify` then
        // compares balances with the attached ledger plus that sum, and skips the detached days' rolling spend.
        try await sql.exec("""
            CREATE TABLE history_detached_months (month INTEGER PRIMARY KEY, day_from BIGINT NOT NULL, day_to BIGINT NOT NULL,
            at_from_ms BIGINT NOT NULL, at_to_ms BIGINT NOT NULL, detached_by TEXT NOT NULL, detached_at_ms BIGINT NOT NULL)
            """)
        try await sql.exec("CREATE TABLE detached_ledger_sums (member_id BIGINT PRIMARY KEY, points BIGINT NOT NULL)")
        // The old row triggers (webhooks, WeChat Pay sync), now on the partitioned parents: each partition gets them.
        for t in MonthlyPartitions.tables {
            for def in triggers[t.name] ?? [] { try await sql.exec(SQLQueryString(def)) }
        }
    }

    /// The programme's time zone (month bounds of the ledger are local midnights); Asia/Shanghai before any programme.
    static func programmeTimeZone(_ sql: any SQLDatabase) async throws -> TimeZone {
        guard let yaml = try await sql.row("SELECT yaml FROM programme_versions ORDER BY version DESC LIMIT 1")?.optString("yaml"),
              let p = try? Programme.parse(yaml: yaml) else { return TimeZone(identifier: "Asia/Shanghai")! }
        return p.timeZone
    }

    func revert(on db: any Database) async throws {
        // Partitioning is not undone (restore the backup taken before the upgrade); the column goes on SQLite.
        if !db.isPostgres { try await db.sql.raw("ALTER TABLE purchase_lines DROP COLUMN business_day").run() }
    }
}
