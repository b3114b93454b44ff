import FluentKit
import SQLKit

/// VIP events (issue 6, docs/domain.md §8): the event itself, and one invitation per member with its RSVP and
/// door check-in. A walk-in without a card is an invitation row with no member. The token is the personal
/// `/e/{token}` link and the QR code shown at the door.
struct M021_Events: AsyncMigration {
    var name: String { "021_Events" }

    func prepare(on db: any Database) async throws {
        try await db.schema("events").autoID()
            .field("code", .string, .required)
            .field("type", .string, .required)                // launch | appreciation | lecture | outing | other
            .field("title", .string, .required)
            .field("starts_at_ms", .int64, .required)
            .field("ends_at_ms", .int64, .required)
            .field("place", .string, .required)
            .field("capacity", .int64, .required)
            .field("budget_fen", .int64, .required)
            .field("audience_segment_id", .int64)
            .field("audience_tiers", .string)                 // comma list of tier codes
            .field("rsvp_deadline_ms", .int64, .required)
            .field("status", .string, .required)              // draft | open | closed | cancelled
            .field("created_by", .string, .required)
            .field("created_at_ms", .int64, .required)
            .unique(on: "code")
            .create()
        try await db.sql.create(index: "events_starts").on("events").column("starts_at_ms").run()

        try await db.schema("event_invitations").autoID()
            .field("event_id", .int64, .required, .references("events", "id"))
            .field("member_id", .int64, .references("members", "id"))
            .field("token", .string, .required)
            .field("status", .string, .required)              // invited | accepted | declined | waitlisted | attended
            .field("walk_in", .bool, .required)
            .field("rsvp_at_ms", .int64)
            .field("rsvp_channel", .string)                   // member | desk | manager | link
            .field("checked_in_at_ms", .int64)
            .field("checked_in_by", .string)
            .field("created_at_ms", .int64, .required)
            .unique(on: "token")
            .unique(on: "event_id", "member_id")
            .create()
        try await db.sql.create(index: "event_invitations_event").on("event_invitations").column("event_id").column("status").run()
        try await db.sql.create(index: "event_invitations_member").on("event_invitations").column("member_id").run()
    }

    func revert(on db: any Database) async throws {
        for t in ["event_invitations", "events"] { try await db.schema(t).delete() }
    }
}
