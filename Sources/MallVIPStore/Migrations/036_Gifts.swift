import FluentKit
import SQLKit

/// Gifts with a record (issue 18, docs/workflows.md "Gifts at the desk"): `gift_entitlements`, one row per member,
/// gift and period, written by the daily job (unique key: "once per period" holds however often the job runs);
/// the desk's hand-over is a conditional update on `handed_over_at_ms IS NULL`, so of two desks at once one wins.
/// `cost_fen` is the gift's cost when issued (economics counts it when handed over). `gift_stock`: pieces left per
/// gift and mall, created with the programme's `stock` at the first hand-over there, never below zero.
struct M036_Gifts: AsyncMigration {
    var name: String { "036_Gifts" }

    func prepare(on db: any Database) async throws {
        try await db.schema("gift_entitlements").autoID()
            .field("member_id", .int64, .required, .references("members", "id"))
            .field("gift_code", .string, .required)
            .field("kind", .string, .required)                // birthday | quarterly | returnGift | eventSouvenir | activation
            .field("period_key", .string, .required)          // "2026", "2026Q4", "event:12", "activation"
            .field("issued_day", .int, .required)
            .field("issued_at_ms", .int64, .required)
            .field("valid_until_day", .int, .required)
            .field("status", .string, .required)              // open | collected | expired
            .field("cost_fen", .int64, .required)
            .field("handed_over_at_ms", .int64)
            .field("handed_over_by", .string)
            .field("handed_over_mall_id", .int64)
            .field("handed_over_where", .string)
            .field("expired_at_ms", .int64)
            .unique(on: "member_id", "gift_code", "period_key")
            .create()
        try await db.sql.create(index: "gift_entitlements_status").on("gift_entitlements").column("status").column("valid_until_day").run()
        try await db.sql.create(index: "gift_entitlements_issued").on("gift_entitlements").column("issued_day").run()
        try await db.schema("gift_stock")
            .field("gift_code", .string, .required)
            .field("mall_id", .int64, .required, .references("malls", "id"))
            .field("remaining", .int64, .required)
            .field("updated_at_ms", .int64, .required)
            .unique(on: "gift_code", "mall_id")
            .create()
    }

    func revert(on db: any Database) async throws {
        try await db.schema("gift_stock").delete()
        try await db.schema("gift_entitlements").delete()
    }
}
