import FluentKit
import SQLKit

/// Per-period member figures and daily points kept by the nightly job, so that the member-level report sections and
/// the points section read one row per member (or per day and kind) instead of grouping a year of monthly rows
/// (issue 7: no dashboard reads raw rows over a year at 1,000,000 members):
/// - `report_snapshots`: one row per snapshot, the business days `from_day…to_day` (at most the day before the
///   build) and the mall (0 = all malls).
/// - `member_period_snapshot`: per snapshot and member, what `ReportSQL.memberPeriod` gives for its days.
/// - `report_member_changes`: member and business day of every purchase, refund and enrolment credit written since
///   the last build whose day the snapshots may cover (the live path adds them with the aggregates). Those members
///   are read live, so a snapshot never hides a change (see `ReportSnapshots`).
/// - `report_figure_cache`: a report section's figures (JSON) for given days, kept while the build that computed them
///   is the current one and no listed change falls on those days.
/// - `points_day_stats`: points by local day (programme time zone) and ledger kind for ledger rows with id up to the
///   watermark in `report_state` ('pointsLedgerId'); later rows are summed live.
struct M027_ReportSnapshots: AsyncMigration {
    var name: String { "027_ReportSnapshots" }

    func prepare(on db: any Database) async throws {
        try await db.schema("report_snapshots").autoID()
            .field("mall_id", .int64, .required)
            .field("from_day", .int, .required)
            .field("to_day", .int, .required)
            .field("built_at_ms", .int64, .required)
            .unique(on: "mall_id", "from_day", "to_day")
            .create()
        try await db.schema("member_period_snapshot")
            .field("snapshot_id", .int64, .required)
            .field("member_id", .int64, .required)
            .field("spend_fen", .int64, .required)
            .field("purchases", .int64, .required)
            .field("days", .int64, .required)
            .field("last_day", .int, .required)
            .unique(on: "snapshot_id", "member_id")
            .create()
        try await db.schema("report_member_changes")
            .field("member_id", .int64, .required)
            .field("day", .int, .required)
            .unique(on: "member_id", "day")
            .create()
        try await db.sql.create(index: "report_member_changes_day").on("report_member_changes").column("day").run()
        try await db.schema("report_figure_cache")
            .field("key", .string, .identifier(auto: false))
            .field("build", .int64, .required)
            .field("payload", .string, .required)
            .create()
        try await db.schema("points_day_stats")
            .field("day", .int, .required)
            .field("kind", .string, .required)
            .field("points", .int64, .required)
            .unique(on: "day", "kind")
            .create()
        try await db.schema("report_state")
            .field("key", .string, .identifier(auto: false))
            .field("value", .int64, .required)
            .create()
    }

    func revert(on db: any Database) async throws {
        for t in ["report_state", "points_day_stats", "report_figure_cache", "report_member_changes", "member_period_snapshot", "report_snapshots"] {
            try await db.schema(t).delete()
        }
    }
}
