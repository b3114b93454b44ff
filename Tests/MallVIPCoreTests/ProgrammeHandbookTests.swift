import Foundation
@testable import MallVIPCore
import Testing

/// Issue 18: the member's handbook is generated from the programme, so a changed rule is a changed text, in both languages.
@Suite("Programme handbook")
struct ProgrammeHandbookTests {
    let today = LocalDate(year: 2026, month: 12, day: 7)

    func lines(_ h: ProgrammeHandbook, _ kind: ProgrammeHandbook.SectionKind, _ lang: Language) -> [String] {
        (h.section(kind)?.lines ?? []).map { $0.text(lang) }
    }

    @Test("a member's progress to the next tier, in Chinese and English, follows the threshold")
    func progressFollowsThreshold() {
        var p = Programme.defaultProgramme()
        let spend = RollingSpend([6: 100_000, 12: 100_000])   // 1,000 yuan in both windows
        let member = ProgrammeHandbook.MemberFacts(name: "张三", pointsBalance: 120, spend: spend)
        let h = ProgrammeHandbook.make(p, tier: "regular", member: member, today: today)
        // silver: 3,000 in 6 months or 5,000 in 12 → 2,000 more within 6 months.
        #expect(lines(h, .nextTier, .zh).contains("还差 2,000 元 升级银卡（6个月内）"))
        #expect(lines(h, .nextTier, .en).contains("2,000 yuan more within 6 months to reach Silver"))
        #expect(lines(h, .nextTier, .zh).contains("银卡：近6个月累计消费满 3,000.00 元，或近12个月累计消费满 5,000.00 元"))
        #expect(lines(h, .tier, .zh).contains("积分余额：120 分"))

        p.tiers[1].upgrade!.thresholds[0].minSpendFen = 250_000   // silver: 2,500 in 6 months
        let changed = ProgrammeHandbook.make(p, tier: "regular", member: member, today: today)
        #expect(lines(changed, .nextTier, .zh).contains("还差 1,500 元 升级银卡（6个月内）"))
        #expect(lines(changed, .nextTier, .en).contains("Silver: 2,500.00 yuan within 6 months, or 5,000.00 yuan within 12 months"))
        #expect(changed.text(.zh) != h.text(.zh) && changed.text(.en) != h.text(.en))
    }

    @Test("the top tier is told so; an approval tier says it is vetted")
    func topTier() {
        let p = Programme.defaultProgramme()
        let top = ProgrammeHandbook.make(p, tier: "purple", member: .init(name: "李四", pointsBalance: 0, spend: RollingSpend([:])), today: today)
        #expect(lines(top, .nextTier, .zh).first == "您已是最高等级：\(p.tier("purple")!.name.zh)")
        #expect(lines(top, .nextTier, .en).first == "You are in the top tier: \(p.tier("purple")!.name.en)")
        let diamond = ProgrammeHandbook.make(p, tier: "diamond", today: today)
        #expect(lines(diamond, .nextTier, .zh).contains { $0.hasPrefix("\(p.tier("purple")!.name.zh)：") && $0.hasSuffix("（须经审核）") })
        #expect(lines(diamond, .tier, .zh).first == "本手册适用于\(p.tier("diamond")!.name.zh)会员")
    }

    @Test("earning: base rate, big-ticket bonus, multiplier days, VIP week and expiry come from the programme")
    func earning() {
        var p = Programme.defaultProgramme()
        let h = ProgrammeHandbook.make(p, tier: "gold", today: today)
        let zh = lines(h, .earning, .zh), en = lines(h, .earning, .en)
        #expect(zh.contains("每消费满 10.00 元积 1 分（按每张小票实付金额）"))
        #expect(zh.contains("单张小票基础积分满 200 分，另加 10 分"))
        #expect(zh.contains("淡季周三双倍积分：2 倍积分，每周三，2、3、4月"))
        #expect(en.contains("2× points on Wednesdays, in months 2, 3, 4 (淡季周三双倍积分)"))
        #expect(zh.contains("VIP 回馈周：\(p.vipWeek.describe(.zh))"))
        #expect(en.contains { $0.hasPrefix("Points expire at the end of the first year") })

        p.earning.unitFen = 2_000
        p.earning.multipliers = [MultiplierRule(name: "周末1.5倍", factorPermille: 1500, weekdays: [6, 7])]
        let changed = ProgrammeHandbook.make(p, tier: "gold", today: today)
        #expect(lines(changed, .earning, .zh).contains("每消费满 20.00 元积 1 分（按每张小票实付金额）"))
        #expect(lines(changed, .earning, .zh).contains("周末1.5倍：1.5 倍积分，每周六、日"))
        #expect(lines(changed, .earning, .en).contains("1.5× points on Saturdays, Sundays (周末1.5倍)"))
        #expect(!lines(changed, .earning, .zh).contains { $0.hasPrefix("淡季周三双倍积分") })
    }

    @Test("benefits: discount, parking, partners, lounge and gifts of the tier")
    func benefits() {
        var p = Programme.defaultProgramme()
        let gold = ProgrammeHandbook.make(p, tier: "gold", partners: [.init(name: "尚峰酒店", category: "酒店", discountPermille: 880)], today: today)
        let zh = lines(gold, .benefits, .zh), en = lines(gold, .benefits, .en)
        #expect(zh.contains { $0.hasPrefix("会员折扣 8.8折：参加优惠活动的专柜正价商品") })
        #expect(en.contains { $0.hasPrefix("Member discount: you pay 88% of regular prices") })
        #expect(zh.contains("免费停车 4 小时（每次）") && en.contains("4 h free parking per stay"))
        #expect(zh.contains("联盟商家 8.8折（出示会员卡）") && zh.contains("可使用贵宾室"))
        #expect(lines(gold, .partners, .zh) == ["尚峰酒店（酒店）：8.8折"])
        let regular = ProgrammeHandbook.make(p, tier: "regular", today: today)
        #expect(lines(regular, .benefits, .zh).contains("本等级无会员折扣"))
        #expect(regular.section(.partners) == nil)

        p.tiers[2].benefits.freeParkingHours = 5
        p.parking.sameDaySpend = [SpendParkingRule(minSpendFen: 50_000, extraHours: 1)]
        let changed = ProgrammeHandbook.make(p, tier: "gold", today: today)
        #expect(lines(changed, .benefits, .zh).contains("免费停车 5 小时（每次）"))
        #expect(lines(changed, .benefits, .zh).contains("当天在商场消费满 500.00 元，再免 1 小时停车"))
        let purple = ProgrammeHandbook.make(p, tier: "purple", today: today)
        #expect(lines(purple, .benefits, .zh).contains { $0.hasPrefix("生日礼品：") })
        #expect(lines(purple, .benefits, .zh).contains { $0.hasPrefix("季度礼品：") })
    }

    @Test("issue 18's gifts, activity points and discount windows appear as their programme sections describe them")
    func otherParts() {
        var p = Programme.defaultProgramme()
        let gifts = p.gifts.describe(for: "diamond")
        let diamond = ProgrammeHandbook.make(p, tier: "diamond", today: today)
        for g in gifts {
            #expect(lines(diamond, .benefits, .zh).contains { $0.hasPrefix("\(g.name.zh)：\(g.when.zh)") }, "gift \(g.code)")
            #expect(lines(diamond, .benefits, .en).contains { $0.hasPrefix("\(g.name.en): \(g.when.en)") }, "gift \(g.code)")
        }
        if let when = p.discountWhen(tier: "diamond") {
            #expect(lines(diamond, .benefits, .zh).contains { $0.hasSuffix("；适用时间：\(when.zh)") })
        }
        p.activities = ActivityPointsPolicy(eventCheckIn: 50)
        let withActivity = ProgrammeHandbook.make(p, tier: "diamond", today: today)
        #expect(!p.activities.describe().isEmpty)
        for line in p.activities.describe() { #expect(lines(withActivity, .earning, .zh).contains(line.zh)) }
        #expect(lines(withActivity, .earning, .zh).count == lines(diamond, .earning, .zh).count + p.activities.describe().count)
    }

    @Test("redemption lists the tier's active, in-date, in-stock items and the ladder")
    func redemption() {
        let p = Programme.defaultProgramme()
        let items = [
            RewardItem(code: "CUP", name: LocalizedName(zh: "保温杯", en: "Flask"), points: 500),
            RewardItem(code: "GOLDONLY", name: LocalizedName(zh: "金卡礼", en: "Gold gift"), points: 800, allowedTiers: ["gold"]),
            RewardItem(code: "OFF", name: LocalizedName(zh: "停用", en: "Retired"), points: 100, active: false),
            RewardItem(code: "OLD", name: LocalizedName(zh: "过期", en: "Expired"), points: 100, validTo: LocalDate(year: 2026, month: 1, day: 1)),
            RewardItem(code: "NONE", name: LocalizedName(zh: "无货", en: "Sold out"), points: 100, stock: 0),
            RewardItem(code: "VIPW", name: LocalizedName(zh: "周礼", en: "Week gift"), points: 300, windowCode: "vipWeek"),
        ]
        let silver = lines(ProgrammeHandbook.make(p, tier: "silver", rewards: items, today: today), .redemption, .zh)
        #expect(silver.contains("保温杯（礼品）：500 分"))
        #expect(silver.contains("周礼（礼品）：300 分，仅限每月VIP回馈周"))
        #expect(!silver.contains { $0.contains("金卡礼") || $0.contains("停用") || $0.contains("过期") || $0.contains("无货") })
        #expect(silver.contains { $0.hasPrefix("积分任选礼品：满 1000 分") })
        let gold = lines(ProgrammeHandbook.make(p, tier: "gold", rewards: items, today: today), .redemption, .en)
        #expect(gold.contains("Gold gift (Gift): 800 points"))
    }

    @Test("redemption.lowStockThreshold and reports.messageEffectDays default, load and are bounded")
    func newKeys() throws {
        let d = Programme.defaultProgramme()
        #expect(d.redemption.lowStockThreshold == 10 && d.reports.messageEffectDays == 30)
        let yaml = Programme.defaultYAML()
            .replacingOccurrences(of: "  lowStockThreshold: 10 ", with: "  lowStockThreshold: 3 ")
            .replacingOccurrences(of: "  messageEffectDays: 30 ", with: "  messageEffectDays: 14 ")
        let p = try Programme.parse(yaml: yaml)
        #expect(p.redemption.lowStockThreshold == 3 && p.reports.messageEffectDays == 14)
        // Round trip: what the editor writes back loads the same.
        #expect(try Programme.parse(yaml: try p.yaml()) == p)

        var bad = d
        bad.redemption.lowStockThreshold = -1
        bad.reports.messageEffectDays = 0
        let issues = bad.validate().map(\.path)
        #expect(issues.contains("redemption.lowStockThreshold") && issues.contains("reports.messageEffectDays"))
        bad.reports.messageEffectDays = 366
        #expect(bad.validate().map(\.path).contains("reports.messageEffectDays"))
    }
}
