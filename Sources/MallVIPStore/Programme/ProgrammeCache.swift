import FluentKit
import Foundation
import MallVIPCore
import SQLKit
import Synchronization

/// The active programme and every earlier version (refunds recompute points under the version a purchase was
/// made with). Reloaded when another process (`mallvip programme apply`) activates a new version: the active
/// version number is re-read at most every few seconds.
public final class ProgrammeCache: Sendable {
    // A lock, not an actor: every purchase reads this, and an actor hop per read costs more than the read.
    private struct State {
        var versions: [Int: Programme] = [:]
        var active: Int?
        var checkedAt: Date = .distantPast
    }
    private let state = Mutex(State())
    private let recheck: TimeInterval = 5

    public init() {}

    public func current(_ db: any Database) async throws -> (version: Int, programme: Programme) {
        let cached: (Int, Programme)? = state.withLock { s in
            guard let a = s.active, let p = s.versions[a], Date().timeIntervalSince(s.checkedAt) < recheck else { return nil }
            return (a, p)
        }
        if let cached { return cached }
        let row = try await db.sql.row("SELECT version, yaml FROM programme_versions ORDER BY version DESC LIMIT 1")
        guard let row else { throw StoreConfigurationError("no programme is active: run `mallvip migrate`") }
        let v = try row.int("version")
        let known = state.withLock { $0.versions[v] }
        let p = try known ?? Programme.parse(yaml: try row.string("yaml"))
        state.withLock { s in
            s.versions[v] = p
            s.active = v
            s.checkedAt = Date()
        }
        return (v, p)
    }

    public func version(_ v: Int, _ db: any Database) async throws -> Programme {
        if let p = state.withLock({ $0.versions[v] }) { return p }
        guard let row = try await db.sql.row("SELECT yaml FROM programme_versions WHERE version = \(bind: v)") else {
            throw StoreConfigurationError("programme version \(v) is missing")
        }
        let p = try Programme.parse(yaml: try row.string("yaml"))
        state.withLock { $0.versions[v] = p }
        return p
    }

    func invalidate() { state.withLock { $0.checkedAt = .distantPast } }
}

public struct ProgrammeVersionInfo: Sendable {
    public var version: Int
    public var activatedAt: Date
    public var activatedBy: String
    public var note: String
    public var yaml: String
}

extension Store {
    public func programme() async throws -> (version: Int, programme: Programme) {
        try await programmes.current(primaryDB ?? db)   // never a replica's older version (shared cache)
    }

    /// Validates and activates a new programme version; earlier versions are kept.
    @discardableResult
    public func applyProgramme(yaml: String, by actor: String, note: String) async throws -> Int {
        _ = try Programme.parse(yaml: yaml)   // throws ProgrammeInvalid with YAML paths
        let v = try await write { tx in
            let last = try await tx.sql.row("SELECT MAX(version) AS v FROM programme_versions")?.optInt("v") ?? 0
            try await tx.sql.exec("""
                INSERT INTO programme_versions (version, yaml, activated_at_ms, activated_by, note)
                VALUES (\(bind: last + 1), \(bind: yaml), \(bind: epochMillis(self.now)), \(bind: actor), \(bind: note))
                """)
            try await self.audit(tx, actor: actor, action: "programme.apply", subject: "v\(last + 1)", detail: note)
            return last + 1
        }
        programmes.invalidate()
        return v
    }

    public func programmeHistory() async throws -> [ProgrammeVersionInfo] {
        try await sql.rows("SELECT * FROM programme_versions ORDER BY version DESC").map {
            ProgrammeVersionInfo(version: try $0.int("version"), activatedAt: dateFromMillis(try $0.int64("activated_at_ms")),
                                 activatedBy: try $0.string("activated_by"), note: try $0.optString("note") ?? "",
                                 yaml: try $0.string("yaml"))
        }
    }
}
