import Foundation
import MallVIPCore

/// What a report is about: business days and, optionally, one mall. Sales figures follow the purchase's mall;
/// member counts (total, new, tiers, age and gender) follow the mall the member enrolled at.
public struct ReportScope: Sendable, Hashable {
    public var range: DayRange
    public var mallId: Int64?
    public init(range: DayRange, mallId: Int64?) { self.range = range; self.mallId = mallId }
}

/// Sales of a scope or one group of it, net of refunds (a refund counts against its purchase's business day).
/// `receipts` counts each receipt once (at the counter of its first line); a counter's `tickets` count the receipts
/// with a line there.
public struct SalesTotals: Sendable, Equatable {
    public var salesFen: Int64 = 0
    public var memberSalesFen: Int64 = 0
    public var lines: Int64 = 0
    public var memberLines: Int64 = 0
    public var receipts: Int64 = 0
    public var memberReceipts: Int64 = 0
    public var tickets: Int64 = 0
    public var memberTickets: Int64 = 0
    public var refundedFen: Int64 = 0
    public var memberRefundedFen: Int64 = 0
    public init() {}

    /// VIP share of sales (VIP业绩占比) in per mille, rounded; nil without sales.
    public var vipSharePermille: Int? { Ratio.permille(memberSalesFen, salesFen) }

    public static func + (a: SalesTotals, b: SalesTotals) -> SalesTotals {
        var s = a
        s.salesFen += b.salesFen; s.memberSalesFen += b.memberSalesFen; s.lines += b.lines; s.memberLines += b.memberLines
        s.receipts += b.receipts; s.memberReceipts += b.memberReceipts; s.tickets += b.tickets; s.memberTickets += b.memberTickets
        s.refundedFen += b.refundedFen; s.memberRefundedFen += b.memberRefundedFen
        return s
    }
}

public enum SalesGrouping: String, Sendable, CaseIterable { case total, day, month, department, floor, counter }

/// One group of a sales breakdown: a day ("2026-05-03"), month ("2026-05"), department, floor or counter code.
public struct SalesGroup: Sendable, Equatable {
    public var key: String
    public var label: String
    /// The department of a counter (its code), for grouping counters in the view.
    public var parent: String
    public var sales: SalesTotals
    public init(key: String, label: String, parent: String = "", sales: SalesTotals) {
        self.key = key; self.label = label; self.parent = parent; self.sales = sales
    }
}

public enum Ratio {
    /// a ÷ b in per mille, rounded half up; nil when b is 0.
    public static func permille(_ a: Int64, _ b: Int64) -> Int? {
        guard b != 0 else { return nil }
        return Int(Saturating.add(Saturating.multiply(a, 2000), b) / Saturating.multiply(2, b))
    }

    /// "26.2%", or "—".
    public static func percent(_ permille: Int?) -> String {
        guard let p = permille else { return "—" }
        return "\(p / 10).\(abs(p % 10))%"
    }
}

/// Members of a scope: counts at the end, new cards, who bought (active cards), what they spent, and who came back.
public struct MemberFigures: Sendable, Equatable {
    /// Members enrolled on or before the last day.
    public var total: Int
    /// Members enrolled in the period.
    public var new: Int
    public var days: Int
    /// Members with at least one purchase in the period (有消费卡), and their net spend and purchases.
    public var active: Int
    public var spendFen: Int64
    public var purchases: Int64
    /// Active members with purchases on `minDays` different days or more.
    public var repeatBuyers: Int
    public var minDays: Int
    /// Active in the previous period, and of those active again in this one.
    public var previousActive: Int
    public var retained: Int

    public var activePermille: Int? { Ratio.permille(Int64(active), Int64(total)) }
    /// Average spend per active card, truncated to the fen (the Chengdu report's 3,414 yuan).
    public var spendPerActiveFen: Int64 { active > 0 ? spendFen / Int64(active) : 0 }
    /// Purchases per active card in hundredths (4.25 → 425).
    public var purchasesPerActiveHundredths: Int64 { active > 0 ? purchases * 100 / Int64(active) : 0 }
    /// New cards per day in hundredths.
    public var newPerDayHundredths: Int64 { days > 0 ? Int64(new) * 100 / Int64(days) : 0 }
    public var repeatPermille: Int? { Ratio.permille(Int64(repeatBuyers), Int64(active)) }
    public var retainedPermille: Int? { Ratio.permille(Int64(retained), Int64(previousActive)) }
}

/// Churn over a period (aligned with the churn section's rule): the base is the members who bought in the twelve
/// months before the period; a base member is lost when they have not bought in the last `inactiveMonths` months up
/// to the period's end.
public struct ChurnReport: Sendable, Equatable {
    public var base: Int
    public var lost: Int
    public var inactiveMonths: Int
    public var targetPermille: Int
    public var ratePermille: Int? { Ratio.permille(Int64(lost), Int64(base)) }
}

/// Members by tier at the start (end of the day before the period) and the end, and how they moved.
public struct TierReport: Sendable, Equatable {
    public var start: [String: Int]
    public var end: [String: Int]
    /// from tier ("" = not yet a member) → to tier → members.
    public var matrix: [String: [String: Int]]
}

public struct RFMCell: Sendable, Equatable, Codable {
    public var r: Int
    public var f: Int
    public var m: Int
    public var members: Int
    public var spendFen: Int64
}

public struct ValueClassRow: Sendable, Equatable, Codable {
    /// "A"/"B"/"C", or a segment code ("" = none of them; "highValue" for the high-value count).
    public var key: String
    public var members: Int
    public var spendFen: Int64
}

/// The important-customer segments over the twelve months ending on the period's last day.
public struct SegmentReport: Sendable, Equatable, Codable {
    public var from: LocalDate
    public var to: LocalDate
    public var rows: [ValueClassRow]
    public var highValue: ValueClassRow
    /// All sales of the scope's mall(s) in those twelve months, for the contribution share.
    public var mallSalesFen: Int64
}

public struct DemographicRow: Sendable, Equatable {
    public var gender: String
    /// Age band index (see `AgeBands`), -1 without a birthday.
    public var ageBand: Int
    public var members: Int
    public var active: Int
    public var spendFen: Int64
}

public struct PriceBandRow: Sendable, Equatable {
    public var bandFen: Int64
    public var lines: Int64
    public var salesFen: Int64
    public var memberLines: Int64
    public var memberSalesFen: Int64
}

/// One of the top N members by spend in the period, with where they stood before.
public struct TopMemberRow: Sendable, Equatable {
    public var rank: Int
    public var memberId: Int64
    public var cardNo: String?
    public var name: String
    public var tierStart: String?
    public var tierEnd: String?
    public var spendFen: Int64
    public var purchases: Int64
    public var days: Int64
    public var lastDay: LocalDate
    /// Rank in the previous period's top N, nil when not in it.
    public var previousRank: Int?
    public var previousSpendFen: Int64
    public var lastYearSpendFen: Int64
}

public struct TopReport: Sendable, Equatable {
    public var rows: [TopMemberRow]
    /// Of the previous period's top N: still in it, and not in it any more (of those, without any purchase now).
    public var stayed: Int
    public var dropped: Int
    public var droppedInactive: Int
}

/// Points by ledger kind in the period, and the outstanding points (the liability) before and after it.
public struct PointsReport: Sendable, Equatable {
    public var byKind: [String: Int64]
    public var outstandingStart: Int64
    public var outstandingEnd: Int64
    public var fenPerThousandPoints: Int64

    /// Net points of one ledger kind in the period.
    public func points(_ kind: LedgerKind) -> Int64 { byKind[kind.rawValue] ?? 0 }
    /// Earned on purchases, referral rewards and points for activities (issue 18: check-in, survey, profile).
    public var issued: Int64 { points(.earn) + points(.referral) + points(.checkIn) + points(.survey) + points(.profile) }
    public var reversed: Int64 { -(points(.reverse) + points(.referralReverse)) }
    public var redeemed: Int64 { -(points(.redeem) + points(.redeemVoid)) }
    public var expired: Int64 { -points(.expire) }
    public var adjusted: Int64 { points(.adjust) }
    public var valueEndFen: Int64 { Saturating.multiply(outstandingEnd, fenPerThousandPoints) / 1000 }
}
