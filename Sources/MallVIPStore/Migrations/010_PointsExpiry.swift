import FluentKit
import SQLKit

/// Points expiry, one row per member and credit year so that a year lapses exactly once however often the job runs;
/// licence plates bound to members; and every car park exit with the benefit it used (docs/domain.md §4, §6.3).
struct M010_PointsExpiry: AsyncMigration {
    var name: String { "010_PointsExpiry" }

    func prepare(on db: any Database) async throws {
        try await db.schema("points_expiries")
            .field("member_id", .int64, .required, .references("members", "id"))
            .field("earn_year", .int, .required)
            .field("points", .int64, .required)
            .field("ledger_id", .int64, .required)
            .field("at_ms", .int64, .required)
            .unique(on: "member_id", "earn_year")
            .create()

        try await db.schema("parking_plates")
            .field("plate", .string, .required)
            .field("member_id", .int64, .required, .references("members", "id"))
            .field("bound_at_ms", .int64, .required)
            .field("bound_by", .string, .required)
            .unique(on: "plate")
            .create()
        try await db.sql.create(index: "parking_plates_member").on("parking_plates").column("member_id").run()

        try await db.schema("parking_exits").autoID()
            .field("idempotency_key", .string, .required)
            .field("mall_id", .int64, .required, .references("malls", "id"))
            .field("member_id", .int64, .references("members", "id"))
            .field("card_no", .string)
            .field("plate", .string)
            .field("entry_at_ms", .int64, .required)
            .field("exit_at_ms", .int64, .required)
            .field("business_day", .int, .required)
            .field("stay_minutes", .int, .required)
            .field("free_minutes", .int, .required)
            .field("charged_minutes", .int, .required)
            .field("amount_fen", .int64, .required)
            .field("tier", .string)
            .field("request_hash", .string, .required)
            .field("response_json", .string, .required)
            .field("at_ms", .int64, .required)
            .unique(on: "idempotency_key")
            .create()
        try await db.sql.create(index: "parking_exits_member").on("parking_exits").column("member_id").column("business_day").run()
        try await db.sql.create(index: "parking_exits_day").on("parking_exits").column("business_day").run()
    }

    func revert(on db: any Database) async throws {
        for t in ["parking_exits", "parking_plates", "points_expiries"] { try await db.schema(t).delete() }
    }
}
