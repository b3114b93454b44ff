import Foundation

/// SplitMix64 (Steele, Lea, Flood 2014): tiny, fast, and the same sequence for the same seed on every run. Used
/// where a seed must reproduce its choices (`mallvip demo`, `mallvip bench --seed`): draw through the helpers
/// below rather than the standard library's `random(in:using:)`, whose algorithm is not promised to stay the same
/// between Swift versions. The draws are `@inlinable`: the demo makes millions of them from another module.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    @usableFromInline var state: UInt64

    @inlinable public init(seed: UInt64) { state = seed }

    /// An independent stream for one purpose (a member, the non-member till roll …) derived from the seed.
    @inlinable public init(seed: UInt64, stream: UInt64, _ index: UInt64 = 0) {
        var mix = SplitMix64(seed: seed ^ (stream &* 0x9E37_79B9_7F4A_7C15) ^ (index &* 0xD1B5_4A32_D192_ED03))
        state = mix.next()
    }

    @inlinable public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in 0..<bound (bound > 0) by modulo; the bias is negligible for small bounds. `below(_:)` draws the
    /// same range by multiply-high; the two give different values for the same state, so a caller keeps to one.
    @inlinable public mutating func next(upTo bound: UInt64) -> UInt64 { next() % bound }

    /// Uniform in 0..<n (n > 0), by multiply-high (Lemire) without the rejection step: the bias is below 2⁻⁴⁰.
    @inlinable public mutating func below(_ n: Int) -> Int {
        precondition(n > 0)
        return Int(next().multipliedFullWidth(by: UInt64(n)).high)
    }

    /// Uniform in the closed range.
    @inlinable public mutating func int(_ range: ClosedRange<Int>) -> Int { range.lowerBound + below(range.count) }

    /// Uniform in [0, 1).
    @inlinable public mutating func unit() -> Double { Double(next() >> 11) * 0x1p-53 }

    @inlinable public mutating func chance(_ p: Double) -> Bool { unit() < p }

    /// Standard normal (Box–Muller, one value per call).
    @inlinable public mutating func normal() -> Double {
        let u1 = max(unit(), 0x1p-53), u2 = unit()
        return (-2 * Foundation.log(u1)).squareRoot() * Foundation.cos(2 * Double.pi * u2)
    }

    /// Log-normal with the given median and spread.
    @inlinable public mutating func logNormal(median: Double, sigma: Double) -> Double { median * Foundation.exp(sigma * normal()) }

    /// Poisson: Knuth's product method for small means, a rounded normal above 30.
    @inlinable public mutating func poisson(_ mean: Double) -> Int {
        guard mean > 0 else { return 0 }
        if mean > 30 { return max(0, Int((mean + mean.squareRoot() * normal()).rounded())) }
        let limit = Foundation.exp(-mean)
        var k = 0, p = unit()
        while p > limit { k += 1; p *= unit() }
        return k
    }

    @inlinable public mutating func pick<T>(_ items: [T]) -> T { items[below(items.count)] }
}
