import FluentKit
import Foundation
import MallVIPCore
import SQLKit

/// Side effects the store needs, injected so tests control time.
public struct StoreEnvironment: Sendable {
    public var now: @Sendable () -> Date
    public var cipher: PersonalDataCipher
    public init(now: @escaping @Sendable () -> Date = { Date() }, cipher: PersonalDataCipher) {
        self.now = now
        self.cipher = cipher
    }
}

/// The persistence facade: repositories are extensions of this type, one file per aspect. It is cheap to copy;
/// the caches and the write gate are shared.
public struct Store: Sendable {
    /// The primary; on the copy `readReplica()` hands out, the streaming replica (Store+ReadReplica.swift).
    public internal(set) var db: any Database
    /// Reports, the dashboard, exports and segment previews may read from this PostgreSQL hot standby
    /// (`DATABASE_REPLICA_URL`); nil: every read is the primary's.
    public internal(set) var replica: ReadReplica? = nil
    /// Set only on a replica-reading copy: the primary, for writes (`write`) and the programme.
    var primaryDB: (any Database)? = nil
    /// PostgreSQL: the purchase lanes' own pool (generic plans; Store+PostingPool.swift); nil: the main pool.
    var postingDB: (any Database)? = nil
    public let gate: WriteGate
    public let programmes: ProgrammeCache
    public let counters: CounterCache
    public let env: StoreEnvironment
    let lanes: PurchaseLanes
    /// SQLite: the purchase batches' own connection, written without a thread hop per statement (SQLiteDirectWriter).
    let directWriter = SQLiteDirectWriterSlot()

    /// `writers`: how many purchase batches may be written at once (PostgreSQL; SQLite always has one writer).
    public init(db: any Database, isSQLite: Bool, env: StoreEnvironment, writers: Int = 8) {
        self.db = db
        self.gate = WriteGate(enabled: isSQLite)
        self.programmes = ProgrammeCache()
        self.counters = CounterCache()
        self.env = env
        // SQLite writes one transaction at a time: one lane. PostgreSQL writes in parallel lanes.
        self.lanes = PurchaseLanes(count: isSQLite ? 1 : writers, maxBatch: 64)
    }

    public var sql: any SQLDatabase { db.sql }
    var now: Date { env.now() }

    /// One write transaction. On SQLite it waits its turn at the gate, and relaxes fsync to once per WAL
    /// checkpoint (`synchronous=NORMAL` keeps the database consistent after a crash, as WAL guarantees).
    public func write<T: Sendable>(_ body: @escaping @Sendable (any Database) async throws -> T) async throws -> T {
        let db = primaryDB ?? self.db   // a replica-reading copy still writes to the primary
        return try await gate.run {
            if gate.enabled {
                return try await db.withConnection { conn in
                    try await conn.sql.exec("PRAGMA synchronous=NORMAL")
                    // Checkpoints belong to SQLiteCheckpointer; this high mark only bounds the WAL if it stops.
                    try await conn.sql.exec("PRAGMA wal_autocheckpoint=20000")
                    return try await conn.transaction { tx in try await body(tx) }
                }
            }
            return try await db.transaction { tx in try await body(tx) }
        }
    }

    /// WAL mode is a property of the database file; set once at start.
    public func prepareStorage() async throws {
        if gate.enabled {
            try await sql.exec("PRAGMA journal_mode=WAL")
        }
    }

    func audit(_ tx: any Database, actor: String, action: String, subject: String, detail: String = "") async throws {
        try await tx.sql.exec("""
            INSERT INTO audit_log (at_ms, actor, action, subject, detail)
            VALUES (\(bind: epochMillis(now)), \(bind: actor), \(bind: action), \(bind: subject), \(bind: detail))
            """)
    }

    public func audit(actor: String, action: String, subject: String, detail: String = "") async throws {
        try await write { tx in try await self.audit(tx, actor: actor, action: action, subject: subject, detail: detail) }
    }
}
