import MallVIPCore
import SQLKit

/// Issue 17's segment conditions on the member row itself: age band, gender, points balance ("can redeem now") and
/// lottery eligibility. Each mirrors a pure Core check (`AgeBandCondition.matches`, `BalanceCondition.matches`,
/// `LotteryRule.isEligible`), which the tests compare against.
extension SegmentSQL {
    static func profileConditions(_ c: SegmentConditions, programme: Programme, today: LocalDate, cheapestReward: Int64?) -> [SQLQueryString] {
        var conds: [SQLQueryString] = []
        if let a = c.age {
            // Birthdays are stored as ISO text ("1990-05-17"), which sorts like the dates.
            let (latest, earliest) = a.birthdayBounds(on: today)
            conds.append("m.birthday IS NOT NULL")
            if let latest { conds.append("m.birthday <= \(bind: latest.description)") }
            if let earliest { conds.append("m.birthday > \(bind: earliest.description)") }
        }
        if let genders = c.genders {
            conds.append("m.gender IN (\(binds: genders.map(\.rawValue)))")
        }
        if let b = c.balance {
            if b.canRedeemNow == true {
                if let cheapestReward { conds.append("m.points_balance >= \(bind: cheapestReward)") } else { conds.append("1 = 0") }
            } else if let lo = b.minPoints {
                conds.append("m.points_balance >= \(bind: lo)")
            }
        }
        if let lottery = c.lotteryEligible {
            let digit = programme.redemption.lotteryDigit
            let eligible: SQLQueryString = "(m.points_balance > 0 AND m.points_balance % 10 = \(bind: Int64(digit)))"
            conds.append(lottery ? eligible : "NOT \(eligible)")
        }
        return conds
    }
}

extension Store {
    /// The points of the cheapest reward a member could take today: active, in stock, inside its dates and its
    /// redemption window; a ladder-priced gift costs its ladder's points for its list price. Tier limits and
    /// per-member limits are not looked at (they differ per member). Nil when nothing is on offer.
    public func cheapestRewardPoints(programme: Programme, on day: LocalDate) async throws -> Int64? {
        let items = try await rewardItems(activeOnly: true)
        return items.compactMap { item -> Int64? in
            guard item.active, item.stock.map({ $0 > 0 }) ?? true else { return nil }
            if let f = item.validFrom, day < f { return nil }
            if let t = item.validTo, day > t { return nil }
            if let w = item.windowCode, let window = programme.redemption.window(w), !window.contains(day) { return nil }
            if let p = item.points { return p }
            if let code = item.ladderCode, let price = item.listPriceFen, let ladder = programme.redemption.ladder(code) {
                return ladder.pointsFor(listPriceFen: price)
            }
            return nil
        }.min()
    }

    /// The segment's `FROM … WHERE …`, looking up the cheapest reward only when a condition needs it.
    func segmentSQL(_ conditions: SegmentConditions, programme: Programme, on day: LocalDate) async throws -> SQLQueryString {
        var cheapest: Int64?
        if conditions.balance?.canRedeemNow == true { cheapest = try await cheapestRewardPoints(programme: programme, on: day) }
        return SegmentSQL.from(conditions, programme: programme, today: day, cheapestReward: cheapest)
    }
}
