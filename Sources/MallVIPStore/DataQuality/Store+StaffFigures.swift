import Foundation
import MallVIPCore
import SQLKit

/// Cards opened per staff member, desk and counter (issue 17, docs/domain.md §9.4 "cards opened", §12.3).
///
/// Where it comes from: every enrolment records who did it in `members.enrolled_by` ("staff:USERNAME" at the console,
/// "api:KEYNAME" at a till, the import's actor for imported members) and, since issue 17, the staff member's mall in
/// `members.enrolled_mall_id`. A console user's role tells desk (服务台) from counter staff (店柜员工); a counter staff
/// member's counter is `staff_users.counter_id`. What history lacks: the counter is the staff member's counter
/// today (a move to another counter moves their past cards with them), and members enrolled at the console before
/// issue 17 have no enrolment mall, so a report cut to malls does not count them.
public struct CardsOpenedRow: Sendable, Equatable {
    public enum Channel: String, Sendable, CaseIterable {
        case desk, counter, console, till, other
        public var label: LocalizedName {
            switch self {
            case .desk: LocalizedName(zh: "服务台", en: "Service desk")
            case .counter: LocalizedName(zh: "店柜", en: "Counter")
            case .console: LocalizedName(zh: "其他后台人员", en: "Other console staff")
            case .till: LocalizedName(zh: "收银台（POS 接口）", en: "Till (POS API)")
            case .other: LocalizedName(zh: "导入等", en: "Import and other")
            }
        }
    }
    public var enrolledBy: String
    public var channel: Channel
    public var staffId: Int64?
    public var staffName: String?
    public var counterId: Int64?
    public var counterCode: String?
    public var counterName: String?
    public var cards: Int
}

extension Store {
    /// Members enrolled on the business days of `range` (any status: a card opened and later closed was still
    /// opened), grouped by who enrolled them. `malls`: the enrolment malls counted (nil: every member).
    public func cardsOpened(_ range: DayRange, malls: MallScope?) async throws -> [CardsOpenedRow] {
        let mallFilter: SQLQueryString = (malls.map { $0.coversEveryMember ? "" : $0.malls("m.enrolled_mall_id") }) ?? ""
        let rows = try await sql.rows("""
            SELECT m.enrolled_by, MIN(s.id) AS staff_id, MIN(s.display_name) AS staff_name, MIN(s.role) AS role,
              MIN(c.id) AS counter_id, MIN(c.code) AS counter_code, MIN(c.name) AS counter_name, COUNT(*) AS cards
            FROM members m LEFT JOIN staff_users s ON 'staff:' || s.username = m.enrolled_by
              LEFT JOIN counters c ON c.id = s.counter_id
            WHERE m.enrolled_day >= \(bind: range.from.dayNumber) AND m.enrolled_day <= \(bind: range.to.dayNumber)\(mallFilter)
            GROUP BY m.enrolled_by
            ORDER BY COUNT(*) DESC, m.enrolled_by
            """)
        return try rows.map { r in
            let by = try r.string("enrolled_by")
            let role = try r.optString("role")
            let channel: CardsOpenedRow.Channel
            switch role {
            case "desk"?: channel = .desk
            case "counterStaff"?: channel = .counter
            case .some: channel = .console
            case nil: channel = by.hasPrefix("api:") ? .till : .other
            }
            return CardsOpenedRow(enrolledBy: by, channel: channel, staffId: try r.optInt64("staff_id"), staffName: try r.optString("staff_name"),
                                  counterId: try r.optInt64("counter_id"), counterCode: try r.optString("counter_code"),
                                  counterName: try r.optString("counter_name"), cards: try r.int("cards"))
        }
    }

    /// Counter staff (active or not) with their counter, for the per-counter table: sales carry no cashier, so a
    /// counter's member sales and VIP share are shown beside the staff who work there, not split between them.
    public func counterStaffNames(mallId: Int64?) async throws -> [String: [String]] {
        let mall: SQLQueryString = mallId.map { " AND c.mall_id = \(bind: $0)" } ?? ""
        let rows = try await sql.rows("""
            SELECT c.code, s.display_name FROM staff_users s JOIN counters c ON c.id = s.counter_id
            WHERE s.role = 'counterStaff'\(mall) ORDER BY c.code, s.display_name
            """)
        var out: [String: [String]] = [:]
        for r in rows { out[try r.string("code"), default: []].append(try r.string("display_name")) }
        return out
    }
}
