import Foundation

/// How tier discounts are given (docs/programme.md `discounts`): stacked on a counter's promotion or not, and — issue
/// 18, docs/domain.md §6.1 "尚峰: tier-exclusive discounts only during mall events" — on which days. A tier listed in
/// `eventOnlyTiers` gets its discount only on the days of a named period in `periods` (店庆, 年中庆 …) that applies to
/// it; every other tier every day, as before. Without the two keys nothing changes (the default is "always").
public struct DiscountPolicy: Codable, Sendable, Equatable {
    /// 折上折: the tier discount applies on top of the counter's own promotion. When false the member pays
    /// the lower of the two prices instead.
    public var stackOnCounterPromotion: Bool
    /// Named mall events or date ranges during which event-only tier discounts apply.
    public var periods: [DiscountPeriod]
    /// Tiers whose discount applies only during one of `periods` (empty: every tier's discount applies every day).
    public var eventOnlyTiers: [String]

    public static let maxPeriods = 200
    /// The longest one period may last, in days.
    public static let maxPeriodDays = 366

    public init(stackOnCounterPromotion: Bool = true, periods: [DiscountPeriod] = [], eventOnlyTiers: [String] = []) {
        self.stackOnCounterPromotion = stackOnCounterPromotion
        self.periods = periods
        self.eventOnlyTiers = eventOnlyTiers
    }

    enum CodingKeys: String, CodingKey { case stackOnCounterPromotion, periods, eventOnlyTiers }
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        stackOnCounterPromotion = try c.decodeIfPresent(Bool.self, forKey: .stackOnCounterPromotion) ?? true
        periods = try c.decodeIfPresent([DiscountPeriod].self, forKey: .periods) ?? []
        eventOnlyTiers = try c.decodeIfPresent([String].self, forKey: .eventOnlyTiers) ?? []
    }

    /// Everything wrong, by key path; `tierCodes` are the programme's tiers.
    public func validationErrors(path: String, tierCodes: [String]) -> [(String, String)] {
        var out: [(String, String)] = []
        let known = Set(tierCodes)
        if periods.count > Self.maxPeriods { out.append(("\(path).periods", "at most \(Self.maxPeriods) periods")) }
        var codes = Set<String>()
        for (i, p) in periods.enumerated() {
            let at = "\(path).periods[\(i)]"
            let code = p.code.trimmingCharacters(in: .whitespaces)
            if code.isEmpty || code.count > 40 { out.append(("\(at).code", "is required (at most 40 characters)")) }
            else if !codes.insert(code).inserted { out.append(("\(at).code", "\(code) is used twice")) }
            if p.name.zh.trimmingCharacters(in: .whitespaces).isEmpty { out.append(("\(at).name.zh", "is required")) }
            if p.to < p.from { out.append(("\(at).to", "must not be before from")) }
            else if p.to.dayNumber - p.from.dayNumber + 1 > Self.maxPeriodDays {
                out.append(("\(at).to", "a period lasts at most \(Self.maxPeriodDays) days"))
            }
            for t in p.tiers where !known.contains(t) { out.append(("\(at).tiers", "unknown tier \(t)")) }
        }
        for t in eventOnlyTiers where !known.contains(t) { out.append(("\(path).eventOnlyTiers", "unknown tier \(t)")) }
        if !eventOnlyTiers.isEmpty && periods.isEmpty {
            out.append(("\(path).periods", "event-only tiers need at least one period, or their discount never applies"))
        }
        return out
    }
}

/// A named mall event or date range (inclusive) during which event-only tier discounts apply.
public struct DiscountPeriod: Codable, Sendable, Equatable {
    public var code: String
    public var name: LocalizedName
    public var from: LocalDate
    public var to: LocalDate
    /// The event-only tiers it applies to; empty = all of them (尚峰: 銀卡专享 — a silver-only event lists [silver]).
    public var tiers: [String]

    public init(code: String, name: LocalizedName, from: LocalDate, to: LocalDate, tiers: [String] = []) {
        self.code = code
        self.name = name
        self.from = from
        self.to = to
        self.tiers = tiers
    }

    enum CodingKeys: String, CodingKey { case code, name, from, to, tiers }
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        code = try c.decode(String.self, forKey: .code)
        name = try c.decode(LocalizedName.self, forKey: .name)
        from = try c.decode(LocalDate.self, forKey: .from)
        to = try c.decode(LocalDate.self, forKey: .to)
        tiers = try c.decodeIfPresent([String].self, forKey: .tiers) ?? []
    }

    public func contains(_ day: LocalDate) -> Bool { day >= from && day <= to }
    public func applies(to tier: String) -> Bool { tiers.isEmpty || tiers.contains(tier) }
}

extension Programme {
    /// Whether `tier`'s discount applies on `day` (issue 18): always, unless the tier is event-only and no period that
    /// applies to it covers the day. A tier without a discount "applies" trivially (there is nothing to give).
    public func tierDiscountApplies(tier: String, on day: LocalDate) -> Bool {
        guard discounts.eventOnlyTiers.contains(tier) else { return true }
        return discounts.periods.contains { $0.applies(to: tier) && $0.contains(day) }
    }

    /// The tier's discount in force on `day`: its per mille inside its window, 1000 (none) outside; nil tier = 1000.
    public func tierDiscountPermille(tier: String?, on day: LocalDate) -> Int {
        guard let tier, let def = self.tier(tier) else { return 1000 }
        return tierDiscountApplies(tier: tier, on: day) ? def.discountPermille : 1000
    }

    /// The period that makes the tier's discount apply on `day`, if it is an event-only tier inside one.
    public func discountPeriod(tier: String, on day: LocalDate) -> DiscountPeriod? {
        guard discounts.eventOnlyTiers.contains(tier) else { return nil }
        return discounts.periods.first { $0.applies(to: tier) && $0.contains(day) }
    }

    /// When a tier's discount applies, in words (member page, desk, the member's handbook): nil when the tier gives
    /// no discount; "every day"; or "only during mall events: 店庆 2026-10-01 – 2026-10-07, …".
    public func discountWhen(tier: String) -> LocalizedName? {
        guard let def = self.tier(tier), def.discountPermille < 1000 else { return nil }
        guard discounts.eventOnlyTiers.contains(tier) else { return LocalizedName(zh: "每天", en: "every day") }
        let periods = discounts.periods.filter { $0.applies(to: tier) }
        guard !periods.isEmpty else { return LocalizedName(zh: "暂无商场活动", en: "no mall event scheduled") }
        let zh = periods.map { "\($0.name.zh) \($0.from)–\($0.to)" }.joined(separator: "、")
        let en = periods.map { "\($0.name.en.isEmpty ? $0.name.zh : $0.name.en) \($0.from) – \($0.to)" }.joined(separator: ", ")
        return LocalizedName(zh: "仅在商场活动期间：\(zh)", en: "only during mall events: \(en)")
    }

    /// Today's answer for the member page and the desk: "8.8折，今天适用 / 8.8折, applies today", or that it does not
    /// apply today and when it does; nil when the tier gives no discount.
    public func discountToday(tier: String, on day: LocalDate) -> (applies: Bool, text: LocalizedName)? {
        guard let def = self.tier(tier), def.discountPermille < 1000, let when = discountWhen(tier: tier) else { return nil }
        let zhe = Zhe.format(def.discountPermille)
        if tierDiscountApplies(tier: tier, on: day) {
            let period = discountPeriod(tier: tier, on: day)
            return (true, LocalizedName(zh: "\(zhe)，今天适用" + (period.map { "（\($0.name.zh)）" } ?? ""),
                                        en: "\(zhe), applies today" + (period.map { " (\($0.name.en.isEmpty ? $0.name.zh : $0.name.en))" } ?? "")))
        }
        return (false, LocalizedName(zh: "\(zhe)，今天不适用（\(when.zh)）", en: "\(zhe), not today (\(when.en))"))
    }
}
