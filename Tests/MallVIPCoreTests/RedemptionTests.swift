import Foundation
import Testing
@testable import MallVIPCore

/// docs/domain.md §5.1–5.2: the 南亞 ladder, 成都 small redemption in VIP week under 3,000 points, 3,000/4,000/5,000
/// point vouchers, the November annual redemption and the one-per-card return gift.
@Suite("Redemption rules") struct RedemptionTests {
    let programme = Programme.defaultProgramme()
    var ladder: RedemptionLadder { programme.redemption.ladder("nanya")! }
    let nov3 = LocalDate(year: 2026, month: 11, day: 3)

    func assess(_ item: RewardItem, balance: Int64, tier: String = "regular", on day: LocalDate? = nil,
                usage: RedemptionUsage = .init(), listPrice: Int64? = nil, in p: Programme? = nil) -> RedemptionAssessment {
        (p ?? programme).assessRedemption(of: item, member: RedemptionMember(balance: balance, tier: tier), on: day ?? nov3,
                                          usage: usage, listPriceFen: listPrice)
    }

    // MARK: 南亞 ladder

    @Test("ladder cap: 1,000 → 200 yuan, 1,499 → 200, 1,500 → 400, 2,000 → 600, below 1,000 → none")
    func ladderCaps() {
        #expect(ladder.cap(forPoints: 999) == nil)
        #expect(ladder.cap(forPoints: 0) == nil)
        #expect(ladder.cap(forPoints: 1_000) == 20_000)
        #expect(ladder.cap(forPoints: 1_499) == 20_000)
        #expect(ladder.cap(forPoints: 1_500) == 40_000)
        #expect(ladder.cap(forPoints: 1_999) == 40_000)
        #expect(ladder.cap(forPoints: 2_000) == 60_000)
        #expect(ladder.cap(forPoints: 8_000) == 300_000)   // 200 + 14 × 200 yuan
    }

    @Test("points for a list price: the smallest rung that covers it")
    func ladderPointsForPrice() {
        #expect(ladder.pointsFor(listPriceFen: 1) == 1_000)
        #expect(ladder.pointsFor(listPriceFen: 20_000) == 1_000)       // up to 200 yuan inclusive
        #expect(ladder.pointsFor(listPriceFen: 20_001) == 1_500)
        #expect(ladder.pointsFor(listPriceFen: 40_000) == 1_500)
        #expect(ladder.pointsFor(listPriceFen: 40_001) == 2_000)
        #expect(ladder.pointsFor(listPriceFen: 0) == nil)
        #expect(ladder.pointsFor(listPriceFen: -5) == nil)
        // Each rung's cap covers its own price, and the rung below does not.
        for price: Int64 in [1, 19_999, 20_000, 20_001, 55_500, 100_000, 123_456] {
            let p = ladder.pointsFor(listPriceFen: price)!
            #expect(ladder.cap(forPoints: p)! >= price)
            if p > ladder.minPoints { #expect(ladder.cap(forPoints: p - ladder.stepPoints)! < price) }
        }
        let flat = RedemptionLadder(code: "flat", name: .init(zh: "x", en: "x"), minPoints: 100, baseCapFen: 1_000, stepPoints: 100, stepCapFen: 0)
        #expect(flat.pointsFor(listPriceFen: 1_001) == nil)
        #expect(flat.cap(forPoints: 10_000) == 1_000)
    }

    @Test("a ladder gift: deducts its rung; above the cap, special-price and below the minimum are refused")
    func ladderItem() {
        let gift = RewardItem(code: "NANYA", name: .init(zh: "积分任选礼品", en: "Gift of choice"), ladderCode: "nanya")
        let ok = assess(gift, balance: 1_499, listPrice: 19_900)
        #expect(ok.eligible)
        #expect(ok.pointsRequired == 1_000)
        #expect(ok.pointsDeducted == 1_000)
        #expect(ok.capFen == 20_000)

        let over = assess(gift, balance: 1_499, listPrice: 20_100)
        #expect(over.rules == ["redemption.ladderCap"])
        #expect(over.reasons[0].zh.contains("1,499 分可兑换标价不超过 200.00 元"))
        #expect(assess(gift, balance: 1_500, listPrice: 40_000).pointsDeducted == 1_500)
        #expect(assess(gift, balance: 999, listPrice: 5_000).rules == ["redemption.points"])

        var special = gift
        special.specialPrice = true
        #expect(assess(special, balance: 5_000, listPrice: 5_000).rules == ["redemption.specialPrice"])

        // Without a price yet the listing shows the cap the balance allows.
        let listing = assess(gift, balance: 1_600)
        #expect(listing.eligible)
        #expect(listing.capFen == 40_000)
        #expect(listing.pointsRequired == 1_000)
        #expect(assess(gift, balance: 500).rules == ["redemption.points"])
    }

    @Test("milestone mode (南亞 積滿…可任選): reaching the rung is enough, nothing is deducted")
    func milestone() {
        var p = programme
        p.redemption.mode = .milestone
        let gift = RewardItem(code: "NANYA", name: .init(zh: "积分任选礼品", en: "Gift of choice"), ladderCode: "nanya")
        let a = assess(gift, balance: 1_500, listPrice: 30_000, in: p)
        #expect(a.eligible)
        #expect(a.pointsRequired == 1_500)
        #expect(a.pointsDeducted == 0)
    }

    // MARK: 成都 small redemption

    func small(_ points: Int64, _ yuan: Int64) -> RewardItem {
        RewardItem(code: "SMALL\(points)", name: .init(zh: "\(yuan)元礼品", en: "\(yuan)-yuan gift"), points: points, listPriceFen: yuan * 100,
                   maxBalance: 2_999, windowCode: "vipWeek")
    }

    @Test("small redemption 500 → 5 yuan, 1,000 → 10, 2,000 → 20: only in VIP week, only under 3,000 points")
    func smallRedemption() {
        // VIP week of November 2026: Friday 13 – Sunday 15.
        let day3 = LocalDate(year: 2026, month: 11, day: 13)
        for (points, yuan) in [(Int64(500), Int64(5)), (1_000, 10), (2_000, 20)] {
            let item = small(points, yuan)
            let a = assess(item, balance: 2_999, on: day3)
            #expect(a.eligible, "\(points): \(a.rules)")
            #expect(a.pointsDeducted == points)
        }
        // VIP week is the weekend from the second Friday: 13–15 March 2026.
        #expect(assess(small(500, 5), balance: 600, on: LocalDate(year: 2026, month: 3, day: 13)).eligible)
        #expect(assess(small(500, 5), balance: 600, on: LocalDate(year: 2026, month: 3, day: 15)).eligible)
        #expect(!assess(small(500, 5), balance: 600, on: LocalDate(year: 2026, month: 3, day: 12)).eligible)
        let day8 = assess(small(500, 5), balance: 600, on: LocalDate(year: 2026, month: 3, day: 16))
        #expect(day8.rules == ["redemption.window"])
        #expect(day8.reasons[0].zh == "仅在每月VIP回馈周（每月第二个周五起3天）兑换")
        #expect(day8.reasons[0].en == "only during Monthly VIP week (3 days from the second Friday of each month)")
        // 3,000 points is not "under 3,000".
        let rich = assess(small(2_000, 20), balance: 3_000, on: day3)
        #expect(rich.rules == ["redemption.maxBalance"])
        #expect(assess(small(2_000, 20), balance: 1_999, on: day3).rules == ["redemption.points"])
    }

    @Test("every reason is reported, not just the first")
    func everyReason() {
        var item = small(2_000, 20)
        item.allowedTiers = ["gold", "diamond"]
        item.stock = 0
        item.validTo = LocalDate(year: 2026, month: 10, day: 31)
        let a = assess(item, balance: 3_500, tier: "silver", on: LocalDate(year: 2026, month: 11, day: 20))
        #expect(a.rules == ["redemption.validity", "redemption.window", "redemption.tier", "redemption.maxBalance", "redemption.stock"])
        #expect(a.reasons.first { $0.rule == "redemption.tier" }?.zh == "仅限金卡、钻石卡会员兑换")
        let error = a.error()!
        #expect(error.rule == "redemption.validity")
        #expect(error.kind == .notEligible)
        #expect(error.zh.contains("库存不足"))
        #expect(error.en.contains("only for Gold, Diamond members"))
    }

    // MARK: Vouchers, the annual redemption, the return gift

    @Test("3,000 / 4,000 / 5,000 points → 30 / 40 / 50-yuan vouchers")
    func vouchers() {
        let vouchers = [(Int64(3_000), Int64(3_000)), (4_000, 4_000), (5_000, 5_000)].map { points, face in
            RewardItem(code: "V\(points)", name: .init(zh: "\(face / 100)元券", en: "\(face / 100)-yuan voucher"), kind: .cashCoupon,
                       points: points, coupon: RewardCoupon(faceFen: face, validDays: 30))
        }
        let eligible = vouchers.filter { assess($0, balance: 4_200).eligible }.map(\.code)
        #expect(eligible == ["V3000", "V4000"])
        #expect(assess(vouchers[2], balance: 4_200).reasons[0].zh == "积分不足：需要 5,000 分，当前 4,200 分")
        #expect(assess(vouchers[2], balance: 5_000).pointsDeducted == 5_000)
        #expect(vouchers[0].coupon!.lastDay(issuedOn: nov3, defaultValidDays: 90) == LocalDate(year: 2026, month: 12, day: 2))
        #expect(RewardCoupon(faceFen: 1).lastDay(issuedOn: nov3, defaultValidDays: 90) == nov3.adding(days: 89))
    }

    @Test("annual redemption in November into year-labelled vouchers")
    func annual() {
        let item = RewardItem(code: "ANNUAL26", name: .init(zh: "26年度积分通用券", en: "2026 points voucher"), kind: .cashCoupon,
                              points: 1_000, windowCode: "anniversary",
                              coupon: RewardCoupon(faceFen: 1_000, validTo: LocalDate(year: 2026, month: 12, day: 31)))
        #expect(assess(item, balance: 1_000, on: LocalDate(year: 2026, month: 11, day: 1)).eligible)
        #expect(assess(item, balance: 1_000, on: LocalDate(year: 2026, month: 11, day: 30)).eligible)
        let october = assess(item, balance: 1_000, on: LocalDate(year: 2026, month: 10, day: 31))
        #expect(october.rules == ["redemption.window"])
        #expect(october.reasons[0].zh == "仅在十一月店庆（11月）兑换")
        #expect(item.coupon!.lastDay(issuedOn: LocalDate(year: 2026, month: 11, day: 20), defaultValidDays: 90)
                == LocalDate(year: 2026, month: 12, day: 31))
    }

    @Test("回门礼: one per card")
    func returnGift() {
        let gift = RewardItem(code: "RETURN26", name: .init(zh: "回门礼", en: "Return gift"), points: 1, windowCode: "anniversary", onePerCard: true)
        #expect(assess(gift, balance: 10).eligible)
        #expect(assess(gift, balance: 10, usage: .init(byMember: 1, byCard: 1)).rules == ["redemption.onePerCard"])
        // A replacement card is still the same member.
        #expect(assess(gift, balance: 10, usage: .init(byMember: 1, byCard: 0)).rules == ["redemption.onePerCard"])
    }

    @Test("per-member and per-period limits")
    func limits() {
        let item = RewardItem(code: "PARK", name: .init(zh: "停车券", en: "Parking"), kind: .serviceCoupon, points: 100, perMemberLimit: 3,
                              period: .month, perPeriodLimit: 1, coupon: RewardCoupon(faceFen: 1_000))
        #expect(assess(item, balance: 500, usage: .init(byMember: 2, inPeriod: 0)).eligible)
        #expect(assess(item, balance: 500, usage: .init(byMember: 2, inPeriod: 1)).rules == ["redemption.periodLimit"])
        #expect(assess(item, balance: 500, usage: .init(byMember: 2, inPeriod: 1)).reasons[0].zh == "每月限兑 1 次，本月已兑 1 次")
        #expect(assess(item, balance: 500, usage: .init(byMember: 3, inPeriod: 0)).rules == ["redemption.memberLimit"])
        #expect(RewardItem.Period.month.start(containing: nov3) == LocalDate(year: 2026, month: 11, day: 1))
        #expect(RewardItem.Period.year.start(containing: nov3) == LocalDate(year: 2026, month: 1, day: 1))
        #expect(RewardItem.Period.day.start(containing: nov3) == nov3)
        #expect(RewardItem.Period.none.start(containing: nov3) == nil)
    }

    @Test("inactive items and deactivated members are refused")
    func inactive() {
        var item = small(500, 5)
        item.active = false
        let vipWeekDay = LocalDate(year: 2026, month: 11, day: 13)
        #expect(assess(item, balance: 600, on: vipWeekDay).rules == ["redemption.inactive"])
        let a = programme.assessRedemption(of: small(500, 5), member: RedemptionMember(balance: 600, tier: "regular", active: false),
                                           on: vipWeekDay, usage: .init())
        #expect(a.rules == ["member.active"])
    }

    @Test("catalogue items are validated before saving")
    func validation() throws {
        func rule(_ item: RewardItem) -> String? {
            do { try item.validate(programme); return nil } catch let e as DomainError { return e.rule } catch { return "\(error)" }
        }
        let base = RewardItem(code: "G1", name: .init(zh: "礼品", en: "Gift"), points: 100)
        #expect(rule(base) == nil)
        var x = base; x.code = "bad code"; #expect(rule(x) == "item.code")
        x = base; x.points = nil; #expect(rule(x) == "item.price")
        x = base; x.ladderCode = "nanya"; #expect(rule(x) == "item.price")
        x = base; x.points = nil; x.ladderCode = "nope"; #expect(rule(x) == "item.ladder")
        x = base; x.points = -1; #expect(rule(x) == "item.points")
        x = base; x.points = 0; #expect(rule(x) == nil)
        x = base; x.stock = -1; #expect(rule(x) == "item.stock")
        x = base; x.perPeriodLimit = 1; #expect(rule(x) == "item.period")
        x = base; x.allowedTiers = ["platinum"]; #expect(rule(x) == "item.tier")
        x = base; x.windowCode = "summer"; #expect(rule(x) == "item.window")
        x = base; x.supplierCounterId = 1; #expect(rule(x) == "item.listPriceForSupplier")
        x = base; x.validFrom = nov3; x.validTo = nov3.adding(days: -1); #expect(rule(x) == "item.validity")
        x = base; x.kind = .cashCoupon; #expect(rule(x) == "item.coupon")
        x.coupon = RewardCoupon(faceFen: 3_000, discountPermille: 900); #expect(rule(x) == "item.coupon")
        x.coupon = RewardCoupon(faceFen: 3_000); #expect(rule(x) == nil)
        x.coupon = RewardCoupon(discountPermille: 1_000); #expect(rule(x) == "item.couponDiscount")
    }
}
