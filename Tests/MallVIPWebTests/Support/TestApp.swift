import Foundation
import MallVIPCore
import MallVIPStore
@testable import MallVIPWeb
import NIOConcurrencyHelpers
import SQLKit
import Testing
import Vapor
import VaporTesting

/// A clock tests move by hand.
final class TestClock: Sendable {
    private let value: NIOLockedValueBox<Date>
    init(_ start: Date) { value = NIOLockedValueBox(start) }
    var now: Date { value.withLockedValue { $0 } }
    func set(_ d: Date) { value.withLockedValue { $0 = d } }
    func advance(_ seconds: TimeInterval) { value.withLockedValue { $0 = $0.addingTimeInterval(seconds) } }
}

/// Which database the tests run on: SQLite files by default, PostgreSQL when MALLVIP_TEST_DATABASE_URL is a
/// postgres URL (one fresh schema per test).
enum TestDatabase {
    static var postgresURL: String? {
        guard let url = ProcessInfo.processInfo.environment["MALLVIP_TEST_DATABASE_URL"], url.hasPrefix("postgres") else { return nil }
        return url
    }
    static var isPostgres: Bool { postgresURL != nil }

    static func fresh() -> (StoreLocation, cleanup: @Sendable () -> Void) {
        let name = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased()
        if let url = postgresURL {
            return (.postgres(url: url, schema: name), {})
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mallvip-tests-\(name)")
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return (.sqlite(path: dir.appendingPathComponent("test.sqlite").path), { try? FileManager.default.removeItem(at: dir) })
    }
}

/// Everything a test needs: the app (in-process), its store, the clock and an API key.
struct TestContext: Sendable {
    let app: Application
    let clock: TestClock
    let apiKey: String
    var store: Store { app.store }
    var auth: HTTPHeaders { ["Authorization": "Bearer \(apiKey)"] }
}

/// Shanghai wall-clock time as a Date, for readable tests: `shanghai(2026, 11, 25, 10)`.
func shanghai(_ y: Int, _ m: Int, _ d: Int, _ h: Int = 12, _ min: Int = 0) -> Date {
    LocalDate(year: y, month: m, day: d).start(in: TimeZone(identifier: "Asia/Shanghai")!)
        .addingTimeInterval(TimeInterval(h * 3600 + min * 60))
}

/// "2026-11-25T10:00:00+08:00"
func iso(_ date: Date) -> String {
    let tz = TimeZone(identifier: "Asia/Shanghai")!
    let d = LocalDate.of(date, in: tz)
    let secs = (Int(date.timeIntervalSince1970) + 8 * 3600) % 86_400
    return "\(d)T" + String(format: "%02d:%02d:%02d", secs / 3600, secs / 60 % 60, secs % 60) + "+08:00"
}

/// Runs `body` against a fresh database with the app configured as `serve` would, the clock at `now`.
/// On PostgreSQL at most `TestDatabase.parallelApps` tests hold an app (and its connection pool) at once, so
/// the whole suite stays under the server's `max_connections`.
func withTestApp<T>(now: Date = shanghai(2026, 11, 25, 10), programme: String? = nil,
                    _ body: (TestContext) async throws -> T) async throws -> T {
    guard TestDatabase.isPostgres else { return try await runTestApp(now: now, programme: programme, body) }
    await TestDatabase.slots.acquire()
    do {
        let result = try await runTestApp(now: now, programme: programme, body)
        await TestDatabase.slots.release()
        return result
    } catch {
        await TestDatabase.slots.release()
        throw error
    }
}

private func runTestApp<T>(now: Date, programme: String?, _ body: (TestContext) async throws -> T) async throws -> T {
    let (location, cleanup) = TestDatabase.fresh()
    defer { cleanup() }
    let clock = TestClock(now)
    return try await withApp(configure: { app in
        app.logger.logLevel = .warning
        try await configure(app, config: AppConfig(database: location, databasePool: 4),
                            env: StoreEnvironment(now: { clock.now }, cipher: PersonalDataCipher(keyData: Data("test-key-0123456789-0123456789-01".utf8))))
        try await app.autoMigrate()
    }) { app in
        func dropSchema() async throws {
            if case .postgres(_, let schema?) = location {
                try await app.store.sql.raw("DROP SCHEMA \(ident: schema) CASCADE").run()
            }
        }
        do {
            if let programme { try await app.store.applyProgramme(yaml: programme, by: "test", note: "test programme") }
            let key = try await app.store.createAPIKey(name: "test-pos", actor: "test")
            let result = try await body(TestContext(app: app, clock: clock, apiKey: key))
            try await dropSchema()
            return result
        } catch {
            try? await dropSchema()
            throw error
        }
    }
}

/// A counting semaphore for async code.
actor AsyncSlots {
    private var free: Int
    private var waiters: [CheckedContinuation<Void, Never>] = []
    init(_ count: Int) { free = count }

    func acquire() async {
        if free > 0 { free -= 1; return }
        await withCheckedContinuation { waiters.append($0) }
    }

    func release() {
        if waiters.isEmpty { free += 1 } else { waiters.removeFirst().resume() }
    }
}

extension TestDatabase {
    /// Apps alive at once on PostgreSQL (each may open several connections); MALLVIP_TEST_PG_PARALLEL overrides.
    static let parallelApps = ProcessInfo.processInfo.environment["MALLVIP_TEST_PG_PARALLEL"].flatMap(Int.init) ?? 6
    static let slots = AsyncSlots(parallelApps)
}

extension TestContext {
    /// POSTs JSON to the API and returns status and decoded body.
    @discardableResult
    func post(_ path: String, _ json: String) async throws -> (HTTPStatus, [String: Any]) {
        var result: (HTTPStatus, [String: Any]) = (.internalServerError, [:])
        try await app.testing().test(.POST, path, headers: auth.merging(["Content-Type": "application/json"]), body: ByteBuffer(string: json)) { res in
            let obj = (try? JSONSerialization.jsonObject(with: Data(res.body.string.utf8))) as? [String: Any] ?? [:]
            result = (res.status, obj)
        }
        return result
    }

    @discardableResult
    func get(_ path: String) async throws -> (HTTPStatus, Any?) {
        var result: (HTTPStatus, Any?) = (.internalServerError, nil)
        try await app.testing().test(.GET, path, headers: auth) { res in
            result = (res.status, try? JSONSerialization.jsonObject(with: Data(res.body.string.utf8)))
        }
        return result
    }

    /// A non-member purchase with `phone` then enrolment with that receipt: the quickest way to a member.
    func enrolMember(phone: String, name: String = "张三", amountFen: Int64 = 60000, birthday: String? = nil,
                     at: Date? = nil) async throws -> String {
        let receipt = "ENROL-\(phone)"
        let (s1, _) = try await post("/api/v1/purchases", """
            {"receiptNo":"\(receipt)","occurredAt":"\(iso(at ?? clock.now))","phone":"\(phone)","lines":[{"counter":"C0001","amountFen":\(amountFen)}]}
            """)
        #expect(s1 == .created)
        let (s2, body) = try await post("/api/v1/members", """
            {"phone":"\(phone)","name":"\(name)","receipts":["\(receipt)"]\(birthday.map { ",\"birthday\":\"\($0)\"" } ?? "")}
            """)
        #expect(s2 == .created, "enrol failed: \(body)")
        return body["cardNo"] as? String ?? ""
    }
}

extension HTTPHeaders {
    func merging(_ other: HTTPHeaders) -> HTTPHeaders {
        var h = self
        for (k, v) in other { h.replaceOrAdd(name: k, value: v) }
        return h
    }
}
