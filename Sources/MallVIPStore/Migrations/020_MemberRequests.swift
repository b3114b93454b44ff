import FluentKit
import SQLKit

/// Personal-data rights from the member pages (issue 8, docs/domain.md §14): account-deletion requests decided at
/// the desk (each also a `deletion` service task for the managers), and every consent change in both directions.
/// Withdrawals are also written to `message_optouts`, which the outbox reads; this table adds the grants, so the
/// member's consent history is complete.
struct M020_MemberRequests: AsyncMigration {
    var name: String { "020_MemberRequests" }

    func prepare(on db: any Database) async throws {
        try await db.schema("member_requests").autoID()
            .field("member_id", .int64, .required, .references("members", "id"))
            .field("kind", .string, .required)               // deletion
            .field("status", .string, .required)             // pending | approved | rejected
            .field("reason", .string, .required)
            .field("created_at_ms", .int64, .required)
            .field("decided_by", .string)
            .field("decided_at_ms", .int64)
            .field("note", .string, .required)
            .create()
        try await db.sql.create(index: "member_requests_member").on("member_requests").column("member_id").column("status").run()

        try await db.schema("consent_changes").autoID()
            .field("member_id", .int64, .required, .references("members", "id"))
            .field("channel", .string, .required)            // sms | email | call
            .field("granted", .bool, .required)
            .field("source", .string, .required)             // member | desk | …
            .field("actor", .string, .required)
            .field("at_ms", .int64, .required)
            .create()
        try await db.sql.create(index: "consent_changes_member").on("consent_changes").column("member_id").column("at_ms").run()
    }

    func revert(on db: any Database) async throws {
        for t in ["consent_changes", "member_requests"] { try await db.schema(t).delete() }
    }
}
