import FluentKit
import SQLKit

/// Feedback (issue 6, docs/domain.md §11): one row per personal survey link (`/s/{token}`, answered once; the answer
/// is on the same row), and complaints / service requests with the times the SLA report measures.
struct M022_Feedback: AsyncMigration {
    var name: String { "022_Feedback" }

    func prepare(on db: any Database) async throws {
        try await db.schema("survey_links").autoID()
            .field("token", .string, .required)
            .field("member_id", .int64, .references("members", "id"))
            .field("reason", .string, .required)              // event | complaint | quarterly
            .field("reason_ref", .string, .required)          // event id, complaint id or the quarter "2026-Q4"
            .field("quarter", .string, .required)             // the quarter the link was sent in, for the report
            .field("created_at_ms", .int64, .required)
            .field("expires_at_ms", .int64, .required)
            .field("answered_at_ms", .int64)
            .field("nps", .int)
            .field("csat", .int)
            .field("comment", .string)
            .unique(on: "token")
            .unique(on: "member_id", "reason", "reason_ref")
            .create()
        try await db.sql.create(index: "survey_links_quarter").on("survey_links").column("quarter").column("answered_at_ms").run()

        try await db.schema("complaints").autoID()
            .field("member_id", .int64, .references("members", "id"))
            .field("kind", .string, .required)                // complaint | request
            .field("channel", .string, .required)             // desk | phone | email | member
            .field("category", .string, .required)
            .field("counter_id", .int64, .references("counters", "id"))
            .field("owner", .string, .required)
            .field("status", .string, .required)              // open | responded | resolved
            .field("description", .string, .required)
            .field("created_by", .string, .required)
            .field("created_at_ms", .int64, .required)
            .field("first_response_at_ms", .int64)
            .field("resolved_at_ms", .int64)
            .field("outcome", .string)
            .field("outcome_told", .bool, .required)
            .create()
        try await db.sql.create(index: "complaints_created").on("complaints").column("created_at_ms").run()
    }

    func revert(on db: any Database) async throws {
        for t in ["complaints", "survey_links"] { try await db.schema(t).delete() }
    }
}
