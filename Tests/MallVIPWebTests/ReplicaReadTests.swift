import Foundation
import MallVIPCore
@testable import MallVIPStore
@testable import MallVIPWeb
import SQLKit
import Testing
import Vapor
import VaporTesting

/// Issue 21: reports from a streaming replica. Runs against a real primary (MALLVIP_TEST_DATABASE_URL) and a real
/// hot standby of it (MALLVIP_TEST_REPLICA_URL; `scripts/pg-test-server standby start`, as .ci/run does); skipped
/// when either is unset. Serialized: one test pauses the standby's replay.
@Suite(.serialized, .enabled(if: ReplicaTestDB.configured, "needs MALLVIP_TEST_DATABASE_URL and MALLVIP_TEST_REPLICA_URL"))
struct ReplicaReadTests {
    @Test func reportReadsComeFromTheStandby() async throws {
        try await ReplicaTestDB.withApp { t in
            let store = t.store
            let (row, source) = try await store.onReadReplica { s in
                try await s.sql.row("SELECT pg_is_in_recovery() AS standby")!.bool("standby")
            }
            #expect(row == true, "the report read path must reach the standby")
            #expect(source.fromReplica)
            #expect(source.replica?.state == .ok)
            // The primary itself is not in recovery: everything else reads there.
            #expect(try await store.sql.row("SELECT pg_is_in_recovery() AS standby")!.bool("standby") == false)

            // The pages: report pack and dashboard say where their figures came from.
            let console = try await t.console(as: "boss", .admin)
            try await ReplicaTestDB.waitForReplay(t)
            let report = try await console.get("/console/reports")
            #expect(report.status == .ok)
            #expect(report.contains(#"data-source="replica""#) && report.contains("只读副本"), "\(report.body.prefix(400))")
            let home = try await console.get("/console")
            #expect(home.contains(#"data-source="replica""#))
            // A report read that writes (cached figures, the audit of an export) writes to the primary.
            let (copy, _) = await store.readReplica()
            #expect(copy.readsFromReplica)
            try await copy.audit(actor: "test", action: "replica.write", subject: "x")
            #expect(try await store.sql.row("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'replica.write'")!.int("n") == 1)
        }
    }

    @Test func ownWriteThenReadSeesItOnThePrimary() async throws {
        try await ReplicaTestDB.withApp { t in
            try await ReplicaTestDB.waitForReplay(t)
            // Pause replay: the standby cannot have this write, so a read that sees it is the primary's.
            try await ReplicaTestDB.pauseReplay(t) {
                let card = try await t.enrolMember(phone: "13800000021")
                let (status, body) = try await t.get("/api/v1/members/lookup?card=\(card)")
                #expect(status == .ok)
                #expect((body as? [String: Any])?["cardNo"] as? String == card)
                let primary = try await t.store.sql.row("SELECT COUNT(*) AS n FROM members")!.int("n")
                let standby = try await t.store.readReplica().store.sql.row("SELECT COUNT(*) AS n FROM members")?.int("n")
                #expect(primary == 1)
                #expect(standby == 0, "replay is paused: the standby must not have the member yet")
            }
        }
    }

    @Test func lagIsShownOnHealth() async throws {
        try await ReplicaTestDB.withApp { t in
            try await ReplicaTestDB.waitForReplay(t)
            let (status, body) = try await t.get("/health")
            #expect(status == .ok)
            let obj = body as? [String: Any]
            let statusText = obj?["status"] as? String, databaseText = obj?["database"] as? String
            #expect(statusText == "ok")
            #expect(databaseText == "ok")
            let replica = obj?["replica"] as? [String: Any]
            #expect(replica?["state"] as? String == "ok")
            #expect(replica?["readsFrom"] as? String == "replica")
            #expect(replica?["inRecovery"] as? Bool == true)
            #expect(replica?["maxLagSeconds"] as? Double == 30)
            let lag = try #require(replica?["lagSeconds"] as? Double)
            #expect(lag >= 0 && lag < 30)
        }
    }

    @Test func laggingStandbyFallsBackToThePrimary() async throws {
        try await ReplicaTestDB.withApp(maxLag: 1) { t in
            try await ReplicaTestDB.waitForReplay(t)
            let console = try await t.console(as: "boss", .admin)
            try await ReplicaTestDB.pauseReplay(t) {
                // A write the standby receives but does not replay; its last replayed commit grows older.
                try await t.store.audit(actor: "test", action: "lag", subject: "x")
                try await Task.sleep(for: .milliseconds(2500))
                let status = await t.store.replica!.status()
                #expect(status.state == .lagging, "\(status)")
                #expect((status.lagSeconds ?? 0) > 1)
                let (_, source) = await t.store.readReplica()
                #expect(!source.fromReplica)
                #expect(source.fellBack)
                let report = try await console.get("/console/reports")
                #expect(report.status == .ok)
                #expect(report.contains(#"data-source="primary""#) && report.contains("超过 1.0 秒上限"), "\(report.body.prefix(400))")
                let (_, body) = try await t.get("/health")
                let replica = (body as? [String: Any])?["replica"] as? [String: Any]
                let state = replica?["state"] as? String, readsFrom = replica?["readsFrom"] as? String
                #expect(state == "lagging")
                #expect(readsFrom == "primary")
            }
            // Replay resumed: back on the replica.
            try await ReplicaTestDB.waitForReplay(t)
            #expect(await t.store.readReplica().source.fromReplica)
        }
    }

    @Test func stoppedStandbyFallsBackToThePrimary() async throws {
        // Nothing listens on the replica's port: a stopped standby.
        try await ReplicaTestDB.withApp(replicaURL: "postgres://postgres@127.0.0.1:\(ReplicaTestDB.closedPort)/mallvip_test") { t in
            let (value, source) = try await t.store.onReadReplica { s in
                try await s.sql.row("SELECT pg_is_in_recovery() AS standby")!.bool("standby")
            }
            #expect(value == false)
            #expect(!source.fromReplica)
            #expect(source.replica?.state == .unreachable)
            let console = try await t.console(as: "boss", .admin)
            let report = try await console.get("/console/reports")
            #expect(report.status == .ok)
            #expect(report.contains(#"data-source="primary""#) && report.contains("只读副本无法连接"))
            let (status, body) = try await t.get("/health")
            #expect(status == .ok)
            let replica = (body as? [String: Any])?["replica"] as? [String: Any]
            let state = replica?["state"] as? String, readsFrom = replica?["readsFrom"] as? String
            #expect(state == "unreachable")
            #expect(readsFrom == "primary")
        }
    }
}

/// Configuration and SQLite: always run.
@Suite struct ReplicaConfigTests {
    @Test func environmentKeys() throws {
        #expect(try ReplicaConfig.fromEnvironment([:]) == nil)
        let c = try #require(try ReplicaConfig.fromEnvironment(["DATABASE_REPLICA_URL": "postgres://u@h:5433/db?schema=s1",
                                                                 "MALLVIP_REPLICA_MAX_LAG_SECONDS": "12.5"]))
        #expect(c.location == .postgres(url: "postgres://u@h:5433/db", schema: "s1"))
        #expect(c.maxLagSeconds == 12.5)
        #expect(try ReplicaConfig.fromEnvironment(["DATABASE_REPLICA_URL": "postgres://u@h/db"])?.maxLagSeconds == 30)
        for bad in ["-1", "abc", "1e9", "nan"] {
            #expect(throws: StoreConfigurationError.self) {
                try ReplicaConfig.fromEnvironment(["DATABASE_REPLICA_URL": "postgres://u@h/db", "MALLVIP_REPLICA_MAX_LAG_SECONDS": bad])
            }
        }
        #expect(throws: StoreConfigurationError.self) { try ReplicaConfig.fromEnvironment(["DATABASE_REPLICA_URL": "sqlite:x.sqlite"]) }
        #expect(throws: StoreConfigurationError.self) { try AppConfig.fromEnvironment(["DATABASE_REPLICA_URL": "mysql://x"]) }
    }

    @Test func withoutAReplicaReportsSayPrimaryAndHealthHasNoReplica() async throws {
        try await withTestApp { t in
            #expect(t.store.replica == nil)
            let (_, source) = await t.store.readReplica()
            #expect(!source.fromReplica)
            #expect(source.replica == nil)
            #expect(!source.fellBack)
            let console = try await t.console(as: "boss", .admin)
            let report = try await console.get("/console/reports")
            #expect(report.contains(#"data-source="primary""#) && report.contains("数据截至 2026-11-25 10:00:00（主库）"))
            // The dashboard shows the line only when a replica is configured.
            #expect(!(try await console.get("/console")).contains("data-as-of"))
            let (_, body) = try await t.get("/health")
            let health = body as? [String: Any]
            #expect(health?["replica"] == nil)
        }
    }
}

enum ReplicaTestDB {
    static var replicaURL: String? {
        ProcessInfo.processInfo.environment["MALLVIP_TEST_REPLICA_URL"].flatMap { $0.hasPrefix("postgres") ? $0 : nil }
    }
    static var configured: Bool { TestDatabase.postgresURL != nil && replicaURL != nil }

    /// A port nothing listens on (bound, read, closed).
    static var closedPort: Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) } }
        _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
        return Int(UInt16(bigEndian: addr.sin_port))
    }

    /// A fresh schema on the primary, the app configured with the replica (same schema, lag read every time).
    static func withApp<T>(maxLag: Double = 30, replicaURL: String? = nil, _ body: (TestContext) async throws -> T) async throws -> T {
        let primary = try #require(TestDatabase.postgresURL)
        let replica = try #require(replicaURL ?? Self.replicaURL)
        let schema = "r_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased()
        let clock = TestClock(shanghai(2026, 11, 25, 10))
        var config = AppConfig(database: .postgres(url: primary, schema: schema), databasePool: 4)
        config.replica = ReplicaConfig(location: .postgres(url: replica, schema: schema), maxLagSeconds: maxLag, recheckSeconds: 0, pool: 2)
        await TestDatabase.slots.acquire()
        defer { Task { await TestDatabase.slots.release() } }
        return try await VaporTesting.withApp(configure: { app in
            app.logger.logLevel = .warning
            try await configure(app, config: config,
                                env: StoreEnvironment(now: { clock.now }, cipher: PersonalDataCipher(keyData: Data("test-key-0123456789-0123456789-01".utf8))))
            try await app.autoMigrate()
        }) { app in
            let key = try await app.store.createAPIKey(name: "test-pos", actor: "test")
            do {
                let result = try await body(TestContext(app: app, clock: clock, apiKey: key))
                try await app.store.sql.raw("DROP SCHEMA \(ident: schema) CASCADE").run()
                return result
            } catch {
                try? await app.store.sql.raw("DROP SCHEMA \(ident: schema) CASCADE").run()
                throw error
            }
        }
    }

    /// Waits until the standby has replayed everything the primary has written so far (at most 20 s).
    static func waitForReplay(_ t: TestContext) async throws {
        let lsn = try await t.store.sql.row("SELECT pg_current_wal_lsn()::text AS l")!.string("l")
        let replica = try #require(t.store.replica)
        for _ in 0..<200 {
            if try await replica.db.sql.row("SELECT pg_last_wal_replay_lsn() >= \(bind: lsn)::pg_lsn AS ok")?.bool("ok") == true { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        Issue.record("the standby did not replay up to \(lsn) within 20 s")
    }

    /// Runs `body` with the standby's replay paused (`pg_wal_replay_pause`), resuming it however `body` ends.
    static func pauseReplay(_ t: TestContext, _ body: () async throws -> Void) async throws {
        let db = try #require(t.store.replica).db
        try await db.sql.raw("SELECT pg_wal_replay_pause()").run()
        do {
            try await body()
        } catch {
            try? await db.sql.raw("SELECT pg_wal_replay_resume()").run()
            throw error
        }
        try await db.sql.raw("SELECT pg_wal_replay_resume()").run()
    }
}
