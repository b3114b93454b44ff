/// One line of a cart as the POS sees it, joined with what the store knows of its counter.
public struct PriceLine: Sendable, Equatable {
    public var counter: String
    /// Price before the member discount (after the counter's own promotion when `counterPromotionPermille` is nil;
    /// the list price when it is given).
    public var amountFen: Int64
    public var specialPrice: Bool
    public var counterParticipates: Bool
    public var counterEarnsPoints: Bool
    /// The counter's own promotion on this line (800 = 8折), applied before the member discount.
    public var counterPromotionPermille: Int?

    public init(counter: String, amountFen: Int64, specialPrice: Bool = false, counterParticipates: Bool = true,
                counterEarnsPoints: Bool = true, counterPromotionPermille: Int? = nil) {
        self.counter = counter
        self.amountFen = amountFen
        self.specialPrice = specialPrice
        self.counterParticipates = counterParticipates
        self.counterEarnsPoints = counterEarnsPoints
        self.counterPromotionPermille = counterPromotionPermille
    }
}

public struct QuotedLine: Sendable, Equatable {
    public var counter: String
    public var amountFen: Int64
    /// Per mille of the member discount applied to this line (1000 = none).
    public var memberDiscountPermille: Int
    public var payableFen: Int64
}

public struct Quote: Sendable, Equatable {
    public var lines: [QuotedLine]
    public var payableFen: Int64
    public var earning: EarningResult
}

extension Programme {
    /// Member price of each line: the tier discount on participating counters' regular-priced lines, stacked
    /// on the counter's promotion (8折 then 8.8折: 1,000 → 704). Special-price lines and non-participating
    /// counters get no discount.
    /// `day`: the business day, so a tier whose discount applies only during mall events (issue 18,
    /// `discounts.eventOnlyTiers`) gets none outside them; nil = the tier's discount regardless of the day.
    public func price(_ line: PriceLine, tier: String?, on day: LocalDate? = nil) -> QuotedLine {
        var amount = line.amountFen
        if let promo = line.counterPromotionPermille { amount = Money.apply(permille: promo, to: amount) }
        let tierPermille = day.map { tierDiscountPermille(tier: tier, on: $0) } ?? (tier.flatMap { self.tier($0)?.discountPermille } ?? 1000)
        guard line.counterParticipates, !line.specialPrice, tierPermille < 1000 else {
            return QuotedLine(counter: line.counter, amountFen: line.amountFen, memberDiscountPermille: 1000, payableFen: amount)
        }
        let payable: Int64
        if discounts.stackOnCounterPromotion || line.counterPromotionPermille == nil {
            payable = Money.apply(permille: tierPermille, to: amount)
        } else {
            // No stacking: the better of the counter's promotion and the member discount.
            payable = min(amount, Money.apply(permille: tierPermille, to: line.amountFen))
        }
        return QuotedLine(counter: line.counter, amountFen: line.amountFen,
                          memberDiscountPermille: payable < amount ? tierPermille : 1000, payableFen: payable)
    }

    public func quote(_ lines: [PriceLine], tier: String?, context: EarningContext) -> Quote {
        let priced = lines.map { price($0, tier: tier, on: context.businessDate) }
        let eligible = zip(lines, priced).filter { $0.0.counterEarnsPoints }.reduce(Int64(0)) { $0 + $1.1.payableFen }
        let earning = tier == nil
            ? EarningResult(eligibleFen: eligible, basePoints: 0, factorPermille: 1000, multiplierNames: [], bonusPoints: 0, points: 0)
            : self.earning.earn(eligibleFen: eligible, context: context)
        return Quote(lines: priced, payableFen: priced.reduce(0) { $0 + $1.payableFen }, earning: earning)
    }
}
