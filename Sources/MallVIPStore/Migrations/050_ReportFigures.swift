import FluentKit
import SQLKit

/// Report figures at scale (issue 21, part 21d): nightly figures that make the member-level report tables read a few
/// hundred rows instead of grouping the whole tier history or joining every member.
/// - `report_tier_builds`: one row per nightly tier matrix: the mall (0 = all), the instants `from_ms` (the tier at
///   the start: the last change before it) and `to_ms` (at the end), and `last_change_id`, the highest
///   `tier_changes.id` it contains; `future_changes` counts changes up to that id dated at or after `to_ms` (then it
///   cannot be carried forward to a later end).
/// - `report_tier_matrix`: per build, members by tier at the start ('' = not yet a member) and at the end. A reader
///   adds the members with a tier change after `last_change_id` live (see `ReportTierMatrix`), so it stays exact.
struct M050_ReportFigures: AsyncMigration {
    var name: String { "050_ReportFigures" }

    func prepare(on db: any Database) async throws {
        try await db.schema("report_tier_builds").autoID()
            .field("mall_id", .int64, .required)
            .field("from_ms", .int64, .required)
            .field("to_ms", .int64, .required)
            .field("last_change_id", .int64, .required)
            .field("future_changes", .int64, .required)
            .unique(on: "mall_id", "from_ms", "to_ms")
            .create()
        try await db.schema("report_tier_matrix")
            .field("build_id", .int64, .required)
            .field("from_tier", .string, .required)
            .field("to_tier", .string, .required)
            .field("members", .int64, .required)
            .unique(on: "build_id", "from_tier", "to_tier")
            .create()
        // The nightly pass counts changes dated after a matrix's end (rare: imports) without reading the whole history.
        try await db.sql.create(index: "tier_changes_at").on("tier_changes").column("at_ms").run()
        // The dashboard's member count (status = 'active') from the index instead of every member row.
        try await db.sql.create(index: "members_status").on("members").column("status").run()
    }

    func revert(on db: any Database) async throws {
        try await db.sql.drop(index: "tier_changes_at").run()
        try await db.sql.drop(index: "members_status").run()
        for t in ["report_tier_matrix", "report_tier_builds"] { try await db.schema(t).delete() }
    }
}
