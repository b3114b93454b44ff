import FluentKit
import SQLKit

/// Coupons (docs/domain.md §5.3): issued by redemption, birthday, campaigns, referrals or a manager; used once at a
/// till against a receipt, or voided with the redemption or referral that issued them.
struct M009_Coupons: AsyncMigration {
    var name: String { "009_Coupons" }

    func prepare(on db: any Database) async throws {
        try await db.schema("coupons").autoID()
            .field("code", .string, .required)
            .field("member_id", .int64, .references("members", "id"))   // nil: a bearer coupon
            .field("name_zh", .string, .required).field("name_en", .string, .required)
            .field("face_fen", .int64)
            .field("discount_permille", .int)
            .field("min_spend_fen", .int64, .required)
            .field("valid_from_day", .int, .required)
            .field("valid_to_day", .int, .required)
            .field("counter_codes", .string, .required)      // comma separated; empty = every participating counter
            .field("status", .string, .required)             // issued | used | void
            .field("source", .string, .required)             // redemption | birthday | campaign | manager | referral
            .field("source_ref", .string)
            .field("issued_by", .string, .required)
            .field("issued_at_ms", .int64, .required)
            // Filled when used; the response is kept so the same receipt presented again gets the same answer.
            .field("used_at_ms", .int64)
            .field("used_mall_id", .int64, .references("malls", "id"))
            .field("used_receipt_no", .string)
            .field("used_counter_code", .string)
            .field("used_member_id", .int64, .references("members", "id"))   // who presented a bearer coupon
            .field("used_amount_fen", .int64)
            .field("used_discount_fen", .int64)
            .field("used_response_json", .string)
            .field("voided_at_ms", .int64)
            .field("void_reason", .string)
            .field("voided_by", .string)
            .unique(on: "code")
            .create()
        try await db.sql.create(index: "coupons_member").on("coupons").column("member_id").column("status").run()
        try await db.sql.create(index: "coupons_source_ref").on("coupons").column("source_ref").run()
        try await db.sql.create(index: "coupons_status").on("coupons").column("status").column("valid_to_day").run()
    }

    func revert(on db: any Database) async throws {
        try await db.schema("coupons").delete()
    }
}
