import FluentKit
import SQLKit

/// One-off campaigns to a saved segment with a random control group (issue 4, docs/domain.md §12 "VIP response to
/// each campaign"). The audience is frozen when sending starts (`campaign_audience`, with each member's draw), so
/// a resumed send and the report see the same members whatever the segment says later.
struct M015_Campaigns: AsyncMigration {
    var name: String { "015_Campaigns" }

    func prepare(on db: any Database) async throws {
        try await db.schema("campaigns").autoID()
            .field("name", .string, .required)
            .field("segment_id", .int64, .required)
            .field("channel", .string, .required)            // sms | email | call
            .field("purpose", .string, .required)            // marketing (default) | care | service
            .field("template_code", .string)                 // a saved template, or the inline text below
            .field("subject", .string)
            .field("body", .string)
            .field("holdout_permille", .int, .required)
            .field("scheduled_at_ms", .int64)                // nil in a draft: "as soon as scheduled"
            .field("status", .string, .required)             // draft | scheduled | sending | sent | cancelled
            .field("window_days", .int, .required)
            .field("margin_permille", .int, .required)
            .field("note", .string, .required)               // why a campaign was cancelled
            .field("created_by", .string, .required)
            .field("created_at_ms", .int64, .required)
            .field("updated_at_ms", .int64, .required)
            .field("sent_at_ms", .int64)                     // audience frozen, sending began: the report window starts that day
            .field("claimed_at_ms", .int64)                  // the sender's lease; a stale one is resumed
            .field("finished_at_ms", .int64)
            .field("audience_count", .int)
            .field("treated_count", .int)
            .field("holdout_count", .int)
            .create()
        try await db.sql.create(index: "campaigns_due").on("campaigns").column("status").column("scheduled_at_ms").run()

        try await db.schema("campaign_audience")
            .field("campaign_id", .int64, .required, .references("campaigns", "id"))
            .field("member_id", .int64, .required, .references("members", "id"))
            .field("holdout", .bool, .required)
            .unique(on: "campaign_id", "member_id")
            .create()
    }

    func revert(on db: any Database) async throws {
        for t in ["campaign_audience", "campaigns"] { try await db.schema(t).delete() }
    }
}
