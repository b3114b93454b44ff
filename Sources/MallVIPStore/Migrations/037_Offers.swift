import FluentKit
import SQLKit

/// Offers that carry value (issue 18, part b):
/// - `activity_points`: one row per member and occasion that earned activity points (`ActivityOccasion.key`: the event
///   check-in "checkIn:event:12", the survey "survey:survey:345", "profile"). Its unique key is what makes "once per
///   member and occasion" hold under two desks or two taps at once: the award inserts here first (ON CONFLICT DO
///   NOTHING) and writes the ledger only when its row went in.
/// - campaigns may attach a coupon (`coupon_*` columns: name, face value or 折, minimum spend, days valid); each treated
///   member gets one, recorded in `campaign_coupons` (unique per campaign and member, so a resumed or repeated send
///   issues no second coupon); the report joins it to the coupons for issued, used and the spend on their receipts.
struct M037_Offers: AsyncMigration {
    var name: String { "037_Offers" }

    func prepare(on db: any Database) async throws {
        try await db.schema("activity_points").autoID()
            .field("member_id", .int64, .required, .references("members", "id"))
            .field("occasion", .string, .required)
            .field("kind", .string, .required)             // ActivityKind: checkIn | survey | profile
            .field("points", .int64, .required)
            .field("at_ms", .int64, .required)
            .unique(on: "member_id", "occasion")
            .create()

        try await db.schema("campaigns").field("coupon_name", .string).update()
        try await db.schema("campaigns").field("coupon_face_fen", .int64).update()
        try await db.schema("campaigns").field("coupon_discount_permille", .int).update()
        try await db.schema("campaigns").field("coupon_min_spend_fen", .int64).update()
        try await db.schema("campaigns").field("coupon_valid_days", .int).update()

        try await db.schema("campaign_coupons")
            .field("campaign_id", .int64, .required, .references("campaigns", "id"))
            .field("member_id", .int64, .required, .references("members", "id"))
            .field("coupon_code", .string, .required)
            .unique(on: "campaign_id", "member_id")
            .create()
    }

    func revert(on db: any Database) async throws {
        try await db.schema("campaign_coupons").delete()
        for c in ["coupon_name", "coupon_face_fen", "coupon_discount_permille", "coupon_min_spend_fen", "coupon_valid_days"] {
            try await db.schema("campaigns").deleteField(.string(c)).update()
        }
        try await db.schema("activity_points").delete()
    }
}
