import FluentKit
import Foundation
import MallVIPCore
import SQLKit

/// The gift report (docs/reports.md "Gifts"): per gift and month of issue, entitlements issued, collected, expired and
/// still open, and the spend of the members who collected against those who did not, each over the same window: from
/// the day of issue through the entitlement's last day (a gift's effect on spend, §6.6 "evaluate how effective each
/// promotional gift was"). Spend is member_daily_spend (net of refunds), at every mall or at the one chosen.
public struct GiftReportLine: Sendable, Equatable {
    public var giftCode: String
    public var month: CostPeriod
    public var issued = 0
    public var collected = 0
    public var expired = 0
    public var open = 0
    public var collectorsSpendFen: Int64 = 0
    public var othersSpendFen: Int64 = 0
    /// Cost of the gifts handed over (their cost when issued).
    public var costFen: Int64 = 0

    public init(giftCode: String, month: CostPeriod) {
        self.giftCode = giftCode
        self.month = month
    }

    /// Average spend per collector / per member who did not collect; nil when the group is empty.
    public var collectorsAverageFen: Int64? { collected == 0 ? nil : collectorsSpendFen / Int64(collected) }
    public var othersAverageFen: Int64? { issued - collected == 0 ? nil : othersSpendFen / Int64(issued - collected) }
}

public struct GiftReport: Sendable, Equatable {
    public var from: CostPeriod
    public var through: CostPeriod
    public var mallId: Int64?
    public var lines: [GiftReportLine]
}

extension Store {
    /// Entitlements issued in the months `from…through`; with `mallId`, those of members enrolled at that mall and
    /// their spend there.
    public func giftReport(from: CostPeriod, through: CostPeriod, mallId: Int64? = nil) async throws -> GiftReport {
        let first = from.firstDay.dayNumber, end = through.next.firstDay.dayNumber
        let mallMembers: SQLQueryString = mallId.map { "AND m.enrolled_mall_id = \(bind: $0)" } ?? ""
        let mallSpend: SQLQueryString = mallId.map { "AND s.mall_id = \(bind: $0)" } ?? ""
        let rows = try await sql.rows("""
            SELECT e.gift_code, e.issued_day, e.status, e.cost_fen,
              CAST(COALESCE((SELECT SUM(s.spend_fen) FROM member_daily_spend s WHERE s.member_id = e.member_id
                AND s.day >= e.issued_day AND s.day <= e.valid_until_day \(mallSpend)), 0) AS BIGINT) AS spend
            FROM gift_entitlements e JOIN members m ON m.id = e.member_id
            WHERE e.issued_day >= \(bind: first) AND e.issued_day < \(bind: end) \(mallMembers)
            ORDER BY e.gift_code, e.issued_day
            """)
        var lines: [String: GiftReportLine] = [:]
        var order: [String] = []
        for r in rows {
            let code = try r.string("gift_code")
            let month = CostPeriod(LocalDate(dayNumber: try r.int("issued_day")))
            let key = "\(month)|\(code)"
            if lines[key] == nil { lines[key] = GiftReportLine(giftCode: code, month: month); order.append(key) }
            let spend = try r.int64("spend")
            lines[key]!.issued += 1
            switch GiftEntitlementStatus(rawValue: try r.string("status")) ?? .open {
            case .collected:
                lines[key]!.collected += 1
                lines[key]!.collectorsSpendFen = Saturating.add(lines[key]!.collectorsSpendFen, spend)
                lines[key]!.costFen = Saturating.add(lines[key]!.costFen, try r.int64("cost_fen"))
            case .expired:
                lines[key]!.expired += 1
                lines[key]!.othersSpendFen = Saturating.add(lines[key]!.othersSpendFen, spend)
            case .open:
                lines[key]!.open += 1
                lines[key]!.othersSpendFen = Saturating.add(lines[key]!.othersSpendFen, spend)
            }
        }
        let sorted = order.compactMap { lines[$0] }.sorted { ($0.month, $0.giftCode) < ($1.month, $1.giftCode) }
        return GiftReport(from: from, through: through, mallId: mallId, lines: sorted)
    }
}
