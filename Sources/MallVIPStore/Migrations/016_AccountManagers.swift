import FluentKit
import SQLKit

/// Account managers (issue 5, docs/domain.md §9.1): who looked after a member when (`member_manager_history`, so a
/// past month's KPI counts the members each maintainer had then), the contact log, and the monthly award.
struct M016_AccountManagers: AsyncMigration {
    var name: String { "016_AccountManagers" }

    func prepare(on db: any Database) async throws {
        // One row per spell: from_day inclusive, to_day exclusive (NULL while it lasts). `members.account_manager_id`
        // stays the current value that segments and call tasks read.
        try await db.schema("member_manager_history").autoID()
            .field("member_id", .int64, .required, .references("members", "id"))
            .field("staff_id", .int64, .required, .references("staff_users", "id"))
            .field("from_day", .int, .required)
            .field("to_day", .int)
            .field("reason", .string, .required)
            .field("assigned_by", .string, .required)
            .field("assigned_at_ms", .int64, .required)
            .create()
        try await db.sql.create(index: "member_manager_history_member").on("member_manager_history").column("member_id").column("id").run()
        try await db.sql.create(index: "member_manager_history_staff").on("member_manager_history").column("staff_id").column("from_day").run()

        try await db.schema("member_contacts").autoID()
            .field("member_id", .int64, .required, .references("members", "id"))
            .field("staff_id", .int64, .required, .references("staff_users", "id"))
            .field("kind", .string, .required)          // call | sms | visit | gift | note
            .field("note", .string, .required)
            .field("at_ms", .int64, .required)
            .create()
        try await db.sql.create(index: "member_contacts_member").on("member_contacts").column("member_id").column("at_ms").run()

        try await db.schema("manager_awards").autoID()
            .field("month", .string, .required)         // YYYY-MM
            .field("staff_id", .int64, .required, .references("staff_users", "id"))
            .field("members", .int, .required)
            .field("purchases", .int, .required)
            .field("reward_fen", .int64, .required)     // the cost booked for the month
            .field("reward_text", .string, .required)
            .field("recorded_by", .string, .required)
            .field("recorded_at_ms", .int64, .required)
            .unique(on: "month")
            .create()

        // Managers set before this table existed: their spell starts at enrolment, the best date there is.
        try await db.sql.raw("""
            INSERT INTO member_manager_history (member_id, staff_id, from_day, to_day, reason, assigned_by, assigned_at_ms)
            SELECT id, account_manager_id, enrolled_day, NULL, 'migrated', 'migration', updated_at_ms FROM members
            WHERE account_manager_id IS NOT NULL
            """).run()
    }

    func revert(on db: any Database) async throws {
        for t in ["manager_awards", "member_contacts", "member_manager_history"] { try await db.schema(t).delete() }
    }
}
