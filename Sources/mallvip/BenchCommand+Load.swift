import Foundation
import MallVIPCore

extension BenchCommand {
    // MARK: load

    static func load(
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
                    var rng = SplitMix64(seed: plan.seed &+ UInt64(w) &* 0x9E37_79B9_7F4A_7C15 &+ (phase == "w" ? 1 : 2))
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

    static func report(_ r: BenchResult) {
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

struct BenchPlan: Sendable {
    let runID: String
    let seed: UInt64
    let cards: [String]
    let counters: [String]
}
