import Foundation
import MallVIPStore
import Testing
@testable import MallVIPWeb

/// `mallvip backup` and `mallvip restore` as an operator runs them: the real binary on the test's database.
@Suite("Backup and restore") struct BackupTests {
    @Test("SQLite: a backup taken while in use restores to a database that verifies, with what was there at the backup and nothing after")
    func sqliteRoundTrip() async throws {
        try await withTestApp { t in
            guard case .sqlite(let path) = t.app.appConfig.database else {
                // PostgreSQL: the command points to pg_dump instead of copying through one connection.
                let env = try Self.environment(databaseURL: try #require(TestDatabase.postgresURL))
                let run = try await env.run(["backup", env.dir.appendingPathComponent("x.sqlite").path])
                #expect(run.status != 0 && run.output.contains("pg_dump"))
                return
            }
            var cards: [String] = []
            for i in 0..<3 {
                let card = try await t.enrolMember(phone: "1380000000\(i)")
                cards.append(card)
                #expect(try await t.purchase("B-\(i)", fen: 25_000, card: card).status == .created)
            }
            let env = try Self.environment(databaseURL: "sqlite:" + path)
            let backup = env.dir.appendingPathComponent("backup.sqlite").path
            let made = try await env.run(["backup", backup])
            #expect(made.status == 0, "\(made.output)")
            #expect(made.stdout.contains("backup written: \(backup)"))
            // Written after the backup: not in it.
            #expect(try await t.purchase("B-after", fen: 99_000, card: cards[0]).status == .created)
            let again = try await env.run(["backup", backup])
            #expect(again.status != 0 && again.output.contains("already exists"))

            let target = env.dir.appendingPathComponent("restored.sqlite").path
            var restoreEnv = env
            restoreEnv.extraEnvironment["DATABASE_URL"] = "sqlite:" + target
            let restored = try await restoreEnv.run(["restore", backup])
            #expect(restored.status == 0, "\(restored.output)")
            #expect(restored.stdout.contains("3 members checked, 0 mismatches"))
            #expect(try await Self.count("purchases", in: target) == 6)
            #expect(try await Self.count("purchases", in: path) == 7)
            let refused = try await restoreEnv.run(["restore", backup])
            #expect(refused.status != 0 && refused.output.contains("--force"))
            let notSQLite = try await restoreEnv.run(["restore", "--force", #filePath])
            #expect(notSQLite.status != 0 && notSQLite.output.contains("not a SQLite database"))
            #expect(try await Self.count("purchases", in: target) == 6)       // a refused restore leaves the database alone
        }
    }

    static func environment(databaseURL: String) throws -> KillEnvironment {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mallvip-backup-\(KillNet.randomTag(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return KillEnvironment(binary: try KillEnvironment.locateBinary(), dir: dir, databaseURL: databaseURL, postgres: nil)
    }

    /// Rows in a table of a SQLite file, read by Python's sqlite3 (a reader independent of the app).
    static func count(_ table: String, in path: String) async throws -> Int {
        let run = try await ChildProcess.run(
            "python3", ["-c", "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('SELECT COUNT(*) FROM \(table)').fetchone()[0])", path])
        return Int(run.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
    }
}
