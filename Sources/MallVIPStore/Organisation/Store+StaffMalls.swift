import Foundation
import MallVIPCore
import SQLKit

/// Staff assigned to malls (migration 033, issue 17). Admins, managers and planners may have none (group-wide).
public extension StaffRole {
    /// Roles that work group-wide when no mall is assigned to them; the others need an assignment.
    var mayBeGroupWide: Bool { [.admin, .manager, .planner].contains(self) }
}

extension Store {
    /// The malls assigned to staff user `staffId`, by id.
    public func staffMallIds(staffId: Int64) async throws -> [Int64] {
        try await sql.rows("SELECT mall_id FROM staff_malls WHERE staff_id = \(bind: staffId) ORDER BY mall_id").map { try $0.int64("mall_id") }
    }

    /// Every staff user's malls (the admin's user list).
    public func staffMallIdsByStaff() async throws -> [Int64: [Int64]] {
        var out: [Int64: [Int64]] = [:]
        for r in try await sql.rows("SELECT staff_id, mall_id FROM staff_malls ORDER BY mall_id") {
            out[try r.int64("staff_id"), default: []].append(try r.int64("mall_id"))
        }
        return out
    }

    /// Replaces staff user `staffId`'s malls. Every id must name a mall; audited.
    public func setStaffMalls(staffId: Int64, mallIds: [Int64], actor: String) async throws {
        let ids = Array(Set(mallIds)).sorted()
        let known = Set(try await malls().map(\.id))
        if let bad = ids.first(where: { !known.contains($0) }) {
            throw DomainError(.invalid, field: "malls", rule: "mall.exists", zh: "商场不存在：\(bad)", en: "malls: unknown mall \(bad)")
        }
        try await write { tx in
            try await tx.sql.exec("DELETE FROM staff_malls WHERE staff_id = \(bind: staffId)")
            for id in ids { try await tx.sql.exec("INSERT INTO staff_malls (staff_id, mall_id) VALUES (\(bind: staffId), \(bind: id))") }
            try await self.audit(tx, actor: actor, action: "staff.malls", subject: "staff:\(staffId)",
                                 detail: ids.map(String.init).joined(separator: ","))
        }
    }

    /// A new desk, counter-staff or account-manager user of a one-mall group gets that mall (as migration 033 did for
    /// the users before it), so a one-mall installation needs no assignment step.
    public func assignSoleMallIfRequired(staffId: Int64, role: StaffRole) async throws {
        guard !role.mayBeGroupWide else { return }
        let malls = try await malls()
        guard malls.count == 1, try await staffMallIds(staffId: staffId).isEmpty else { return }
        try await write { tx in
            try await tx.sql.exec("INSERT INTO staff_malls (staff_id, mall_id) VALUES (\(bind: staffId), \(bind: malls[0].id))")
        }
    }

    /// The scope of `user` under the current programme's window (`malls.memberWindowMonths`).
    public func mallScope(staff user: StaffUser) async throws -> MallScope {
        let (_, programme) = try await programme()
        let today = LocalDate.of(now, in: programme.timeZone)
        let assigned = try await staffMallIds(staffId: user.id)
        let ids = StaffMallRule.malls(assigned: assigned, mayBeGroupWide: user.role.mayBeGroupWide)
        let all = try await malls()
        let sole = all.count == 1 && (ids?.contains(all[0].id) ?? true)
        return MallScope(mallIds: ids, sinceDay: programme.malls.since(today), coversEveryMember: sole)
    }

    /// Whether member `memberId` belongs to `scope` (enrolled at one of its malls or bought at one since its window).
    public func member(_ memberId: Int64, isIn scope: MallScope) async throws -> Bool {
        guard !scope.coversEveryMember else { return true }
        return try await sql.row("SELECT m.id FROM members m WHERE m.id = \(bind: memberId)\(scope.members("m"))") != nil
    }
}
