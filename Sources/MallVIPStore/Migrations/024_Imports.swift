import FluentKit
import SQLKit

/// The log of CSV imports (issue 9): one row per import that writes (dry runs write nothing), started before the
/// first batch and finished after the last, so an import stopped half-way shows as `running` until it is run again.
struct M024_Imports: AsyncMigration {
    var name: String { "024_Imports" }
    func prepare(on db: any Database) async throws {
        try await db.schema("import_runs").autoID()
            .field("kind", .string, .required)              // members | purchases | counters
            .field("file_name", .string, .required)
            .field("file_sha256", .string, .required)
            .field("encoding", .string, .required)
            .field("actor", .string, .required)
            .field("status", .string, .required)            // running | finished | failed
            .field("rows", .int64, .required)
            .field("imported", .int64, .required)
            .field("skipped", .int64, .required)
            .field("rejected", .int64, .required)
            .field("detail", .string, .required)
            .field("started_at_ms", .int64, .required)
            .field("finished_at_ms", .int64)
            .create()
        try await db.sql.create(index: "import_runs_started").on("import_runs").column("started_at_ms").run()
    }
    func revert(on db: any Database) async throws { try await db.schema("import_runs").delete() }
}
