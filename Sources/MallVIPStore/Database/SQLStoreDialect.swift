import FluentKit
import FluentPostgresDriver   // PSQLError (PostgresNIO, re-exported through PostgresKit)
import FluentSQLiteDriver     // SQLiteError (SQLiteNIO, re-exported through SQLiteKit)
import SQLKit

/// Every difference between the two stores the repositories care about, decided in this one place.
///
/// The store runs the same SQL on SQLite and PostgreSQL. Where the two really differ, code asks this type instead of
/// testing the dialect's name itself:
/// - row locks: PostgreSQL writers run in parallel and lock the rows they will change (`SELECT … FOR UPDATE`,
///   `FOR UPDATE OF t`, `FOR UPDATE SKIP LOCKED` for job claims). SQLite has no row locks and needs none: the store
///   has one writer (WriteGate) and a write transaction excludes every other, so the clause is empty there.
/// - table locks for the nightly passes that must not interleave with writers (PostgreSQL `LOCK TABLE … IN
///   EXCLUSIVE MODE`; nothing on SQLite, for the same reason).
/// - bind limits: how many bound values one statement may carry, and chunking of rows under it.
/// - identity sequences after rows were inserted with explicit ids (PostgreSQL only; SQLite takes MAX(rowid)+1).
/// - errors: unique violations, serialization failures and deadlocks, recognised by the driver's error type and
///   code (PostgreSQL SQLSTATE, SQLite extended result code), never by the text of the message.
///
/// What is the same on both, and so needs no branch (kept here so there is one page to read):
/// - upsert and insert-ignore: `INSERT … ON CONFLICT (cols) DO UPDATE SET c = excluded.c` and
///   `… ON CONFLICT (cols) DO NOTHING` (SQLite ≥ 3.24; the bundled library is 3.54). `onConflict(_:doUpdate:)` and
///   `onConflictDoNothing(_:)` spell them for statement builders. Never `INSERT OR IGNORE` / `OR REPLACE`
///   (SQLite only).
/// - `RETURNING` (SQLite ≥ 3.35): `supportsReturning` is true for both.
public enum SQLStoreDialect: String, Sendable, Hashable, CaseIterable {
    case sqlite
    case postgresql

    /// Derived from the database's SQLKit dialect (also through wrappers that forward `dialect`, as tests do).
    /// Anything that is not PostgreSQL is treated as SQLite: one writer, no row locks.
    public init(_ db: any SQLDatabase) {
        self = db.dialect.name == "postgresql" ? .postgresql : .sqlite
    }

    // MARK: Row and table locks

    /// ` FOR UPDATE` after a SELECT whose rows the transaction will change; empty on SQLite.
    public var forUpdate: String { self == .postgresql ? " FOR UPDATE" : "" }

    /// ` FOR UPDATE OF alias`: lock only the rows of one table of a join; empty on SQLite.
    public func forUpdate(of table: String) -> String { self == .postgresql ? " FOR UPDATE OF \(table)" : "" }

    /// ` FOR UPDATE SKIP LOCKED`: claim rows no other worker holds (queues: outbox, webhook deliveries); empty on
    /// SQLite, where the one writer already makes a claim exclusive.
    public var forUpdateSkipLocked: String { self == .postgresql ? " FOR UPDATE SKIP LOCKED" : "" }

    /// `LOCK TABLE a, b IN EXCLUSIVE MODE` (readers go on, writers wait until the transaction ends) on PostgreSQL;
    /// nil on SQLite, where a write transaction already excludes every other writer.
    public func lockExclusive(_ tables: [String]) -> SQLQueryString? {
        guard self == .postgresql, !tables.isEmpty else { return nil }
        var q = SQLQueryString("LOCK TABLE ")
        for (i, t) in tables.enumerated() {
            if i > 0 { q.appendLiteral(", ") }
            q.appendInterpolation(ident: t)
        }
        q.appendLiteral(" IN EXCLUSIVE MODE")
        return q
    }

    // MARK: Identity after explicit ids

    /// After rows were inserted with explicit ids, PostgreSQL's identity sequence must move past them (else the next
    /// plain insert collides); SQLite hands out MAX(rowid)+1 by itself, so nil there.
    public func resyncIdentity(_ table: String) -> SQLQueryString? {
        guard self == .postgresql else { return nil }
        return "SELECT setval(pg_get_serial_sequence(\(bind: table), 'id'), (SELECT MAX(id) FROM \(ident: table)))"
    }

    // MARK: Bind limits

    /// Bound values one statement may carry. PostgreSQL's Bind message counts them in 16 bits (65,535). SQLite's
    /// own default since 3.32 is 32,766 (SQLITE_MAX_VARIABLE_NUMBER); the bundled build allows more, but the store
    /// stays under the default so it never depends on how the library was compiled.
    public var maxBinds: Int {
        switch self {
        case .sqlite: 32_766
        case .postgresql: 65_535
        }
    }

    /// How many rows of `bindsPerRow` values fit in one statement that also carries `reserved` other binds
    /// (at least one row, so a caller always makes progress; `cap` bounds statement size when given).
    public func rowsPerStatement(bindsPerRow: Int, reserved: Int = 0, cap: Int? = nil) -> Int {
        let fit = max(1, (maxBinds - reserved) / max(1, bindsPerRow))
        return cap.map { min($0, fit) } ?? fit
    }

    /// `rows` cut into consecutive slices whose binds (`bindsPerRow` each, plus `reserved` per statement) stay
    /// within `maxBinds`.
    public func chunks<C: Collection>(_ rows: C, bindsPerRow: Int, reserved: Int = 0, cap: Int? = nil) -> [C.SubSequence] {
        let size = rowsPerStatement(bindsPerRow: bindsPerRow, reserved: reserved, cap: cap)
        var out: [C.SubSequence] = []
        var start = rows.startIndex
        while start != rows.endIndex {
            let end = rows.index(start, offsetBy: size, limitedBy: rows.endIndex) ?? rows.endIndex
            out.append(rows[start..<end])
            start = end
        }
        return out
    }

    /// `rows` cut into consecutive slices whose binds, counted per row by `binds`, stay within `maxBinds` (a row
    /// that alone passes the limit goes alone, and the statement then fails loudly rather than being split).
    public func chunks<C: Collection>(_ rows: C, reserved: Int = 0, binds: (C.Element) -> Int) -> [C.SubSequence] {
        let limit = maxBinds - reserved
        var out: [C.SubSequence] = []
        var start = rows.startIndex
        var i = start
        var n = 0
        while i != rows.endIndex {
            let b = binds(rows[i])
            if n > 0 && n + b > limit {
                out.append(rows[start..<i])
                start = i
                n = 0
            }
            n += b
            i = rows.index(after: i)
        }
        if start != rows.endIndex { out.append(rows[start..<rows.endIndex]) }
        return out
    }

    // MARK: Upsert, insert-ignore, RETURNING (the same on both)

    /// ` ON CONFLICT (a, b) DO UPDATE SET …` (`set` uses `excluded.column` for the incoming row).
    public static func onConflict(_ columns: [String], doUpdate set: String) -> String {
        " ON CONFLICT (\(columns.joined(separator: ", "))) DO UPDATE SET \(set)"
    }

    /// ` ON CONFLICT (a, b) DO NOTHING`: insert unless the key exists (with RETURNING, only inserted rows come back).
    public static func onConflictDoNothing(_ columns: [String]) -> String {
        " ON CONFLICT (\(columns.joined(separator: ", "))) DO NOTHING"
    }

    /// Both stores return rows from INSERT/UPDATE/DELETE … RETURNING.
    public var supportsReturning: Bool { true }

    // MARK: Errors, by driver type and code

    /// A unique or primary-key constraint refused the write: "someone else wrote this first".
    /// PostgreSQL SQLSTATE 23505; SQLite SQLITE_CONSTRAINT_UNIQUE or SQLITE_CONSTRAINT_PRIMARYKEY (SQLiteNIO opens
    /// connections with extended result codes, so a NOT NULL, CHECK or foreign-key failure is told apart).
    public static func isUniqueViolation(_ error: any Error) -> Bool {
        if let code = sqlState(error) { return code == "23505" }
        if let e = error as? SQLiteDirectError { return e.isUniqueViolation }   // SQLite's purchase writer (SQLiteDirectWriter)
        if let e = error as? SQLiteError {
            switch e.reason {
            case .constraintUniqueFailed, .constraintPrimaryKeyFailed: return true
            default: return false
            }
        }
        return false
    }

    /// The transaction lost a serialization race and may be retried from the start. PostgreSQL SQLSTATE 40001;
    /// SQLite SQLITE_BUSY_SNAPSHOT (a WAL read snapshot went stale before the transaction could write).
    public static func isSerializationFailure(_ error: any Error) -> Bool {
        if let code = sqlState(error) { return code == "40001" }
        if let e = error as? SQLiteError, case .busyInSnapshot = e.reason { return true }
        return false
    }

    /// PostgreSQL broke a deadlock by failing this transaction (SQLSTATE 40P01); it may be retried. SQLite's one
    /// writer cannot deadlock.
    public static func isDeadlock(_ error: any Error) -> Bool {
        sqlState(error) == "40P01"
    }

    /// The SQLSTATE of a PostgreSQL server error (`PSQLError`, what PostgresKit's SQLDatabase throws).
    static func sqlState(_ error: any Error) -> String? {
        guard let e = error as? PSQLError, e.code == .server else { return nil }
        return e.serverInfo?[.sqlState]
    }
}

extension SQLDatabase {
    /// This database's dialect as the store sees it (see `SQLStoreDialect`).
    public var storeDialect: SQLStoreDialect { SQLStoreDialect(self) }

    /// Takes `LOCK TABLE … IN EXCLUSIVE MODE` on PostgreSQL (inside the current transaction); nothing on SQLite.
    func lockExclusive(_ tables: String...) async throws {
        if let q = storeDialect.lockExclusive(tables) { try await raw(q).run() }
    }
}

extension Database {
    public var storeDialect: SQLStoreDialect { sql.storeDialect }
    public var isPostgres: Bool { storeDialect == .postgresql }
}

/// Unique-constraint violations, by driver error code (see `SQLStoreDialect.isUniqueViolation`).
func isUniqueViolation(_ error: any Error) -> Bool { SQLStoreDialect.isUniqueViolation(error) }
