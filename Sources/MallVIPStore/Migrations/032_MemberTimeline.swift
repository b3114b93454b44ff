import FluentKit
import SQLKit

/// The member page's one timeline (issue 17) reads each source newest first for one member with a limit; these
/// indexes let the low-volume sources answer from an index scan (member, time). Purchases get no new index on
/// purpose (the write path of issue 15 pays for every index): they are read through `purchases_member`
/// (member, business day), bounded by day. Members file complaints on /m/ and may name one of
/// their receipts: `complaints.purchase_id`.
struct M032_MemberTimeline: AsyncMigration {
    var name: String { "032_MemberTimeline" }

    func prepare(on db: any Database) async throws {
        try await db.sql.create(index: "coupons_member_issued").on("coupons").column("member_id").column("issued_at_ms").run()
        try await db.sql.create(index: "redemptions_member_time").on("redemptions").column("member_id").column("at_ms").run()
        try await db.sql.create(index: "survey_links_member").on("survey_links").column("member_id").column("answered_at_ms").run()
        try await db.sql.create(index: "complaints_member").on("complaints").column("member_id").column("created_at_ms").run()
        try await db.schema("complaints").field("purchase_id", .int64).update()
    }

    func revert(on db: any Database) async throws {
        try await db.schema("complaints").deleteField("purchase_id").update()
        for i in ["coupons_member_issued", "redemptions_member_time", "survey_links_member", "complaints_member"] {
            try await db.sql.drop(index: i).run()
        }
    }
}
