import FluentKit
import Foundation
import MallVIPCore
import SQLKit

/// One member on a maintainer's "My VIPs" list.
public struct ManagedMember: Sendable, Equatable {
    public var id: Int64
    public var name: String
    public var phone: String
    public var cardNo: String?
    public var earnedTier: String
    public var manualTier: String?
    public var manualUntil: LocalDate?
    public var birthday: LocalDate?
    /// Since when this maintainer has the member (nil for a manager set outside the history).
    public var since: LocalDate?
    public var lastPurchase: LocalDate?
    /// Net of refunds, from the first of the month / of the year to today.
    public var spendMonthFen: Int64
    public var spendYearFen: Int64
}

extension Store {
    /// The members `staffId` looks after today, by name.
    public func managedMembers(staffId: Int64, today: LocalDate) async throws -> [ManagedMember] {
        let monthStart = LocalDate(year: today.year, month: today.month, day: 1).dayNumber
        let yearStart = LocalDate(year: today.year, month: 1, day: 1).dayNumber
        return try await sql.rows("""
            SELECT m.id, m.name, m.phone, m.earned_tier, m.manual_tier, m.manual_until_day, m.birthday,
              (SELECT c.card_no FROM cards c WHERE c.member_id = m.id ORDER BY (c.state = 'active') DESC, c.id DESC LIMIT 1) AS card_no,
              (SELECT MAX(h.from_day) FROM member_manager_history h WHERE h.member_id = m.id AND h.staff_id = m.account_manager_id
                 AND h.to_day IS NULL) AS since_day,
              (SELECT MAX(p.business_day) FROM purchases p WHERE p.member_id = m.id AND p.refunded_fen < p.total_fen) AS last_day,
              (SELECT CAST(COALESCE(SUM(d.spend_fen), 0) AS BIGINT) FROM member_daily_spend d
                 WHERE d.member_id = m.id AND d.day >= \(bind: monthStart) AND d.day <= \(bind: today.dayNumber)) AS spend_month,
              (SELECT CAST(COALESCE(SUM(d.spend_fen), 0) AS BIGINT) FROM member_daily_spend d
                 WHERE d.member_id = m.id AND d.day >= \(bind: yearStart) AND d.day <= \(bind: today.dayNumber)) AS spend_year
            FROM members m WHERE m.account_manager_id = \(bind: staffId) ORDER BY m.name, m.id
            """).map { r in
            ManagedMember(id: try r.int64("id"), name: try r.string("name"), phone: try r.string("phone"), cardNo: try r.optString("card_no"),
                          earnedTier: try r.string("earned_tier"), manualTier: try r.optString("manual_tier"),
                          manualUntil: try r.optInt("manual_until_day").map { LocalDate(dayNumber: $0) },
                          birthday: try r.optString("birthday").flatMap(LocalDate.init),
                          since: try r.optInt("since_day").map { LocalDate(dayNumber: $0) },
                          lastPurchase: try r.optInt("last_day").map { LocalDate(dayNumber: $0) },
                          spendMonthFen: try r.int64("spend_month"), spendYearFen: try r.int64("spend_year"))
        }
    }
}
