import FluentKit
import Foundation
import MallVIPCore
import SQLKit

extension Store {
    /// Open call tasks (call-channel messages still queued or deferred by their schedule): one manager's when
    /// `staffId` is given, else everyone's including unassigned ones. Due first.
    public func callTasks(staffId: Int64?, limit: Int = 500, mallScope: MallScope? = nil) async throws -> [OutboxMessage] {
        var q: SQLQueryString = "SELECT \(unsafeRaw: Store.outboxColumns) FROM outbox_messages o JOIN members m ON m.id = o.member_id"
        q.appendLiteral(" WHERE o.channel = 'call' AND o.status IN ('queued', 'deferred')")
        if let staffId { q.appendLiteral(" AND o.assigned_staff_id = "); q.appendInterpolation(bind: staffId) }
        if let mallScope { q.appendInterpolation(mallScope.members()) }   // issue 17: only members of those malls
        q.appendLiteral(" ORDER BY o.next_attempt_at_ms, o.id LIMIT \(limit)")
        return try await sql.rows(q).map(outboxMessage)
    }

    /// A manager reports a call: done → `delivered` (with the programme's call cost), not reached → `failed` with
    /// the note. `staffId`: the manager, who may only close their own tasks; nil for supervisors.
    public func finishCallTask(id: Int64, done: Bool, note: String, staffId: Int64?, actor: String) async throws {
        let note = note.trimmingCharacters(in: .whitespacesAndNewlines)
        if !done && note.isEmpty {
            throw DomainError.invalid("note", "call.note", zh: "未接通时请填写说明", en: "say why the call failed")
        }
        let cost = try await programme().1.messaging.callCostFen
        let nowMs = epochMillis(now)
        try await write { tx in
            guard let r = try await tx.sql.row("""
                SELECT assigned_staff_id, status FROM outbox_messages WHERE id = \(bind: id) AND channel = 'call'
                """) else {
                throw DomainError(.notFound, field: "id", rule: "call.exists", zh: "回访任务不存在", en: "call task not found")
            }
            if let staffId, try r.optInt64("assigned_staff_id") != staffId {
                throw DomainError(.forbidden, field: "id", rule: "call.assignee", zh: "这不是您的回访任务", en: "this call task is not yours")
            }
            let closed = try await tx.sql.rows("""
                UPDATE outbox_messages SET status = \(bind: done ? "delivered" : "failed"), attempts = attempts + 1,
                  delivery_status = \(bind: done ? (note.isEmpty ? "done" : note) : nil as String?),
                  last_error = \(bind: done ? nil : note), cost_fen = \(bind: done ? cost : 0),
                  sent_at_ms = \(bind: done ? nowMs : nil as Int64?), updated_at_ms = \(bind: nowMs)
                WHERE id = \(bind: id) AND status IN ('queued', 'deferred') RETURNING id
                """).count
            guard closed == 1 else {
                throw DomainError(.conflict, field: "id", rule: "call.open", zh: "任务已处理", en: "call task already closed")
            }
            try await self.audit(tx, actor: actor, action: done ? "call.done" : "call.failed", subject: "outbox:\(id)", detail: note)
        }
    }
}
