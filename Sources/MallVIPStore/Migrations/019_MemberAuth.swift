import FluentKit
import SQLKit

/// Member self-service sign-in (issue 8): one-time SMS codes (only their hash), every send and verify attempt
/// (the rate limits count these rows), and member sessions (token hash), kept apart from staff sessions.
struct M019_MemberAuth: AsyncMigration {
    var name: String { "019_MemberAuth" }

    func prepare(on db: any Database) async throws {
        // A code is issued for every well-formed phone, members or not, so that the answer never tells which
        // phones belong to members; member_id is NULL (and no SMS goes out) for the others.
        try await db.schema("member_login_codes").autoID()
            .field("phone", .string, .required)
            .field("member_id", .int64)
            .field("code_hash", .string, .required)
            .field("created_at_ms", .int64, .required)
            .field("expires_at_ms", .int64, .required)
            .field("tries", .int, .required)
            .field("used_at_ms", .int64)
            .field("outbox_id", .int64)
            .create()
        try await db.sql.create(index: "member_login_codes_phone").on("member_login_codes")
            .column("phone").column("created_at_ms").run()

        try await db.schema("member_login_attempts").autoID()
            .field("phone", .string, .required)
            .field("ip", .string, .required)
            .field("kind", .string, .required)
            .field("outcome", .string, .required)
            .field("member_id", .int64)
            .field("at_ms", .int64, .required)
            .create()
        try await db.sql.create(index: "member_login_attempts_phone").on("member_login_attempts")
            .column("phone").column("at_ms").run()
        try await db.sql.create(index: "member_login_attempts_ip").on("member_login_attempts")
            .column("ip").column("at_ms").run()

        try await db.schema("member_sessions").autoID()
            .field("token_hash", .string, .required)
            .field("member_id", .int64, .required, .references("members", "id"))
            .field("csrf_token", .string, .required)
            .field("created_at_ms", .int64, .required)
            .field("expires_at_ms", .int64, .required)
            .unique(on: "token_hash")
            .create()
        try await db.sql.create(index: "member_sessions_member").on("member_sessions").column("member_id").run()
    }

    func revert(on db: any Database) async throws {
        for t in ["member_sessions", "member_login_attempts", "member_login_codes"] { try await db.schema(t).delete() }
    }
}
