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
        let runID = Self.runID()

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

    /// A short id that makes receipt numbers unique per run.
    private static func runID() -> String {
        let alphabet = Array("abcdefghijkmnpqrstuvwxyz23456789")
        var g = SystemRandomNumberGenerator()
        return String((0..<8).map { _ in alphabet[Int(g.next() % UInt64(alphabet.count))] })
    }
}
