import FluentKit
import SQLKit

/// The durable outbox (docs/domain.md §7, issue 4): every message is decided and recorded once (unique dedupe key),
/// then delivered by a worker; refusals keep their reason, control-group members are recorded as `holdout`.
/// Opt-outs (SMS reply keyword, e-mail link, desk) are kept as history beside the member's consent flags.
struct M012_Outbox: AsyncMigration {
    var name: String { "012_Outbox" }

    func prepare(on db: any Database) async throws {
        try await db.schema("outbox_messages").autoID()
            .field("member_id", .int64, .required, .references("members", "id"))
            .field("channel", .string, .required)            // sms | email | call
            .field("purpose", .string, .required)            // care | marketing | service
            .field("source", .string, .required)             // journey | campaign | manual
            .field("source_code", .string, .required)        // "birthday", "campaign:12", "manual:3"
            .field("period_key", .string, .required)
            .field("dedupe_key", .string, .required)
            .field("template_code", .string)
            .field("subject", .string)
            .field("body", .string, .required)
            .field("to_address", .string)
            .field("status", .string, .required)
            .field("refuse_reason", .string)
            .field("attempts", .int, .required)
            .field("next_attempt_at_ms", .int64, .required)
            .field("last_error", .string)
            .field("provider_id", .string)
            .field("delivery_status", .string)
            .field("cost_fen", .int64, .required)
            .field("assigned_staff_id", .int64, .references("staff_users", "id"))
            .field("campaign_id", .int64)
            .field("created_at_ms", .int64, .required)
            .field("sent_at_ms", .int64)
            .field("updated_at_ms", .int64, .required)
            .unique(on: "dedupe_key")
            .create()
        // The worker's scan: due queued/deferred rows, oldest first.
        try await db.sql.create(index: "outbox_due").on("outbox_messages").column("status").column("next_attempt_at_ms").run()
        // The weekly cap and the member page read a member's recent messages.
        try await db.sql.create(index: "outbox_member").on("outbox_messages").column("member_id").column("created_at_ms").run()
        try await db.sql.create(index: "outbox_campaign").on("outbox_messages").column("campaign_id").run()
        try await db.sql.create(index: "outbox_source").on("outbox_messages").column("source_code").column("created_at_ms").run()
        try await db.sql.create(index: "outbox_provider").on("outbox_messages").column("provider_id").run()
        try await db.sql.create(index: "outbox_staff").on("outbox_messages").column("assigned_staff_id").column("status").run()

        try await db.schema("message_optouts").autoID()
            .field("member_id", .int64, .required, .references("members", "id"))
            .field("channel", .string, .required)
            .field("source", .string, .required)             // sms_keyword | email_link | desk
            .field("detail", .string, .required)
            .field("at_ms", .int64, .required)
            .create()
        try await db.sql.create(index: "message_optouts_member").on("message_optouts").column("member_id").column("channel").run()
    }

    func revert(on db: any Database) async throws {
        for t in ["message_optouts", "outbox_messages"] { try await db.schema(t).delete() }
    }
}
