import Foundation
import SQLKit

/// Issue 21, "beyond one server": turns a migrated PostgreSQL schema's member-owned tables into
/// `PARTITION BY HASH (member_id)` tables (members by `id`), 4 partitions each — the single-server stand-in for a
/// Citus cluster that distributes those tables by member id. Generic over the catalogue: for each table it creates
/// the partitioned copy, moves the rows, swaps the names, and re-creates indexes, uniques, the primary key, foreign
/// keys and triggers. What cannot be re-created is returned, because it is exactly what a sharded schema must
/// handle another way (docs/scaling.md): uniques and primary keys without the key column, and foreign keys that
/// reference a hash-partitioned table without its key.
struct HashPartition {
    let sql: any SQLDatabase
    /// table → its partition key (member_id; members by id, referrals by referee_id).
    let keys: [String: String]
    static let partitions = 4

    struct Result: Sendable {
        /// "table(col, col)" for every unique index that lacks the partition key: re-created as a plain index.
        var uniquesWithoutKey: [String] = []
        /// Primary keys widened by the key: "table(id) → (id, member_id)".
        var widenedPrimaryKeys: [String] = []
        /// Foreign keys that could not be re-created: "table → referenced(cols)".
        var droppedForeignKeys: [String] = []
        var triggers: [String] = []
        /// "table: n" for every table whose rows without a member moved to the reserved member 0.
        var reservedMemberRows: [String] = []
    }

    /// The reserved member that owns the rows with no member (docs/scaling.md): Citus, like the primary key widened
    /// to (id, member_id) here, refuses NULL in the distribution column.
    static let reservedMember: Int64 = 0

    func key(_ table: String) -> String { keys[table] ?? "member_id" }

    func convert(_ tables: [String]) async throws -> Result {
        var result = Result()
        try await moveMemberlessRows(tables, &result)
        // Every foreign key touching a converted table, read before any table is dropped (DROP … CASCADE drops the
        // incoming ones with it).
        let fks = try await sql.raw("""
            SELECT conrelid::regclass::text AS tbl, conname, pg_get_constraintdef(oid) AS def, confrelid::regclass::text AS ref,
                   ARRAY(SELECT a.attname::text FROM unnest(confkey) k JOIN pg_attribute a ON a.attrelid = confrelid AND a.attnum = k) AS refcols
            FROM pg_constraint WHERE contype = 'f' AND connamespace = current_schema()::regnamespace
              AND (conrelid::regclass::text = ANY(\(bind: tables)) OR confrelid::regclass::text = ANY(\(bind: tables)))
            ORDER BY 1, 2
            """).all()
        for table in tables {
            try await convertOne(table, &result)
        }
        for fk in fks {
            let (tbl, name, def, ref) = (try fk.decode(column: "tbl", as: String.self), try fk.decode(column: "conname", as: String.self),
                                         try fk.decode(column: "def", as: String.self), try fk.decode(column: "ref", as: String.self))
            let refCols = try fk.decode(column: "refcols", as: [String].self)
            if tables.contains(ref), !refCols.contains(key(ref)) {
                result.droppedForeignKeys.append("\(tbl) → \(ref)(\(refCols.joined(separator: ", ")))")
                continue
            }
            let exists = try await sql.raw("""
                SELECT 1 AS x FROM pg_constraint WHERE conrelid = \(bind: tbl)::regclass AND conname = \(bind: name)
                """).first() != nil
            if !exists {
                try await sql.raw("ALTER TABLE \(ident: tbl) ADD CONSTRAINT \(ident: name) \(unsafeRaw: def)").run()
            }
        }
        return result
    }

    /// Rows whose key is NULL take the reserved member 0 (a `members` row that is nobody: status `erased`, so no
    /// figure counts it), before the move; a BEFORE trigger (named `hp_reserved_member`, re-created on the
    /// partitioned copy with the others) does the same for rows the app writes afterwards — the stand-in for the
    /// code change "write 0, not NULL". NULL and 0 hash to the same partition, so the trigger never moves a row.
    private func moveMemberlessRows(_ tables: [String], _ result: inout Result) async throws {
        var memberCreated = false
        for table in tables where table != "members" {
            let key = self.key(table)
            let nullable = try await sql.raw("""
                SELECT 1 AS x FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = \(bind: table)
                  AND column_name = \(bind: key) AND is_nullable = 'YES'
                """).first() != nil
            guard nullable else { continue }
            if !memberCreated {
                memberCreated = true
                // Every NOT NULL column of members without a default gets its type's zero value.
                let columns = try await sql.raw("""
                    SELECT column_name::text AS c, data_type::text AS t FROM information_schema.columns
                    WHERE table_schema = current_schema() AND table_name = 'members' AND is_nullable = 'NO' AND column_default IS NULL
                      AND is_identity = 'NO' AND column_name NOT IN ('id', 'status', 'name', 'phone')
                    ORDER BY ordinal_position
                    """).all()
                var names = ["id", "status", "name", "phone"]
                var values = ["\(Self.reservedMember)", "'erased'", "'(保留 reserved)'", "'reserved-0'"]
                for column in columns {
                    names.append(try column.decode(column: "c", as: String.self))
                    switch try column.decode(column: "t", as: String.self) {
                    case "boolean": values.append("false")
                    case "bigint", "integer", "smallint", "numeric", "double precision", "real": values.append("0")
                    default: values.append("''")
                    }
                }
                try await sql.raw("""
                    INSERT INTO members (\(idents: names, joinedBy: ", ")) OVERRIDING SYSTEM VALUE VALUES (\(unsafeRaw: values.joined(separator: ", "))) ON CONFLICT DO NOTHING
                    """).run()
                try await sql.raw("""
                    CREATE OR REPLACE FUNCTION hp_reserved_member() RETURNS trigger LANGUAGE plpgsql AS $$
                    BEGIN NEW.member_id := COALESCE(NEW.member_id, \(unsafeRaw: String(Self.reservedMember))); RETURN NEW; END $$
                    """).run()
            }
            guard key == "member_id" else { continue }
            try await sql.raw("UPDATE \(ident: table) SET \(ident: key) = \(bind: Self.reservedMember) WHERE \(ident: key) IS NULL").run()
            let n = try await sql.raw("SELECT COUNT(*) AS n FROM \(ident: table) WHERE \(ident: key) = \(bind: Self.reservedMember)").first()!
                .decode(column: "n", as: Int.self)
            if n > 0 { result.reservedMemberRows.append("\(table): \(n)") }
            try await sql.raw("""
                CREATE TRIGGER hp_reserved_member BEFORE INSERT OR UPDATE OF member_id ON \(ident: table) FOR EACH ROW EXECUTE FUNCTION hp_reserved_member()
                """).run()
        }
    }

    private func convertOne(_ table: String, _ result: inout Result) async throws {
        let key = self.key(table)
        let staging = "\(table)__hp"
        let indexes = try await sql.raw("""
            SELECT c.relname AS name, pg_get_indexdef(i.indexrelid) AS def, i.indisunique AS uniq, i.indisprimary AS pk,
                   ARRAY(SELECT a.attname::text FROM unnest(i.indkey) k JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k) AS cols,
                   pg_get_expr(i.indpred, i.indrelid) AS pred
            FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
            WHERE i.indrelid = \(bind: table)::regclass ORDER BY c.relname
            """).all()
        let triggers = try await sql.raw("""
            SELECT tgname, pg_get_triggerdef(oid) AS def FROM pg_trigger WHERE tgrelid = \(bind: table)::regclass AND NOT tgisinternal ORDER BY tgname
            """).all()
        // Identity columns cannot be declared on a partitioned table before PostgreSQL 17: a sequence owned by the
        // column gives the same defaults (and pg_get_serial_sequence still finds it, as the bulk writers need).
        let identity = try await sql.raw("""
            SELECT column_name FROM information_schema.columns
            WHERE table_schema = current_schema() AND table_name = \(bind: table) AND is_identity = 'YES'
            """).all().map { try $0.decode(column: "column_name", as: String.self) }

        try await sql.raw("CREATE TABLE \(ident: staging) (LIKE \(ident: table) INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING GENERATED) PARTITION BY HASH (\(ident: key))").run()
        for r in 0..<Self.partitions {
            try await sql.raw("""
                CREATE TABLE \(ident: "\(table)_h\(r)") PARTITION OF \(ident: staging) FOR VALUES WITH (MODULUS \(unsafeRaw: String(Self.partitions)), REMAINDER \(unsafeRaw: String(r)))
                """).run()
        }
        try await sql.raw("INSERT INTO \(ident: staging) SELECT * FROM \(ident: table)").run()
        var sequences: [(String, String)] = []
        for column in identity {
            let seq = "\(table)_\(column)_hseq"
            try await sql.raw("CREATE SEQUENCE \(ident: seq)").run()
            try await sql.raw("SELECT setval(\(bind: seq), COALESCE((SELECT MAX(\(ident: column)) FROM \(ident: staging)), 0) + 1, false)").run()
            try await sql.raw("ALTER TABLE \(ident: staging) ALTER COLUMN \(ident: column) SET DEFAULT nextval('\(unsafeRaw: seq)'::regclass)").run()
            sequences.append((seq, column))
        }
        try await sql.raw("DROP TABLE \(ident: table) CASCADE").run()
        try await sql.raw("ALTER TABLE \(ident: staging) RENAME TO \(ident: table)").run()
        for (seq, column) in sequences {
            try await sql.raw("ALTER SEQUENCE \(ident: seq) OWNED BY \(ident: table).\(ident: column)").run()
        }

        for index in indexes {
            let name = try index.decode(column: "name", as: String.self)
            let cols = try index.decode(column: "cols", as: [String].self)
            let pred = try index.decode(column: "pred", as: String?.self)
            let label = "\(table)(\(cols.joined(separator: ", ")))" + (pred.map { " WHERE \($0)" } ?? "")
            if try index.decode(column: "pk", as: Bool.self) {
                let pkCols = cols.contains(key) ? cols : cols + [key]
                if pkCols != cols { result.widenedPrimaryKeys.append("\(table)(\(cols.joined(separator: ", "))) → (\(pkCols.joined(separator: ", ")))") }
                try await sql.raw("ALTER TABLE \(ident: table) ADD CONSTRAINT \(ident: name) PRIMARY KEY (\(idents: pkCols, joinedBy: ", "))").run()
                continue
            }
            var def = try index.decode(column: "def", as: String.self)
            if try index.decode(column: "uniq", as: Bool.self), !cols.contains(key) {
                // A unique index on a partitioned table must contain the partition key: kept as a plain index for
                // lookups; the uniqueness itself is the sharded design's job (lookup tables, docs/scaling.md).
                result.uniquesWithoutKey.append(label)
                def = def.replacingOccurrences(of: "CREATE UNIQUE INDEX", with: "CREATE INDEX")
            }
            try await sql.raw("\(unsafeRaw: def)").run()
        }
        for trigger in triggers {
            result.triggers.append("\(table).\(try trigger.decode(column: "tgname", as: String.self))")
            try await sql.raw("\(unsafeRaw: try trigger.decode(column: "def", as: String.self))").run()
        }
    }

    /// Rows per partition of a converted table (by `tableoid`), in partition order.
    func spread(_ table: String) async throws -> [Int] {
        let rows = try await sql.raw("""
            SELECT tableoid::regclass::text AS part, COUNT(*) AS n FROM \(ident: table) GROUP BY tableoid
            """).all()
        var counts = Array(repeating: 0, count: Self.partitions)
        for row in rows {
            let part = try row.decode(column: "part", as: String.self)
            guard let r = Int(part.split(separator: "_").last?.dropFirst() ?? ""), part.hasPrefix("\(table)_h"), r < Self.partitions else { continue }
            counts[r] = try row.decode(column: "n", as: Int.self)
        }
        return counts
    }

    /// Whether a table is hash-partitioned on its key.
    func isHashPartitioned(_ table: String) async throws -> Bool {
        try await sql.raw("""
            SELECT pg_get_partkeydef(\(bind: table)::regclass) AS k
            """).first()?.decode(column: "k", as: String?.self) == "HASH (\(key(table)))"
    }
}
