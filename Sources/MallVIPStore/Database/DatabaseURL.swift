import FluentKit
import FluentPostgresDriver
import FluentSQLiteDriver
import Foundation
import NIOCore
import PostgresKit

/// Where the data lives, from `DATABASE_URL`: `sqlite:PATH` (the embedded default) or `postgres://…`.
public enum StoreLocation: Sendable, Equatable, CustomStringConvertible {
    case sqlite(path: String)
    case postgres(url: String, schema: String?)

    public static let defaultURL = "sqlite:mallvip.sqlite"

    /// Parses a `DATABASE_URL`. A `?schema=NAME` on a PostgreSQL URL sets the search path (tests use one schema
    /// per test so they can run against one server side by side).
    public init(url raw: String) throws {
        let url = raw.trimmingCharacters(in: .whitespaces)
        if url.hasPrefix("sqlite:") {
            var path = String(url.dropFirst("sqlite:".count))
            if path.hasPrefix("//") { path = String(path.dropFirst(2)) }
            guard !path.isEmpty else { throw StoreConfigurationError("DATABASE_URL: sqlite: needs a file path, e.g. sqlite:mallvip.sqlite") }
            self = .sqlite(path: path)
        } else if url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") {
            guard var comps = URLComponents(string: url) else { throw StoreConfigurationError("DATABASE_URL: not a valid URL") }
            let schema = comps.queryItems?.first { $0.name == "schema" }?.value
            comps.queryItems = comps.queryItems?.filter { $0.name != "schema" }
            if comps.queryItems?.isEmpty == true { comps.queryItems = nil }
            self = .postgres(url: comps.string ?? url, schema: schema)
        } else {
            throw StoreConfigurationError("DATABASE_URL must start with sqlite: or postgres:// (got \(url))")
        }
    }

    public var isSQLite: Bool { if case .sqlite = self { true } else { false } }

    public var description: String {
        switch self {
        case .sqlite(let path): "SQLite \(path)"
        case .postgres(let url, let schema):
            "PostgreSQL \(URLComponents(string: url).map { "\($0.host ?? "")\($0.port.map { ":\($0)" } ?? "")\($0.path)" } ?? "")"
                + (schema.map { " schema \($0)" } ?? "")
        }
    }

    /// Registers the database with Fluent as the default.
    public func register(on databases: Databases, poolSize: Int = 4) throws {
        switch self {
        case .sqlite(let path):
            // One connection per event loop (SQLite has one writer); a request waits for it up to 30 s, as on
            // PostgreSQL, rather than failing after the driver's default 10 s while a long job holds it.
            databases.use(.sqlite(.file(path), connectionPoolTimeout: .seconds(30), sqlLogLevel: nil), as: .sqlite)
        case .postgres(let url, let schema):
            var config = try SQLPostgresConfiguration(url: url)
            if let schema { config.searchPath = [schema] }
            databases.use(.postgres(configuration: config, maxConnectionsPerEventLoop: poolSize,
                                    connectionPoolTimeout: .seconds(30), encodingContext: .default,
                                    decodingContext: .default, sqlLogLevel: .trace), as: .psql)
        }
    }
}

public struct StoreConfigurationError: Error, CustomStringConvertible {
    public var description: String
    public init(_ d: String) { description = d }
}
