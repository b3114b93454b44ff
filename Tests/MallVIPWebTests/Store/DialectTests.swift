import FluentKit
import Foundation
@testable import MallVIPStore
import SQLKit
import Testing

/// `SQLStoreDialect`, the one place the store decides SQLite/PostgreSQL differences, checked on the running store
/// (SQLite by default, PostgreSQL with MALLVIP_TEST_DATABASE_URL).
@Suite("Store dialect: locks, bind limits, upserts and driver error codes")
struct DialectTests {
    /// A table with each kind of constraint, so each failure is a real one from the driver.
    static func probe(_ sql: any SQLDatabase) async throws {
        try await sql.raw("""
            CREATE TABLE dialect_probe (id BIGINT PRIMARY KEY, code TEXT NOT NULL UNIQUE, n BIGINT NOT NULL CHECK (n >= 0))
            """).run()
        try await sql.raw("INSERT INTO dialect_probe (id, code, n) VALUES (1, 'A', 1), (2, 'B', 2)").run()
    }

    /// The error `body` throws (nil when it throws none).
    static func failure(_ body: () async throws -> Void) async -> (any Error)? {
        do { try await body(); return nil } catch { return error }
    }

    @Test("the dialect is the store's database, and its lock clauses are PostgreSQL's row locks or nothing on SQLite")
    func dialectAndClauses() async throws {
        try await withTestApp { t in
            let d = t.store.sql.storeDialect
            #expect(d == (TestDatabase.isPostgres ? .postgresql : .sqlite))
            #expect(t.store.db.isPostgres == TestDatabase.isPostgres)
            switch d {
            case .postgresql:
                #expect(d.forUpdate == " FOR UPDATE")
                #expect(d.forUpdate(of: "c") == " FOR UPDATE OF c")
                #expect(d.forUpdateSkipLocked == " FOR UPDATE SKIP LOCKED")
                #expect(d.maxBinds == 65_535)
                #expect(d.lockExclusive(["a", "b"]) != nil)
                #expect(d.resyncIdentity("members") != nil)
            case .sqlite:
                #expect(d.forUpdate.isEmpty && d.forUpdate(of: "c").isEmpty && d.forUpdateSkipLocked.isEmpty)
                #expect(d.maxBinds == 32_766)
                #expect(d.lockExclusive(["a", "b"]) == nil)
                #expect(d.resyncIdentity("members") == nil)
            }
            #expect(d.lockExclusive([]) == nil)
            #expect(d.supportsReturning)
        }
    }

    @Test("a row locked FOR UPDATE is skipped by another connection's SKIP LOCKED claim on PostgreSQL, and a table lock makes writers wait; the clauses run on both stores")
    func rowLocks() async throws {
        try await withTestApp { t in
            let sql = t.store.sql
            let d = sql.storeDialect
            try await Self.probe(sql)
            let claimed = try await t.store.db.transaction { tx -> [Int64] in
                // The store's shapes: a plain row lock, and a lock of one table of a join.
                #expect(try await tx.sql.raw("SELECT id FROM dialect_probe WHERE id = 1\(unsafeRaw: d.forUpdate)").all().count == 1)
                #expect(try await tx.sql.raw("""
                    SELECT c.id FROM dialect_probe c JOIN dialect_probe o ON o.id = c.id WHERE c.id = 1\(unsafeRaw: d.forUpdate(of: "c"))
                    """).all().count == 1)
                // A claim on another connection while this transaction holds row 1. (SQLite: the store's pool has
                // one connection, its one writer; the claim runs in this transaction and nothing is locked.)
                let other: any SQLDatabase = d == .postgresql ? sql : tx.sql
                return try await other.raw("SELECT id FROM dialect_probe ORDER BY id\(unsafeRaw: d.forUpdateSkipLocked)").all()
                    .map { try $0.decode(column: "id", as: Int64.self) }
            }
            // SQLite has no row locks (its one writer makes a claim exclusive), so nothing is skipped there.
            #expect(claimed == (d == .postgresql ? [2] : [1, 2]))

            try await t.store.db.transaction { tx in
                try await tx.sql.lockExclusive("dialect_probe")
                guard d == .postgresql else { return }
                // Readers on another connection go on.
                #expect(try await sql.raw("SELECT id FROM dialect_probe").all().count == 2)
                // A writer on another connection waits for the lock (here: gives up after 100 ms, SQLSTATE 55P03).
                let waited = await Self.failure {
                    try await t.store.db.transaction { other in
                        try await other.sql.raw("SET LOCAL lock_timeout = '100ms'").run()
                        try await other.sql.raw("UPDATE dialect_probe SET n = n + 1 WHERE id = 2").run()
                    }
                }
                let e = try #require(waited)
                #expect(SQLStoreDialect.sqlState(e) == "55P03", "\(String(reflecting: e))")
            }
        }
    }

    @Test("a real unique or primary-key violation is recognised by its driver code; NOT NULL, CHECK and syntax errors are not")
    func uniqueViolations() async throws {
        try await withTestApp { t in
            let sql = t.store.sql
            try await Self.probe(sql)
            let unique = await Self.failure { try await sql.raw("INSERT INTO dialect_probe (id, code, n) VALUES (3, 'A', 0)").run() }
            let primary = await Self.failure { try await sql.raw("INSERT INTO dialect_probe (id, code, n) VALUES (1, 'C', 0)").run() }
            // A store table too: report_state's key is its primary key.
            try await sql.raw("INSERT INTO report_state (key, value) VALUES ('dialect', 1)").run()
            let storeKey = await Self.failure { try await sql.raw("INSERT INTO report_state (key, value) VALUES ('dialect', 2)").run() }
            for e in [unique, primary, storeKey] {
                let e = try #require(e)
                #expect(SQLStoreDialect.isUniqueViolation(e), "\(String(reflecting: e))")
                #expect(isUniqueViolation(e))
                #expect(!SQLStoreDialect.isSerializationFailure(e) && !SQLStoreDialect.isDeadlock(e))
            }
            let notNull = await Self.failure { try await sql.raw("INSERT INTO dialect_probe (id, code, n) VALUES (4, NULL, 0)").run() }
            let check = await Self.failure { try await sql.raw("INSERT INTO dialect_probe (id, code, n) VALUES (5, 'E', -1)").run() }
            let syntax = await Self.failure { try await sql.raw("INSERT INTO dialect_probe VALUES (((").run() }
            let missing = await Self.failure { try await sql.raw("SELECT * FROM no_such_table").run() }
            for e in [notNull, check, syntax, missing] {
                let e = try #require(e)
                #expect(!SQLStoreDialect.isUniqueViolation(e), "\(String(reflecting: e))")
            }
            // Not a driver error at all, even one whose text looks like a violation.
            struct Lookalike: Error, CustomStringConvertible { var description: String { "UNIQUE constraint failed: 23505 duplicate key" } }
            #expect(!SQLStoreDialect.isUniqueViolation(Lookalike()))
            #expect(try await sql.raw("SELECT COUNT(*) AS n FROM dialect_probe").first()!.decode(column: "n", as: Int.self) == 2)
        }
    }

    @Test("serialization failures and deadlocks are recognised by PostgreSQL's SQLSTATE (40001, 40P01)")
    func retryableErrors() async throws {
        try await withTestApp { t in
            let sql = t.store.sql
            guard sql.storeDialect == .postgresql else { return }   // SQLite's one writer neither deadlocks nor races
            func raise(_ code: String) async -> (any Error)? {
                await Self.failure {
                    try await sql.raw("DO $$ BEGIN RAISE EXCEPTION 'probe' USING ERRCODE = '\(unsafeRaw: code)'; END $$").run()
                }
            }
            let serial = try #require(await raise("40001"))
            let deadlock = try #require(await raise("40P01"))
            #expect(SQLStoreDialect.isSerializationFailure(serial) && !SQLStoreDialect.isDeadlock(serial))
            #expect(SQLStoreDialect.isDeadlock(deadlock) && !SQLStoreDialect.isSerializationFailure(deadlock))
            #expect(!SQLStoreDialect.isUniqueViolation(serial) && !SQLStoreDialect.isUniqueViolation(deadlock))
        }
    }

    @Test("40,000 rows of 3 bound values go in chunks under the bind limit; one statement with all of them is refused on PostgreSQL")
    func bindLimit() async throws {
        try await withTestApp { t in
            let sql = t.store.sql
            let d = sql.storeDialect
            try await sql.raw("CREATE TABLE dialect_bulk (a BIGINT NOT NULL, b TEXT NOT NULL, c BIGINT NOT NULL)").run()
            let rows = (0..<40_000).map { (Int64($0), "r\($0)", Int64($0 % 7)) }
            @Sendable func insert(_ part: ArraySlice<(Int64, String, Int64)>) -> SQLQueryString {
                var q = SQLQueryString("INSERT INTO dialect_bulk (a, b, c) VALUES ")
                for (i, r) in part.enumerated() {
                    q.appendInterpolation("\(unsafeRaw: i == 0 ? "" : ", ")(\(bind: r.0), \(bind: r.1), \(bind: r.2))" as SQLQueryString)
                }
                return q
            }
            let chunks = d.chunks(rows, bindsPerRow: 3)
            #expect(chunks.allSatisfy { $0.count * 3 <= d.maxBinds })
            #expect(chunks.count == (40_000 + d.maxBinds / 3 - 1) / (d.maxBinds / 3))   // 4 on SQLite, 2 on PostgreSQL
            try await t.store.db.transaction { tx in
                for part in chunks { try await tx.sql.raw(insert(part)).run() }
            }
            let sum = try await sql.raw("SELECT COUNT(*) AS n, COUNT(DISTINCT b) AS k, CAST(SUM(a) AS BIGINT) AS s FROM dialect_bulk").first()!
            #expect(try sum.decode(column: "n", as: Int.self) == 40_000)
            #expect(try sum.decode(column: "k", as: Int.self) == 40_000)
            #expect(try sum.decode(column: "s", as: Int64.self) == 39_999 * 40_000 / 2)
            if d == .postgresql {
                // 120,000 binds in one statement: the driver refuses it, which is why the chunking exists.
                let tooMany = await Self.failure { try await sql.raw(insert(rows[...])).run() }
                #expect(tooMany != nil)
                #expect(try await sql.raw("SELECT COUNT(*) AS n FROM dialect_bulk").first()!.decode(column: "n", as: Int.self) == 40_000)
            }
        }
    }

    @Test("chunking by binds per row: every slice within the limit, nothing lost or reordered, an oversized row alone")
    func chunkingArithmetic() {
        for d in SQLStoreDialect.allCases {
            #expect(d.rowsPerStatement(bindsPerRow: 3) == d.maxBinds / 3)
            #expect(d.rowsPerStatement(bindsPerRow: 8, reserved: 6) == (d.maxBinds - 6) / 8)
            #expect(d.rowsPerStatement(bindsPerRow: 3, cap: 1_000) == 1_000)
            #expect(d.rowsPerStatement(bindsPerRow: d.maxBinds * 2) == 1)
            #expect(d.chunks([Int](), bindsPerRow: 3).isEmpty)

            // Purchases of 1…40 lines at 8 binds a line, with 10 binds reserved per statement.
            let lines = (0..<9_000).map { 1 + ($0 * 7919) % 40 }
            let parts = d.chunks(lines, reserved: 10) { $0 * 8 }
            #expect(parts.allSatisfy { $0.reduce(0) { $0 + $1 * 8 } + 10 <= d.maxBinds })
            #expect(Array(parts.joined()) == lines)
            #expect(parts.count > 1)
            // Each slice is full: the next row would not have fitted.
            for (a, b) in zip(parts, parts.dropFirst()) {
                #expect(a.reduce(0) { $0 + $1 * 8 } + b.first! * 8 + 10 > d.maxBinds)
            }
            let huge = d.chunks([1, d.maxBinds, 1]) { $0 }
            #expect(huge.map(Array.init) == [[1], [d.maxBinds], [1]])
        }
    }

    @Test("upsert and insert-ignore phrasing, and identity after explicit ids, behave the same on both stores")
    func upsertAndIdentity() async throws {
        try await withTestApp { t in
            let sql = t.store.sql
            let d = sql.storeDialect
            try await Self.probe(sql)
            let upsert = SQLStoreDialect.onConflict(["code"], doUpdate: "n = dialect_probe.n + excluded.n")
            try await sql.raw("INSERT INTO dialect_probe (id, code, n) VALUES (9, 'A', 5)\(unsafeRaw: upsert)").run()
            let ignored = try await sql.raw("""
                INSERT INTO dialect_probe (id, code, n) VALUES (9, 'B', 5)\(unsafeRaw: SQLStoreDialect.onConflictDoNothing(["code"])) RETURNING id
                """).all()
            #expect(ignored.isEmpty)
            let rows = try await sql.raw("SELECT id, code, n FROM dialect_probe ORDER BY id").all()
                .map { (try $0.decode(column: "id", as: Int64.self), try $0.decode(column: "n", as: Int64.self)) }
            #expect(rows.map(\.0) == [1, 2] && rows.map(\.1) == [6, 2])

            // A table whose ids the database hands out, written with an explicit id first.
            let idColumn = d == .postgresql ? "BIGSERIAL PRIMARY KEY" : "INTEGER PRIMARY KEY"
            try await sql.raw("CREATE TABLE dialect_ids (id \(unsafeRaw: idColumn), v TEXT NOT NULL)").run()
            try await sql.raw("INSERT INTO dialect_ids (id, v) VALUES (100, 'explicit')").run()
            if let q = d.resyncIdentity("dialect_ids") { try await sql.raw(q).run() }
            let next = try await sql.raw("INSERT INTO dialect_ids (v) VALUES ('next') RETURNING id").first()!
            #expect(try next.decode(column: "id", as: Int64.self) == 101)
        }
    }
}
