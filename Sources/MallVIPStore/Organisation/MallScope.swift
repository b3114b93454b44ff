import Foundation
import MallVIPCore
import SQLKit

/// The malls a signed-in staff user works with (issue 17, docs/security.md "Malls"), and the SQL that narrows a query
/// to them. Built by `Store.mallScope(staff:)`; in the web layer by `MallAccess.scope(req)`.
///
/// `mallIds` nil: group-wide (admins, managers and planners with no mall assigned); empty: no mall (desk, counter
/// staff or an account manager not yet assigned: they see no member). A member is one of the scope's if they enrolled
/// at one of its malls or bought at one on or after `sinceDay` (programme key `malls.memberWindowMonths`).
public struct MallScope: Sendable, Equatable {
    public var mallIds: [Int64]?
    /// The first business day whose purchase still makes a member one of a mall's.
    public var sinceDay: LocalDate

    /// True when the scope holds the group's only mall: every member is that mall's (members enrolled before malls
    /// were recorded, or at a till that names none, have no enrolment mall), so member queries are not narrowed.
    public var coversEveryMember: Bool

    public init(mallIds: [Int64]?, sinceDay: LocalDate, coversEveryMember: Bool = false) {
        self.mallIds = mallIds.map { Array(Set($0)).sorted() }
        self.sinceDay = sinceDay
        self.coversEveryMember = mallIds == nil || coversEveryMember
    }

    public var isGroupWide: Bool { mallIds == nil }

    /// Whether mall `id` is within the scope.
    public func contains(mall id: Int64) -> Bool { mallIds?.contains(id) ?? true }

    /// " AND (member `alias` belongs to one of the malls)" to append to a WHERE over members; empty when group-wide.
    /// `alias` is the members table's alias (or the column holding a member id when `idColumn` is given).
    public func members(_ alias: String = "m", idColumn: String? = nil) -> SQLQueryString {
        guard let condition = memberCondition(alias, idColumn: idColumn) else { return "" }
        return " AND \(condition)"
    }

    /// The condition "member `alias` (or `idColumn`) belongs to one of the malls", without a leading AND; nil when the
    /// scope does not narrow members (group-wide, or the group's only mall). `members` and `membersOrNone` share it.
    func memberCondition(_ alias: String = "m", idColumn: String? = nil) -> SQLQueryString? {
        guard let mallIds, !coversEveryMember else { return nil }
        guard !mallIds.isEmpty else { return "1 = 0" }
        let list = mallIds.map(String.init).joined(separator: ", ")
        let id = idColumn ?? "\(alias).id"
        let enrolled = idColumn == nil
            ? "\(alias).enrolled_mall_id IN (\(list))"
            : "\(id) IN (SELECT ms_m.id FROM members ms_m WHERE ms_m.enrolled_mall_id IN (\(list)))"
        return """
            (\(unsafeRaw: enrolled) OR EXISTS (SELECT 1 FROM member_daily_spend ms_d WHERE ms_d.member_id = \(unsafeRaw: id)
                  AND ms_d.mall_id IN (\(unsafeRaw: list)) AND ms_d.day >= \(unsafeRaw: String(sinceDay.dayNumber))))
            """
    }

    /// " AND `column` IN (the malls)" for rows that carry a mall (purchases, sales aggregates); empty when group-wide.
    public func malls(_ column: String) -> SQLQueryString {
        guard let mallIds else { return "" }
        guard !mallIds.isEmpty else { return " AND 1 = 0" }
        return " AND \(unsafeRaw: column) IN (\(unsafeRaw: mallIds.map(String.init).joined(separator: ", ")))"
    }

    /// The refusal of a mall outside the scope (403, rule `staff.mall.scope`).
    public static func outside(_ field: String = "mall") -> DomainError {
        DomainError(.forbidden, field: field, rule: "staff.mall.scope", zh: "该商场不在您负责的商场范围内",
                    en: "\(field): that mall is not one of your malls")
    }

    /// The refusal of a member outside the scope (403, rule `member.mall.scope`).
    public static var memberOutside: DomainError {
        DomainError(.forbidden, field: "memberId", rule: "member.mall.scope", zh: "这位会员不属于您负责的商场",
                    en: "this member does not belong to your malls (enrolled there or bought there lately)")
    }
}
