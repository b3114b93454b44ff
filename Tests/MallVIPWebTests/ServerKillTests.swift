// Crash safety, end to end: a real `mallvip serve` process is SIGKILLed while
// several POS clients post purchases, then restarted. Clients retry each
// receipt with the same body until it is acknowledged (200/201). Afterwards
// every acknowledged receipt must replay (200), each member's points must equal
// what the acknowledgements promised, and `mallvip verify` must pass.
//
// Runs on SQLite (a temp file) by default, and on PostgreSQL in a fresh
// database `kill_<random>` when MALLVIP_TEST_DATABASE_URL is a postgres URL.

import AsyncHTTPClient
import Foundation
import MallVIPStore
@testable import MallVIPWeb
import NIOCore
import NIOHTTP1
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

@Suite("Server SIGKILL and restart")
struct ServerKillTests {
    static let workers = 4
    static let receiptsPerWorker = 40
    static let killAfterAcks = 40

    @Test("acknowledged purchases survive kill -9", .timeLimit(.minutes(20)))
    func acknowledgedPurchasesSurviveKill() async throws {
        let env = try await KillEnvironment.make()
        let servers = KillServers()
        defer { servers.killAll() }  // never leave a server behind, whatever happens

        var config = HTTPClient.Configuration()
        config.httpVersion = .http1Only
        config.timeout = .init(connect: .seconds(1), read: .seconds(10))
        config.connectionPool = .init(idleTimeout: .seconds(30), concurrentHTTP1ConnectionsPerHostSoftLimit: Self.workers)
        let http = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: config)

        var failed = false
        do {
            failed = try await Self.scenario(env: env, servers: servers, http: http)
        } catch {
            servers.killAll()
            try? await http.shutdown()
            env.printLogs()
            await env.cleanUp(keepFiles: true)
            throw error
        }
        servers.killAll()
        try? await http.shutdown()
        if failed { env.printLogs() }
        await env.cleanUp(keepFiles: failed)
    }

    /// Returns true when a check failed (the issue is already recorded).
    private static func scenario(env: KillEnvironment, servers: KillServers, http: HTTPClient) async throws -> Bool {
        var failed = false
        func check(_ ok: Bool, _ message: @autoclosure () -> String, sourceLocation: SourceLocation = #_sourceLocation) {
            if !ok {
                failed = true
                Issue.record(Comment(rawValue: message()), sourceLocation: sourceLocation)
            }
        }

        // 1. Schema and an API key.
        let migrate = try await env.run(["migrate"])
        try #require(migrate.status == 0, "mallvip migrate failed (\(migrate.status)):\n\(migrate.output)")
        let keyRun = try await env.run(["apikey", "create", "--name", "kill"])
        try #require(keyRun.status == 0, "mallvip apikey create failed (\(keyRun.status)):\n\(keyRun.output)")
        let apiKey = try #require(
            keyRun.stdout.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
                .last(where: { !$0.isEmpty }),
            "no API key printed by mallvip apikey create")

        // 2. The server.
        let port = try #require(TestNet.freePort(), "no free TCP port")
        let baseURL = "http://127.0.0.1:\(port)"
        let api = KillAPI(http: http, baseURL: baseURL, apiKey: apiKey)

        try await servers.start(env: env, port: port, generation: 1)
        try await api.waitUntilReady(servers: servers)

        // 3. Members: a qualifying non-member purchase (600 yuan) with a phone, then enrolment.
        let counters = try await api.counterCodes()
        let counter = try #require(counters.first, "GET /api/v1/counters returned no counter")
        let runTag = KillNet.randomTag(6)
        var cards: [String] = []
        var baseline: [String: Int] = [:]
        for i in 0..<3 {
            let phone = "139" + String(format: "%08d", Int.random(in: 0..<100_000_000))
            let receipt = "KS-\(runTag)-\(i)"
            let qualify = KillPurchase(
                receiptNo: receipt, occurredAt: KillTime.nowUTC8(minus: 60), card: nil, phone: phone,
                lines: [.init(counter: counter, amountFen: 60_000, specialPrice: false)])
            let (qs, qb) = try await api.post("/api/v1/purchases", qualify)
            try #require(qs == 201 || qs == 200, "qualifying purchase: HTTP \(qs) \(qb)")
            let (es, eb) = try await api.post(
                "/api/v1/members", KillEnrol(phone: phone, name: "断电测试\(i)", receipts: [receipt]))
            try #require(es == 201, "enrolment: HTTP \(es) \(eb)")
            let card = try #require(
                try? JSONDecoder().decode(KillEnrolled.self, from: Data(eb.utf8)).cardNo, "no cardNo in \(eb)")
            cards.append(card)
            baseline[card] = try await api.points(card: card)
        }

        // 4. Load: every worker posts its receipts in order, retrying each until acknowledged.
        let plan: [[KillPurchase]] = (0..<workers).map { w in
            (0..<receiptsPerWorker).map { n in
                let amount = ((w * 7 + n * 13) % 20 + 1) * 10_000 + n * 100  // 100.00 .. 2000.00 yuan + change
                return KillPurchase(
                    receiptNo: "K-\(runTag)-\(w)-\(n)", occurredAt: KillTime.nowUTC8(minus: 30),
                    card: cards[(w + n) % cards.count], phone: nil,
                    lines: [.init(counter: counters[(w + n) % counters.count], amountFen: amount, specialPrice: n % 5 == 0)])
            }
        }
        let total = workers * receiptsPerWorker
        let acks = KillAcks()
        let loadDeadline = ContinuousClock.now + .seconds(25)

        let clients = Task {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for w in 0..<workers {
                    group.addTask {
                        for purchase in plan[w] {
                            let ack = try await api.postUntilAcknowledged(purchase, deadline: loadDeadline)
                            await acks.record(purchase, ack)
                        }
                    }
                }
                try await group.waitForAll()
            }
        }

        // 5. Kill mid-stream: after killAfterAcks acknowledgements or 2 s, whichever first.
        let killBy = ContinuousClock.now + .seconds(2)
        while await acks.count < killAfterAcks, ContinuousClock.now < killBy {
            try await Task.sleep(for: .milliseconds(5))
        }
        let acksAtKill = await acks.count
        try await servers.killCurrent()
        check(acksAtKill < total, "the clients finished (\(acksAtKill)/\(total)) before the kill; nothing was tested mid-stream")
        try await Task.sleep(for: .milliseconds(300))  // let clients hit a dead port

        // 6. Restart on the same port; clients reconnect and finish their retries.
        try await servers.start(env: env, port: port, generation: 2)
        try await api.waitUntilReady(servers: servers)
        do {
            try await clients.value
        } catch {
            clients.cancel()
            throw error
        }
        let acknowledged = await acks.all
        let retries = await api.retries.value
        print("kill test: \(acksAtKill)/\(total) acknowledged at the kill, \(acknowledged.count) in the end, \(retries) retried request(s)")
        check(acknowledged.count == total, "only \(acknowledged.count) of \(total) receipts were acknowledged")

        // 7a. Points: what the member had after enrolment plus what the acknowledgements promised
        // (checked before any re-post, which would record a lost receipt after the fact).
        for card in cards {
            let promised = acknowledged.values.filter { $0.card == card }.reduce(0) { $0 + $1.pointsEarned }
            let points = try await api.points(card: card)
            check(points == (baseline[card] ?? 0) + promised,
                  "card \(card): lookup says \(points) points, expected \(baseline[card] ?? 0) + \(promised)")
        }

        // 7b. Every acknowledged receipt was recorded: re-posting it is a replay (200) of the same result.
        let byReceipt = Dictionary(plan.joined().map { ($0.receiptNo, $0) }, uniquingKeysWith: { a, _ in a })
        for (receipt, ack) in acknowledged.sorted(by: { $0.key < $1.key }) {
            guard let purchase = byReceipt[receipt] else { continue }
            let (status, body) = try await api.post("/api/v1/purchases", purchase)
            check(status == 200, "re-posting acknowledged \(receipt) gave HTTP \(status) (not a replay): \(body)")
            if status == 200, let replay = try? JSONDecoder().decode(KillPurchaseResult.self, from: Data(body.utf8)) {
                check(replay.pointsEarned == ack.pointsEarned,
                      "\(receipt): replay says \(replay.pointsEarned) points, first acknowledgement said \(ack.pointsEarned)")
            }
        }

        // 7c. Ledger and rolling spend are consistent. (SIGKILL again: children of the test
        // runner may inherit a signal mask that blocks SIGTERM, and a hard stop is the point.)
        servers.killAll()
        try await servers.waitForExit()
        let verify = try await env.run(["verify"])
        check(verify.status == 0, "mallvip verify exited \(verify.status):\n\(verify.output)")
        return failed
    }
}

/// The outbox across a real crash: `mallvip serve` delivers to a slow SMS gateway (a real local HTTP server), is
/// SIGKILLed mid-run, and started again. Every message must reach the gateway, each once, except the one whose call
/// was in flight at the kill: that one is sent again after the lease under the same reference (the outbox id), which
/// a gateway de-duplicates. Nothing is dropped, and no completed message is sent a second time.
@Suite("Outbox SIGKILL and restart")
struct OutboxKillTests {
    static let messages = 30

    @Test("serve killed mid-delivery and restarted: every message sent, none twice but the one in flight, same reference",
          // Generous: on PostgreSQL the test may first wait for a free database slot behind the rest of the suite.
          .timeLimit(.minutes(20)),
          .enabled(if: SMSGatewayStub.hasPython, "python3 is not installed: the test needs Tests/Support/sms_gateway_stub.py"))
    func outboxSurvivesKill() async throws {
        let stub = try await SMSGatewayStub.start(delay: 0.1)
        defer { stub.stop() }
        // No quiet hours: the server runs on the real clock, whatever the hour in Shanghai.
        let yaml = programmeYAML(replacing: [(#"quietHours: {from: "21:00", to: "09:00"}"#, #"quietHours: {from: "00:00", to: "00:00"}"#)])
        try await withTestApp(now: Date(), programme: yaml) { t in
            var drafts: [OutboxDraft] = []
            for i in 0..<Self.messages { drafts.append(t.draft(try await t.messagingMember(phone: "1390000" + String(format: "%04d", i)))) }
            #expect(try await t.enqueue(drafts).queued == Self.messages)
            let ids = Set(try await t.outboxRows().map(\.id))

            let env = try KillEnvironment.beside(t, tag: "outbox-kill", extraEnvironment: [
                "MALLVIP_SMS_URL": stub.url, "MALLVIP_OUTBOX_INTERVAL": "1", "MALLVIP_OUTBOX_LEASE": "3", "MALLVIP_DB_POOL": "2"])
            defer { try? FileManager.default.removeItem(at: env.dir) }
            let atKill = try await killMidway(
                env: env, started: ("a third of the messages did not reach the gateway", 30),
                finished: ("not every message was sent after the restart", 45),
                progress: { try stub.requests().count }, atLeast: Self.messages / 3,
                done: { try await t.outboxRows().allSatisfy { $0.status == .sent } })
            #expect(atKill < Self.messages, "all messages were sent before the kill; nothing was tested mid-run")

            let refs = try stub.requests().compactMap { $0.json["ref"] as? String }.compactMap { Int64($0) }
            var times: [Int64: Int] = [:]
            for r in refs { times[r, default: 0] += 1 }
            print("outbox kill test: \(atKill)/\(Self.messages) at the kill, \(refs.count) gateway calls in all")
            #expect(Set(refs) == ids, "every message reached the gateway")
            let repeated = times.filter { $0.value > 1 }
            #expect(repeated.count <= 1 && repeated.values.allSatisfy { $0 == 2 },
                    "only the call in flight at the kill may be repeated, once: \(repeated)")
            let rows = try await t.outboxRows()
            #expect(rows.allSatisfy { $0.providerId != nil && $0.costFen > 0 })
        }
    }
}

// MARK: - wire types

private struct KillLine: Codable, Sendable {
    let counter: String
    let amountFen: Int
    let specialPrice: Bool
}

private struct KillPurchase: Codable, Sendable {
    let receiptNo: String
    let occurredAt: String
    let card: String?
    let phone: String?
    let lines: [KillLine]
}

private struct KillPurchaseResult: Decodable, Sendable {
    let pointsEarned: Int
}

private struct KillEnrol: Encodable, Sendable {
    let phone: String
    let name: String
    let receipts: [String]
}

private struct KillEnrolled: Decodable { let cardNo: String }
private struct KillCounter: Decodable { let code: String }
private struct KillLookup: Decodable { let points: Int }

private struct KillAck: Sendable {
    let card: String?
    let pointsEarned: Int
}

private actor KillAcks {
    private(set) var all: [String: KillAck] = [:]
    var count: Int { all.count }
    func record(_ purchase: KillPurchase, _ result: KillPurchaseResult) {
        all[purchase.receiptNo] = KillAck(card: purchase.card, pointsEarned: result.pointsEarned)
    }
}

private actor KillCounterBox {
    private(set) var value = 0
    func increment() { value += 1 }
}

struct KillError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

// MARK: - HTTP

private struct KillAPI: Sendable {
    let http: HTTPClient
    let baseURL: String
    let apiKey: String
    let retries = KillCounterBox()

    func request(_ method: HTTPMethod, _ path: String, body: Data? = nil, timeout: Int64 = 10) async throws -> (Int, String) {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        request.headers.add(name: "Authorization", value: "Bearer \(apiKey)")
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(body)
        }
        let response = try await http.execute(request, timeout: .seconds(timeout))
        let buffer = try await response.body.collect(upTo: 1 << 20)
        return (Int(response.status.code), String(buffer: buffer))
    }

    func post<T: Encodable>(_ path: String, _ value: T) async throws -> (Int, String) {
        try await request(.POST, path, body: try JSONEncoder().encode(value))
    }

    func counterCodes() async throws -> [String] {
        let (status, body) = try await request(.GET, "/api/v1/counters")
        guard status == 200 else { throw KillError("GET /api/v1/counters: HTTP \(status) \(body)") }
        return try JSONDecoder().decode([KillCounter].self, from: Data(body.utf8)).map(\.code)
    }

    func points(card: String) async throws -> Int {
        let query = card.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? card
        let (status, body) = try await request(.GET, "/api/v1/members/lookup?card=\(query)")
        guard status == 200 else { throw KillError("lookup \(card): HTTP \(status) \(body)") }
        return try JSONDecoder().decode(KillLookup.self, from: Data(body.utf8)).points
    }

    /// Polls until the API answers with an authorised 200 (the server may still be migrating).
    func waitUntilReady(servers: KillServers) async throws {
        let deadline = ContinuousClock.now + .seconds(30)
        var last = "no answer"
        while ContinuousClock.now < deadline {
            guard servers.isRunning else {
                throw KillError("mallvip serve exited early (status \(servers.lastExitStatus.map(String.init) ?? "?"))")
            }
            do {
                let (status, body) = try await request(.GET, "/api/v1/counters", timeout: 2)
                if status == 200 { return }
                last = "HTTP \(status) \(body.prefix(200))"
            } catch {
                last = "\(error)"
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw KillError("server not ready after 30 s: \(last)")
    }

    /// Posts the same receipt with the same body until the server acknowledges it.
    /// Connection errors and 5xx are retried (the server may be dead or restarting);
    /// any other answer is a failure.
    func postUntilAcknowledged(_ purchase: KillPurchase, deadline: ContinuousClock.Instant) async throws -> KillPurchaseResult {
        let body = try JSONEncoder().encode(purchase)
        var attempt = 0
        var last = ""
        while true {
            if attempt > 0 {
                await retries.increment()
                guard ContinuousClock.now < deadline else {
                    throw KillError("\(purchase.receiptNo) not acknowledged before the deadline; last: \(last)")
                }
                try await Task.sleep(for: .milliseconds(min(50 * attempt, 250)))
            }
            attempt += 1
            let status: Int
            let text: String
            do {
                (status, text) = try await request(.POST, "/api/v1/purchases", body: body, timeout: 10)
            } catch {
                last = "\(error)"
                continue
            }
            switch status {
            case 200, 201:
                return try JSONDecoder().decode(KillPurchaseResult.self, from: Data(text.utf8))
            case 500...:
                last = "HTTP \(status) \(text.prefix(200))"
                continue
            default:
                throw KillError("\(purchase.receiptNo): HTTP \(status) \(text.prefix(300))")
            }
        }
    }
}

// MARK: - processes

/// The database, the temp dir and the `mallvip` binary for one test run.
struct KillEnvironment: Sendable {
    let binary: URL
    let dir: URL
    let databaseURL: String
    let postgres: (adminURL: String, database: String)?

    static func make() async throws -> KillEnvironment {
        let binary = try locateBinary()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mallvip-kill-\(KillNet.randomTag(10))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)

        let testURL = ProcessInfo.processInfo.environment["MALLVIP_TEST_DATABASE_URL"] ?? ""
        if testURL.hasPrefix("postgres://") || testURL.hasPrefix("postgresql://") {
            let name = "kill_\(KillNet.randomTag(10))"
            let created = try await runProcess(
                URL(fileURLWithPath: "/usr/bin/env"),
                ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", testURL, "-c", "CREATE DATABASE \(name)"],
                environment: ProcessInfo.processInfo.environment, dir: dir, tag: "psql-create")
            guard created.status == 0 else {
                throw KillError("could not create database \(name) with psql: \(created.output)")
            }
            guard var components = URLComponents(string: testURL) else { throw KillError("bad MALLVIP_TEST_DATABASE_URL") }
            components.path = "/\(name)"
            return KillEnvironment(
                binary: binary, dir: dir, databaseURL: components.string ?? testURL, postgres: (testURL, name))
        }
        return KillEnvironment(
            binary: binary, dir: dir, databaseURL: "sqlite:" + dir.appendingPathComponent("k.sqlite").path, postgres: nil)
    }

    /// `mallvip` is built next to the test binary (.build/<triple>/debug/); MALLVIP_BIN overrides.
    static func locateBinary() throws -> URL {
        let fm = FileManager.default
        if let explicit = ProcessInfo.processInfo.environment["MALLVIP_BIN"], fm.isExecutableFile(atPath: explicit) {
            return URL(fileURLWithPath: explicit)
        }
        var starts: [URL] = []
        if let exe = try? fm.destinationOfSymbolicLink(atPath: "/proc/self/exe") { starts.append(URL(fileURLWithPath: exe)) }
        if let exe = Bundle.main.executableURL { starts.append(exe) }
        starts.append(URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL)
        for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") { starts.append(bundle.bundleURL) }
        for start in starts {
            var dir = start.deletingLastPathComponent()
            for _ in 0..<5 {  // macOS: X.xctest/Contents/MacOS/X
                let candidate = dir.appendingPathComponent("mallvip")
                var isDir: ObjCBool = false
                if fm.fileExists(atPath: candidate.path, isDirectory: &isDir), !isDir.boolValue,
                   fm.isExecutableFile(atPath: candidate.path) {
                    return candidate
                }
                dir = dir.deletingLastPathComponent()
            }
        }
        throw KillError("cannot find the mallvip executable near \(starts.map(\.path)); build it or set MALLVIP_BIN")
    }

    /// Added to the children's environment (gateway URL, outbox timing).
    var extraEnvironment: [String: String] = [:]

    var childEnvironment: [String: String] {
        var env = ProcessInfo.processInfo.environment
        env["DATABASE_URL"] = databaseURL
        // serve refuses PostgreSQL without a data key: children get the test app's, so they read what it wrote.
        env["MALLVIP_DATA_KEY"] = TestDataKey.base64
        env.removeValue(forKey: "MALLVIP_DATA_KEY_OLD")
        env.merge(extraEnvironment) { _, extra in extra }
        return env
    }

    func run(_ arguments: [String]) async throws -> KillRun {
        try await runProcess(binary, arguments, environment: childEnvironment, dir: dir, tag: arguments.first ?? "run")
    }

    func printLogs() {
        print("kill test: database \(databaseURL), files in \(dir.path)")
        let logs = (try? FileManager.default.contentsOfDirectory(atPath: dir.path))?.filter { $0.hasPrefix("serve-") }.sorted() ?? []
        for name in logs {
            let text = (try? String(contentsOf: dir.appendingPathComponent(name), encoding: .utf8)) ?? ""
            let tail = text.split(separator: "\n", omittingEmptySubsequences: false).suffix(40).joined(separator: "\n")
            print("---- \(name) (last 40 lines) ----\n\(tail)")
        }
    }

    func cleanUp(keepFiles: Bool) async {
        if let postgres {
            _ = try? await runProcess(
                URL(fileURLWithPath: "/usr/bin/env"),
                ["psql", "-X", "-q", postgres.adminURL, "-c", "DROP DATABASE IF EXISTS \(postgres.database) WITH (FORCE)"],
                environment: ProcessInfo.processInfo.environment, dir: dir, tag: "psql-drop")
        }
        if !keepFiles { try? FileManager.default.removeItem(at: dir) }
    }
}

struct KillRun: Sendable {
    let status: Int32
    let stdout: String
    let stderr: String
    var output: String { stdout + (stderr.isEmpty ? "" : "\n[stderr]\n" + stderr) }
}

/// Runs a process to completion without blocking a concurrency thread (swift-subprocess collects its output).
func runProcess(
    _ executable: URL, _ arguments: [String], environment: [String: String], dir: URL, tag: String
) async throws -> KillRun {
    let run = try await ChildProcess.run(executable.path, arguments, environment: environment)
    return KillRun(status: run.status, stdout: run.stdout, stderr: run.stderr)
}

/// The `mallvip serve` processes of one test; every one is killed by `killAll`.
final class KillServers: @unchecked Sendable {
    private let lock = NSLock()
    private var processes: [ChildProcess] = []

    var isRunning: Bool { lock.withLock { processes.last?.isRunning ?? false } }

    var lastExitStatus: Int32? { lock.withLock { processes.last?.terminationStatus } }

    func start(env: KillEnvironment, port: Int, generation: Int) async throws {
        let log = env.dir.appendingPathComponent("serve-\(generation).log")
        let process = try await ChildProcess.launch(env.binary.path, ["serve", "--hostname", "127.0.0.1", "--port", String(port)],
                                              environment: env.childEnvironment, stdout: .file(log), stderr: .stdout)
        lock.withLock { processes.append(process) }
    }

    /// SIGKILL the current server and wait until it is gone.
    func killCurrent() async throws {
        let current: ChildProcess? = lock.withLock { processes.last }
        guard let current, current.isRunning else { throw KillError("the server was not running at the kill") }
        current.signal(SIGKILL)
        try await waitForExit()
    }

    func waitForExit() async throws {
        let deadline = ContinuousClock.now + .seconds(10)
        while lock.withLock({ processes.contains(where: \.isRunning) }) {
            guard ContinuousClock.now < deadline else { throw KillError("server did not exit within 10 s") }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Synchronous, so it can run from `defer`.
    func killAll(signal: Int32 = SIGKILL) {
        lock.withLock {
            for p in processes { p.signal(signal) }
        }
    }

    /// Subprocess reaps each one once it has died.
    deinit {
        for p in processes { p.signal(SIGKILL) }
    }
}

/// Child servers beside a test app: its database, a temp dir (removed by the caller), extra environment.
extension KillEnvironment {
    static func beside(_ t: TestContext, tag: String, extraEnvironment: [String: String]) throws -> KillEnvironment {
        let databaseURL: String
        switch t.app.appConfig.database {
        case .sqlite(let path): databaseURL = "sqlite:" + path
        case .postgres(let url, let schema): databaseURL = url + (schema.map { "?schema=" + $0 } ?? "")
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mallvip-\(tag)-\(KillNet.randomTag(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return KillEnvironment(binary: try locateBinary(), dir: dir, databaseURL: databaseURL, postgres: nil,
                               extraEnvironment: extraEnvironment)
    }
}

/// What the delivery workers' kill tests share: `serve` runs until `started` holds (work is under way), is SIGKILLed,
/// runs again until `finished` holds (nothing left), and is stopped. Returns what `progress` counted at the kill.
func killMidway(env: KillEnvironment, started: (what: String, seconds: Int), finished: (what: String, seconds: Int),
                progress: () async throws -> Int, atLeast: Int, done: () async throws -> Bool) async throws -> Int {
    let servers = KillServers()
    defer { servers.killAll() }
    let port = try #require(TestNet.freePort(), "no free TCP port")
    func waitFor(_ what: String, seconds: Int, _ check: () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while try await !check() {
            guard ContinuousClock.now < deadline else {
                env.printLogs()
                throw KillError("\(what) within \(seconds) s")
            }
            try await Task.sleep(for: .milliseconds(10))
        }
    }
    try await servers.start(env: env, port: port, generation: 1)
    try await waitFor(started.what, seconds: started.seconds) { try await progress() >= atLeast }
    try await servers.killCurrent()
    let atKill = try await progress()
    try await servers.start(env: env, port: port, generation: 2)
    try await waitFor(finished.what, seconds: finished.seconds, done)
    servers.killAll()
    try await servers.waitForExit()
    return atKill
}

// MARK: - small helpers

enum KillNet {
    static func randomTag(_ length: Int) -> String {
        let alphabet = Array("abcdefghijkmnpqrstuvwxyz23456789")
        return String((0..<length).map { _ in alphabet.randomElement()! })
    }
}

private enum KillTime {
    /// ISO 8601 with the +08:00 offset, `seconds` before now.
    static func nowUTC8(minus seconds: Int = 0) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(secondsFromGMT: 8 * 3600)
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: Date().addingTimeInterval(-Double(seconds)))
    }
}
