import Foundation
import MallVIPCore
import MallVIPStore
@testable import MallVIPWeb
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The test app's data key (TestApp.swift), for child processes that must read what the test app wrote.
enum TestDataKey {
    static let data = Data("test-key-0123456789-0123456789-01".utf8)
    static var base64: String { data.base64EncodedString() }
}

/// Issue 14, finding 5: `serve` ran as production with a key from the source when MALLVIP_DATA_KEY was missing or
/// malformed. Now one resolution (DataKey.swift) serves every command: a given key must be valid, SQLite gets a
/// private key file beside the database, PostgreSQL in production refuses to start without a key.
@Suite("Data key (issue 14)") struct DataKeyTests {
    static func tempDir() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mallvip-datakey-\(KillNet.randomTag(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    static func mode(_ path: String) -> mode_t {
        var st = stat()
        return stat(path, &st) == 0 ? st.st_mode & 0o777 : 0
    }

    static let postgres = try! StoreLocation(url: "postgres://nobody@127.0.0.1:1/none")

    @Test("a given key must be base64 of at least 32 bytes, in every mode: never a fallback")
    func malformedKeyIsAnError() throws {
        let dir = try Self.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let sqlite = StoreLocation.sqlite(path: dir.appendingPathComponent("a.sqlite").path)
        let good = Data(repeating: 7, count: 32).base64EncodedString()
        for db in [sqlite, Self.postgres] {
            for production in [true, false] {
                let r = try DataKey.resolve(database: db, production: production, environment: ["MALLVIP_DATA_KEY": good])
                #expect(r.source == .environment && r.keyData == Data(repeating: 7, count: 32))
                for bad in ["", "not base64!!", Data(repeating: 1, count: 31).base64EncodedString(), "bWFsbHZpcA=="] {
                    #expect(throws: StoreConfigurationError.self, "\(bad) \(db) production \(production)") {
                        try DataKey.resolve(database: db, production: production, environment: ["MALLVIP_DATA_KEY": bad])
                    }
                }
            }
        }
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("a.sqlite.key").path),
                "a given key never creates a key file")
    }

    @Test("SQLite without a key: a random key file beside the database, mode 0600, the same key on every start")
    func sqliteKeyFile() throws {
        let dir = try Self.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let db = StoreLocation.sqlite(path: dir.appendingPathComponent("mall.sqlite").path)
        let keyPath = dir.appendingPathComponent("mall.sqlite.key").path
        for production in [true, false] {
            try? FileManager.default.removeItem(atPath: keyPath)
            let first = try DataKey.resolve(database: db, production: production, environment: [:])
            #expect(first.source == .keyFile(path: keyPath, created: true))
            #expect(first.line.contains(keyPath))
            #expect(first.keyData.count == 32 && first.keyData != DataKey.developmentKeyData)
            #expect(Self.mode(keyPath) == 0o600)
            let again = try DataKey.resolve(database: db, production: production, environment: [:])
            #expect(again.source == .keyFile(path: keyPath, created: false) && again.keyData == first.keyData)
        }
        // Another database gets another key.
        let other = try DataKey.resolve(database: .sqlite(path: dir.appendingPathComponent("b.sqlite").path), production: true,
                                        environment: [:])
        #expect(other.keyData != (try DataKey.resolve(database: db, production: true, environment: [:])).keyData)

        #expect(!other.line.contains("WARNING"))
        // A database that existed before its key file (restored without it, or from a keyless version) is pointed out.
        let oldDB = dir.appendingPathComponent("old.sqlite")
        try Data("SQLite format 3".utf8).write(to: oldDB)
        let late = try DataKey.resolve(database: .sqlite(path: oldDB.path), production: true, environment: [:])
        #expect(late.databaseExistedBeforeKey && late.line.contains("keys rotate --old-development-key"))

        // A key file others may read is refused, and so is a damaged one.
        chmod(keyPath, 0o644)
        #expect(throws: StoreConfigurationError.self) { try DataKey.resolve(database: db, production: true, environment: [:]) }
        chmod(keyPath, 0o600)
        try Data("short".utf8).write(to: URL(fileURLWithPath: keyPath))
        chmod(keyPath, 0o600)
        #expect(throws: StoreConfigurationError.self) { try DataKey.resolve(database: db, production: true, environment: [:]) }
    }

    @Test("PostgreSQL without a key: refused in production (saying how to make one), the development key in development")
    func postgresWithoutKey() throws {
        do {
            _ = try DataKey.resolve(database: Self.postgres, production: true, environment: [:])
            Issue.record("production started without a data key")
        } catch let e as StoreConfigurationError {
            #expect(e.description.contains("MALLVIP_DATA_KEY") && e.description.contains("openssl rand -base64 32"))
        }
        let dev = try DataKey.resolve(database: Self.postgres, production: false, environment: [:])
        #expect(dev.source == .development && dev.line.contains("WARNING") && dev.keyData == DataKey.developmentKeyData)
        // MALLVIP_ENV decides production; anything but development/testing is production.
        #expect(AppConfig.isProduction([:]) && AppConfig.isProduction(["MALLVIP_ENV": "staging"]))
        #expect(!AppConfig.isProduction(["MALLVIP_ENV": "development"]))
    }

    /// The real binary, as an operator starts it.
    static func run(_ arguments: [String], env extra: [String: String], dir: URL) async throws -> KillRun {
        var env = ProcessInfo.processInfo.environment
        for k in ["MALLVIP_DATA_KEY", "MALLVIP_DATA_KEY_OLD", "MALLVIP_ENV"] { env.removeValue(forKey: k) }
        env.merge(extra) { _, new in new }
        return try await runProcess(try KillEnvironment.locateBinary(), arguments, environment: env, dir: dir, tag: "datakey")
    }

    @Test("mallvip refuses to start on PostgreSQL without a key, and with a malformed key anywhere")
    func cliRefuses() async throws {
        let dir = try Self.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let pg = try await Self.run(["migrate"], env: ["DATABASE_URL": "postgres://nobody@127.0.0.1:1/none"], dir: dir)
        #expect(pg.status != 0 && pg.output.contains("openssl rand -base64 32"), "\(pg.output)")
        let serve = try await Self.run(["serve", "--port", "1"], env: ["DATABASE_URL": "postgres://nobody@127.0.0.1:1/none"], dir: dir)
        #expect(serve.status != 0 && serve.output.contains("MALLVIP_DATA_KEY is not set"), "\(serve.output)")
        let sqlite = "sqlite:" + dir.appendingPathComponent("m.sqlite").path
        let bad = try await Self.run(["serve", "--port", "1"], env: ["DATABASE_URL": sqlite, "MALLVIP_DATA_KEY": "abc"], dir: dir)
        #expect(bad.status != 0 && bad.output.contains("MALLVIP_DATA_KEY"), "\(bad.output)")
        let devBad = try await Self.run(["migrate"], env: ["DATABASE_URL": sqlite, "MALLVIP_DATA_KEY": "abc", "MALLVIP_ENV": "development"],
                                        dir: dir)
        #expect(devBad.status != 0, "a malformed key is an error in development too: \(devBad.output)")
    }

    @Test("the README's first command: mallvip serve on a fresh machine brings the console up with a key file")
    func serveOnAFreshMachine() async throws {
        let dir = try Self.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let port = try #require(TestNet.freePort(), "no free TCP port")
        var env = ProcessInfo.processInfo.environment
        for k in ["MALLVIP_DATA_KEY", "MALLVIP_DATA_KEY_OLD", "MALLVIP_ENV", "DATABASE_URL"] { env.removeValue(forKey: k) }
        let db = dir.appendingPathComponent("mallvip.sqlite").path
        env["DATABASE_URL"] = "sqlite:" + db
        let log = dir.appendingPathComponent("serve.log")
        let server = try await ChildProcess.launch(try KillEnvironment.locateBinary().path,
                                             ["serve", "--hostname", "127.0.0.1", "--port", String(port)],
                                                   environment: env, stdout: .file(log), stderr: .stdout)
        defer { server.end() }
        let deadline = ContinuousClock.now + .seconds(90)
        var text = ""
        while ContinuousClock.now < deadline, server.isRunning {
            text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            if text.contains("Console: http://") { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(text.contains("Console: http://"), "serve did not come up:\n\(text)")
        let keyPath = db + ".key"
        #expect(FileManager.default.fileExists(atPath: keyPath))
        #expect(Self.mode(keyPath) == 0o600)
        #expect(text.contains("Data key: created \(keyPath)"), "\(text)")
        #expect(!text.contains("development key"))
    }
}
