import FluentKit
import SQLKit

/// Corrections at the desk, audited (issue 17): every change of a member's personal field with its value before
/// and after, who made it, how (profile edit, SMS code, manager override, the member's own page) and why; and the
/// one-time SMS codes that check a new phone number or the holder of a lost card.
///
/// Values are kept as the member row keeps them: phone, e-mail and address in plain text (shown masked to roles
/// that do not see personal data), the national ID number only masked (the full number stays encrypted on the
/// member row, shown by the audited "reveal"). An erased member's rows are deleted with the rest of their data.
struct M034_MemberCorrections: AsyncMigration {
    var name: String { "034_MemberCorrections" }

    func prepare(on db: any Database) async throws {
        try await db.schema("member_field_changes").autoID()
            .field("member_id", .int64, .required, .references("members", "id"))
            .field("field", .string, .required)          // PersonalField raw value
            .field("before_value", .string)
            .field("after_value", .string)
            .field("method", .string, .required)         // edit | code | override | self | desk
            .field("reason", .string, .required)
            .field("actor", .string, .required)
            .field("at_ms", .int64, .required)
            .create()
        try await db.sql.create(index: "member_field_changes_member").on("member_field_changes").column("member_id").column("id").run()

        // Only a keyed hash of the code; `phone` is where it was sent (the new number, or the holder's own).
        try await db.schema("member_verify_codes").autoID()
            .field("member_id", .int64, .required, .references("members", "id"))
            .field("purpose", .string, .required)        // phone | card
            .field("phone", .string, .required)
            .field("code_hash", .string, .required)
            .field("created_at_ms", .int64, .required)
            .field("expires_at_ms", .int64, .required)
            .field("tries", .int, .required)
            .field("used_at_ms", .int64)
            .field("outbox_id", .int64)
            .field("requested_by", .string, .required)
            .create()
        try await db.sql.create(index: "member_verify_codes_member").on("member_verify_codes")
            .column("member_id").column("purpose").column("id").run()
    }

    func revert(on db: any Database) async throws {
        for t in ["member_verify_codes", "member_field_changes"] { try await db.schema(t).delete() }
    }
}
