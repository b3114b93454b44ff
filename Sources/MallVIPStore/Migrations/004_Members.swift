import FluentKit
import SQLKit

/// Members and cards. One person, one card: the phone is unique, and so is a keyed hash of the national ID
/// number (the number itself is stored encrypted).
struct M004_Members: AsyncMigration {
    var name: String { "004_Members" }
    func prepare(on db: any Database) async throws {
        try await db.schema("members").autoID()
            .field("name", .string, .required)
            .field("gender", .string, .required)
            .field("birthday", .string)                 // YYYY-MM-DD
            .field("birth_month", .int)
            .field("birth_day", .int)
            .field("phone", .string, .required)
            .field("email", .string)
            .field("address", .string)
            .field("id_hash", .string)
            .field("id_cipher", .string)
            .field("id_masked", .string)
            .field("profile_json", .string, .required)  // sizes, preferences, soft fields (docs/domain.md §1)
            .field("notes", .string, .required)
            .field("consent_sms", .bool, .required)
            .field("consent_email", .bool, .required)
            .field("consent_phone", .bool, .required)
            .field("account_manager_id", .int64, .references("staff_users", "id"))
            .field("status", .string, .required)        // active | deactivated
            .field("earned_tier", .string, .required)
            .field("tier_since_day", .int, .required)
            .field("manual_tier", .string)
            .field("manual_until_day", .int)
            .field("manual_reason", .string)
            .field("points_balance", .int64, .required)
            .field("enrolled_at_ms", .int64, .required)
            .field("enrolled_day", .int, .required)
            .field("enrolled_mall_id", .int64, .references("malls", "id"))
            .field("enrol_rule", .string, .required)
            .field("enrol_receipts", .string, .required) // receipt numbers, comma separated
            .field("enrol_override_reason", .string)
            .field("enrolled_by", .string, .required)
            .field("updated_at_ms", .int64, .required)
            .unique(on: "phone")
            .unique(on: "id_hash")
            .create()
        try await db.sql.create(index: "members_name").on("members").column("name").run()
        try await db.sql.create(index: "members_manager").on("members").column("account_manager_id").run()

        try await db.schema("cards").autoID()
            .field("member_id", .int64, .references("members", "id"))
            .field("card_no", .string, .required)
            .field("state", .string, .required)
            .field("issued_at_ms", .int64, .required)
            .field("activated_at_ms", .int64)
            .field("replaced_by", .string)
            .field("note", .string, .required)
            .unique(on: "card_no").create()
        try await db.sql.create(index: "cards_member").on("cards").column("member_id").run()

        try await db.schema("tier_changes").autoID()
            .field("member_id", .int64, .required, .references("members", "id"))
            .field("from_tier", .string, .required).field("to_tier", .string, .required)
            .field("kind", .string, .required)          // enrol | upgrade | refund | review | manual | manualEnd | approval
            .field("reason", .string, .required)
            .field("purchase_id", .int64)
            .field("actor", .string, .required)
            .field("at_ms", .int64, .required)
            .create()
        try await db.sql.create(index: "tier_changes_member").on("tier_changes").column("member_id").column("id").run()

        try await db.schema("tier_requests").autoID()
            .field("member_id", .int64, .required, .references("members", "id"))
            .field("tier", .string, .required)
            .field("reason", .string, .required)
            .field("status", .string, .required)        // pending | approved | rejected
            .field("created_at_ms", .int64, .required)
            .field("decided_by", .string)
            .field("decided_at_ms", .int64)
            .field("note", .string)
            .create()
        try await db.sql.create(index: "tier_requests_status").on("tier_requests").column("status").run()
    }
    func revert(on db: any Database) async throws {
        for t in ["tier_requests", "tier_changes", "cards", "members"] { try await db.schema(t).delete() }
    }
}
