import FluentKit
import SQLKit

/// Coupons on journeys (issue 18): a service journey may attach a coupon as a campaign does (`coupon_*` columns on
/// `journeys`, the same five as on `campaigns`); each treated member gets one per send, recorded in `journey_coupons`
/// (unique per journey, member and period — the same period key the outbox dedupes the send by), so a re-run, a
/// second job at once or the next day's catch-up issues no second coupon. The journey page's report joins it to the
/// coupons for issued, used and the spend on their receipts.
struct M045_JourneyCoupons: AsyncMigration {
    var name: String { "045_JourneyCoupons" }

    func prepare(on db: any Database) async throws {
        try await db.schema("journeys").field("coupon_name", .string).update()
        try await db.schema("journeys").field("coupon_face_fen", .int64).update()
        try await db.schema("journeys").field("coupon_discount_permille", .int).update()
        try await db.schema("journeys").field("coupon_min_spend_fen", .int64).update()
        try await db.schema("journeys").field("coupon_valid_days", .int).update()

        try await db.schema("journey_coupons")
            .field("journey_code", .string, .required)
            .field("member_id", .int64, .required, .references("members", "id"))
            .field("period_key", .string, .required)
            .field("coupon_code", .string, .required)
            .unique(on: "journey_code", "member_id", "period_key")
            .create()
    }

    func revert(on db: any Database) async throws {
        try await db.schema("journey_coupons").delete()
        for c in ["coupon_name", "coupon_face_fen", "coupon_discount_permille", "coupon_min_spend_fen", "coupon_valid_days"] {
            try await db.schema("journeys").deleteField(.string(c)).update()
        }
    }
}
