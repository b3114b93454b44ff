import Fluent
import Foundation
import MallVIPCore
import MallVIPStore
import SQLKit
import Vapor

/// Builds the application: database, migrations, middleware and routes. `serve`, the other subcommands and the
/// tests all go through here, so they run the same app.
public func configure(_ app: Application, config: AppConfig, env: StoreEnvironment? = nil) async throws {
    // The store works through one event loop's pool (app.db), so the whole pool size goes there.
    try config.database.register(on: app.databases, poolSize: config.databasePool)
    for m in StoreMigrations.all { app.migrations.add(m) }
    // The data key: one resolution for serve and every command (DataKey.swift); tests inject their own.
    let dataKey = try env == nil ? DataKey.resolve(database: config.database, production: config.production) : nil
    app.storage[DataKeyResolutionKey.self] = dataKey
    let store = Store(db: app.db, isSQLite: config.database.isSQLite,
                      env: env ?? StoreEnvironment(cipher: dataKey!.cipher),
                      writers: max(1, config.databasePool / 2))
        .attachingReadReplica(try readReplica(app, config))   // report reads (issue 21; configure+Replica.swift)
        .attachingPostingPool(try config.database.registerPostingPool(on: app.databases, poolSize: max(1, config.databasePool / 2))
            ? app.db(.posting) : nil)   // PostgreSQL purchase lanes: generic plans (issue 15; StoreLocation+Posting.swift)
    app.storage[StoreKey.self] = store
    app.storage[ConfigKey.self] = config
    if case .postgres(_, let schema?) = config.database {
        // One schema per test run or tenant: created on first use, found through search_path.
        try await store.sql.raw("CREATE SCHEMA IF NOT EXISTS \(ident: schema)").run()
    }
    try await store.prepareStorage()
    if case .sqlite(let path) = config.database {
        let checkpointer = SQLiteCheckpointer(path: path, logger: app.logger)
        try store.openSQLiteWriter(path: path)   // purchase batches without a thread hop per statement (issue 15)
        await app.storage.setWithAsyncShutdown(CheckpointerKey.self, to: checkpointer, onShutdown: { $0.stop() })
    }

    // Sorted keys: a replayed answer is byte-for-byte the first one.
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    ContentConfiguration.global.use(encoder: encoder, for: .json)
    app.routes.defaultMaxBodySize = ByteCount(value: config.maxBodyBytes)
    app.middleware = Middlewares()
    app.middleware.use(SecurityHeadersMiddleware())     // outermost: error answers get the headers too
    app.middleware.use(MetricsMiddleware())
    app.middleware.use(RouteLoggingMiddleware(logLevel: .debug))
    app.middleware.use(AppErrorMiddleware())
    app.middleware.use(MethodNotAllowedMiddleware())  // a known /api/ path, another method: 405 with Allow
    if let wechat = config.wechat { await app.startWechat(wechat) }   // issue 22 (Wechat/Application+Wechat.swift)
    try routes(app)
}

struct StoreKey: StorageKey { typealias Value = Store }
struct ConfigKey: StorageKey { typealias Value = AppConfig }
struct CheckpointerKey: StorageKey { typealias Value = SQLiteCheckpointer }
struct DataKeyResolutionKey: StorageKey { typealias Value = DataKeyResolution }

extension Application {
    public var store: Store { storage[StoreKey.self]! }
    var appConfig: AppConfig { storage[ConfigKey.self]! }
    /// Where the data key came from (nil when a test injected its store environment).
    public var dataKey: DataKeyResolution? { storage[DataKeyResolutionKey.self] }
}

extension Request {
    var store: Store { application.store }
}
