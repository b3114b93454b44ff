import ArgumentParser
import Foundation
import MallVIPCore
import MallVIPStore
import MallVIPWeb
import Vapor

@main
struct MallVIPCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mallvip",
        abstract: "MallVIP: VIP membership and loyalty for shopping malls.",
        discussion: "The store is chosen by DATABASE_URL: sqlite:PATH (default sqlite:mallvip.sqlite) or postgres://user:pass@host:port/db.",
        subcommands: [ServeCommand.self, MigrateCommand.self, UsersCommand.self, APIKeyCommand.self, ProgrammeCommand.self,
                      DemoCommand.self, VerifyCommand.self, JobsCommand.self, CardsCommand.self, RewardsCommand.self,
                      BenchCommand.self, BackupCommand.self, RestoreCommand.self, ReportsCommand.self, WebhooksCommand.self,
                      ImportCommand.self, KeysCommand.self, FinanceCommand.self, PartitionsCommand.self,
                      WechatCardCommand.self]
    )
}

/// Boots the application (database, migrations registered, routes) without serving, runs `body`, shuts down.
func withApplication<T>(migrate: Bool = true, _ body: (Application) async throws -> T) async throws -> T {
    var env = Environment(name: "production", arguments: ["mallvip"])
    env.arguments = ["mallvip"]
    let app = try await Application.make(env)
    app.logger.logLevel = .warning
    do {
        let config = try AppConfig.fromEnvironment()
        try await configure(app, config: config)
        // A key file made just now, or the development key, is said once on stderr (serve prints it on stdout).
        if let key = app.dataKey, key.isNoteworthy {
            FileHandle.standardError.write(Data((key.line + "\n").utf8))
        }
        if migrate { try await app.autoMigrate() }
        let result = try await body(app)
        try await app.asyncShutdown()
        return result
    } catch {
        try? await app.asyncShutdown()
        throw error
    }
}

/// CLI failures print one clear line and exit non-zero.
struct CLIError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}
