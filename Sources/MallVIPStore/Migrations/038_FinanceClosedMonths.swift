import FluentKit
import SQLKit

/// Closed months of the points liability roll-forward (issue 20, docs/finance.md "Closing a month"): one row per
/// month and mall, and one for the group (`mall_id` −1), holding the month's figures as frozen when
/// `mallvip finance close` ran. A closed month is read from here and never recomputed; activity dated in it later
/// goes to the first open month.
struct M038_FinanceClosedMonths: AsyncMigration {
    var name: String { "038_FinanceClosedMonths" }

    func prepare(on db: any Database) async throws {
        try await db.schema("finance_closed_months").autoID()
            .field("month", .int, .required)               // year × 100 + month, 202603
            .field("mall_id", .int64, .required)           // −1 = the group, 0 = members of no mall
            .field("figures_json", .string, .required)     // LiabilityRow (MallVIPCore), JSON
            .field("closed_by", .string, .required)
            .field("closed_at_ms", .int64, .required)
            .unique(on: "month", "mall_id")
            .create()
    }

    func revert(on db: any Database) async throws {
        try await db.schema("finance_closed_months").delete()
    }
}
