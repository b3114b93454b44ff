import FluentKit
import SQLKit

/// Malls, departments (课) and counters (店柜). Counter codes are unique across the group: a POS line names a
/// counter, and the counter names its mall.
struct M001_Organisation: AsyncMigration {
    var name: String { "001_Organisation" }

    func prepare(on db: any Database) async throws {
        try await db.schema("malls").autoID()
            .field("code", .string, .required).field("name", .string, .required)
            .field("created_at_ms", .int64, .required)
            .unique(on: "code").create()
        try await db.schema("departments").autoID()
            .field("mall_id", .int64, .required, .references("malls", "id"))
            .field("code", .string, .required).field("name", .string, .required)
            .unique(on: "mall_id", "code").create()
        try await db.schema("counters").autoID()
            .field("mall_id", .int64, .required, .references("malls", "id"))
            .field("department_id", .int64, .required, .references("departments", "id"))
            .field("code", .string, .required).field("name", .string, .required)
            .field("brand", .string, .required).field("category", .string, .required).field("floor", .string, .required)
            .field("participates_in_discount", .bool, .required)
            .field("earns_points", .bool, .required)
            .field("active", .bool, .required)
            .unique(on: "code").create()
    }

    func revert(on db: any Database) async throws {
        for t in ["counters", "departments", "malls"] { try await db.schema(t).delete() }
    }
}

struct M002_Programme: AsyncMigration {
    var name: String { "002_Programme" }
    func prepare(on db: any Database) async throws {
        try await db.schema("programme_versions").autoID()
            .field("version", .int, .required)
            .field("yaml", .string, .required)
            .field("activated_at_ms", .int64, .required)
            .field("activated_by", .string, .required)
            .field("note", .string)
            .unique(on: "version").create()
    }
    func revert(on db: any Database) async throws { try await db.schema("programme_versions").delete() }
}

struct M003_Staff: AsyncMigration {
    var name: String { "003_Staff" }
    func prepare(on db: any Database) async throws {
        try await db.schema("staff_users").autoID()
            .field("username", .string, .required).field("display_name", .string, .required)
            .field("password_hash", .string, .required).field("role", .string, .required)
            .field("mall_id", .int64, .references("malls", "id"))
            .field("active", .bool, .required)
            .field("failed_logins", .int, .required)
            .field("locked_until_ms", .int64)
            .field("hired_on", .int)
            .field("created_at_ms", .int64, .required)
            .unique(on: "username").create()
        try await db.schema("staff_sessions")
            .field("token_hash", .string, .identifier(auto: false))
            .field("user_id", .int64, .required, .references("staff_users", "id"))
            .field("csrf_token", .string, .required)
            .field("language", .string, .required)
            .field("expires_at_ms", .int64, .required)
            .create()
        try await db.schema("api_keys").autoID()
            .field("name", .string, .required).field("prefix", .string, .required)
            .field("key_hash", .string, .required)
            .field("mall_id", .int64, .references("malls", "id"))
            .field("created_at_ms", .int64, .required)
            .field("revoked_at_ms", .int64)
            .unique(on: "key_hash").create()
        try await db.schema("audit_log").autoID()
            .field("at_ms", .int64, .required).field("actor", .string, .required)
            .field("action", .string, .required).field("subject", .string, .required)
            .field("detail", .string, .required)
            .create()
        try await db.sql.create(index: "audit_log_at").on("audit_log").column("at_ms").run()
    }
    func revert(on db: any Database) async throws {
        for t in ["audit_log", "api_keys", "staff_sessions", "staff_users"] { try await db.schema(t).delete() }
    }
}
