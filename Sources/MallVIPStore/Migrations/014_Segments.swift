import FluentKit
import SQLKit

/// Saved member segments (conditions as JSON, compiled to SQL when used) and free member tags that segments can
/// select on (members had no tag field).
struct M014_Segments: AsyncMigration {
    var name: String { "014_Segments" }

    func prepare(on db: any Database) async throws {
        try await db.schema("segments").autoID()
            .field("name", .string, .required)
            .field("description", .string, .required)
            .field("conditions_json", .string, .required)
            .field("created_by", .string, .required)
            .field("created_at_ms", .int64, .required)
            .field("updated_at_ms", .int64, .required)
            .field("last_count", .int)                   // members matching when last saved or counted
            .unique(on: "name").create()
        try await db.schema("member_tags")
            .field("member_id", .int64, .required, .references("members", "id"))
            .field("tag", .string, .required)
            .unique(on: "member_id", "tag").create()
        try await db.sql.create(index: "member_tags_tag").on("member_tags").column("tag").run()
    }

    func revert(on db: any Database) async throws {
        for t in ["member_tags", "segments"] { try await db.schema(t).delete() }
    }
}
