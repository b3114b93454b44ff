/// What the earning rules need to know about one receipt.
public struct EarningContext: Sendable, Equatable {
    public var businessDate: LocalDate
    public var birthday: MonthDay?
    /// 1 for the mall's first member purchase of the business day, 2 for the second …; nil when not counted.
    public var memberPurchaseOrdinalOfDay: Int?

    public init(businessDate: LocalDate, birthday: MonthDay? = nil, memberPurchaseOrdinalOfDay: Int? = nil) {
        self.businessDate = businessDate
        self.birthday = birthday
        self.memberPurchaseOrdinalOfDay = memberPurchaseOrdinalOfDay
    }
}

public struct EarningResult: Sendable, Equatable, Codable {
    public var eligibleFen: Int64
    public var basePoints: Int64
    /// 1000 = no multiplier.
    public var factorPermille: Int
    public var multiplierNames: [String]
    public var bonusPoints: Int64
    public var points: Int64
}

extension EarningPolicy {
    /// Base points for an amount: full units only (559.00 yuan → 55, 9.99 → 0).
    public func basePoints(forEligibleFen fen: Int64) -> Int64 {
        fen <= 0 ? 0 : Saturating.multiply(fen / unitFen, pointsPerUnit)
    }

    /// Points for an amount under a factor already decided. Refunds use this with the factor stored on the
    /// purchase, so a refund reverses exactly what the refunded amount earned.
    public func points(forEligibleFen fen: Int64, factorPermille: Int) -> (base: Int64, bonus: Int64, total: Int64) {
        let base = basePoints(forEligibleFen: fen)
        let bonus: Int64 = bigTicket.map { base >= $0.minBasePoints ? $0.bonusPoints : 0 } ?? 0
        return (base, bonus, Saturating.add(Saturating.multiply(base, Int64(factorPermille)) / 1000, bonus))
    }

    public func applicableMultipliers(_ context: EarningContext) -> [MultiplierRule] {
        multipliers.filter { $0.applies(context) }
    }

    /// The combined factor of the rules that apply, per the programme's combine mode.
    public func factor(_ context: EarningContext) -> (permille: Int, names: [String]) {
        let rules = applicableMultipliers(context)
        guard !rules.isEmpty else { return (1000, []) }
        switch combine {
        case .highest:
            let best = rules.max { $0.factorPermille < $1.factorPermille }!
            return (best.factorPermille, [best.name])
        case .multiply:
            let f = Int(rules.reduce(Int64(1000)) { Saturating.multiply($0, Int64($1.factorPermille)) / 1000 })
            return (f, rules.map(\.name))
        case .sum:
            let f = Int(Saturating.add(1000, Saturating.sum(rules.map { Int64($0.factorPermille) - 1000 })))
            return (max(f, 0), rules.map(\.name))
        }
    }

    public func earn(eligibleFen: Int64, context: EarningContext) -> EarningResult {
        let (factor, names) = factor(context)
        let p = points(forEligibleFen: eligibleFen, factorPermille: factor)
        return EarningResult(eligibleFen: eligibleFen, basePoints: p.base, factorPermille: factor,
                             multiplierNames: names, bonusPoints: p.bonus, points: p.total)
    }

    /// Whether any rule depends on the day's member-purchase count (the store skips the count otherwise).
    public var needsDayOrdinal: Bool { multipliers.contains { $0.needsDayOrdinal } }
}

extension MultiplierRule {
    public func applies(_ context: EarningContext) -> Bool {
        let date = context.businessDate
        if vipWeekOnly == true, !(vipWeekPolicy ?? VIPWeekPolicy()).contains(date) { return false }
        if let weekdays, !weekdays.contains(date.weekday) { return false }
        if let months, !months.contains(date.month) { return false }
        if let from, date < from { return false }
        if let to, date > to { return false }
        if birthday == true {
            guard let b = context.birthday, b.matches(date) else { return false }
        }
        if let n = firstMemberPurchasesOfDay {
            guard let ordinal = context.memberPurchaseOrdinalOfDay, ordinal <= n else { return false }
        }
        return true
    }
}
