/// The member's handbook (issue 18, docs/domain.md §2.3, §6): what a tier gets and how the programme works, in Chinese
/// and English, generated from the active programme so that it never disagrees with the rules the till applies. One text
/// for both places it is read: the member's own page (/m/programme, with their progress) and the A4 handbook the desk
/// prints for a tier or a member. Pure: the callers pass in what lives in the database (the rewards catalogue, partner
/// merchants, the member's rolling spend and balance).
public struct ProgrammeHandbook: Sendable, Equatable {
    public enum SectionKind: String, Sendable, CaseIterable {
        case tier, nextTier, earning, redemption, benefits, partners
    }

    public struct Section: Sendable, Equatable {
        public var kind: SectionKind
        public var title: LocalizedName
        public var lines: [LocalizedName]
        public init(kind: SectionKind, title: LocalizedName, lines: [LocalizedName]) {
            self.kind = kind
            self.title = title
            self.lines = lines
        }
    }

    /// What the handbook says about one member; nil for a tier's handbook.
    public struct MemberFacts: Sendable, Equatable {
        public var name: String
        public var pointsBalance: Int64
        public var spend: RollingSpend
        public init(name: String, pointsBalance: Int64, spend: RollingSpend) {
            self.name = name
            self.pointsBalance = pointsBalance
            self.spend = spend
        }
    }

    /// A partner merchant as the handbook lists it, its discount already resolved for the tier.
    public struct PartnerLine: Sendable, Equatable {
        public var name: String
        public var category: String
        public var discountPermille: Int
        public init(name: String, category: String, discountPermille: Int) {
            self.name = name
            self.category = category
            self.discountPermille = discountPermille
        }
    }

    public var programmeName: String
    public var tier: String
    public var tierName: LocalizedName
    public var sections: [Section]

    public func section(_ kind: SectionKind) -> Section? { sections.first { $0.kind == kind } }

    /// Every line of the handbook in one language (tests, plain-text export).
    public func text(_ language: Language) -> String {
        sections.map { s in ([s.title.text(language)] + s.lines.map { "· " + $0.text(language) }).joined(separator: "\n") }
            .joined(separator: "\n\n")
    }

    /// The handbook of `tier` (a tier code of the programme; an unknown code reads as the entry tier) on `today`.
    public static func make(_ programme: Programme, tier code: String, member: MemberFacts? = nil, rewards: [RewardItem] = [],
                            partners: [PartnerLine] = [], today: LocalDate) -> ProgrammeHandbook {
        let tier = programme.tier(code) ?? programme.entryTier
        var sections = [
            tierSection(programme, tier, member),
            nextTierSection(programme, tier, member),
            earningSection(programme, today: today),
            redemptionSection(programme, tier, rewards, today: today),
            benefitsSection(programme, tier),
        ]
        if !partners.isEmpty { sections.append(partnersSection(partners)) }
        return ProgrammeHandbook(programmeName: programme.name, tier: tier.code, tierName: tier.name, sections: sections)
    }

    // MARK: Sections

    static func tierSection(_ p: Programme, _ tier: TierDefinition, _ member: MemberFacts?) -> Section {
        var lines: [LocalizedName] = []
        if let member {
            lines.append(L("\(member.name)，您的等级：\(tier.name.zh)", "\(member.name), your tier: \(tier.name.en)"))
            lines.append(L("积分余额：\(member.pointsBalance) 分", "Points balance: \(member.pointsBalance)"))
        } else {
            lines.append(L("本手册适用于\(tier.name.zh)会员", "This handbook is for \(tier.name.en) members"))
        }
        let ladder = p.tiers.map { "\($0.name.zh)" }.joined(separator: " → ")
        let ladderEn = p.tiers.map { "\($0.name.en)" }.joined(separator: " → ")
        lines.append(L("会员等级：\(ladder)", "Tiers: \(ladderEn)"))
        switch p.review.mode {
        case .none: break
        case .anniversary:
            lines.append(p.review.downgrade
                ? L("每年在上次等级变更的周年日重新评定，未达条件可能降级", "Tiers are reviewed yearly on the anniversary of the last change and may go down")
                : L("每年在上次等级变更的周年日重新评定，等级不会降低", "Tiers are reviewed yearly on the anniversary of the last change; a tier is never lowered"))
        case .calendarYear:
            lines.append(p.review.downgrade
                ? L("每年年底重新评定，未达条件可能降级", "Tiers are reviewed at each year's end and may go down")
                : L("每年年底重新评定，等级不会降低", "Tiers are reviewed at each year's end; a tier is never lowered"))
        }
        return Section(kind: .tier, title: L("您的等级", "Your tier"), lines: lines)
    }

    static func nextTierSection(_ p: Programme, _ tier: TierDefinition, _ member: MemberFacts?) -> Section {
        var lines: [LocalizedName] = []
        let rank = p.rank(of: tier.code) ?? 0
        let higher = p.tiers.dropFirst(rank + 1).filter { $0.upgrade.map { !$0.thresholds.isEmpty } ?? false }
        if let member {
            if let progress = p.progress(from: tier.code, spend: member.spend), let next = p.tier(progress.nextTier) {
                lines.append(progress.shortfallFen == 0
                    ? L("已达到\(next.name.zh)的条件，将在下次等级评定时升级", "You qualify for \(next.name.en); it applies at the next tier review")
                    : L("还差 \(Money.yuanCeil(progress.shortfallFen)) 元 升级\(next.name.zh)（\(progress.months)个月内）",
                        "\(Money.yuanCeil(progress.shortfallFen)) yuan more within \(progress.months) months to reach \(next.name.en)"))
            }
            for w in p.tierWindows {
                let s = Money.yuan(member.spend.spend(months: w))
                lines.append(L("近\(w)个月消费 \(s) 元", "Spend in the last \(w) months: \(s) yuan"))
            }
        }
        if higher.isEmpty {
            lines.insert(L("您已是最高等级：\(tier.name.zh)", "You are in the top tier: \(tier.name.en)"), at: 0)
        }
        // The rule of each higher tier, so that the text changes when a threshold does.
        for t in higher { lines.append(upgradeRule(t)) }
        return Section(kind: .nextTier, title: L("如何升级", "Reaching the next tier"), lines: lines)
    }

    /// "金卡：近12个月累计消费满 30,000.00 元 或 近3个月满 …（须经理审核）"
    public static func upgradeRule(_ t: TierDefinition) -> LocalizedName {
        guard let rule = t.upgrade, !rule.thresholds.isEmpty else {
            return L("\(t.name.zh)：仅由商场授予", "\(t.name.en): granted by the mall only")
        }
        let zh = rule.thresholds.map { "近\($0.months)个月累计消费满 \(Money.yuan($0.minSpendFen)) 元" }
        let en = rule.thresholds.map { "\(Money.yuan($0.minSpendFen)) yuan within \($0.months) months" }
        let joinZh = rule.match == .all ? "，且" : "，或"
        let joinEn = rule.match == .all ? ", and " : ", or "
        let approval = rule.requiresApproval ? L("（须经审核）", " (subject to approval)") : L("", "")
        return L("\(t.name.zh)：" + zh.joined(separator: joinZh) + approval.zh,
                 "\(t.name.en): " + en.joined(separator: joinEn) + approval.en)
    }

    static func earningSection(_ p: Programme, today: LocalDate) -> Section {
        let e = p.earning
        var lines: [LocalizedName] = []
        let unit = Money.yuan(e.unitFen)
        lines.append(L("每消费满 \(unit) 元积 \(e.pointsPerUnit) 分（按每张小票实付金额）",
                       "\(e.pointsPerUnit) point(s) for every full \(unit) yuan paid on a receipt"))
        if let b = e.bigTicket {
            lines.append(L("单张小票基础积分满 \(b.minBasePoints) 分，另加 \(b.bonusPoints) 分",
                           "\(b.bonusPoints) bonus points when one receipt earns at least \(b.minBasePoints) base points"))
        }
        for m in e.multipliers { lines.append(multiplier(m, p.vipWeek)) }
        if e.multipliers.count > 1 {
            switch e.combine {
            case .highest: lines.append(L("多个倍数同时适用时，取最高的一个", "When several multipliers apply, the highest one counts"))
            case .multiply: lines.append(L("多个倍数同时适用时相乘", "When several multipliers apply, they multiply"))
            case .sum: lines.append(L("多个倍数同时适用时，加倍部分相加", "When several multipliers apply, their extra parts add up"))
            }
        }
        lines.append(L("VIP 回馈周：\(p.vipWeek.describe(.zh))", "VIP week: \(p.vipWeek.describe(.en))"))
        lines += activityLines(p)
        switch p.pointsExpiry.mode {
        case .none: lines.append(L("积分长期有效", "Points do not expire"))
        case .calendarYear:
            let y = p.pointsExpiry.keepYears
            lines.append(L("积分在获得当年之后的第 \(y) 年年底到期（先到期的先使用）",
                           "Points expire at the end of the \(ordinalEn(y)) year after the year they were earned (oldest used first)"))
        }
        return Section(kind: .earning, title: L("如何积分", "Earning points"), lines: lines)
    }

    /// "淡季周三双倍积分：2 倍积分，每周三，2、3、4月"
    public static func multiplier(_ m: MultiplierRule, _ week: VIPWeekPolicy) -> LocalizedName {
        var zh: [String] = [], en: [String] = []
        let wdZh = ["一", "二", "三", "四", "五", "六", "日"]
        let wdEn = ["Mondays", "Tuesdays", "Wednesdays", "Thursdays", "Fridays", "Saturdays", "Sundays"]
        if let w = m.weekdays, !w.isEmpty {
            let valid = w.filter { (1...7).contains($0) }
            zh.append("每周" + valid.map { wdZh[$0 - 1] }.joined(separator: "、"))
            en.append("on " + valid.map { wdEn[$0 - 1] }.joined(separator: ", "))
        }
        if let months = m.months, !months.isEmpty {
            zh.append(months.map { "\($0)" }.joined(separator: "、") + "月")
            en.append("in months " + months.map { "\($0)" }.joined(separator: ", "))
        }
        if m.from != nil || m.to != nil {
            zh.append("\(m.from.map { "\($0)" } ?? "")至\(m.to.map { "\($0)" } ?? "")")
            en.append("from \(m.from.map { "\($0)" } ?? "the start") to \(m.to.map { "\($0)" } ?? "further notice")")
        }
        if m.birthday == true { zh.append("会员生日当天"); en.append("on your birthday") }
        if let n = m.firstMemberPurchasesOfDay { zh.append("每天每店前 \(n) 笔会员消费"); en.append("for the first \(n) member purchases of the day in a mall") }
        if m.vipWeekOnly == true {
            let w = m.vipWeekPolicy ?? week
            zh.append("VIP 回馈周（\(w.describe(.zh))）"); en.append("in the VIP week (\(w.describe(.en)))")
        }
        let f = factor(m.factorPermille)
        return L("\(m.name)：\(f) 倍积分" + (zh.isEmpty ? "" : "，" + zh.joined(separator: "，")),
                 "\(f)× points" + (en.isEmpty ? "" : " " + en.joined(separator: ", ")) + " (\(m.name))")
    }

    static func redemptionSection(_ p: Programme, _ tier: TierDefinition, _ rewards: [RewardItem], today: LocalDate) -> Section {
        var lines: [LocalizedName] = []
        switch p.redemption.mode {
        case .deduct: lines.append(L("兑换时扣除相应积分；请到服务台出示会员卡兑换", "Redeeming takes the points; redeem at the service desk with your card"))
        case .milestone: lines.append(L("积分达到要求即可兑换，积分不扣除；请到服务台出示会员卡兑换",
                                        "Reaching the points is enough and none are taken; redeem at the service desk with your card"))
        }
        for l in p.redemption.ladders {
            lines.append(L("\(l.name.zh)：满 \(l.minPoints) 分可选标价 \(Money.yuan(l.baseCapFen)) 元以内的商品，每多 \(l.stepPoints) 分上限加 \(Money.yuan(l.stepCapFen)) 元（特价商品除外）",
                           "\(l.name.en): \(l.minPoints) points choose an item listed at up to \(Money.yuan(l.baseCapFen)) yuan; every further \(l.stepPoints) points add \(Money.yuan(l.stepCapFen)) yuan (special-price goods excluded)"))
        }
        let offered = rewards.filter { r in
            r.active && (r.allowedTiers.isEmpty || r.allowedTiers.contains(tier.code))
                && (r.validTo.map { today <= $0 } ?? true) && (r.stock.map { $0 > 0 } ?? true)
        }.sorted { ($0.points ?? .max, $0.code) < ($1.points ?? .max, $1.code) }
        // At most `redemption.handbookItems` items (the rest: "and N more at the desk").
        let maxRewards = p.redemption.handbookItems
        for r in offered.prefix(maxRewards) { lines.append(reward(r, p)) }
        if offered.count > maxRewards {
            let more = offered.count - maxRewards
            lines.append(L("另有 \(more) 项，详见服务台", "\(more) more at the service desk"))
        }
        if offered.isEmpty && p.redemption.ladders.isEmpty {
            lines.append(L("暂无可兑换的礼品", "Nothing to redeem at the moment"))
        }
        return Section(kind: .redemption, title: L("积分兑换", "Redeeming points"), lines: lines)
    }

    static func reward(_ r: RewardItem, _ p: Programme) -> LocalizedName {
        var zh = "\(r.name.zh)（\(r.kind.label.zh)）：", en = "\(r.name.en) (\(r.kind.label.en)): "
        if let pts = r.points {
            zh += pts == 0 ? "免积分" : "\(pts) 分"; en += pts == 0 ? "free" : "\(pts) points"
        } else if let l = r.ladderCode.flatMap(p.redemption.ladder) {
            zh += "按\(l.name.zh)"; en += "by the \(l.name.en) ladder"
        }
        if let w = r.windowCode.flatMap(p.redemption.window) { zh += "，仅限\(w.name.zh)"; en += ", \(w.name.en) only" }
        if let to = r.validTo { zh += "，兑换截止 \(to)"; en += ", until \(to)" }
        return L(zh, en)
    }

    static func benefitsSection(_ p: Programme, _ tier: TierDefinition) -> Section {
        let b = tier.benefits
        var lines: [LocalizedName] = []
        if tier.discountPermille < 1000 {
            let stack = p.discounts.stackOnCounterPromotion
                ? L("，可与专柜促销叠加（折上折）", ", on top of the counter's own promotion")
                : L("，与专柜促销取低者", "; with a counter promotion you pay the lower price")
            let when = discountWhen(p, tier)
            lines.append(L("会员折扣 \(Zhe.format(tier.discountPermille))：参加优惠活动的专柜正价商品\(stack.zh)\(when.zh)",
                           "Member discount: you pay \(percent(tier.discountPermille)) of regular prices at participating counters\(stack.en)\(when.en)"))
        } else {
            lines.append(L("本等级无会员折扣", "No member discount at this tier"))
        }
        if b.freeParkingHours > 0 {
            lines.append(L("免费停车 \(b.freeParkingHours) 小时（每次）", "\(b.freeParkingHours) h free parking per stay"))
        }
        for r in p.parking.sameDaySpend {
            lines.append(L("当天在商场消费满 \(Money.yuan(r.minSpendFen)) 元，再免 \(r.extraHours) 小时停车",
                           "\(r.extraHours) h more free parking when you spend \(Money.yuan(r.minSpendFen)) yuan in the mall that day"))
        }
        if b.partnerDiscountPermille < 1000 {
            lines.append(L("联盟商家 \(Zhe.format(b.partnerDiscountPermille))（出示会员卡）",
                           "Partner merchants: you pay \(percent(b.partnerDiscountPermille)) (show your card)"))
        }
        if b.lounge { lines.append(L("可使用贵宾室", "VIP lounge")) }
        lines += giftLines(p, tier)
        return Section(kind: .benefits, title: L("会员权益", "Your benefits"), lines: lines)
    }

    static func partnersSection(_ partners: [PartnerLine]) -> Section {
        Section(kind: .partners, title: L("联盟商家", "Partner merchants"), lines: partners.map { x in
            let cat = x.category.isEmpty ? "" : "（\(x.category)）"
            let catEn = x.category.isEmpty ? "" : " (\(x.category))"
            return x.discountPermille < 1000
                ? L("\(x.name)\(cat)：\(Zhe.format(x.discountPermille))", "\(x.name)\(catEn): you pay \(percent(x.discountPermille))")
                : L("\(x.name)\(cat)", "\(x.name)\(catEn)")
        })
    }

    // MARK: Issue 18's other parts (/work/notes/18-coord.md): their own pure describers

    /// When the tier discount applies (18b's discount windows: every day, or only during the mall's events).
    static func discountWhen(_ p: Programme, _ tier: TierDefinition) -> LocalizedName {
        guard let when = p.discountWhen(tier: tier.code) else { return L("", "") }
        return L("；适用时间：\(when.zh)", "; applies: \(when.en)")
    }

    /// Points for activities (18b's `ActivityPointsPolicy`: event check-in, survey answer, completed profile).
    static func activityLines(_ p: Programme) -> [LocalizedName] { p.activities.describe() }

    /// The tier's gifts (18a's `GiftPolicy`: what, when, where collected, how long it keeps); without gift rules, the
    /// tier's named gifts.
    static func giftLines(_ p: Programme, _ tier: TierDefinition) -> [LocalizedName] {
        let described = p.gifts.describe(for: tier.code)
        if !described.isEmpty {
            return described.map { g in
                let parts = g.collectAt.components(separatedBy: " · ")
                let atZh = parts.first ?? g.collectAt, atEn = parts.count > 1 ? parts[1] : g.collectAt
                return L("\(g.name.zh)：\(g.when.zh)，到\(atZh)领取，\(g.validityDays) 天内有效",
                         "\(g.name.en): \(g.when.en), collect at the \(atEn) within \(g.validityDays) days")
            }
        }
        var out: [LocalizedName] = []
        if let g = tier.benefits.birthdayGift { out.append(L("生日礼品：\(g.zh)（到服务台领取）", "Birthday gift: \(g.en) (collect at the service desk)")) }
        if let g = tier.benefits.quarterlyGift { out.append(L("季度礼品：\(g.zh)（每季度一次，到服务台领取）", "Quarterly gift: \(g.en) (once a quarter, at the service desk)")) }
        return out
    }

    // MARK: Words

    static func L(_ zh: String, _ en: String) -> LocalizedName { LocalizedName(zh: zh, en: en) }

    /// 2000 → "2", 1500 → "1.5".
    static func factor(_ permille: Int) -> String {
        permille % 1000 == 0 ? "\(permille / 1000)" : (permille % 100 == 0 ? "\(permille / 1000).\(permille / 100 % 10)"
            : "\(permille / 1000).\(permille / 10 % 100 < 10 ? "0" : "")\(permille / 10 % 100)")
    }

    /// 880 → "88%", 955 → "95.5%".
    static func percent(_ permille: Int) -> String {
        permille % 10 == 0 ? "\(permille / 10)%" : "\(permille / 10).\(permille % 10)%"
    }

    static func ordinalEn(_ n: Int) -> String {
        switch n {
        case 1: "first"
        case 2: "second"
        case 3: "third"
        default: "\(n)th"
        }
    }
}
