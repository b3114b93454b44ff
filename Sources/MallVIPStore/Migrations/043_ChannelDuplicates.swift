import FluentKit
import SQLKit

/// One purchase, one earning across channels (issue 19, docs/workflows.md "Reviewing channel duplicates"):
/// `channel_duplicates` holds what the cross-channel rules found — an exact copy refused (`rule` `receipt`, state
/// `caught`, no second purchase), a member attached to a non-member receipt (`claim`, `caught`), or two purchases of
/// different channels at the same counter for the same total close in time (`match`: `open` until a reviewer marks it
/// `confirmed` — the later purchase reversed by a refund numbered `refund_no` — or `dismissed`). `dedupe_key` makes
/// each finding one row, however often it is found (a retried post, the sweep passing again).
///
/// And a channel's own key is unique per channel (a WeChat transaction, a receipt photo: one purchase each), so two
/// posts of the same transaction racing each other end as one purchase. Partial: till rows (no key) are not indexed.
struct M043_ChannelDuplicates: AsyncMigration {
    var name: String { "043_ChannelDuplicates" }

    func prepare(on db: any Database) async throws {
        try await db.schema("channel_duplicates").autoID()
            .field("mall_id", .int64, .required)
            .field("rule", .string, .required)                // receipt | claim | match
            .field("state", .string, .required)               // caught | open | confirmed | dismissed
            .field("first_purchase_id", .int64, .required)    // the purchase recorded first
            .field("second_purchase_id", .int64)              // the later copy (match only)
            .field("channel", .string, .required)             // the copy's channel
            .field("channel_ref", .string)                    // the copy's channel key
            .field("receipt_no", .string, .required)          // the copy's receipt number
            .field("dedupe_key", .string, .required)
            .field("created_at_ms", .int64, .required)
            .field("reviewed_by", .string)
            .field("reviewed_at_ms", .int64)
            .field("note", .string)
            .field("refund_no", .string)
            .unique(on: "dedupe_key")
            .create()
        try await db.sql.create(index: "channel_duplicates_state").on("channel_duplicates").column("mall_id").column("state").run()
        try await db.sql.create(index: "channel_duplicates_created").on("channel_duplicates").column("mall_id").column("created_at_ms").run()
        try await db.sql.raw("DROP INDEX purchases_channel_ref").run()
        try await db.sql.raw("""
            CREATE UNIQUE INDEX purchases_channel_ref ON purchases (channel, channel_ref) WHERE channel_ref IS NOT NULL
            """).run()
    }

    func revert(on db: any Database) async throws {
        try await db.sql.raw("DROP INDEX purchases_channel_ref").run()
        try await db.sql.raw("CREATE INDEX purchases_channel_ref ON purchases (channel_ref) WHERE channel_ref IS NOT NULL").run()
        try await db.schema("channel_duplicates").delete()
    }
}
