import FluentKit
import SQLKit

/// Staff credentials (issue 14): a "must change password" flag (first-start admin, admin resets, users an admin
/// created with a password of their choosing), and every staff sign-in attempt with its client address, which the
/// per-address throttle and the distributed-guessing lock count.
struct M028_StaffCredentials: AsyncMigration {
    var name: String { "028_StaffCredentials" }

    func prepare(on db: any Database) async throws {
        try await db.sql.exec("ALTER TABLE staff_users ADD COLUMN must_change_password BOOLEAN NOT NULL DEFAULT FALSE")
        try await db.schema("staff_login_attempts").autoID()
            .field("ip", .string, .required)
            .field("username", .string, .required)
            .field("user_id", .int64)
            .field("success", .bool, .required)
            .field("at_ms", .int64, .required)
            .create()
        try await db.sql.create(index: "staff_login_attempts_ip").on("staff_login_attempts").column("ip").column("at_ms").run()
        try await db.sql.create(index: "staff_login_attempts_user").on("staff_login_attempts").column("user_id").column("at_ms").run()
        try await db.sql.create(index: "staff_sessions_user").on("staff_sessions").column("user_id").run()
    }

    func revert(on db: any Database) async throws {
        try await db.schema("staff_login_attempts").delete()
        try await db.sql.exec("ALTER TABLE staff_users DROP COLUMN must_change_password")
    }
}
