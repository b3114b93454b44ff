import FluentKit
import MallVIPCore
import SQLKit

/// Partner merchants (联盟商家) with their visits and API keys scoped to one partner; referral codes and the
/// referrals between members (docs/domain.md §6.2, C24).
struct M011_Partners: AsyncMigration {
    var name: String { "011_Partners" }

    func prepare(on db: any Database) async throws {
        try await db.schema("partners").autoID()
            .field("code", .string, .required).field("name", .string, .required)
            .field("category", .string, .required).field("contact", .string, .required)
            .field("active", .bool, .required)
            .field("discounts_json", .string, .required)   // per-tier overrides in per mille: {"silver":900}
            .field("created_at_ms", .int64, .required).field("updated_at_ms", .int64, .required)
            .unique(on: "code").create()
        try await db.schema("partner_visits").autoID()
            .field("partner_id", .int64, .required, .references("partners", "id"))
            .field("member_id", .int64, .required, .references("members", "id"))
            .field("card_no", .string)
            .field("tier", .string, .required)
            .field("amount_fen", .int64, .required)
            .field("discount_permille", .int, .required)
            .field("discount_fen", .int64, .required)
            .field("visited_at_ms", .int64, .required)
            .field("business_day", .int, .required)
            .field("idempotency_key", .string, .required)
            .field("request_hash", .string, .required)
            .field("response_json", .string, .required)
            .field("at_ms", .int64, .required)
            .unique(on: "partner_id", "idempotency_key")
            .create()
        // The monthly settlement sums a partner's visits by business day.
        try await db.sql.create(index: "partner_visits_day").on("partner_visits").column("business_day").column("partner_id").run()
        try await db.sql.create(index: "partner_visits_member").on("partner_visits").column("member_id").run()
        try await db.schema("api_keys").field("partner_id", .int64).update()

        try await db.schema("members").field("referral_code", .string).update()
        // Read with the member row on every purchase, so that only a referee's purchase looks for a referral to settle.
        try await db.sql.exec("ALTER TABLE members ADD COLUMN referral_pending BOOLEAN NOT NULL DEFAULT FALSE")
        try await db.schema("referrals").autoID()
            .field("referrer_id", .int64, .required, .references("members", "id"))
            .field("referee_id", .int64, .required, .references("members", "id"))
            .field("code", .string, .required)
            .field("status", .string, .required)              // pending | rewarded | capped | reversed
            .field("after_purchase_id", .int64, .required)    // receipts credited at enrolment do not qualify
            .field("purchase_id", .int64)
            .field("min_purchase_fen", .int64)                // the rule the purchase met, for a later refund
            .field("reward_points", .int64, .required)
            .field("reward_coupon_code", .string)
            .field("reward_gift", .string)
            .field("note", .string, .required)
            .field("created_at_ms", .int64, .required)
            .field("rewarded_at_ms", .int64)
            .field("reversed_at_ms", .int64)
            .unique(on: "referee_id")
            .create()
        try await db.sql.create(index: "referrals_referrer").on("referrals").column("referrer_id").column("status").run()
        try await db.sql.create(index: "referrals_purchase").on("referrals").column("purchase_id").run()
        try await db.sql.create(index: "referrals_status").on("referrals").column("status").run()

        // Members enrolled before this migration get their code now; in one transaction, not one commit per row.
        let ids = try await db.sql.rows("SELECT id FROM members WHERE referral_code IS NULL").map { try $0.int64("id") }
        if !ids.isEmpty {
            try await db.transaction { tx in
                for id in ids {
                    try await tx.sql.exec("UPDATE members SET referral_code = \(bind: ReferralCode.forMember(id)) WHERE id = \(bind: id)")
                }
            }
        }
        try await db.sql.create(index: "members_referral_code").unique().on("members").column("referral_code").run()
    }

    func revert(on db: any Database) async throws {
        try await db.sql.drop(index: "members_referral_code").run()
        for t in ["referrals", "partner_visits", "partners"] { try await db.schema(t).delete() }
        try await db.schema("members").deleteField("referral_code").update()
        try await db.schema("members").deleteField("referral_pending").update()
        try await db.schema("api_keys").deleteField("partner_id").update()
    }
}
