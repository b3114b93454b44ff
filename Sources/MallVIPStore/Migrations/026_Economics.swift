import FluentKit
import SQLKit

/// Programme economics and targets (issue 7, docs/domain.md §12.1, §13, §19): costs booked by managers (kind, budget
/// bucket, month, amount, optionally quantity × unit cost), and yearly KPI targets per mall and department.
struct M026_Economics: AsyncMigration {
    var name: String { "026_Economics" }

    func prepare(on db: any Database) async throws {
        try await db.schema("programme_costs").autoID()
            .field("kind", .string, .required)                // CostKind: sms | mailedCards | gifts | events | …
            .field("bucket", .string, .required)              // BudgetBucket: currentMedia | currentPromotion | annualPromotion | pointsExpense | other
            .field("period", .string, .required)              // month YYYY-MM
            .field("amount_fen", .int64, .required)
            .field("quantity", .int64)                        // with unit_cost_fen: amount = quantity × unit cost
            .field("unit_cost_fen", .int64)
            .field("mall_id", .int64, .references("malls", "id"))
            .field("note", .string, .required)
            .field("created_by", .string, .required)
            .field("created_at_ms", .int64, .required)
            .create()
        try await db.sql.create(index: "programme_costs_period").on("programme_costs").column("period").run()

        try await db.schema("kpi_targets").autoID()
            .field("year", .int, .required)
            .field("mall_id", .int64, .references("malls", "id"))          // NULL: the whole group
            .field("department_id", .int64, .references("departments", "id")) // NULL: every department
            .field("scope_key", .string, .required)           // "mall:department" with 0 for none: one target per scope
            .field("metric", .string, .required)              // KPIMetric
            .field("mode", .string, .required)                // absolute | relative
            .field("value", .int64, .required)                // metric unit, or per-mille change on last year
            .field("note", .string, .required)
            .field("set_by", .string, .required)
            .field("set_at_ms", .int64, .required)
            .unique(on: "year", "scope_key", "metric")
            .create()
    }

    func revert(on db: any Database) async throws {
        for t in ["kpi_targets", "programme_costs"] { try await db.schema(t).delete() }
    }
}
