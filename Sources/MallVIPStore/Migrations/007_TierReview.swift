import FluentKit
import SQLKit

/// When each member's tier was last reviewed (yearly review, docs/domain.md §3.4), and a log of job runs so that a
/// daily job runs once per day even when started twice; an index for receipts by number.
struct M007_TierReview: AsyncMigration {
    var name: String { "007_TierReview" }
    func prepare(on db: any Database) async throws {
        try await db.schema("members").field("last_review_day", .int).update()
        try await db.schema("job_runs")
            .field("job", .string, .required)
            .field("day", .int, .required)
            .field("finished_at_ms", .int64, .required)
            .field("summary", .string, .required)
            .unique(on: "job", "day")
            .create()
        // Receipts are looked up by number alone at enrolment (the customer shows the slip) and in batches.
        try await db.sql.create(index: "purchases_receipt").on("purchases").column("receipt_no").run()
    }
    func revert(on db: any Database) async throws {
        try await db.schema("job_runs").delete()
        try await db.schema("members").deleteField("last_review_day").update()
    }
}
