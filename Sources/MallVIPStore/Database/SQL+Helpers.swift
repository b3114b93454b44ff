import FluentKit
import SQLKit

extension Database {
    /// Every repository speaks SQL through SQLKit: the same statements run on SQLite and PostgreSQL, and the hot
    /// path avoids the ORM's per-model round trips.
    public var sql: any SQLDatabase { self as! any SQLDatabase }
    // Dialect differences (isPostgres, row locks, bind limits, error codes): SQLStoreDialect.swift.
}

extension SQLDatabase {
    func rows(_ q: SQLQueryString) async throws -> [any SQLRow] { try await raw(q).all() }
    func row(_ q: SQLQueryString) async throws -> (any SQLRow)? { try await raw(q).first() }
    func exec(_ q: SQLQueryString) async throws { try await raw(q).run() }
}

extension SQLRow {
    func int64(_ c: String) throws -> Int64 { try decode(column: c, as: Int64.self) }
    func int(_ c: String) throws -> Int { try decode(column: c, as: Int.self) }
    func string(_ c: String) throws -> String { try decode(column: c, as: String.self) }
    func optString(_ c: String) throws -> String? { try decode(column: c, as: String?.self) }
    func optInt64(_ c: String) throws -> Int64? { try decode(column: c, as: Int64?.self) }
    func optInt(_ c: String) throws -> Int? { try decode(column: c, as: Int?.self) }
    func bool(_ c: String) throws -> Bool { try decode(column: c, as: Bool.self) }
}

/// Milliseconds since 1970: times are stored as integers so both stores compare and sort them the same way.
public func epochMillis(_ date: Foundation.Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded()) }
public func dateFromMillis(_ ms: Int64) -> Foundation.Date { Foundation.Date(timeIntervalSince1970: Double(ms) / 1000) }

import Foundation
