import Foundation
import Testing
@testable import MallVIPCore

/// Issues reported when parsing `yaml`; records a test issue when it parses.
func parseIssues(_ yaml: String, sourceLocation: SourceLocation = #_sourceLocation) -> [ProgrammeIssue] {
    do {
        _ = try Programme.parse(yaml: yaml)
        Issue.record("expected ProgrammeInvalid, but the document parsed", sourceLocation: sourceLocation)
        return []
    } catch let error as ProgrammeInvalid {
        return error.issues
    } catch {
        Issue.record("expected ProgrammeInvalid, got \(error)", sourceLocation: sourceLocation)
        return []
    }
}

/// The default YAML with one piece of text replaced (the text must occur exactly once).
func defaultYAML(replacing old: String, with new: String, sourceLocation: SourceLocation = #_sourceLocation) -> String {
    let yaml = Programme.defaultYAML()
    let count = yaml.components(separatedBy: old).count - 1
    #expect(count == 1, "'\(old)' occurs \(count) times in the default programme", sourceLocation: sourceLocation)
    return yaml.replacingOccurrences(of: old, with: new)
}

let minimalYAML = """
name: 小商场
tiers:
  - code: basic
    name: {zh: 会员, en: Member}
  - code: vip
    name: {zh: 贵宾, en: VIP}
    discount: "9.5"
    upgrade:
      thresholds:
        - {months: 12, minSpend: "10000"}
enrolment:
  rules:
    - {name: 满100, kind: singleReceipt, minSpend: 100}
earning:
  unit: 1
"""

@Suite("Programme: the default document")
struct DefaultProgrammeTests {
    let programme = Programme.defaultProgramme()

    @Test("the shipped YAML parses without issues")
    func parses() throws {
        let parsed = try Programme.parse(yaml: Programme.defaultYAML())
        #expect(parsed == programme)
        #expect(parsed.validate().isEmpty)
        #expect(parsed.timezone == "Asia/Shanghai")
        #expect(parsed.timeZone.identifier == "Asia/Shanghai")
        #expect(!parsed.name.isEmpty)
    }

    @Test("尚峰 tiers in ascending order, with 南亞 discounts")
    func tiers() throws {
        #expect(programme.tiers.map(\.code) == ["regular", "silver", "gold", "diamond", "purple"])
        #expect(programme.tiers.map(\.name.zh) == ["普卡", "银卡", "金卡", "钻石卡", "紫金钻石卡"])
        #expect(programme.tiers.map(\.name.en) == ["Regular", "Silver", "Gold", "Diamond", "Purple Diamond"])
        #expect(programme.tiers.map(\.discountPermille) == [1000, 1000, 880, 800, 800])
        #expect(programme.tiers.map(\.isVIP) == [false, false, true, true, true])
        #expect(programme.entryTier.code == "regular")
        #expect(programme.entryTier.upgrade == nil)

        let silver = try #require(programme.tier("silver")?.upgrade)
        #expect(silver.match == .any)
        #expect(silver.requiresApproval == false)
        #expect(silver.thresholds == [SpendThreshold(months: 6, minSpendFen: 300_000),
                                      SpendThreshold(months: 12, minSpendFen: 500_000)])
        let gold = try #require(programme.tier("gold")?.upgrade)
        #expect(gold.match == .any)
        #expect(gold.thresholds == [SpendThreshold(months: 6, minSpendFen: 500_000),
                                    SpendThreshold(months: 12, minSpendFen: 800_000)])
        let diamond = try #require(programme.tier("diamond")?.upgrade)
        #expect(diamond.thresholds == [SpendThreshold(months: 12, minSpendFen: 2_000_000)])
        #expect(diamond.requiresApproval == false)
        let purple = try #require(programme.tier("purple")?.upgrade)
        #expect(purple.thresholds == [SpendThreshold(months: 12, minSpendFen: 4_000_000)])
        #expect(purple.requiresApproval)
    }

    @Test("tier lookup and rank")
    func lookup() {
        #expect(programme.tier("gold")?.name.zh == "金卡")
        #expect(programme.tier("nope") == nil)
        #expect(programme.rank(of: "regular") == 0)
        #expect(programme.rank(of: "purple") == 4)
        #expect(programme.rank(of: "nope") == nil)
        #expect(programme.tier("gold")?.name.text(.zh) == "金卡")
        #expect(programme.tier("gold")?.name.text(.en) == "Gold")
    }

    @Test("enrolment: single receipt 500 or 1,500 within 3 months")
    func enrolment() {
        let e = programme.enrolment
        #expect(e.rules == [
            EnrolmentRule(name: "单张小票满500元", kind: .singleReceipt, minSpendFen: 50_000),
            EnrolmentRule(name: "3个月累计满1500元", kind: .rollingMonths, minSpendFen: 150_000, months: 3),
        ])
        #expect(e.entryTiers.isEmpty)
        #expect(e.receiptValidityDays == 90)
        #expect(e.refundDeactivates)
    }

    @Test("earning: 1 point per 10 yuan, +10 at 200 points, three double-points rules")
    func earning() {
        let e = programme.earning
        #expect(e.unitFen == 1_000)
        #expect(e.pointsPerUnit == 1)
        #expect(e.bigTicket == BigTicketBonus(minBasePoints: 200, bonusPoints: 10))
        #expect(e.combine == .highest)
        #expect(e.multipliers == [
            MultiplierRule(name: "淡季周三双倍积分", factorPermille: 2000, weekdays: [3], months: [2, 3, 4]),
            MultiplierRule(name: "生日当天双倍积分", factorPermille: 2000, birthday: true),
            MultiplierRule(name: "淡季每日前100名会员双倍积分", factorPermille: 2000, months: [2, 3, 4], firstMemberPurchasesOfDay: 100),
        ])
        #expect(e.needsDayOrdinal)
    }

    @Test("discounts stack, review yearly without downgrade, purchase limits")
    func policies() {
        #expect(programme.discounts.stackOnCounterPromotion)
        #expect(programme.review == ReviewPolicy(mode: .anniversary, downgrade: false))
        #expect(programme.purchases.maxBackdateDays == 400)
        #expect(programme.purchases.maxFutureSeconds == 300)
    }
}

@Suite("Programme: parsing and defaults")
struct ProgrammeParsingTests {
    @Test("optional sections and fields take their defaults")
    func defaults() throws {
        let p = try Programme.parse(yaml: minimalYAML)
        #expect(p.name == "小商场")
        #expect(p.timezone == "Asia/Shanghai")
        #expect(p.discounts == DiscountPolicy(stackOnCounterPromotion: true))
        #expect(p.review == ReviewPolicy(mode: .anniversary, downgrade: false))
        #expect(p.purchases == PurchasePolicy(maxBackdateDays: 400, maxFutureSeconds: 300))
        #expect(p.tiers[0].discountPermille == 1000)
        #expect(p.tiers[0].isVIP)
        #expect(p.tiers[0].upgrade == nil)
        #expect(p.tiers[1].discountPermille == 950)
        #expect(p.tiers[1].upgrade == UpgradeRule(match: .any, thresholds: [SpendThreshold(months: 12, minSpendFen: 1_000_000)],
                                                  requiresApproval: false))
        #expect(p.enrolment.entryTiers.isEmpty)
        #expect(p.enrolment.receiptValidityDays == 90)
        #expect(p.enrolment.refundDeactivates)
        #expect(p.enrolment.rules[0].months == nil)
        #expect(p.earning.unitFen == 100)
        #expect(p.earning.pointsPerUnit == 1)
        #expect(p.earning.bigTicket == nil)
        #expect(p.earning.combine == .highest)
        #expect(p.earning.multipliers.isEmpty)
        #expect(!p.earning.needsDayOrdinal)
    }

    @Test("amounts, discounts and factors are read exactly, quoted or not")
    func exactValues() throws {
        let yaml = minimalYAML
            .replacingOccurrences(of: #"minSpend: "10000""#, with: "minSpend: 2999.99")
            .replacingOccurrences(of: #"discount: "9.5""#, with: "discount: 9.55")
            + """

              multipliers:
                - {name: a, factor: 1.5, from: 2026-02-01, to: "2026-02-28"}
                - {name: b, factor: "3", weekdays: [6, 7]}
            """
        let p = try Programme.parse(yaml: yaml)
        #expect(p.tiers[1].upgrade?.thresholds[0].minSpendFen == 299_999)
        #expect(p.tiers[1].discountPermille == 955)
        #expect(p.earning.multipliers.map(\.factorPermille) == [1500, 3000])
        #expect(p.earning.multipliers[0].from == LocalDate(year: 2026, month: 2, day: 1))
        #expect(p.earning.multipliers[0].to == LocalDate(year: 2026, month: 2, day: 28))
        #expect(p.earning.multipliers[1].weekdays == [6, 7])
    }

    @Test("a full programme round-trips through yaml() and parse")
    func roundTripDefault() throws {
        let p = Programme.defaultProgramme()
        let text = try p.yaml()
        let again = try Programme.parse(yaml: text)
        #expect(again == p)
        #expect(try again.yaml() == text)
    }

    @Test("every optional field round-trips")
    func roundTripEverything() throws {
        let p = Programme(
            name: "南亞 · 全部选项",
            timezone: "Asia/Hong_Kong",
            tiers: [
                TierDefinition(code: "member", name: LocalizedName(zh: "会员", en: "Member"), isVIP: false),
                TierDefinition(code: "gold", name: LocalizedName(zh: "尊贵VIP黄金卡", en: "Gold"), discountPermille: 880,
                               upgrade: UpgradeRule(match: .all, thresholds: [SpendThreshold(months: 6, minSpendFen: 123_456),
                                                                             SpendThreshold(months: 36, minSpendFen: 1)])),
                TierDefinition(code: "diamond_2", name: LocalizedName(zh: "VIP钻石卡", en: "Diamond"), discountPermille: 955,
                               upgrade: UpgradeRule(thresholds: [SpendThreshold(months: 12, minSpendFen: 8_000_000)],
                                                    requiresApproval: true)),
            ],
            enrolment: EnrolmentPolicy(
                rules: [EnrolmentRule(name: "当日满300", kind: .sameDay, minSpendFen: 30_000),
                        EnrolmentRule(name: "当月满2000", kind: .calendarMonth, minSpendFen: 200_000),
                        EnrolmentRule(name: "3个月1500", kind: .rollingMonths, minSpendFen: 150_001, months: 3)],
                entryTiers: [EntryTierRule(tier: "gold", rule: EnrolmentRule(name: "当日满300", kind: .sameDay, minSpendFen: 30_000)),
                             EntryTierRule(tier: "diamond_2", rule: EnrolmentRule(name: "单张满3000", kind: .singleReceipt, minSpendFen: 300_000))],
                receiptValidityDays: 7, refundDeactivates: false),
            earning: EarningPolicy(
                unitFen: 1_050, pointsPerUnit: 3, bigTicket: BigTicketBonus(minBasePoints: 500, bonusPoints: 0), combine: .sum,
                multipliers: [
                    MultiplierRule(name: "周末", factorPermille: 1500, weekdays: [6, 7], months: [1, 12],
                                   from: LocalDate(year: 2026, month: 1, day: 1), to: LocalDate(year: 2026, month: 12, day: 31)),
                    MultiplierRule(name: "生日", factorPermille: 3000, birthday: true),
                    MultiplierRule(name: "前5名", factorPermille: 1250, firstMemberPurchasesOfDay: 5),
                ]),
            discounts: DiscountPolicy(stackOnCounterPromotion: false),
            review: ReviewPolicy(mode: .calendarYear, downgrade: true),
            purchases: PurchasePolicy(maxBackdateDays: 0, maxFutureSeconds: 60))
        #expect(p.validate().isEmpty)
        let again = try Programme.parse(yaml: try p.yaml())
        #expect(again == p)
    }

    @Test("timeZone falls back to Shanghai only for an unknown identifier")
    func timeZone() {
        var p = Programme.defaultProgramme()
        p.timezone = "Europe/Zurich"
        #expect(p.timeZone.identifier == "Europe/Zurich")
        p.timezone = "Mars/Olympus"
        #expect(p.timeZone.identifier == "Asia/Shanghai")
    }
}

@Suite("Programme: YAML paths of problems")
struct ProgrammeValidationTests {
    /// Expects exactly one issue at `path` and returns its message.
    @discardableResult
    func single(_ yaml: String, _ path: String, sourceLocation: SourceLocation = #_sourceLocation) -> String {
        let issues = parseIssues(yaml, sourceLocation: sourceLocation)
        #expect(issues.map(\.path) == [path], "\(issues)", sourceLocation: sourceLocation)
        return issues.first?.message ?? ""
    }

    @Test("duplicate tier code → tiers[1].code")
    func duplicateCode() {
        let message = single(defaultYAML(replacing: "code: silver", with: "code: regular"), "tiers[1].code")
        #expect(message.contains("duplicate"))
        #expect(message.contains("regular"))
    }

    @Test("tier code with forbidden characters → tiers[2].code")
    func badCode() {
        single(defaultYAML(replacing: "code: gold", with: "code: \"go ld\""), "tiers[2].code")
        single(defaultYAML(replacing: "code: gold", with: "code: \"\""), "tiers[2].code")
        // Letters (including CJK), digits, _ and - are fine.
        #expect(throws: Never.self) { try Programme.parse(yaml: defaultYAML(replacing: "code: gold", with: "code: 金卡_2-b")) }
    }

    @Test("empty Chinese tier name → tiers[1].name.zh")
    func emptyName() {
        single(defaultYAML(replacing: "{zh: 银卡, en: Silver}", with: "{zh: '', en: Silver}"), "tiers[1].name.zh")
    }

    @Test("bad months → tiers[1].upgrade.thresholds[0].months", arguments: ["0", "37", "-6"])
    func badMonths(months: String) {
        let message = single(defaultYAML(replacing: "{months: 6, minSpend: 3000}", with: "{months: \(months), minSpend: 3000}"),
                             "tiers[1].upgrade.thresholds[0].months")
        #expect(message.contains("1 and 36"))
    }

    @Test("months at the limits are accepted")
    func monthLimits() throws {
        let p = try Programme.parse(yaml: defaultYAML(replacing: "{months: 6, minSpend: 3000}", with: "{months: 1, minSpend: 3000}")
            .replacingOccurrences(of: "{months: 12, minSpend: 5000}", with: "{months: 36, minSpend: 5000}"))
        #expect(p.tiers[1].upgrade?.thresholds.map(\.months) == [1, 36])
    }

    @Test("zero threshold amount → tiers[3].upgrade.thresholds[0].minSpend")
    func zeroThreshold() {
        single(defaultYAML(replacing: "{months: 12, minSpend: 20000}", with: "{months: 12, minSpend: 0}"),
               "tiers[3].upgrade.thresholds[0].minSpend")
    }

    @Test("amount with three decimals → its path")
    func threeDecimals() {
        let message = single(defaultYAML(replacing: "{months: 12, minSpend: 5000}", with: "{months: 12, minSpend: 5000.001}"),
                             "tiers[1].upgrade.thresholds[1].minSpend")
        #expect(message.contains("two decimals"))
    }

    @Test("negative or non-numeric amounts → their path", arguments: ["-3000", "abc", "3,000.5.0"])
    func badAmount(amount: String) {
        single(defaultYAML(replacing: "{months: 6, minSpend: 3000}", with: "{months: 6, minSpend: \"\(amount)\"}"),
               "tiers[1].upgrade.thresholds[0].minSpend")
    }

    @Test("no thresholds → tiers[3].upgrade.thresholds")
    func noThresholds() {
        single(defaultYAML(replacing: "        - {months: 12, minSpend: 20000}", with: "        []")
               .replacingOccurrences(of: "      thresholds:\n        []", with: "      thresholds: []"),
               "tiers[3].upgrade.thresholds")
    }

    @Test("discount \"12\" → tiers[2].discount", arguments: ["12", "\"12\"", "0", "10.5", "abc", "8.888"])
    func badDiscount(discount: String) {
        let message = single(defaultYAML(replacing: "discount: 8.8", with: "discount: \(discount)"), "tiers[2].discount")
        #expect(message.contains("折"))
    }

    @Test("discount 10 means none")
    func discountTen() throws {
        let p = try Programme.parse(yaml: defaultYAML(replacing: "discount: 8.8", with: "discount: 10"))
        #expect(p.tier("gold")?.discountPermille == 1000)
    }

    @Test("the entry tier cannot have an upgrade rule → tiers[0].upgrade")
    func entryUpgrade() {
        var p = Programme.defaultProgramme()
        p.tiers[0].upgrade = UpgradeRule(thresholds: [SpendThreshold(months: 3, minSpendFen: 100)])
        #expect(p.validate().map(\.path) == ["tiers[0].upgrade"])
        let yaml = defaultYAML(replacing: "    name: {zh: 普卡, en: Regular}\n    isVIP: false",
                               with: "    name: {zh: 普卡, en: Regular}\n    isVIP: false\n    upgrade: {thresholds: [{months: 3, minSpend: 1}]}")
        single(yaml, "tiers[0].upgrade")
    }

    @Test("missing earning → earning is required")
    func missingEarning() {
        let yaml = Programme.defaultYAML()
        let start = yaml.range(of: "earning:\n")!.lowerBound
        let end = yaml.range(of: "discounts:\n")!.lowerBound
        var trimmed = yaml
        trimmed.removeSubrange(start..<end)
        let message = single(trimmed, "earning")
        #expect(message == "is required")
    }

    @Test("missing nested keys name their full path")
    func missingNested() {
        #expect(single(defaultYAML(replacing: "  - code: gold\n", with: "  - \n"), "tiers[2].code") == "is required")
        #expect(single(defaultYAML(replacing: "name: 默认会员章程 (尚峰等级 · 南亞积分)\n", with: ""), "name") == "is required")
        #expect(single(defaultYAML(replacing: "  unit: 10 ", with: "  units: 10 "), "earning.unit") == "is required")
        #expect(single(defaultYAML(replacing: "{name: 单张小票满500元, kind: singleReceipt, minSpend: 500}",
                                   with: "{name: 单张小票满500元, minSpend: 500}"), "enrolment.rules[0].kind") == "is required")
    }

    @Test("unknown enumeration values name their path")
    func badEnums() {
        single(defaultYAML(replacing: "combine: highest", with: "combine: max"), "earning.combine")
        single(defaultYAML(replacing: "kind: singleReceipt", with: "kind: weekly"), "enrolment.rules[0].kind")
        single(defaultYAML(replacing: "      match: any", with: "      match: some"), "tiers[1].upgrade.match")
        single(defaultYAML(replacing: "mode: anniversary", with: "mode: monthly"), "review.mode")
    }

    @Test("wrong scalar types name their path")
    func wrongTypes() {
        single(defaultYAML(replacing: "receiptValidityDays: 90", with: "receiptValidityDays: ninety"), "enrolment.receiptValidityDays")
        single(defaultYAML(replacing: "Regular}\n    isVIP: false", with: "Regular}\n    isVIP: maybe"), "tiers[0].isVIP")
    }

    @Test("empty name and unknown time zone")
    func nameAndZone() {
        single(defaultYAML(replacing: "name: 默认会员章程 (尚峰等级 · 南亞积分)", with: "name: \"  \""), "name")
        let message = single(defaultYAML(replacing: "timezone: Asia/Shanghai", with: "timezone: Asia/Atlantis"), "timezone")
        #expect(message.contains("Asia/Atlantis"))
    }

    @Test("no tiers → tiers")
    func noTiers() {
        var p = Programme.defaultProgramme()
        p.tiers = []
        p.enrolment.entryTiers = []
        #expect(p.validate().map(\.path) == ["tiers"])
    }

    @Test("enrolment rule problems")
    func enrolmentRules() {
        single(defaultYAML(replacing: "kind: singleReceipt, minSpend: 500}", with: "kind: singleReceipt, minSpend: 0}"),
               "enrolment.rules[0].minSpend")
        #expect(single(defaultYAML(replacing: "kind: rollingMonths, months: 3,", with: "kind: rollingMonths,"),
                       "enrolment.rules[1].months").contains("required"))
        single(defaultYAML(replacing: "kind: rollingMonths, months: 3,", with: "kind: rollingMonths, months: 37,"),
               "enrolment.rules[1].months")
        single(defaultYAML(replacing: "receiptValidityDays: 90", with: "receiptValidityDays: 0"), "enrolment.receiptValidityDays")
        var p = Programme.defaultProgramme()
        p.enrolment.rules = []
        #expect(p.validate().map(\.path) == ["enrolment.rules"])
    }

    @Test("entry tier problems")
    func entryTiers() {
        let message = single(defaultYAML(replacing: "entryTiers: []",
                                         with: "entryTiers: [{tier: platinum, rule: {name: x, kind: sameDay, minSpend: 300}}]"),
                             "enrolment.entryTiers[0].tier")
        #expect(message.contains("platinum"))
        single(defaultYAML(replacing: "entryTiers: []",
                           with: "entryTiers: [{tier: gold, rule: {name: x, kind: sameDay, minSpend: 300}}, {tier: gold, rule: {name: y, kind: rollingMonths, minSpend: 300}}]"),
               "enrolment.entryTiers[1].rule.months")
        single(defaultYAML(replacing: "entryTiers: []",
                           with: "entryTiers: [{tier: gold, rule: {name: x, kind: sameDay, minSpend: 0}}]"),
               "enrolment.entryTiers[0].rule.minSpend")
    }

    @Test("earning problems")
    func earning() {
        single(defaultYAML(replacing: "unit: 10 ", with: "unit: 0 "), "earning.unit")
        single(defaultYAML(replacing: "pointsPerUnit: 1", with: "pointsPerUnit: 0"), "earning.pointsPerUnit")
        single(defaultYAML(replacing: "bigTicket: {minBasePoints: 200, bonusPoints: 10}",
                           with: "bigTicket: {minBasePoints: 0, bonusPoints: 10}"), "earning.bigTicket")
        single(defaultYAML(replacing: "bigTicket: {minBasePoints: 200, bonusPoints: 10}",
                           with: "bigTicket: {minBasePoints: 200, bonusPoints: -1}"), "earning.bigTicket")
    }

    @Test("multiplier problems")
    func multipliers() {
        let wed = "{name: 淡季周三双倍积分, factor: 2, weekdays: [3], months: [2, 3, 4]}"
        single(defaultYAML(replacing: wed, with: "{name: w, factor: 0.5, weekdays: [3]}"), "earning.multipliers[0].factor")
        single(defaultYAML(replacing: wed, with: "{name: w, factor: 0, weekdays: [3]}"), "earning.multipliers[0].factor")
        single(defaultYAML(replacing: wed, with: "{name: w, factor: 101, weekdays: [3]}"), "earning.multipliers[0].factor")
        single(defaultYAML(replacing: wed, with: "{name: w, factor: 2, weekdays: [8]}"), "earning.multipliers[0].weekdays")
        single(defaultYAML(replacing: wed, with: "{name: w, factor: 2, weekdays: [0, 3]}"), "earning.multipliers[0].weekdays")
        single(defaultYAML(replacing: wed, with: "{name: w, factor: 2, weekdays: []}"), "earning.multipliers[0].weekdays")
        single(defaultYAML(replacing: wed, with: "{name: w, factor: 2, months: [13]}"), "earning.multipliers[0].months")
        single(defaultYAML(replacing: wed, with: "{name: w, factor: 2, months: []}"), "earning.multipliers[0].months")
        single(defaultYAML(replacing: wed, with: "{name: w, factor: 2, from: 2026-03-01, to: 2026-02-01}"), "earning.multipliers[0].to")
        single(defaultYAML(replacing: wed, with: "{name: w, factor: 2, from: 2026-02-30}"), "earning.multipliers[0].from")
        single(defaultYAML(replacing: "firstMemberPurchasesOfDay: 100", with: "firstMemberPurchasesOfDay: 0"),
               "earning.multipliers[2].firstMemberPurchasesOfDay")
        // A one-day range and factor 1 are allowed.
        #expect(throws: Never.self) {
            try Programme.parse(yaml: defaultYAML(replacing: wed, with: "{name: w, factor: 1, from: 2026-03-01, to: 2026-03-01}"))
        }
    }

    @Test("purchase limits must not be negative")
    func purchases() {
        single(defaultYAML(replacing: "maxBackdateDays: 400", with: "maxBackdateDays: -1"), "purchases.maxBackdateDays")
        single(defaultYAML(replacing: "maxFutureSeconds: 300", with: "maxFutureSeconds: -1"), "purchases.maxFutureSeconds")
    }

    @Test("every semantic problem is reported at once")
    func manyIssues() {
        let yaml = defaultYAML(replacing: "code: silver", with: "code: regular")
            .replacingOccurrences(of: "{months: 6, minSpend: 3000}", with: "{months: 0, minSpend: 3000}")
            .replacingOccurrences(of: "receiptValidityDays: 90", with: "receiptValidityDays: 0")
        let paths = parseIssues(yaml).map(\.path)
        #expect(paths == ["tiers[1].code", "tiers[1].upgrade.thresholds[0].months", "enrolment.receiptValidityDays"])
    }

    @Test("text that is not YAML is a document problem")
    func notYAML() {
        let issues = parseIssues("name: [unclosed\ntiers: {")
        #expect(issues.count == 1)
        #expect(issues.first?.path == "(document)")
        let empty = parseIssues("just a string")
        #expect(empty.count == 1)
    }

    @Test("issues describe themselves with their path")
    func descriptions() {
        let issue = ProgrammeIssue(path: "tiers[1].code", message: "duplicate tier code regular")
        #expect(issue.description == "tiers[1].code: duplicate tier code regular")
        let error = ProgrammeInvalid(issues: [issue, ProgrammeIssue(path: "earning", message: "is required")])
        #expect(error.description == "tiers[1].code: duplicate tier code regular\nearning: is required")
    }
}
