import ArgumentParser
import Foundation
import MallVIPStore
import MallVIPWeb

struct BackupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Copy the SQLite database to FILE while it is in use (one consistent snapshot). PostgreSQL: use pg_dump.")

    @Argument(help: "The backup file to write; it must not exist.") var file: String

    func run() async throws {
        let size = try await withApplication(migrate: false) { app in try await app.store.backupSQLite(to: file) }
        print("backup written: \(file) (\(size) bytes)")
        print("restore with: DATABASE_URL=sqlite:PATH mallvip restore \(file)")
    }
}

/// Puts a backup in place of the SQLite database named by DATABASE_URL, brings it to this version's schema and
/// checks it with the same checks as `mallvip verify`. The server must be stopped: a running one keeps the old file.
struct RestoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Restore a SQLite backup to DATABASE_URL's path (server stopped), migrate it, verify it. Exits 1 if verification fails.")

    @Argument(help: "A file written by mallvip backup.") var file: String
    @Flag(help: "Replace an existing database file.") var force = false

    func run() async throws {
        guard case .sqlite(let target) = try AppConfig.fromEnvironment().database else {
            throw CLIError("restore puts SQLite backups in place; for PostgreSQL use pg_restore (see docs/operations.md, Backups)")
        }
        let fm = FileManager.default
        guard fm.fileExists(atPath: file) else { throw CLIError("\(file): no such file") }
        let header = try FileHandle(forReadingFrom: URL(fileURLWithPath: file)).read(upToCount: 16) ?? Data()
        guard header == Data("SQLite format 3\0".utf8) else { throw CLIError("\(file): not a SQLite database") }
        if fm.fileExists(atPath: target) {
            guard force else { throw CLIError("\(target) exists; stop the server and add --force to replace it") }
        }
        // The old database's WAL and shared memory would be replayed over the restored file: they go with it.
        for path in [target, target + "-wal", target + "-shm"] where fm.fileExists(atPath: path) { try fm.removeItem(atPath: path) }
        try fm.copyItem(atPath: file, toPath: target)
        let report = try await withApplication { app in try await app.store.verify() }
        for line in report.mismatches { print(line) }
        print("restored \(file) to \(target): \(report.membersChecked) members checked, \(report.mismatches.count) mismatches")
        if !report.ok { throw ExitCode(1) }
    }
}
