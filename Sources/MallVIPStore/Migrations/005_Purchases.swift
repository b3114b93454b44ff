import FluentKit
import SQLKit

/// Purchases (member and non-member), their lines, refunds, the points ledger and the aggregates that rolling
/// windows and reports read. Each table a member owns carries member_id; each purchase carries its mall.
struct M005_Purchases: AsyncMigration {
    var name: String { "005_Purchases" }
    func prepare(on db: any Database) async throws {
        try await db.schema("purchases").autoID()
            .field("mall_id", .int64, .required, .references("malls", "id"))
            .field("receipt_no", .string, .required)
            .field("member_id", .int64, .references("members", "id"))
            .field("card_no", .string)
            .field("phone", .string)
            .field("occurred_at_ms", .int64, .required)
            .field("business_day", .int, .required)
            .field("total_fen", .int64, .required)
            .field("eligible_fen", .int64, .required)   // the part that earns points
            .field("refunded_fen", .int64, .required)
            .field("refunded_eligible_fen", .int64, .required)
            .field("points_earned", .int64, .required)
            .field("points_reversed", .int64, .required)
            .field("factor_permille", .int, .required)
            .field("programme_version", .int, .required)
            .field("request_hash", .string, .required)
            .field("response_json", .string, .required)
            .field("created_at_ms", .int64, .required)
            .unique(on: "mall_id", "receipt_no")
            .create()
        try await db.sql.create(index: "purchases_member").on("purchases").column("member_id").column("business_day").run()
        try await db.sql.create(index: "purchases_phone").on("purchases").column("phone").run()
        try await db.sql.create(index: "purchases_day").on("purchases").column("mall_id").column("business_day").run()

        try await db.schema("purchase_lines").autoID()
            .field("purchase_id", .int64, .required, .references("purchases", "id"))
            .field("member_id", .int64)
            .field("line_no", .int, .required)
            .field("counter_id", .int64, .required, .references("counters", "id"))
            .field("amount_fen", .int64, .required)
            .field("special_price", .bool, .required)
            .field("earns_points", .bool, .required)
            .field("refunded_fen", .int64, .required)
            .create()
        try await db.sql.create(index: "purchase_lines_purchase").on("purchase_lines").column("purchase_id").run()

        try await db.schema("refunds").autoID()
            .field("mall_id", .int64, .required, .references("malls", "id"))
            .field("refund_no", .string, .required)
            .field("purchase_id", .int64, .required, .references("purchases", "id"))
            .field("member_id", .int64)
            .field("amount_fen", .int64, .required)
            .field("points_reversed", .int64, .required)
            .field("request_hash", .string, .required)
            .field("response_json", .string, .required)
            .field("created_at_ms", .int64, .required)
            .unique(on: "mall_id", "refund_no")
            .create()

        try await db.schema("points_ledger").autoID()
            .field("member_id", .int64, .required, .references("members", "id"))
            .field("kind", .string, .required)          // earn | reverse | adjust | redeem | expire
            .field("points", .int64, .required)
            .field("balance_after", .int64, .required)
            .field("purchase_id", .int64)
            .field("refund_id", .int64)
            .field("note", .string, .required)
            .field("actor", .string, .required)
            .field("at_ms", .int64, .required)
            .create()
        try await db.sql.create(index: "points_ledger_member").on("points_ledger").column("member_id").column("id").run()

        // Spend per member, mall and business day (net of refunds): rolling windows sum a handful of rows.
        try await db.schema("member_daily_spend")
            .field("member_id", .int64, .required)
            .field("mall_id", .int64, .required)
            .field("day", .int, .required)
            .field("spend_fen", .int64, .required)
            .field("purchases", .int, .required)
            .unique(on: "member_id", "mall_id", "day")
            .create()
        // Member purchases per mall and business day, for "the first N member purchases of the day".
        try await db.schema("mall_day_counts")
            .field("mall_id", .int64, .required)
            .field("day", .int, .required)
            .field("member_purchases", .int, .required)
            .unique(on: "mall_id", "day")
            .create()
    }
    func revert(on db: any Database) async throws {
        for t in ["mall_day_counts", "member_daily_spend", "points_ledger", "refunds",
                  "purchase_lines", "purchases"] { try await db.schema(t).delete() }
    }
}
