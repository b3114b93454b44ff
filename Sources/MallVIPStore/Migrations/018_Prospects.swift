import FluentKit
import SQLKit

/// Regular-customer conversion (issue 5, docs/domain.md §9.3): customers registered at a counter, the conversions
/// credited when one enrols (counter and department fixed at that moment, so later reorganisation does not move
/// past credit), the weekly department awards, and the counter a counter-staff user works at.
struct M018_Prospects: AsyncMigration {
    var name: String { "018_Prospects" }

    func prepare(on db: any Database) async throws {
        try await db.sql.raw("ALTER TABLE staff_users ADD COLUMN counter_id BIGINT").run()

        try await db.schema("prospects").autoID()
            .field("phone", .string, .required)
            .field("name", .string)
            .field("counter_id", .int64, .required, .references("counters", "id"))
            .field("registered_by", .string, .required)
            .field("registered_at_ms", .int64, .required)
            .field("registered_day", .int, .required)
            .unique(on: "phone")
            .create()
        try await db.sql.create(index: "prospects_counter").on("prospects").column("counter_id").run()

        try await db.schema("prospect_conversions").autoID()
            .field("prospect_id", .int64, .required, .references("prospects", "id"))
            .field("member_id", .int64, .required, .references("members", "id"))
            .field("counter_id", .int64, .required)
            .field("department_id", .int64, .required)
            .field("mall_id", .int64, .required)
            .field("converted_at_ms", .int64, .required)
            .field("converted_day", .int, .required)
            .unique(on: "prospect_id")
            .create()
        try await db.sql.create(index: "prospect_conversions_day").on("prospect_conversions")
            .column("mall_id").column("converted_day").run()

        try await db.schema("conversion_awards").autoID()
            .field("mall_id", .int64, .required, .references("malls", "id"))
            .field("week_start_day", .int, .required)
            .field("department_id", .int64, .required, .references("departments", "id"))
            .field("conversions", .int, .required)
            .field("reward_text", .string, .required)
            .field("reward_fen", .int64, .required)
            .field("recorded_by", .string, .required)
            .field("recorded_at_ms", .int64, .required)
            .unique(on: "mall_id", "week_start_day")
            .create()
    }

    func revert(on db: any Database) async throws {
        for t in ["conversion_awards", "prospect_conversions", "prospects"] { try await db.schema(t).delete() }
        try await db.sql.raw("ALTER TABLE staff_users DROP COLUMN counter_id").run()
    }
}
