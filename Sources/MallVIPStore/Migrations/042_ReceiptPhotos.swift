import FluentKit
import SQLKit

/// Receipt photos 拍照积分 (issue 19, docs/member-pages.md "Receipt photos", docs/workflows.md "Receipt photos at the
/// desk"): one row per photo a member uploads, with what they typed (receipt number, counter, amount, time), where the
/// file lies (`file_name`: a random id under the photo directory, never member input), what the content is
/// (`content_type` from the bytes, `byte_count`, `sha256`), and the desk's review: `state` submitted → approved |
/// rejected | needsClearer (the member may upload again), the reason shown to the member, reviewer and time, and the
/// purchase an approval posted. `due_at_ms` = uploaded + `photos.reviewHours` (the SLA clock). The review is one
/// conditional update on `state`, so of two desks at once one wins.
struct M042_ReceiptPhotos: AsyncMigration {
    var name: String { "042_ReceiptPhotos" }

    func prepare(on db: any Database) async throws {
        try await db.schema("receipt_photos").autoID()
            .field("member_id", .int64, .required, .references("members", "id"))
            .field("mall_id", .int64, .required, .references("malls", "id"))
            .field("receipt_no", .string, .required)
            .field("counter_id", .int64, .required, .references("counters", "id"))
            .field("amount_fen", .int64, .required)
            .field("occurred_at_ms", .int64, .required)
            .field("file_name", .string, .required)
            .field("content_type", .string, .required)
            .field("byte_count", .int64, .required)
            .field("sha256", .string, .required)
            .field("state", .string, .required)               // submitted | approved | rejected | needsClearer
            .field("reason", .string)                         // shown to the member
            .field("reviewer", .string)
            .field("reviewed_at_ms", .int64)
            .field("purchase_id", .int64)
            .field("duplicate_of", .int64)                    // the purchase an approval found this to copy
            .field("replaces_id", .int64)                     // the photo this one re-uploads after "needsClearer"
            .field("created_at_ms", .int64, .required)
            .field("due_at_ms", .int64, .required)
            .unique(on: "file_name")
            .create()
        try await db.sql.create(index: "receipt_photos_queue").on("receipt_photos").column("state").column("due_at_ms").run()
        try await db.sql.create(index: "receipt_photos_member").on("receipt_photos").column("member_id").column("created_at_ms").run()
        try await db.sql.create(index: "receipt_photos_sha").on("receipt_photos").column("sha256").run()
        try await db.sql.create(index: "receipt_photos_receipt").on("receipt_photos").column("mall_id").column("receipt_no").run()
    }

    func revert(on db: any Database) async throws {
        try await db.schema("receipt_photos").delete()
    }
}
