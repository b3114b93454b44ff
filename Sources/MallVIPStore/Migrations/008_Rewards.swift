import FluentKit
import SQLKit

/// The redemption catalogue and the redemptions made from it (docs/domain.md §5). A redemption remembers what it
/// cost and whom the mall owes for it, so the monthly counter settlement and a later void need nothing else.
struct M008_Rewards: AsyncMigration {
    var name: String { "008_Rewards" }

    func prepare(on db: any Database) async throws {
        try await db.schema("reward_items").autoID()
            .field("code", .string, .required)
            .field("name_zh", .string, .required).field("name_en", .string, .required)
            .field("kind", .string, .required)                 // gift | cashCoupon | serviceCoupon
            .field("points", .int64)                           // fixed price, or
            .field("ladder_code", .string)                     // priced by a programme ladder from the list price
            .field("list_price_fen", .int64)
            .field("special_price", .bool, .required)
            .field("stock", .int64)                            // NULL = unlimited
            .field("supplier_counter_id", .int64, .references("counters", "id"))
            .field("per_member_limit", .int)
            .field("period", .string, .required)               // none | day | month | year
            .field("per_period_limit", .int)
            .field("valid_from_day", .int).field("valid_to_day", .int)
            .field("allowed_tiers", .string, .required)        // comma separated; empty = every tier
            .field("max_balance", .int64)
            .field("window_code", .string)
            .field("one_per_card", .bool, .required)
            .field("coupon_face_fen", .int64)
            .field("coupon_discount_permille", .int)
            .field("coupon_min_spend_fen", .int64, .required)
            .field("coupon_valid_days", .int)
            .field("coupon_valid_to_day", .int)                // year-labelled vouchers end on a fixed day
            .field("coupon_counter_codes", .string, .required) // accepting counters, comma separated; empty = all
            .field("active", .bool, .required)
            .field("created_at_ms", .int64, .required)
            .field("updated_at_ms", .int64, .required)
            .unique(on: "code")
            .create()

        try await db.schema("redemptions").autoID()
            .field("member_id", .int64, .required, .references("members", "id"))
            .field("card_no", .string)
            .field("item_id", .int64, .required, .references("reward_items", "id"))
            .field("points", .int64, .required)                // taken from the balance (0 in milestone mode)
            .field("balance_after", .int64, .required)
            .field("list_price_fen", .int64)
            .field("cost_fen", .int64, .required)              // owed to the supplying counter
            .field("supplier_counter_id", .int64)
            .field("mall_id", .int64, .required, .references("malls", "id"))
            .field("business_day", .int, .required)
            .field("status", .string, .required)               // done | void
            .field("void_reason", .string)
            .field("voided_by", .string)
            .field("voided_at_ms", .int64)
            .field("idempotency_key", .string, .required)
            .field("request_hash", .string, .required)
            .field("coupon_code", .string)
            .field("actor", .string, .required)
            .field("at_ms", .int64, .required)
            .unique(on: "idempotency_key")
            .create()
        // Limits count a member's redemptions of an item; the settlement reads a month by supplier.
        try await db.sql.create(index: "redemptions_member").on("redemptions").column("member_id").column("item_id").run()
        try await db.sql.create(index: "redemptions_supplier").on("redemptions").column("business_day").column("supplier_counter_id").run()
    }

    func revert(on db: any Database) async throws {
        try await db.schema("redemptions").delete()
        try await db.schema("reward_items").delete()
    }
}
