import Foundation
import MallVIPCore

extension BenchCommand {
    // MARK: setup

    static func createMembers(
        api: BenchAPI, count: Int, concurrency: Int, counter: String, runID: String, seed: UInt64
    ) async throws -> [String] {
        // Phone numbers: 1[3-9] + 9 digits, from a random base so repeated runs differ.
        var rng = SplitMix64(seed: seed ^ 0x5EED_0F_FE)
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
}
