import FluentKit
import Foundation
import MallVIPCore
import SQLKit

/// A staff member as a possible maintainer: role, hire date, how many members they look after, and why they may
/// not take more (nil when they may).
public struct ManagerCandidate: Sendable {
    public var id: Int64
    public var username: String
    public var displayName: String
    public var role: StaffRole
    public var active: Bool
    public var hiredOn: LocalDate?
    public var members: Int
    public var refusal: DomainError?
    public var eligible: Bool { refusal == nil }
}

/// One spell of a member with a maintainer: from `from` (inclusive) to `to` (exclusive; nil while it lasts).
public struct ManagerSpell: Sendable, Equatable {
    public var staffId: Int64
    public var staffName: String
    public var from: LocalDate
    public var to: LocalDate?
    public var reason: String
    public var assignedBy: String
    public var assignedAt: Date
}

extension Store {
    /// Every staff member with their eligibility on `today` (docs/domain.md §9.1: sales and planning staff with
    /// the configured tenure), maintainers with members first.
    public func managerCandidates(on today: LocalDate, policy: AccountManagerPolicy) async throws -> [ManagerCandidate] {
        try await sql.rows("""
            SELECT s.id, s.username, s.display_name, s.role, s.active, s.hired_on,
              (SELECT COUNT(*) FROM members m WHERE m.account_manager_id = s.id) AS members
            FROM staff_users s ORDER BY members DESC, s.display_name, s.id
            """).map { r in
            let role = StaffRole(rawValue: try r.string("role")) ?? .counterStaff
            let active = try r.bool("active")
            let hired = try r.optInt("hired_on").map { LocalDate(dayNumber: $0) }
            return ManagerCandidate(id: try r.int64("id"), username: try r.string("username"), displayName: try r.string("display_name"),
                                    role: role, active: active, hiredOn: hired, members: try r.int("members"),
                                    refusal: policy.refusal(role: role.rawValue, active: active, hiredOn: hired, on: today))
        }
    }

    /// Records a staff member's hire date, which the tenure rule needs (nil clears it).
    public func setHiredOn(staffId: Int64, hiredOn: LocalDate?, actor: String) async throws {
        let today = LocalDate.of(now, in: try await programme().1.timeZone)
        if let hiredOn, hiredOn > today {
            throw DomainError.invalid("hiredOn", "hiredOn.future", zh: "入职日期不能晚于今天", en: "the hire date cannot be in the future")
        }
        try await write { tx in
            guard try await tx.sql.row("SELECT id FROM staff_users WHERE id = \(bind: staffId)") != nil else {
                throw DomainError(.notFound, field: "staffId", rule: "staff.exists", zh: "员工不存在", en: "no such staff user")
            }
            try await tx.sql.exec("UPDATE staff_users SET hired_on = \(bind: hiredOn?.dayNumber) WHERE id = \(bind: staffId)")
            try await self.audit(tx, actor: actor, action: "staff.hiredOn", subject: "staff:\(staffId)", detail: hiredOn?.description ?? "cleared")
        }
    }

    /// Gives a member to a maintainer, moves them to another, or (staffId nil) takes them away. The open spell
    /// closes today and a new one starts today, so the history shows who had the member on any day.
    public func assignManager(memberId: Int64, staffId: Int64?, reason: String, actor: String) async throws {
        let (_, programme) = try await self.programme()
        let today = LocalDate.of(now, in: programme.timeZone)
        let policy = programme.accountManagers
        let reason = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard reason.count <= 200 else {
            throw DomainError.invalid("reason", "reason.length", zh: "原因最多 200 字", en: "the reason is at most 200 characters")
        }
        try await write { tx in
            _ = try await self.lockMember(tx.sql, memberId)
            let current = try await tx.sql.row("SELECT account_manager_id FROM members WHERE id = \(bind: memberId)")?.optInt64("account_manager_id")
            guard current != staffId else {
                throw DomainError(.conflict, field: "staffId", rule: "manager.unchanged",
                                  zh: "该会员已由这位维护人负责", en: "the member already has this account manager")
            }
            if let staffId {
                guard let s = try await tx.sql.row("SELECT role, active, hired_on FROM staff_users WHERE id = \(bind: staffId)") else {
                    throw DomainError(.notFound, field: "staffId", rule: "staff.exists", zh: "员工不存在", en: "no such staff user")
                }
                if let refusal = policy.refusal(role: try s.string("role"), active: try s.bool("active"),
                                                hiredOn: try s.optInt("hired_on").map { LocalDate(dayNumber: $0) }, on: today) {
                    throw refusal
                }
            }
            let nowMs = epochMillis(self.now)
            try await tx.sql.exec("""
                UPDATE member_manager_history SET to_day = \(bind: today.dayNumber) WHERE member_id = \(bind: memberId) AND to_day IS NULL
                """)
            if let staffId {
                try await tx.sql.exec("""
                    INSERT INTO member_manager_history (member_id, staff_id, from_day, to_day, reason, assigned_by, assigned_at_ms)
                    VALUES (\(bind: memberId), \(bind: staffId), \(bind: today.dayNumber), NULL, \(bind: reason), \(bind: actor), \(bind: nowMs))
                    """)
            }
            try await tx.sql.exec("""
                UPDATE members SET account_manager_id = \(bind: staffId), updated_at_ms = \(bind: nowMs) WHERE id = \(bind: memberId)
                """)
            // The member's open work follows them: churn call-backs and birthday tasks, and calls waiting in the outbox,
            // go to the new manager, or back to the team that takes members without one (as the task rules decide).
            try await tx.sql.exec("""
                UPDATE service_tasks SET assigned_staff_id = \(bind: staffId),
                  team_role = \(bind: staffId == nil ? StaffRole.desk.rawValue : nil)
                WHERE member_id = \(bind: memberId) AND status = 'open' AND kind = 'churn'
                """)
            try await tx.sql.exec("""
                UPDATE service_tasks SET assigned_staff_id = \(bind: staffId),
                  team_role = \(bind: staffId == nil ? StaffRole.planner.rawValue : nil)
                WHERE member_id = \(bind: memberId) AND status = 'open' AND kind = 'birthday'
                """)
            try await tx.sql.exec("""
                UPDATE outbox_messages SET assigned_staff_id = \(bind: staffId)
                WHERE member_id = \(bind: memberId) AND channel = 'call' AND status IN ('queued', 'deferred')
                """)
            try await self.audit(tx, actor: actor, action: staffId == nil ? "member.manager.remove" : "member.manager.assign",
                                 subject: "member:\(memberId)", detail: "\(current.map(String.init) ?? "-") → \(staffId.map(String.init) ?? "-") \(reason)")
        }
    }

    /// The member's maintainers, latest first.
    public func managerHistory(memberId: Int64) async throws -> [ManagerSpell] {
        try await sql.rows("""
            SELECT h.*, s.display_name FROM member_manager_history h JOIN staff_users s ON s.id = h.staff_id
            WHERE h.member_id = \(bind: memberId) ORDER BY h.id DESC
            """).map { r in
            ManagerSpell(staffId: try r.int64("staff_id"), staffName: try r.string("display_name"),
                         from: LocalDate(dayNumber: try r.int("from_day")), to: try r.optInt("to_day").map { LocalDate(dayNumber: $0) },
                         reason: try r.string("reason"), assignedBy: try r.string("assigned_by"),
                         assignedAt: dateFromMillis(try r.int64("assigned_at_ms")))
        }
    }
}
