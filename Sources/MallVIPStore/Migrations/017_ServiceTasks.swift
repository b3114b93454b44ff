import FluentKit
import SQLKit

/// Service tasks raised by the daily rules (issue 5, docs/domain.md §9–10): churn call-backs, birthday cakes,
/// monthly lapse lists, tier approvals. `cause_key` is unique so each cause yields one task however often the
/// rules run. Outbox call tasks stay in `outbox_messages` and are only shown alongside.
struct M017_ServiceTasks: AsyncMigration {
    var name: String { "017_ServiceTasks" }

    func prepare(on db: any Database) async throws {
        try await db.schema("service_tasks").autoID()
            .field("kind", .string, .required)               // churn | birthday | lapse | tierApproval
            .field("cause_key", .string, .required)
            .field("member_id", .int64)
            .field("assigned_staff_id", .int64)
            .field("team_role", .string)                     // a task for a role's team rather than one person
            .field("title", .string, .required)
            .field("detail", .string, .required)
            .field("due_day", .int, .required)
            .field("status", .string, .required)             // open | done | unreachable | declined | cancelled
            .field("outcome_note", .string, .required)
            .field("created_at_ms", .int64, .required)
            .field("closed_at_ms", .int64)
            .field("closed_by", .string)
            .unique(on: "cause_key")
            .create()
        try await db.sql.create(index: "service_tasks_open").on("service_tasks").column("status").column("due_day").run()
        try await db.sql.create(index: "service_tasks_member").on("service_tasks").column("member_id").run()
        try await db.sql.create(index: "service_tasks_staff").on("service_tasks").column("assigned_staff_id").run()
    }

    func revert(on db: any Database) async throws {
        try await db.schema("service_tasks").delete()
    }
}
