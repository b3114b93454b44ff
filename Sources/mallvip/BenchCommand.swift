// `mallvip bench`: a load generator for the POS purchase API of a running server.
//
// Setup: reads the counters, then creates `--members` members (a non-member
// purchase of 600 yuan with a fresh phone number, then enrolment with that
// receipt). Load: `--concurrency` workers post purchases with unique receipt
// numbers for random members at random counters, over one shared HTTP client
// with a keep-alive connection pool as large as the concurrency.
//
// Money is integer fen throughout; only timings are Double.

import ArgumentParser
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Load-test the POS purchase API of a running mallvip server.",
        discussion: """
            Creates --members members, then posts purchases from --concurrency workers \
            until --requests purchases were posted or --duration seconds passed \
            (whichever comes first; with neither, 20000 requests). Exits 1 when any \
            request failed.
            """
    )

    @Option(help: "Base URL of the running server.")
    var url: String = "http://127.0.0.1:8080"

    @Option(name: .customLong("api-key"), help: "POS API key (default: env MALLVIP_API_KEY).")
    var apiKey: String?

    @Option(help: "Number of concurrent workers (and HTTP connections).")
    var concurrency: Int = 8

    @Option(help: "Number of members to create before the load phase.")
    var members: Int = 200

    @Option(help: "Total number of purchase posts in the measured phase (default 20000 unless --duration is given).")
    var requests: Int?

    @Option(help: "Run the measured phase for at most this many seconds.")
    var duration: Double?

    @Option(help: "Unmeasured purchase posts before the measured phase.")
    var warmup: Int = 200

    @Option(help: "Seed for the random choices (default: random).")
    var seed: UInt64?

    mutating func validate() throws {
        guard concurrency >= 1 else { throw ValidationError("--concurrency must be at least 1") }
        guard members >= 1 else { throw ValidationError("--members must be at least 1") }
        if let requests, requests < 1 { throw ValidationError("--requests must be at least 1") }
        if let duration, !(duration > 0) { throw ValidationError("--duration must be positive") }
        guard warmup >= 0 else { throw ValidationError("--warmup must not be negative") }
        guard URL(string: url)?.host != nil else { throw ValidationError("--url is not a URL: \(url)") }
    }

    mutating func run() async throws {
        guard let key = apiKey ?? ProcessInfo.processInfo.environment["MALLVIP_API_KEY"], !key.isEmpty else {
            throw ValidationError("no API key: pass --api-key or set MALLVIP_API_KEY (create one with `mallvip apikey create --name bench`)")
        }
        let totalRequests: Int? = requests ?? (duration == nil ? 20_000 : nil)
        let deadlineSeconds = duration
        let concurrency = self.concurrency
        let memberCount = self.members
        let warmup = self.warmup
        let seed = self.seed ?? UInt64.random(in: 1...UInt64.max)
        let runID = BenchRandom.runID()

        var config = HTTPClient.Configuration()
        config.httpVersion = .http1Only
        config.timeout = .init(connect: .seconds(10), read: .seconds(60))
        config.connectionPool = .init(
            idleTimeout: .seconds(60),
            concurrentHTTP1ConnectionsPerHostSoftLimit: concurrency
        )
        config.decompression = .disabled
        let http = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: config)
        let api = BenchAPI(http: http, baseURL: url, apiKey: key)

        let outcome: Result<BenchResult, any Error>
        do {
            outcome = .success(try await Self.bench(
                api: api, url: url, runID: runID, seed: seed, concurrency: concurrency,
                memberCount: memberCount, warmup: warmup, total: totalRequests, seconds: deadlineSeconds))
        } catch {
            outcome = .failure(error)
        }
        try? await http.shutdown()
        let result = try outcome.get()
        if result.errors > 0 { throw ExitCode(1) }
    }

    private static func bench(
        api: BenchAPI, url: String, runID: String, seed: UInt64, concurrency: Int,
        memberCount: Int, warmup: Int, total: Int?, seconds: Double?
    ) async throws -> BenchResult {
        print("mallvip bench: \(url), run \(runID), seed \(seed)")
        print("  concurrency \(concurrency), members \(memberCount), warmup \(warmup), "
            + "requests \(total.map(String.init) ?? "-"), duration \(seconds.map { "\($0)s" } ?? "-")")

        // --- setup -----------------------------------------------------------
        let counters = try await api.counters()
        guard !counters.isEmpty else { throw BenchError("the server has no counters") }
        print("setup: \(counters.count) counter(s): \(counters.prefix(5).joined(separator: ", "))\(counters.count > 5 ? ", ..." : "")")

        let setupStart = ContinuousClock.now
        let cards = try await createMembers(
            api: api, count: memberCount, concurrency: concurrency, counter: counters[0], runID: runID, seed: seed)
        guard !cards.isEmpty else { throw BenchError("could not create any member") }
        print("setup: \(cards.count) member(s) created in \(BenchStats.format(BenchStats.seconds(ContinuousClock.now - setupStart)))s")

        let plan = BenchPlan(runID: runID, seed: seed, cards: cards, counters: counters)

        // --- warm-up ---------------------------------------------------------
        if warmup > 0 {
            let w = await load(api: api, plan: plan, phase: "w", concurrency: concurrency, total: warmup, seconds: nil)
            print("warm-up: \(w.count) request(s), \(w.errors) error(s)")
        }

        // --- measured load ---------------------------------------------------
        let result = await load(api: api, plan: plan, phase: "m", concurrency: concurrency, total: total, seconds: seconds)
        report(result)
        return result
    }

    // MARK: setup

    private static func createMembers(
        api: BenchAPI, count: Int, concurrency: Int, counter: String, runID: String, seed: UInt64
    ) async throws -> [String] {
        // Phone numbers: 1[3-9] + 9 digits, from a random base so repeated runs differ.
        var rng = BenchRandom(seed: seed ^ 0x5EED_0F_FE)
        let base = rng.next(upTo: 1_000_000_000)
        let prefix = ["13", "15", "17", "18", "19"][Int(rng.next(upTo: 5))]
        let phones: [String] = (0..<count).map { i in
            prefix + String(format: "%09llu", (base + UInt64(i)) % 1_000_000_000)
        }
        let workers = min(concurrency, count)
        let results = try await withThrowingTaskGroup(of: ([String], [String]).self) { group in
            for w in 0..<workers {
                group.addTask {
                    var cards: [String] = []
                    var failures: [String] = []
                    var i = w
                    while i < count {
                        let phone = phones[i]
                        let receipt = "BS\(runID)-\(i)"
                        do {
                            try await api.purchase(
                                receiptNo: receipt, occurredAt: BenchTime.nowUTC8(), member: .phone(phone),
                                lines: [BenchLine(counter: counter, amountFen: 60_000, specialPrice: false)])
                            let card = try await api.enrol(phone: phone, name: "压测会员\(i)", receipts: [receipt])
                            cards.append(card)
                        } catch {
                            failures.append("member \(i) (\(phone)): \(error)")
                        }
                        i += workers
                    }
                    return (cards, failures)
                }
            }
            var cards: [String] = []
            var failures: [String] = []
            for try await (c, f) in group {
                cards += c
                failures += f
            }
            return (cards, failures)
        }
        if !results.1.isEmpty {
            print("setup: \(results.1.count) member(s) could not be created, e.g.:")
            for f in results.1.prefix(3) { print("  \(f)") }
        }
        return results.0.sorted()
    }

    // MARK: load

    private static func load(
        api: BenchAPI, plan: BenchPlan, phase: String, concurrency: Int, total: Int?, seconds: Double?
    ) async -> BenchResult {
        let clock = ContinuousClock()
        let start = clock.now
        let deadline: ContinuousClock.Instant? = seconds.map { start.advanced(by: .milliseconds(Int64($0 * 1000))) }
        let results = await withTaskGroup(of: BenchResult.self) { group in
            for w in 0..<concurrency {
                // Split the request count evenly; the first workers take the remainder.
                let quota: Int? = total.map { $0 / concurrency + (w < $0 % concurrency ? 1 : 0) }
                if quota == 0 { continue }
                group.addTask {
                    var rng = BenchRandom(seed: plan.seed &+ UInt64(w) &* 0x9E37_79B9_7F4A_7C15 &+ (phase == "w" ? 1 : 2))
                    var r = BenchResult()
                    var n = 0
                    while quota.map({ n < $0 }) ?? true {
                        if let deadline, clock.now >= deadline { break }
                        let receipt = "B\(plan.runID)\(phase)\(w)-\(n)"
                        let card = plan.cards[Int(rng.next(upTo: UInt64(plan.cards.count)))]
                        let lineCount = 1 + Int(rng.next(upTo: 3))
                        let lines = (0..<lineCount).map { _ in
                            BenchLine(
                                counter: plan.counters[Int(rng.next(upTo: UInt64(plan.counters.count)))],
                                // 10 .. 3000 yuan in whole yuan
                                amountFen: Int(10 + rng.next(upTo: 2_991)) * 100,
                                specialPrice: rng.next(upTo: 10) == 0)
                        }
                        let t0 = clock.now
                        do {
                            try await api.purchase(
                                receiptNo: receipt, occurredAt: BenchTime.nowUTC8(), member: .card(card), lines: lines)
                            r.latenciesMs.append(BenchStats.seconds(clock.now - t0) * 1000)
                        } catch {
                            r.latenciesMs.append(BenchStats.seconds(clock.now - t0) * 1000)
                            r.errors += 1
                            if r.errorSamples.count < 5 { r.errorSamples.append("\(receipt): \(error)") }
                        }
                        n += 1
                    }
                    r.count = n
                    return r
                }
            }
            var all = BenchResult()
            for await r in group { all.merge(r) }
            return all
        }
        var result = results
        result.elapsed = BenchStats.seconds(clock.now - start)
        return result
    }

    private static func report(_ r: BenchResult) {
        let sorted = r.latenciesMs.sorted()
        let rate = r.elapsed > 0 ? Double(r.count) / r.elapsed : 0
        let p50 = BenchStats.percentile(sorted, 0.50)
        let p90 = BenchStats.percentile(sorted, 0.90)
        let p99 = BenchStats.percentile(sorted, 0.99)
        if !r.errorSamples.isEmpty {
            print("errors (first \(min(5, r.errorSamples.count))):")
            for e in r.errorSamples.prefix(5) { print("  \(e)") }
        }
        print("""
            requests:   \(r.count)
            errors:     \(r.errors)
            elapsed:    \(BenchStats.format(r.elapsed)) s
            purchases/s: \(BenchStats.format(rate, digits: 1))
            latency ms: p50 \(BenchStats.format(p50, digits: 2))  p90 \(BenchStats.format(p90, digits: 2))  p99 \(BenchStats.format(p99, digits: 2))  max \(BenchStats.format(sorted.last ?? 0, digits: 2))
            """)
        // One machine-readable line, last.
        print("bench requests=\(r.count) errors=\(r.errors) elapsed_s=\(BenchStats.format(r.elapsed)) "
            + "pps=\(BenchStats.format(rate, digits: 1)) p50_ms=\(BenchStats.format(p50, digits: 2)) "
            + "p90_ms=\(BenchStats.format(p90, digits: 2)) p99_ms=\(BenchStats.format(p99, digits: 2))")
    }
}

// MARK: - helpers (file-private; names prefixed to stay clear of the rest of the target)

private struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

private struct BenchLine: Encodable, Sendable {
    let counter: String
    let amountFen: Int
    let specialPrice: Bool
}

private enum BenchMember: Sendable {
    case card(String)
    case phone(String)
}

private struct BenchPlan: Sendable {
    let runID: String
    let seed: UInt64
    let cards: [String]
    let counters: [String]
}

private struct BenchResult: Sendable {
    var count = 0
    var errors = 0
    var latenciesMs: [Double] = []
    var errorSamples: [String] = []
    var elapsed: Double = 0

    mutating func merge(_ other: BenchResult) {
        count += other.count
        errors += other.errors
        latenciesMs += other.latenciesMs
        if errorSamples.count < 5 { errorSamples += other.errorSamples.prefix(5 - errorSamples.count) }
    }
}

private enum BenchStats {
    static func seconds(_ d: Duration) -> Double {
        let c = d.components
        return Double(c.seconds) + Double(c.attoseconds) / 1e18
    }

    /// Nearest-rank percentile of ascending samples.
    static func percentile(_ sorted: [Double], _ p: Double) -> Double {
        guard !sorted.isEmpty else { return 0 }
        let rank = Int((p * Double(sorted.count)).rounded(.up))
        return sorted[min(sorted.count - 1, max(0, rank - 1))]
    }

    static func format(_ x: Double, digits: Int = 3) -> String {
        String(format: "%.\(digits)f", x)
    }
}

private enum BenchTime {
    /// Now as ISO 8601 with the +08:00 offset, e.g. 2026-11-25T10:00:00+08:00.
    static func nowUTC8() -> String {
        let offset = 8 * 3600
        let t = Int(Date().timeIntervalSince1970) + offset
        let days = t >= 0 ? t / 86_400 : (t - 86_399) / 86_400
        let secs = t - days * 86_400
        let (y, m, d) = civil(fromDays: days)
        return String(
            format: "%04d-%02d-%02dT%02d:%02d:%02d+08:00",
            y, m, d, secs / 3600, (secs % 3600) / 60, secs % 60)
    }

    /// Days since 1970-01-01 to a proleptic Gregorian date (H. Hinnant's algorithm).
    private static func civil(fromDays z0: Int) -> (Int, Int, Int) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }
}

/// SplitMix64: small, fast and seedable; good enough to pick members and amounts.
private struct BenchRandom: Sendable {
    private var state: UInt64
    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in 0..<bound (bound > 0); the modulo bias is negligible here.
    mutating func next(upTo bound: UInt64) -> UInt64 { next() % bound }

    /// A short id that makes receipt numbers unique per run.
    static func runID() -> String {
        let alphabet = Array("abcdefghijkmnpqrstuvwxyz23456789")
        var g = SystemRandomNumberGenerator()
        return String((0..<8).map { _ in alphabet[Int(g.next() % UInt64(alphabet.count))] })
    }
}

private struct BenchAPI: Sendable {
    let http: HTTPClient
    let baseURL: String
    let apiKey: String

    init(http: HTTPClient, baseURL: String, apiKey: String) {
        self.http = http
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        self.baseURL = base
        self.apiKey = apiKey
    }

    private struct Counter: Decodable { let code: String }
    private struct Enrolled: Decodable { let cardNo: String }

    private struct PurchaseBody: Encodable {
        let receiptNo: String
        let occurredAt: String
        let card: String?
        let phone: String?
        let lines: [BenchLine]
    }

    private struct EnrolBody: Encodable {
        let phone: String
        let name: String
        let receipts: [String]
    }

    func counters() async throws -> [String] {
        let data = try await send(.GET, "/api/v1/counters", body: nil)
        do {
            return try JSONDecoder().decode([Counter].self, from: data).map(\.code)
        } catch {
            throw BenchError("GET /api/v1/counters: unexpected body: \(String(decoding: data.prefix(300), as: UTF8.self))")
        }
    }

    func purchase(receiptNo: String, occurredAt: String, member: BenchMember, lines: [BenchLine]) async throws {
        var card: String?
        var phone: String?
        switch member {
        case .card(let c): card = c
        case .phone(let p): phone = p
        }
        let body = PurchaseBody(receiptNo: receiptNo, occurredAt: occurredAt, card: card, phone: phone, lines: lines)
        _ = try await send(.POST, "/api/v1/purchases", body: try JSONEncoder().encode(body))
    }

    func enrol(phone: String, name: String, receipts: [String]) async throws -> String {
        let body = EnrolBody(phone: phone, name: name, receipts: receipts)
        let data = try await send(.POST, "/api/v1/members", body: try JSONEncoder().encode(body))
        do {
            return try JSONDecoder().decode(Enrolled.self, from: data).cardNo
        } catch {
            throw BenchError("POST /api/v1/members: no cardNo in \(String(decoding: data.prefix(300), as: UTF8.self))")
        }
    }

    /// Sends a request; returns the body of a 2xx response, throws otherwise.
    private func send(_ method: HTTPMethod, _ path: String, body: Data?) async throws -> Data {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        request.headers.add(name: "Authorization", value: "Bearer \(apiKey)")
        request.headers.add(name: "Accept", value: "application/json")
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json; charset=utf-8")
            request.body = .bytes(body)
        }
        let response = try await http.execute(request, timeout: .seconds(60))
        let buffer = try await response.body.collect(upTo: 4 * 1024 * 1024)
        let data = Data(buffer.readableBytesView)
        guard (200..<300).contains(Int(response.status.code)) else {
            throw BenchError("\(method) \(path): HTTP \(response.status.code) \(String(decoding: data.prefix(200), as: UTF8.self))")
        }
        return data
    }
}
