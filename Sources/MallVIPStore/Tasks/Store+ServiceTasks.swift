import FluentKit
import Foundation
import MallVIPCore
import SQLKit

extension Store {
    /// Open work per member: open service tasks plus open outbox call tasks (queued or deferred), for the
    /// "My VIPs" page. Members without open work are absent from the result.
    public func openTaskCounts(memberIds: [Int64]) async throws -> [Int64: Int] {
        let ids = Array(Set(memberIds))
        guard !ids.isEmpty else { return [:] }
        var counts: [Int64: Int] = [:]
        for r in try await sql.rows("""
            SELECT member_id, COUNT(*) AS n FROM service_tasks
            WHERE status = 'open' AND member_id IN (\(binds: ids)) GROUP BY member_id
            """) {
            counts[try r.int64("member_id"), default: 0] += try r.int("n")
        }
        for r in try await sql.rows("""
            SELECT member_id, COUNT(*) AS n FROM outbox_messages
            WHERE channel = 'call' AND status IN ('queued', 'deferred') AND member_id IN (\(binds: ids)) GROUP BY member_id
            """) {
            counts[try r.int64("member_id"), default: 0] += try r.int("n")
        }
        return counts
    }
}

extension Store {
    static let serviceTaskColumns = """
        t.id, t.kind, t.cause_key, t.member_id, m.name AS member_name, t.assigned_staff_id, s.display_name AS assigned_name,
        t.team_role, t.title, t.detail, t.due_day, t.status, t.outcome_note, t.created_at_ms, t.closed_at_ms, t.closed_by
        """

    /// The tasks `viewer` may see, most urgent first (open before closed, then by due day). A supervisor may
    /// narrow to one person with `filter.staffId`. `mallScope`: only tasks of members of those malls, plus tasks that
    /// name no member (issue 17); nil: every member's.
    public func serviceTasks(_ viewer: TaskViewer, filter: ServiceTaskFilter = .init(), limit: Int = 500,
                             mallScope: MallScope? = nil) async throws -> [ServiceTask] {
        var q: SQLQueryString = """
            SELECT \(unsafeRaw: Store.serviceTaskColumns) FROM service_tasks t
            LEFT JOIN members m ON m.id = t.member_id LEFT JOIN staff_users s ON s.id = t.assigned_staff_id WHERE 1 = 1
            """
        if !viewer.supervisor {
            q.appendLiteral(" AND (t.assigned_staff_id = "); q.appendInterpolation(bind: viewer.staffId)
            q.appendLiteral(" OR (t.assigned_staff_id IS NULL AND t.team_role = "); q.appendInterpolation(bind: viewer.role.rawValue)
            q.appendLiteral("))")
        }
        if let s = filter.staffId { q.appendLiteral(" AND t.assigned_staff_id = "); q.appendInterpolation(bind: s) }
        if let mallScope { q.appendInterpolation(mallScope.membersOrNone(idColumn: "t.member_id", joinedAlias: "m")) }
        if let k = filter.kind { q.appendLiteral(" AND t.kind = "); q.appendInterpolation(bind: k.rawValue) }
        switch filter.status {
        case nil: break
        case "closed"?: q.appendLiteral(" AND t.status <> 'open'")
        case let s?: q.appendLiteral(" AND t.status = "); q.appendInterpolation(bind: s)
        }
        q.appendLiteral(" ORDER BY CASE WHEN t.status = 'open' THEN 0 ELSE 1 END, t.due_day, t.id LIMIT \(limit)")
        return try await sql.rows(q).map(serviceTask)
    }

    public func serviceTask(id: Int64) async throws -> ServiceTask? {
        try await sql.row("""
            SELECT \(unsafeRaw: Store.serviceTaskColumns) FROM service_tasks t
            LEFT JOIN members m ON m.id = t.member_id LEFT JOIN staff_users s ON s.id = t.assigned_staff_id WHERE t.id = \(bind: id)
            """).map(serviceTask)
    }

    /// Records the outcome of an open task. Not reachable and declined need a note saying what happened.
    public func closeServiceTask(id: Int64, outcome: ServiceTaskStatus, note: String, viewer: TaskViewer, actor: String) async throws {
        let note = note.trimmingCharacters(in: .whitespacesAndNewlines)
        guard ServiceTaskStatus.outcomes.contains(outcome) else {
            throw DomainError.invalid("outcome", "task.outcome", zh: "请选择完成、未联系上或已拒绝", en: "choose done, not reachable or declined")
        }
        if outcome != .done && note.isEmpty {
            throw DomainError.invalid("note", "task.note", zh: "未联系上或拒绝时请填写说明", en: "say what happened when not reached or declined")
        }
        guard let task = try await serviceTask(id: id) else {
            throw DomainError(.notFound, field: "id", rule: "task.exists", zh: "任务不存在", en: "task not found")
        }
        guard viewer.mayHandle(task) else {
            throw DomainError(.forbidden, field: "id", rule: "task.assignee", zh: "这不是您的任务", en: "this task is not yours")
        }
        // Closing it by hand would leave the member's data in place: it closes only with its decision.
        guard task.kind != .deletion else {
            throw DomainError(.conflict, field: "id", rule: "task.deletionDecision", zh: "注销申请请用“批准注销”或“驳回”处理",
                              en: "decide a deletion request with approve or reject")
        }
        let nowMs = epochMillis(now)
        try await write { tx in
            let closed = try await tx.sql.rows("""
                UPDATE service_tasks SET status = \(bind: outcome.rawValue), outcome_note = \(bind: note), closed_at_ms = \(bind: nowMs),
                  closed_by = \(bind: actor), assigned_staff_id = COALESCE(assigned_staff_id, \(bind: viewer.staffId))
                WHERE id = \(bind: id) AND status = 'open' RETURNING id
                """).count
            guard closed == 1 else {
                throw DomainError(.conflict, field: "id", rule: "task.open", zh: "任务已处理", en: "task already closed")
            }
            try await self.audit(tx, actor: actor, action: "task.\(outcome.rawValue)", subject: "task:\(id)", detail: note)
        }
    }

    func serviceTask(_ r: any SQLRow) throws -> ServiceTask {
        ServiceTask(id: try r.int64("id"), kind: ServiceTaskKind(rawValue: try r.string("kind")) ?? .churn,
                    causeKey: try r.string("cause_key"), memberId: try r.optInt64("member_id"), memberName: try r.optString("member_name"),
                    assignedStaffId: try r.optInt64("assigned_staff_id"), assignedName: try r.optString("assigned_name"),
                    teamRole: try r.optString("team_role"), title: try r.string("title"), detail: try r.string("detail"),
                    dueDay: LocalDate(dayNumber: try r.int("due_day")),
                    status: ServiceTaskStatus(rawValue: try r.string("status")) ?? .open, outcomeNote: try r.string("outcome_note"),
                    createdAtMs: try r.int64("created_at_ms"), closedAtMs: try r.optInt64("closed_at_ms"), closedBy: try r.optString("closed_by"))
    }
}
