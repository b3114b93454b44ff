import Foundation

/// The figures a mall sets yearly targets for (docs/domain.md §12.1). Every one is "higher is better".
public enum KPIMetric: String, CaseIterable, Codable, Sendable {
    /// VIP sales ÷ all sales, per mille (VIP业绩占比; every cardholder's purchase counts as VIP sales, as in the Chengdu plan, docs/domain.md C23).
    case vipShare
    /// Sales to members, fen, net of refunds.
    case vipSales
    /// Members holding a card at the year's end.
    case vipCount
    /// Cards issued in the year.
    case newCards
    /// Members who bought in the year (有消费卡).
    case activeCards
    /// Member sales ÷ active cards, fen.
    case spendPerActiveCard
    /// Active members who bought on two or more days of the year, per mille of active members.
    case repurchaseRate
    /// Net promoter score of the year's survey answers (−100…100).
    case nps
    /// Satisfied share of the year's CSAT answers, percent.
    case csat

    public enum Unit: Sendable { case permille, fen, count, score }

    public var unit: Unit {
        switch self {
        case .vipShare, .repurchaseRate: .permille
        case .vipSales, .spendPerActiveCard: .fen
        case .vipCount, .newCards, .activeCards: .count
        case .nps, .csat: .score
        }
    }

    /// Whether the metric can be cut by department (课): sales figures only.
    public var byDepartment: Bool { self == .vipShare || self == .vipSales }

    public var label: LocalizedName {
        switch self {
        case .vipShare: LocalizedName(zh: "VIP业绩占比", en: "VIP share of sales")
        case .vipSales: LocalizedName(zh: "VIP销售额（元）", en: "VIP sales (yuan)")
        case .vipCount: LocalizedName(zh: "会员人数", en: "Members (cards)")
        case .newCards: LocalizedName(zh: "新办卡", en: "New cards")
        case .activeCards: LocalizedName(zh: "有消费卡", en: "Active cards")
        case .spendPerActiveCard: LocalizedName(zh: "有消费卡平均消费（元）", en: "Spend per active card (yuan)")
        case .repurchaseRate: LocalizedName(zh: "复购率", en: "Repurchase rate")
        case .nps: LocalizedName(zh: "NPS", en: "NPS")
        case .csat: LocalizedName(zh: "满意度 CSAT", en: "CSAT")
        }
    }

    /// A value as staff read it: 30.0%, 1,234.00, 12,118, 40.
    public func format(_ value: Int64) -> String {
        switch unit {
        case .permille: KPIMetric.percent(value)
        case .fen: Money.yuan(value)
        case .count: Money.grouped(value.magnitude).withSign(value)
        case .score: String(value)
        }
    }

    /// Parses a target as typed: percent for shares ("30", "30%", "26.2"), yuan for money, whole numbers otherwise.
    public func parse(_ text: String) -> Int64? {
        let t = text.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "%", with: "")
        switch unit {
        case .permille: return KPIMetric.parsePercent(t)
        case .fen: return Money.parseYuan(t).flatMap { $0 <= NumericLimits.maxMoneyFen ? $0 : nil }
        case .count: return Int64(t.replacingOccurrences(of: ",", with: "")).flatMap { $0 >= 0 && $0 <= NumericLimits.maxCount ? $0 : nil }
        case .score: return Int64(t).flatMap { (-100...100).contains($0) ? $0 : nil }
        }
    }

    /// "30" / "-10" / "+20" / "26.2" (percent, one decimal) → per mille; nil otherwise.
    public static func parsePercent(_ text: String) -> Int64? {
        var t = text.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "%", with: "")
        var sign: Int64 = 1
        if t.hasPrefix("-") || t.hasPrefix("−") { sign = -1; t.removeFirst() } else if t.hasPrefix("+") { t.removeFirst() }
        let parts = t.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2, let whole = parts.first, !whole.isEmpty, whole.allSatisfy(\.isASCIIDigitChar), let w = Int64(whole),
              w <= 1_000_000 else { return nil }
        var tenths: Int64 = 0
        if parts.count == 2 {
            guard parts[1].count == 1, let d = Int64(parts[1]) else { return nil }
            tenths = d
        }
        return sign * (w * 10 + tenths)
    }

    /// 262 → "26.2%"; −100 → "-10.0%".
    public static func percent(_ permille: Int64) -> String {
        (permille < 0 ? "-" : "") + "\(permille.magnitude / 10).\(permille.magnitude % 10)%"
    }
}

extension String {
    fileprivate func withSign(_ v: Int64) -> String { v < 0 ? "-" + self : self }
}

/// How a target is written: a value, or a change on last year's actual (docs/domain.md C18, C19, C20: "+20%", "−10%").
public enum TargetMode: String, CaseIterable, Codable, Sendable {
    case absolute, relative

    public var label: LocalizedName {
        switch self {
        case .absolute: LocalizedName(zh: "目标值", en: "Absolute")
        case .relative: LocalizedName(zh: "较上年变化", en: "Change on last year")
        }
    }
}

/// One yearly target, group-wide or for a mall, and for sales figures optionally for one department.
public struct KPITarget: Sendable, Equatable {
    public var year: Int
    public var mallId: Int64?
    public var departmentId: Int64?
    public var metric: KPIMetric
    public var mode: TargetMode
    /// The target in the metric's unit (absolute), or the change on last year per mille (relative: 200 = +20%).
    public var value: Int64

    public init(year: Int, mallId: Int64? = nil, departmentId: Int64? = nil, metric: KPIMetric, mode: TargetMode, value: Int64) {
        self.year = year
        self.mallId = mallId
        self.departmentId = departmentId
        self.metric = metric
        self.mode = mode
        self.value = value
    }

    /// The target value for the year: as written, or last year's actual × (1 + change), rounded half away from zero;
    /// nil when a relative target has no last-year figure.
    public func resolved(lastYear: Int64?) -> Int64? {
        switch mode {
        case .absolute: return value
        case .relative:
            guard let lastYear else { return nil }
            return Uplift.roundedDivision(Saturating.multiply(lastYear, Saturating.add(1000, value)), 1000)
        }
    }
}

/// Actual against target: the gap (actual − target; negative = short) and how far along the actual is.
public struct TargetProgress: Sendable, Equatable {
    public var target: Int64?
    public var actual: Int64?

    public init(target: Int64?, actual: Int64?) {
        self.target = target
        self.actual = actual
    }

    public var gap: Int64? {
        guard let target, let actual else { return nil }
        return max(Saturating.subtract(actual, target), -Int64.max)   // not .min: the page shows |gap|
    }
    public var met: Bool? { gap.map { $0 >= 0 } }
    /// Actual ÷ target per mille (1000 = on target); nil without both or for a target of zero or less.
    public var attainmentPermille: Int64? {
        guard let target, let actual, target > 0 else { return nil }
        return Uplift.roundedDivision(Saturating.multiply(actual, 1000), target)
    }
}
