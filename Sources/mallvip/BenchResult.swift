import Foundation

struct BenchResult: Sendable {
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

enum BenchStats {
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
