import Testing
@testable import MallVIPCore

@Suite("Pricing: member discounts")
struct PricingTests {
    let programme = Programme.defaultProgramme()
    /// 2026-01-07: no multiplier applies.
    let plainDay = EarningContext(businessDate: LocalDate(year: 2026, month: 1, day: 7))

    @Test("gold 8.8折 on an item the counter sells at 8折: 1,000 → 704")
    func goldStacked() {
        let line = programme.price(PriceLine(counter: "A01", amountFen: 100_000, counterPromotionPermille: 800), tier: "gold")
        #expect(line.payableFen == 70_400)
        #expect(line.amountFen == 100_000)
        #expect(line.memberDiscountPermille == 880)
        #expect(line.counter == "A01")
    }

    @Test("diamond 8折 on the same item: 640")
    func diamondStacked() {
        let line = programme.price(PriceLine(counter: "A01", amountFen: 100_000, counterPromotionPermille: 800), tier: "diamond")
        #expect(line.payableFen == 64_000)
        #expect(line.memberDiscountPermille == 800)
    }

    @Test("tier discounts on a regular-priced line without a counter promotion", arguments: [
        ("regular", Int64(100_000), 1000), ("silver", 100_000, 1000), ("gold", 88_000, 880), ("diamond", 80_000, 800),
        ("purple", 80_000, 800),
    ])
    func byTier(tier: String, payable: Int64, permille: Int) {
        let line = programme.price(PriceLine(counter: "A01", amountFen: 100_000), tier: tier)
        #expect(line.payableFen == payable)
        #expect(line.memberDiscountPermille == permille)
        #expect(line.amountFen == 100_000)
    }

    @Test("non-members and unknown tiers pay the counter's price")
    func noTier() {
        let nonMember = programme.price(PriceLine(counter: "A01", amountFen: 100_000, counterPromotionPermille: 800), tier: nil)
        #expect(nonMember.payableFen == 80_000)
        #expect(nonMember.memberDiscountPermille == 1000)
        let unknown = programme.price(PriceLine(counter: "A01", amountFen: 100_000), tier: "platinum")
        #expect(unknown.payableFen == 100_000)
        #expect(unknown.memberDiscountPermille == 1000)
    }

    @Test("special-price lines get no member discount")
    func specialPrice() {
        let line = programme.price(PriceLine(counter: "A01", amountFen: 100_000, specialPrice: true), tier: "diamond")
        #expect(line.payableFen == 100_000)
        #expect(line.memberDiscountPermille == 1000)
        let promoted = programme.price(PriceLine(counter: "A01", amountFen: 100_000, specialPrice: true, counterPromotionPermille: 800),
                                       tier: "gold")
        #expect(promoted.payableFen == 80_000)
        #expect(promoted.memberDiscountPermille == 1000)
    }

    @Test("non-participating counters get no member discount")
    func nonParticipating() {
        let line = programme.price(PriceLine(counter: "B02", amountFen: 100_000, counterParticipates: false), tier: "gold")
        #expect(line.payableFen == 100_000)
        #expect(line.memberDiscountPermille == 1000)
        let promoted = programme.price(PriceLine(counter: "B02", amountFen: 100_000, counterParticipates: false,
                                                 counterPromotionPermille: 900), tier: "diamond")
        #expect(promoted.payableFen == 90_000)
        #expect(promoted.memberDiscountPermille == 1000)
    }

    @Test("discounts round half up to the fen")
    func rounding() {
        // 9.99 yuan at 8.8折 = 8.7912 → 8.79; 0.05 at 8.8折 = 0.044 → 0.04; 0.25 at 8.8折 = 0.22.
        #expect(programme.price(PriceLine(counter: "A", amountFen: 999), tier: "gold").payableFen == 879)
        #expect(programme.price(PriceLine(counter: "A", amountFen: 5), tier: "gold").payableFen == 4)
        #expect(programme.price(PriceLine(counter: "A", amountFen: 25), tier: "gold").payableFen == 22)
        // Counter 9.5折 on 33.33 = 31.6635 → 31.66, then gold 8.8折 = 27.8608 → 27.86.
        #expect(programme.price(PriceLine(counter: "A", amountFen: 3_333, counterPromotionPermille: 950), tier: "gold").payableFen == 2_786)
    }

    @Test("without stacking the member pays the lower of the counter price and the member price")
    func noStacking() {
        var p = programme
        p.discounts.stackOnCounterPromotion = false
        // Counter 8折 beats gold 8.8折: 800, and the member discount is not what applied.
        let counterWins = p.price(PriceLine(counter: "A01", amountFen: 100_000, counterPromotionPermille: 800), tier: "gold")
        #expect(counterWins.payableFen == 80_000)
        #expect(counterWins.memberDiscountPermille == 1000)
        // Counter 9.5折 loses to gold 8.8折 on the list price: 880.
        let memberWins = p.price(PriceLine(counter: "A01", amountFen: 100_000, counterPromotionPermille: 950), tier: "gold")
        #expect(memberWins.payableFen == 88_000)
        #expect(memberWins.memberDiscountPermille == 880)
        // Equal: diamond 8折 vs counter 8折 → 800, no member discount counted.
        let tie = p.price(PriceLine(counter: "A01", amountFen: 100_000, counterPromotionPermille: 800), tier: "diamond")
        #expect(tie.payableFen == 80_000)
        #expect(tie.memberDiscountPermille == 1000)
        // No counter promotion: the tier discount applies as usual.
        let plain = p.price(PriceLine(counter: "A01", amountFen: 100_000), tier: "gold")
        #expect(plain.payableFen == 88_000)
        #expect(plain.memberDiscountPermille == 880)
    }
}

@Suite("Pricing: quotes")
struct QuoteTests {
    let programme = Programme.defaultProgramme()
    let plainDay = EarningContext(businessDate: LocalDate(year: 2026, month: 1, day: 7))

    @Test("a gold member's cart: discounts per line, one receipt's points on what is paid")
    func goldCart() {
        let lines = [
            PriceLine(counter: "A01", amountFen: 100_000, counterPromotionPermille: 800),   // 704.00
            PriceLine(counter: "A02", amountFen: 50_000),                                   // 440.00
            PriceLine(counter: "S01", amountFen: 30_000, specialPrice: true),               // 300.00, earns
            PriceLine(counter: "N01", amountFen: 20_000, counterParticipates: false),       // 200.00, earns
        ]
        let quote = programme.quote(lines, tier: "gold", context: plainDay)
        #expect(quote.lines.map(\.payableFen) == [70_400, 44_000, 30_000, 20_000])
        #expect(quote.lines.map(\.memberDiscountPermille) == [880, 880, 1000, 1000])
        #expect(quote.lines.map(\.counter) == ["A01", "A02", "S01", "N01"])
        #expect(quote.payableFen == 164_400)
        #expect(quote.earning.eligibleFen == 164_400)
        #expect(quote.earning.basePoints == 164)
        #expect(quote.earning.points == 164)
    }

    @Test("special-price lines still earn points")
    func specialEarns() {
        let quote = programme.quote([PriceLine(counter: "S01", amountFen: 55_900, specialPrice: true)], tier: "diamond", context: plainDay)
        #expect(quote.payableFen == 55_900)
        #expect(quote.earning.points == 55)
    }

    @Test("counters that do not earn points are paid but not counted")
    func nonEarningCounter() {
        let lines = [
            PriceLine(counter: "A01", amountFen: 100_000),
            PriceLine(counter: "X01", amountFen: 100_000, counterEarnsPoints: false),
        ]
        let quote = programme.quote(lines, tier: "regular", context: plainDay)
        #expect(quote.payableFen == 200_000)
        #expect(quote.earning.eligibleFen == 100_000)
        #expect(quote.earning.points == 100)
        #expect(quote.earning.bonusPoints == 0)          // 2,000 paid, but only 1,000 earns
    }

    @Test("the big-ticket bonus and multipliers apply to the whole receipt")
    func bonusOnReceipt() {
        let lines = [PriceLine(counter: "A01", amountFen: 120_000), PriceLine(counter: "A02", amountFen: 80_000)]
        let plain = programme.quote(lines, tier: "silver", context: plainDay)
        #expect(plain.earning.points == 210)
        let wednesday = programme.quote(lines, tier: "silver", context: EarningContext(businessDate: LocalDate(year: 2026, month: 2, day: 4)))
        #expect(wednesday.earning.points == 410)
        #expect(wednesday.earning.factorPermille == 2000)
    }

    @Test("non-members pay counter prices and earn nothing")
    func nonMember() {
        let lines = [PriceLine(counter: "A01", amountFen: 300_000, counterPromotionPermille: 800)]
        let quote = programme.quote(lines, tier: nil, context: EarningContext(businessDate: LocalDate(year: 2026, month: 2, day: 4)))
        #expect(quote.payableFen == 240_000)
        #expect(quote.earning.eligibleFen == 240_000)
        #expect(quote.earning.points == 0)
        #expect(quote.earning.basePoints == 0)
        #expect(quote.earning.factorPermille == 1000)
    }

    @Test("an empty cart")
    func empty() {
        let quote = programme.quote([], tier: "gold", context: plainDay)
        #expect(quote.lines.isEmpty)
        #expect(quote.payableFen == 0)
        #expect(quote.earning.points == 0)
    }
}
