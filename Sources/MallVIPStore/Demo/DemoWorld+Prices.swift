import Foundation
import MallVIPCore

extension DemoWorld {
    // MARK: prices

    /// A shelf price near `yuan`: 599, 1,280, 368, 49 …
    static func shelfPriceFen(_ yuan: Double, _ rng: inout SplitMix64) -> Int64 {
        let y = max(9, yuan)
        var whole: Int64
        if y < 100 {
            whole = Int64(y.rounded())
        } else if y < 2000 {
            whole = Int64((y / 10).rounded()) * 10
            let r = rng.unit()
            if r < 0.55 { whole -= 1 } else if r < 0.7 { whole -= 2 } else if r < 0.8 { whole += 8 }
        } else {
            whole = Int64((y / 100).rounded()) * 100
            let r = rng.unit()
            if r < 0.35 { whole -= 1 } else if r < 0.6 { whole += 80 }
        }
        return max(900, whole * 100)
    }

    /// What a customer paid for one line at a counter: its own promotion (8.8折, 7折 …) on the shelf price, or
    /// gold sold by weight.
    func paidFen(_ counter: CounterInfo, yuan: Double, special: Bool, _ rng: inout SplitMix64) -> Int64 {
        if counter.category == "珠宝黄金", rng.chance(0.5) {
            let grams = max(1.0, rng.logNormal(median: 5 * yuan / counter.ticketYuan, sigma: 0.5))
            return Int64((grams * 100).rounded()) * 438   // gold at 438 yuan a gram, weighed to 0.01 g
        }
        let shelf = DemoWorld.shelfPriceFen(yuan, &rng)
        guard counter.participates, !special, rng.chance(0.3) else { return shelf }
        let permille = [900, 880, 850, 800, 750, 700][rng.below(6)]
        return max(100, (shelf * Int64(permille) + 500) / 1000)
    }
}
