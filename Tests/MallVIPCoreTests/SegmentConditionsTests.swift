import Foundation
import Testing
@testable import MallVIPCore

@Suite("Segment conditions")
struct SegmentConditionsTests {
    let tiers = ["regular", "silver", "gold", "diamond", "purple"]

    @Test("JSON round trip; account managers as numbers or \"none\"; dates as YYYY-MM-DD")
    func codable() throws {
        let c = SegmentConditions(tiers: ["gold"], enrolledFrom: LocalDate("2025-01-01"), spend: SpendCondition(months: 12, minFen: 100_000),
                                  lastPurchaseAtLeastDays: 90, purchaseDays: PurchaseDaysCondition(withinDays: 30, atLeast: 2),
                                  bought: BoughtCondition(months: 6, departmentIds: [2], categories: ["珠宝"]), birthMonths: [11],
                                  rfm: RFMCondition(classes: [.importantValue]), accountManagers: [.staff(7), .none],
                                  consent: [.sms], tags: ["高尔夫"])
        let data = try JSONEncoder().encode(c)
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains("\"enrolledFrom\":\"2025-01-01\""))
        #expect(text.contains("\"accountManagers\":[7,\"none\"]"))
        #expect(try JSONDecoder().decode(SegmentConditions.self, from: data) == c)
        let loose = try JSONDecoder().decode(SegmentConditions.self, from: Data(#"{"accountManagers":["none","12"]}"#.utf8))
        #expect(loose.accountManagers == [.none, .staff(12)])
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(SegmentConditions.self, from: Data(#"{"accountManagers":["nobody"]}"#.utf8))
        }
        #expect(try JSONDecoder().decode(SegmentConditions.self, from: Data("{}".utf8)).isEmpty)
    }

    @Test("normalized: empty lists and blank tags dropped, lists sorted and unique, spend without bounds dropped")
    func normalized() {
        let c = SegmentConditions(tiers: [], spend: SpendCondition(months: 6), birthMonths: [11, 3, 11], rfm: RFMCondition(classes: []),
                                  accountManagers: [.staff(3), .none, .staff(3)], consent: [.sms, .email, .sms], tags: [" 亲子 ", "", "亲子"])
            .normalized()
        #expect(c.tiers == nil && c.spend == nil && c.rfm == nil)
        #expect(c.birthMonths == [3, 11])
        #expect(c.tags == ["亲子"])
        #expect(c.consent == [.email, .sms])
        #expect(c.accountManagers?.count == 2)
        #expect(SegmentConditions(tags: [" "]).isEmpty)
    }

    @Test("bad input names the field", arguments: [
        (SegmentConditions(tiers: ["platinum"]), "tiers"),
        (SegmentConditions(enrolledFrom: LocalDate("2026-02-01"), enrolledTo: LocalDate("2026-01-01")), "enrolledTo"),
        (SegmentConditions(spend: SpendCondition(months: 0, minFen: 1)), "spend.months"),
        (SegmentConditions(spend: SpendCondition(months: 6, minFen: -1)), "spend.minFen"),
        (SegmentConditions(spend: SpendCondition(months: 6, minFen: 500, maxFen: 100)), "spend.maxFen"),
        (SegmentConditions(lastPurchaseAtLeastDays: -1), "lastPurchaseAtLeastDays"),
        (SegmentConditions(lastPurchaseAtMostDays: 100_000), "lastPurchaseAtMostDays"),
        (SegmentConditions(lastPurchaseAtLeastDays: 90, lastPurchaseAtMostDays: 30), "lastPurchaseAtMostDays"),
        (SegmentConditions(purchaseDays: PurchaseDaysCondition(withinDays: 0, atLeast: 1)), "purchaseDays.withinDays"),
        (SegmentConditions(purchaseDays: PurchaseDaysCondition(withinDays: 30, atLeast: 31)), "purchaseDays.atLeast"),
        (SegmentConditions(bought: BoughtCondition(months: 6)), "bought.departmentIds"),
        (SegmentConditions(bought: BoughtCondition(months: -3, categories: ["珠宝"])), "bought.months"),
        (SegmentConditions(birthMonths: [13]), "birthMonths"),
        (SegmentConditions(rfm: RFMCondition(classes: [.generalKeep], definition: RFMDefinition(recencyDays: [90, 60, 30, 10]))), "rfm.definition.recencyDays"),
        (SegmentConditions(rfm: RFMCondition(classes: [.generalKeep], definition: RFMDefinition(highFrom: 6))), "rfm.definition.highFrom"),
        (SegmentConditions(tags: [String(repeating: "长", count: 21)]), "tags"),
    ])
    func invalid(conditions: SegmentConditions, field: String) {
        #expect {
            try conditions.normalized().validate(tierCodes: tiers)
        } throws: { error in
            guard let e = error as? DomainError else { return false }
            return e.kind == .invalid && e.field == field
        }
    }

    @Test("good input passes, including none at all")
    func valid() throws {
        try SegmentConditions().validate(tierCodes: tiers)
        try SegmentConditions(tiers: ["gold", "purple"], lastPurchaseAtLeastDays: 0, lastPurchaseAtMostDays: 0,
                              purchaseDays: PurchaseDaysCondition(withinDays: 1, atLeast: 1), birthMonths: [1, 12],
                              rfm: RFMCondition(classes: RFMClass.allCases)).validate(tierCodes: tiers)
    }
}

@Suite("RFM classes")
struct RFMTests {
    let d = RFMDefinition()

    @Test("scores 1…5 from the default cut-offs; never purchased scores R 1")
    func scores() {
        #expect(d.score(daysSinceLast: 0, purchases: 0, spendFen: 0) == RFMScore(r: 5, f: 1, m: 1))
        #expect(d.score(daysSinceLast: 30, purchases: 2, spendFen: 100_000) == RFMScore(r: 5, f: 2, m: 2))
        #expect(d.score(daysSinceLast: 31, purchases: 4, spendFen: 999_999) == RFMScore(r: 4, f: 3, m: 2))
        #expect(d.score(daysSinceLast: 90, purchases: 12, spendFen: 1_000_000) == RFMScore(r: 3, f: 4, m: 3))
        #expect(d.score(daysSinceLast: 91, purchases: 23, spendFen: 5_000_000) == RFMScore(r: 2, f: 4, m: 4))
        #expect(d.score(daysSinceLast: 181, purchases: 24, spendFen: 10_000_000) == RFMScore(r: 1, f: 5, m: 5))
        #expect(d.score(daysSinceLast: nil, purchases: 0, spendFen: -5) == RFMScore(r: 1, f: 1, m: 1))
    }

    @Test("the eight classes from high/low R, F, M (high from score 3)")
    func classes() {
        #expect(d.classify(RFMScore(r: 5, f: 3, m: 3)) == .importantValue)
        #expect(d.classify(RFMScore(r: 3, f: 2, m: 5)) == .importantDevelop)
        #expect(d.classify(RFMScore(r: 2, f: 4, m: 3)) == .importantKeep)
        #expect(d.classify(RFMScore(r: 1, f: 1, m: 3)) == .importantRetain)
        #expect(d.classify(RFMScore(r: 4, f: 4, m: 2)) == .generalValue)
        #expect(d.classify(RFMScore(r: 4, f: 1, m: 1)) == .generalDevelop)
        #expect(d.classify(RFMScore(r: 1, f: 3, m: 1)) == .generalKeep)
        #expect(d.classify(RFMScore(r: 1, f: 1, m: 1)) == .generalRetain)
        #expect(Set(RFMClass.allCases.map(\.label.zh)).count == 8)
        #expect(RFMClass.importantValue.label.zh == "重要价值客户")
        // Every combination of bits names exactly one class.
        for r in [false, true] { for f in [false, true] { for m in [false, true] {
            let k = RFMClass.of(rHigh: r, fHigh: f, mHigh: m)
            #expect(k.rHigh == r && k.fHigh == f && k.mHigh == m)
        } } }
    }

    @Test("a stricter high mark moves members down")
    func highFrom() {
        let strict = RFMDefinition(highFrom: 4)
        let s = RFMScore(r: 3, f: 3, m: 3)
        #expect(d.classify(s) == .importantValue)
        #expect(strict.classify(s) == .generalRetain)
    }
}
