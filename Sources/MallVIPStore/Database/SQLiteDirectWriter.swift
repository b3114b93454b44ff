import FluentKit
import FluentSQLiteDriver   // SQLiteData, SQLiteDataEncoder/Decoder, SQLiteDialect (SQLiteNIO and SQLiteKit, re-exported)
import Foundation
import Logging
import NIOCore
import SQLKit
import Synchronization
import VaporCSQLite          // the SQLite library SQLiteNIO itself links: one copy of SQLite in the process

/// SQLite: one writer without hops (issue 15). SQLiteNIO runs every statement on its thread pool and hands the result
/// back through an event loop, so a purchase batch of a dozen statements paid a dozen thread hops (perf and
/// `strace -c` showed futex wake-ups dominating at c = 1). This writer owns one connection of its own and runs a
/// whole batch synchronously in the calling task, statements prepared with the C API and the short ones (the reads,
/// with bound values) kept prepared between batches.
///
/// Why this is safe:
/// - One copy of SQLite: it calls the same `VaporCSQLite` library the pool's connections use, never a second copy
///   (two copies in one process would break SQLite's POSIX locks: closing a descriptor in one drops the other's).
/// - One writer: it is used only inside `WriteGate` (every write on SQLite passes it), so one batch at a time and
///   never beside another write transaction of this process; `BEGIN IMMEDIATE` takes the write lock at once, and
///   `busy_timeout` waits for another process (a CLI command) instead of failing.
/// - Readers stay on the pool (WAL: they read the last committed state meanwhile).
/// - Durability as before: WAL with `synchronous=NORMAL`, checkpoints left to `SQLiteCheckpointer`.
///
/// The mutable state (the handle and the statement cache) is touched only under the gate, hence `@unchecked`.
public final class SQLiteDirectWriter: @unchecked Sendable {
    private var handle: OpaquePointer?
    private var cache: [String: OpaquePointer] = [:]
    // 256: with numbers bound (SQLNumber) a statement's text is one per shape (tables × row counts), all worth keeping.
    private static let cacheLimit = 256, cacheableLength = 4_000
    let logger: Logger
    let eventLoop: any EventLoop
    let configuration: any DatabaseConfiguration

    /// `template`: a database of the pool, for the context (configuration, event loop) Fluent's protocol asks for.
    public init(path: String, template: any Database) throws {
        logger = template.context.logger
        eventLoop = template.context.eventLoop
        configuration = template.context.configuration
        var db: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
        let rc = sqlite_nio_sqlite3_open_v2(path, &db, flags, nil)
        guard rc == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite_nio_sqlite3_errmsg($0)) } ?? "cannot open \(path)"
            if let db { sqlite_nio_sqlite3_close_v2(db) }
            throw SQLiteDirectError(code: rc, message: message)
        }
        handle = db
        for pragma in ["PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL", "PRAGMA foreign_keys=ON", "PRAGMA busy_timeout=10000",
                       "PRAGMA wal_autocheckpoint=20000"] {
            try run(pragma, binds: []) { _ in }
        }
    }

    /// How many statements are kept prepared (tests: one per statement shape, not one per batch).
    var cachedStatementCount: Int { cache.count }

    deinit {
        for (_, s) in cache { sqlite_nio_sqlite3_finalize(s) }
        if let handle { sqlite_nio_sqlite3_close_v2(handle) }
    }

    /// One write transaction on this connection. Call only inside `WriteGate.run`.
    func transaction<T>(_ body: (SQLiteDirectDatabase) async throws -> T) async throws -> T {
        let db = SQLiteDirectDatabase(writer: self)
        try run("BEGIN IMMEDIATE", binds: []) { _ in }
        do {
            let value = try await body(db)
            try run("COMMIT", binds: []) { _ in }
            return value
        } catch {
            if sqlite_nio_sqlite3_get_autocommit(handle) == 0 { try? run("ROLLBACK", binds: []) { _ in } }
            throw error
        }
    }

    /// Prepares (or takes from the cache), binds, steps to the end, handing each row to `onRow`.
    func run(_ sql: String, binds: [SQLiteData], _ onRow: (SQLiteDirectRow) -> Void) throws {
        guard let handle else { throw SQLiteDirectError(code: SQLITE_MISUSE, message: "the writer is closed") }
        let cacheable = sql.utf8.count <= Self.cacheableLength
        var stmt: OpaquePointer?
        if cacheable, let cached = cache[sql] {
            stmt = cached
        } else {
            let rc = sqlite_nio_sqlite3_prepare_v3(handle, sql, -1, cacheable ? UInt32(SQLITE_PREPARE_PERSISTENT) : 0, &stmt, nil)
            guard rc == SQLITE_OK, stmt != nil else { throw error(rc) }
            if cacheable {
                if cache.count >= Self.cacheLimit {
                    for (_, s) in cache { sqlite_nio_sqlite3_finalize(s) }
                    cache.removeAll()
                }
                cache[sql] = stmt
            }
        }
        defer {
            if cacheable {
                sqlite_nio_sqlite3_reset(stmt)
                sqlite_nio_sqlite3_clear_bindings(stmt)
            } else {
                sqlite_nio_sqlite3_finalize(stmt)
            }
        }
        for (i, value) in binds.enumerated() {
            let n = Int32(i + 1), rc: Int32
            switch value {
            case .integer(let v): rc = sqlite_nio_sqlite3_bind_int64(stmt, n, Int64(v))
            case .float(let v): rc = sqlite_nio_sqlite3_bind_double(stmt, n, v)
            case .text(let v): rc = sqlite_nio_sqlite3_bind_text64(stmt, n, v, UInt64(v.utf8.count), SQLITE_DIRECT_TRANSIENT, UInt8(SQLITE_UTF8))
            case .blob(let v):
                rc = v.withUnsafeReadableBytes { sqlite_nio_sqlite3_bind_blob64(stmt, n, $0.baseAddress, UInt64($0.count), SQLITE_DIRECT_TRANSIENT) }
            case .null: rc = sqlite_nio_sqlite3_bind_null(stmt, n)
            }
            guard rc == SQLITE_OK else { throw error(rc) }
        }
        let count = sqlite_nio_sqlite3_column_count(stmt)
        var columns: [String]? = nil
        while true {
            let rc = sqlite_nio_sqlite3_step(stmt)
            if rc == SQLITE_DONE { return }
            guard rc == SQLITE_ROW else { throw error(rc) }
            if columns == nil { columns = (0..<count).map { String(cString: sqlite_nio_sqlite3_column_name(stmt, $0)) } }
            var values: [SQLiteData] = []
            values.reserveCapacity(Int(count))
            for c in 0..<count {
                switch sqlite_nio_sqlite3_column_type(stmt, c) {
                case SQLITE_INTEGER: values.append(.integer(Int(sqlite_nio_sqlite3_column_int64(stmt, c))))
                case SQLITE_FLOAT: values.append(.float(sqlite_nio_sqlite3_column_double(stmt, c)))
                case SQLITE_TEXT:
                    let bytes = Int(sqlite_nio_sqlite3_column_bytes(stmt, c))
                    let text = sqlite_nio_sqlite3_column_text(stmt, c).map {
                        String(decoding: UnsafeBufferPointer(start: $0, count: bytes), as: UTF8.self)
                    } ?? ""
                    values.append(.text(text))
                case SQLITE_BLOB:
                    let bytes = Int(sqlite_nio_sqlite3_column_bytes(stmt, c))
                    var buffer = ByteBufferAllocator().buffer(capacity: bytes)
                    if let p = sqlite_nio_sqlite3_column_blob(stmt, c) { buffer.writeBytes(UnsafeRawBufferPointer(start: p, count: bytes)) }
                    values.append(.blob(buffer))
                default: values.append(.null)
                }
            }
            onRow(SQLiteDirectRow(columns: columns!, values: values))
        }
    }

    /// Bulk rows (SQLiteDirectWriter+Bulk.swift): the connection and a statement prepared once and kept, for a caller
    /// that binds and steps it itself. The caller resets it after use.
    func cachedStatement(_ sql: String) throws -> (OpaquePointer, OpaquePointer) {
        guard let handle else { throw SQLiteDirectError(code: SQLITE_MISUSE, message: "the writer is closed") }
        if let cached = cache[sql] { return (handle, cached) }
        var stmt: OpaquePointer?
        let rc = sqlite_nio_sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &stmt, nil)
        guard rc == SQLITE_OK, let stmt else { throw error(rc) }
        if cache.count >= Self.cacheLimit {
            for (_, s) in cache { sqlite_nio_sqlite3_finalize(s) }
            cache.removeAll()
        }
        cache[sql] = stmt
        return (handle, stmt)
    }

    func error(_ rc: Int32) -> SQLiteDirectError {
        SQLiteDirectError(code: handle.map { sqlite_nio_sqlite3_extended_errcode($0) } ?? rc,
                          message: handle.map { String(cString: sqlite_nio_sqlite3_errmsg($0)) } ?? "SQLite error \(rc)")
    }
}

private let SQLITE_DIRECT_TRANSIENT = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

/// An SQLite error of the direct writer: the extended result code and SQLite's message.
public struct SQLiteDirectError: Error, CustomStringConvertible {
    public let code: Int32
    public let message: String
    public var description: String { "SQLite error \(code): \(message)" }
    /// SQLITE_CONSTRAINT_UNIQUE or SQLITE_CONSTRAINT_PRIMARYKEY.
    public var isUniqueViolation: Bool { code == 2067 || code == 1555 }
}

/// A row the direct writer read: column names and values, decoded the way SQLiteKit decodes the pool's rows.
struct SQLiteDirectRow: SQLRow {
    let columns: [String]
    let values: [SQLiteData]

    var allColumns: [String] { columns }
    func contains(column: String) -> Bool { columns.contains(column) }
    private func value(_ column: String) throws -> SQLiteData {
        guard let i = columns.firstIndex(of: column) else {
            throw DecodingError.keyNotFound(SQLiteDirectKey(column), .init(codingPath: [], debugDescription: "no column \(column)"))
        }
        return values[i]
    }
    func decodeNil(column: String) throws -> Bool {
        if case .null = try value(column) { return true }
        return false
    }
    func decode<D: Decodable>(column: String, as type: D.Type) throws -> D {
        try SQLiteDataDecoder().decode(D.self, from: value(column))
    }
}

private struct SQLiteDirectKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(_ s: String) { stringValue = s }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

/// The direct writer as the `Database` / `SQLDatabase` a write body receives: SQL runs on the writer at once, in the
/// calling task (no hop). Only SQL: the store's writes speak SQLKit (`Database.sql`), never Fluent's model queries,
/// which this refuses with an error rather than running them elsewhere.
struct SQLiteDirectDatabase: Database, SQLDatabase {
    let writer: SQLiteDirectWriter

    var context: DatabaseContext { DatabaseContext(configuration: writer.configuration, logger: writer.logger, eventLoop: writer.eventLoop) }
    var inTransaction: Bool { true }
    var logger: Logger { writer.logger }
    var eventLoop: any EventLoop { writer.eventLoop }
    var dialect: any SQLDialect { SQLiteDialect() }
    var queryLogLevel: Logger.Level? { nil }

    private func unsupported<T>(_ what: String) -> EventLoopFuture<T> {
        eventLoop.makeFailedFuture(SQLiteDirectError(code: SQLITE_MISUSE, message: "the purchase writer runs SQL only, not \(what)"))
    }
    func execute(query: DatabaseQuery, onOutput: @escaping @Sendable (any DatabaseOutput) -> ()) -> EventLoopFuture<Void> { unsupported("model queries") }
    func execute(schema: DatabaseSchema) -> EventLoopFuture<Void> { unsupported("schema changes") }
    func execute(enum: DatabaseEnum) -> EventLoopFuture<Void> { unsupported("enum changes") }
    /// Already inside the writer's transaction: the body runs in it (as Fluent does for a nested transaction).
    func transaction<T>(_ closure: @escaping @Sendable (any Database) -> EventLoopFuture<T>) -> EventLoopFuture<T> { closure(self) }
    func withConnection<T>(_ closure: @escaping @Sendable (any Database) -> EventLoopFuture<T>) -> EventLoopFuture<T> { closure(self) }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> ()) -> EventLoopFuture<Void> {
        do {
            try run(query, onRow)
            return eventLoop.makeSucceededVoidFuture()
        } catch {
            return eventLoop.makeFailedFuture(error)
        }
    }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> ()) async throws {
        try run(query, onRow)
    }

    func withSession<R>(_ closure: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R { try await closure(self) }

    private func run(_ query: any SQLExpression, _ onRow: (any SQLRow) -> ()) throws {
        var serializer = SQLSerializer(database: self)
        query.serialize(to: &serializer)
        let encoder = SQLiteDataEncoder()
        let binds = try serializer.binds.map { try encoder.encode($0) }
        try writer.run(serializer.sql, binds: binds) { onRow($0) }
    }
}

/// Where the store keeps its direct writer: set once when the app is configured on SQLite (`openSQLiteWriter`), nil on
/// PostgreSQL and until then (writes then take the pool, as before).
public final class SQLiteDirectWriterSlot: Sendable {
    private let slot = Mutex<SQLiteDirectWriter?>(nil)
    public init() {}
    var writer: SQLiteDirectWriter? { slot.withLock { $0 } }
    func set(_ w: SQLiteDirectWriter?) { slot.withLock { $0 = w } }
}

extension Store {
    /// SQLite: opens the purchase batches' own writer connection on the database file (see SQLiteDirectWriter).
    public func openSQLiteWriter(path: String) throws {
        guard gate.enabled else { return }
        directWriter.set(try SQLiteDirectWriter(path: path, template: db))
    }

    /// A write transaction for batches (purchases, imports): on SQLite on the direct writer (no thread hop per statement),
    /// inside the same gate as every other write; elsewhere `write`.
    func writeBatched<T: Sendable>(_ body: @escaping @Sendable (any Database) async throws -> T) async throws -> T {
        guard let direct = directWriter.writer else { return try await write(body) }
        return try await gate.run { try await direct.transaction { try await body($0) } }
    }
}
