import Foundation
import MallVIPCore

/// What `mallvip demo` generates: a mall and a year of VIP and non-member trade, calibrated at scale 1.0 to the
/// Chengdu store's 2013 figures (docs/domain.md §12.2): 12,118 VIP members, 9,915 cards with purchases in the year,
/// 3,414 yuan spent per active card, VIP share of sales 26.2%, about 10,000 new cards (27 a day).
///
/// Pure parameters: every count scales with `scale`, every random choice comes from `seed`, so the same plan on
/// the same clock writes the same data.
public struct DemoPlan: Sendable, Equatable {
    public var seed: UInt64
    public var scale: Double

    /// Length of the trading year, ending yesterday (business dates).
    public var days = 365
    /// VIP members at the end of the year (Chengdu 2013: 12,118).
    public var members = 12_118
    /// Cards with at least one purchase in the year (9,915).
    public var activeCards = 9_915
    /// New cards a day during the year (27; about 10,000 in the year). The remaining members joined before.
    public var newCardsPerDay = 27.0
    /// Average spend per active card in the year (3,414 yuan).
    public var spendPerActiveCardFen: Int64 = 341_400
    /// VIP sales ÷ whole-store sales (26.2% in 2013 to November).
    public var vipShare = 0.262

    /// New cards issued without a qualifying receipt: community stands and counter conversions (主顾客转化,
    /// about 100 a month), pre-issued cards activated at the desk under a manager's override.
    public var conversionShare = 0.12
    /// How many of those conversion cards went on to buy something.
    public var conversionActiveRate = 0.35
    /// Members from before the year who came with the card swap (the rest enrolled on receipts in between).
    public var swapShareOfEarlierMembers = 0.85
    /// New cards enrolled on several small receipts (the 3-month rule) rather than one receipt.
    public var rollingEnrolmentShare = 0.12
    /// Members' annual spend is log-normal: this mean for a member who could shop all year (the amounts are then
    /// scaled to meet `spendPerActiveCardFen`, since most cards are new and shop part of the year) and this spread
    /// (the tail makes the diamond cards, fewer than 100 at scale 1 as in Chengdu).
    public var memberAnnualSpendYuan = 4_850.0
    public var spendSigma = 0.75
    /// Non-member receipts where the customer gave a phone number (报电话号码即可积分) but never enrolled.
    public var prospectPhoneRate = 0.03
    /// Member purchases identified by phone number instead of the card.
    public var memberByPhoneRate = 0.2
    /// Members who lost a card during the year and were given a replacement.
    public var cardReplacementRate = 0.004
    /// Honorary tiers a manager set by hand (荣誉钻石卡), at scale 1.
    public var honoraryTiers = 6
    /// Pre-issued cards still in stock, not yet handed out, at scale 1.
    public var inactiveCardStock = 150
    /// High-end VIP maintainers (Chengdu: 14 for fewer than 100 high-end VIPs) and service-desk clerks.
    public var accountManagers = 14
    public var deskClerks = 4

    /// The largest scale `mallvip demo` accepts: 150 is about 1.8 million members and 24.6 million purchases, past the
    /// report benchmark's mall (issue 7: 1,000,000 members and 20,000,000 purchases, scale 82.5 and 122). The whole year
    /// is built in memory before it is written (about 1.5 GB at scale 20, growing with the scale), hence a bound.
    public static let maxScale = 150.0

    public init(seed: UInt64 = 2013, scale: Double = 1.0) {
        self.seed = seed
        self.scale = scale
    }

    /// Median of the members' annual spend.
    var medianAnnualSpendYuan: Double { memberAnnualSpendYuan / Foundation.exp(spendSigma * spendSigma / 2) }

    func scaled(_ n: Int) -> Int { Int((Double(n) * scale).rounded()) }
    func scaled(_ x: Double) -> Int { Int((x * scale).rounded()) }

    /// Members at the end of the year.
    var totalMembers: Int { max(2, scaled(members)) }
    /// Members who enrolled during the year.
    var newMembers: Int { min(totalMembers - 1, max(1, scaled(newCardsPerDay * Double(days)))) }
    var earlierMembers: Int { totalMembers - newMembers }
    var conversionMembers: Int { Int((Double(newMembers) * conversionShare).rounded()) }
    var receiptMembers: Int { newMembers - conversionMembers }
    var activeConversionMembers: Int { Int((Double(conversionMembers) * conversionActiveRate).rounded()) }
    /// Earlier members who bought in the year: what the active-card target leaves after the new cards.
    var activeEarlierMembers: Int {
        min(earlierMembers, max(0, scaled(activeCards) - receiptMembers - activeConversionMembers))
    }
}

/// Weighted choice in O(log n): cumulative weights and a binary search.
struct WeightedTable: Sendable {
    private let cumulative: [Double]
    let total: Double

    init(_ weights: [Double]) {
        var sum = 0.0
        cumulative = weights.map { sum += max(0, $0); return sum }
        total = sum
    }

    var isEmpty: Bool { total <= 0 }

    func pick(_ rng: inout SplitMix64) -> Int {
        let x = rng.unit() * total
        var lo = 0, hi = cumulative.count - 1
        while lo < hi {
            let mid = (lo + hi) / 2
            if cumulative[mid] > x { hi = mid } else { lo = mid + 1 }
        }
        return lo
    }

    /// A pick restricted to the index range (for "a day between enrolment and year end").
    func pick(_ rng: inout SplitMix64, in range: ClosedRange<Int>) -> Int {
        let base = range.lowerBound > 0 ? cumulative[range.lowerBound - 1] : 0
        let span = cumulative[range.upperBound] - base
        guard span > 0 else { return range.lowerBound + rng.below(range.count) }
        let x = base + rng.unit() * span
        var lo = range.lowerBound, hi = range.upperBound
        while lo < hi {
            let mid = (lo + hi) / 2
            if cumulative[mid] > x { hi = mid } else { lo = mid + 1 }
        }
        return lo
    }
}
