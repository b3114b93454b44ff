import Foundation
import MallVIPCore

/// A calendar month as costs are booked by ("2026-11").
public struct CostPeriod: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var year: Int
    public var month: Int

    public init(year: Int, month: Int) {
        self.year = year
        self.month = month
    }

    public init(_ date: LocalDate) { self.init(year: date.year, month: date.month) }

    /// "2026-11"; nil for anything else.
    public init?(_ text: String) {
        let parts = text.trimmingCharacters(in: .whitespaces).split(separator: "-")
        guard parts.count == 2, parts[0].count == 4, parts[1].count == 2, let y = Int(parts[0]), let m = Int(parts[1]),
              (2000...2999).contains(y), (1...12).contains(m) else { return nil }
        self.init(year: y, month: m)
    }

    public var firstDay: LocalDate { LocalDate(year: year, month: month, day: 1) }
    public var next: CostPeriod { CostPeriod(firstDay.adding(months: 1)) }
    public var description: String { String(format: "%04d-%02d", year, month) }
    public static func < (a: CostPeriod, b: CostPeriod) -> Bool { (a.year, a.month) < (b.year, b.month) }

    /// January … December of `year`.
    public static func months(of year: Int) -> [CostPeriod] { (1...12).map { CostPeriod(year: year, month: $0) } }
}

/// A cost a manager booked.
public struct BookedCost: Sendable, Equatable {
    public var id: Int64
    public var kind: CostKind
    public var bucket: BudgetBucket
    public var period: CostPeriod
    public var amountFen: Int64
    public var quantity: Int64?
    public var unitCostFen: Int64?
    public var mallId: Int64?
    public var note: String
    public var createdBy: String
    public var createdAtMs: Int64
}

public struct CostInput: Sendable {
    public var kind: CostKind
    public var bucket: BudgetBucket?
    public var period: String
    /// The amount, or nil to compute it from quantity × unit cost.
    public var amountFen: Int64?
    public var quantity: Int64?
    public var unitCostFen: Int64?
    public var mallId: Int64?
    public var note: String

    public init(kind: CostKind, bucket: BudgetBucket? = nil, period: String, amountFen: Int64? = nil, quantity: Int64? = nil,
                unitCostFen: Int64? = nil, mallId: Int64? = nil, note: String = "") {
        self.kind = kind
        self.bucket = bucket
        self.period = period
        self.amountFen = amountFen
        self.quantity = quantity
        self.unitCostFen = unitCostFen
        self.mallId = mallId
        self.note = note
    }
}

/// Where a cost the system already knows comes from; shown "from the system" beside booked costs, never booked twice.
public enum SystemCostSource: String, CaseIterable, Sendable {
    case outbox, events, managerAwards, conversionAwards, redemptions
    /// Gifts handed over at the desk (issue 18), at the cost each gift had when issued.
    case giftHandOvers

    public var label: LocalizedName {
        switch self {
        case .outbox: LocalizedName(zh: "消息发件箱（已发送）", en: "Message outbox (sent)")
        case .events: LocalizedName(zh: "活动预算", en: "Event budgets")
        case .managerAwards: LocalizedName(zh: "维护人月度奖励", en: "Account-manager awards")
        case .conversionAwards: LocalizedName(zh: "主顾客转化周奖励", en: "Conversion weekly rewards")
        case .redemptions: LocalizedName(zh: "积分兑换（应付店柜）", en: "Redemptions (owed to counters)")
        case .giftHandOvers: LocalizedName(zh: "会员礼品（已发放）", en: "Member gifts (handed over)")
        }
    }
}

/// A cost derived from the system's own records for one month.
public struct SystemCost: Sendable, Equatable {
    public var source: SystemCostSource
    public var kind: CostKind
    public var period: CostPeriod
    public var amountFen: Int64
    /// Messages, events, awards or redemptions behind the amount.
    public var count: Int
    public var bucket: BudgetBucket { kind.defaultBucket }

    public init(source: SystemCostSource, kind: CostKind, period: CostPeriod, amountFen: Int64, count: Int) {
        self.source = source
        self.kind = kind
        self.period = period
        self.amountFen = amountFen
        self.count = count
    }
}

/// Costs over a span of months: booked and from the system, with totals by kind, bucket and month.
public struct CostReport: Sendable, Equatable {
    public var from: CostPeriod
    public var through: CostPeriod
    public var booked: [BookedCost]
    public var system: [SystemCost]

    public struct Total: Sendable, Equatable {
        public var bookedFen: Int64 = 0
        public var systemFen: Int64 = 0
        public init() {}
        public var totalFen: Int64 { bookedFen + systemFen }
    }

    public var totalFen: Int64 { booked.reduce(0) { $0 + $1.amountFen } + system.reduce(0) { $0 + $1.amountFen } }

    public var byKind: [CostKind: Total] {
        var out: [CostKind: Total] = [:]
        for b in booked { out[b.kind, default: Total()].bookedFen += b.amountFen }
        for s in system { out[s.kind, default: Total()].systemFen += s.amountFen }
        return out
    }

    public var byBucket: [BudgetBucket: Total] {
        var out: [BudgetBucket: Total] = [:]
        for b in booked { out[b.bucket, default: Total()].bookedFen += b.amountFen }
        for s in system { out[s.bucket, default: Total()].systemFen += s.amountFen }
        return out
    }

    public var byPeriod: [CostPeriod: Total] {
        var out: [CostPeriod: Total] = [:]
        for b in booked { out[b.period, default: Total()].bookedFen += b.amountFen }
        for s in system { out[s.period, default: Total()].systemFen += s.amountFen }
        return out
    }

    public var periods: [CostPeriod] {
        var out: [CostPeriod] = []
        var p = from
        while p <= through { out.append(p); p = p.next }
        return out
    }
}
