import FluentKit
import Foundation
import MallVIPCore
import SQLKit

/// The aggregates the reports read (issue 7), kept in the same transaction as each purchase, refund and enrolment
/// credit, so that no report reads raw purchases:
/// - `counter_day_sales`: per counter and business day, sales and member sales net of refunds, lines, receipts with
///   a line at the counter, "lead" receipts (whose first line is at the counter: summed over counters they give the
///   mall's receipt count without a hot per-mall row) and the refunds taken off.
/// - `price_band_day_sales`: per mall, business day and price band (a line's amount; bands from `reports.priceBands`).
/// - `member_month_stats`: per member, mall and calendar month, net spend, purchases, the days bought on as a bit
///   mask (bit 0 = the 1st; OR-ing is idempotent, so no read is needed to count distinct days) and the last day.
/// - `report_calendar`: business day → month key and day bit, filled on demand, for rebuilding the aggregates in SQL.
/// Existing purchases are aggregated here once (`Store.rebuildReportAggregates` does the same later).
struct M025_ReportAggregates: AsyncMigration {
    var name: String { "025_ReportAggregates" }

    func prepare(on db: any Database) async throws {
        try await db.schema("counter_day_sales")
            .field("mall_id", .int64, .required)
            .field("counter_id", .int64, .required)
            .field("day", .int, .required)
            .field("sales_fen", .int64, .required)
            .field("member_sales_fen", .int64, .required)
            .field("lines", .int64, .required)
            .field("member_lines", .int64, .required)
            .field("receipts", .int64, .required)
            .field("member_receipts", .int64, .required)
            .field("lead_receipts", .int64, .required)
            .field("member_lead_receipts", .int64, .required)
            .field("refunded_fen", .int64, .required)
            .field("member_refunded_fen", .int64, .required)
            .unique(on: "counter_id", "day")
            .create()
        try await db.sql.create(index: "counter_day_sales_day").on("counter_day_sales").column("day").run()

        try await db.schema("price_band_day_sales")
            .field("mall_id", .int64, .required)
            .field("day", .int, .required)
            .field("band_fen", .int64, .required)
            .field("lines", .int64, .required)
            .field("sales_fen", .int64, .required)
            .field("member_lines", .int64, .required)
            .field("member_sales_fen", .int64, .required)
            .unique(on: "mall_id", "day", "band_fen")
            .create()

        try await db.schema("member_month_stats")
            .field("member_id", .int64, .required)
            .field("mall_id", .int64, .required)
            .field("month", .int, .required)
            .field("spend_fen", .int64, .required)
            .field("purchases", .int64, .required)
            .field("days_mask", .int64, .required)
            .field("last_day", .int, .required)
            .unique(on: "member_id", "mall_id", "month")
            .create()
        try await db.sql.create(index: "member_month_stats_month").on("member_month_stats").column("month").column("mall_id").run()

        try await db.schema("report_calendar")
            .field("day", .int, .identifier(auto: false))
            .field("month", .int, .required)
            .field("bit", .int64, .required)
            .create()

        // Members at a date and new members in a period count by enrolment day.
        try await db.sql.create(index: "members_enrolled_day").on("members").column("enrolled_day").run()

        let yaml = try await db.sql.raw("SELECT yaml FROM programme_versions ORDER BY version DESC LIMIT 1").first()?
            .decode(column: "yaml", as: String.self)
        let programme = (yaml.flatMap { try? Programme.parse(yaml: $0) }) ?? Programme.defaultProgramme()
        try await ReportAggregates.rebuild(db.sql, policy: programme.reports, from: nil, lock: false, sharded: false)   // 031 adds the shard
    }

    func revert(on db: any Database) async throws {
        try await db.sql.drop(index: "members_enrolled_day").run()
        for t in ["report_calendar", "member_month_stats", "price_band_day_sales", "counter_day_sales"] { try await db.schema(t).delete() }
    }
}
