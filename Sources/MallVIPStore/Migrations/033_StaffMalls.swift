import FluentKit
import SQLKit

/// Staff belong to malls (issue 17, docs/security.md "Malls"): the group (the whole installation) → regions (区域) →
/// malls. `regions` and a nullable `malls.region_id`; `staff_malls` assigns a staff user to one or more malls,
/// replacing the single `staff_users.mall_id` (kept, no longer read).
///
/// Existing users: each `staff_users.mall_id` becomes a row of `staff_malls`. Desk, counter staff and account managers
/// need an assignment to see any member; one without a mall is given the group's mall when the group has exactly one
/// (so a one-mall installation works as before), and otherwise sees no member until an admin assigns one. Admins,
/// managers and planners without a mall stay group-wide.
struct M033_StaffMalls: AsyncMigration {
    var name: String { "033_StaffMalls" }

    func prepare(on db: any Database) async throws {
        try await db.schema("regions").autoID()
            .field("code", .string, .required).field("name", .string, .required)
            .field("created_at_ms", .int64, .required)
            .unique(on: "code").create()
        try await db.schema("malls").field("region_id", .int64).update()
        try await db.schema("staff_malls")
            .field("staff_id", .int64, .required, .references("staff_users", "id"))
            .field("mall_id", .int64, .required, .references("malls", "id"))
            .unique(on: "staff_id", "mall_id")
            .create()
        try await db.sql.create(index: "staff_malls_mall").on("staff_malls").column("mall_id").run()
        // Which malls a member bought at lately: the mall rule asks "bought at one of these malls since day D".
        try await db.sql.create(index: "member_daily_spend_mall").on("member_daily_spend").column("mall_id").column("day").run()
        let sql = db.sql
        try await sql.exec("INSERT INTO staff_malls (staff_id, mall_id) SELECT id, mall_id FROM staff_users WHERE mall_id IS NOT NULL")
        try await sql.exec("""
            INSERT INTO staff_malls (staff_id, mall_id)
            SELECT u.id, (SELECT MIN(id) FROM malls) FROM staff_users u
            WHERE u.role IN ('desk', 'counterStaff', 'accountManager') AND (SELECT COUNT(*) FROM malls) = 1
              AND NOT EXISTS (SELECT 1 FROM staff_malls s WHERE s.staff_id = u.id)
            """)
    }

    func revert(on db: any Database) async throws {
        try await db.schema("staff_malls").delete()
        try await db.schema("malls").deleteField("region_id").update()
        try await db.schema("regions").delete()
    }
}
