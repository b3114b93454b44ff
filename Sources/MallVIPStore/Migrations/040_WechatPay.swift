import FluentKit
import SQLKit

/// WeChat Pay 智慧商圈 inbound (issue 19, docs/wechat-pay.md):
/// - `wechatpay_bindings`: a payer (openid of the mall's mini-program appid) and the member it earns for; `pending`
///   until a member is known (the authorization carries no phone), `revoked` when unbound. One row per (appid, openid).
/// - `wechatpay_shops`: a shop of the 商圈 (its `shop_number`, from the payment) → the counter its purchases post to.
/// - `wechatpay_nonces`: `Wechatpay-Nonce` values seen within the timestamp window (a replayed request is refused);
///   `wechatpay_notifications`: notification ids handled (WeChat's redelivery is answered success, nothing changes).
/// - `wechatpay_payments`: every payment notification and what became of it (posted, held for an unbound payer,
///   skipped); `wechatpay_refunds`: refunds, `pending` while their payment has not arrived or is not posted.
struct M040_WechatPay: AsyncMigration {
    var name: String { "040_WechatPay" }

    func prepare(on db: any Database) async throws {
        try await db.schema("wechatpay_bindings").autoID()
            .field("mall_id", .int64, .required, .references("malls", "id"))
            .field("appid", .string, .required)
            .field("openid", .string, .required)
            .field("member_id", .int64, .references("members", "id"))
            .field("card_code", .string)                  // the authorization's 会员卡 code, as sent
            .field("state", .string, .required)           // bound | pending | revoked
            .field("created_at_ms", .int64, .required)
            .field("updated_at_ms", .int64, .required)
            .unique(on: "appid", "openid")
            .create()
        try await db.sql.create(index: "wechatpay_bindings_member").on("wechatpay_bindings").column("member_id").run()
        try await db.schema("wechatpay_shops").autoID()
            .field("mall_id", .int64, .required, .references("malls", "id"))
            .field("shop_number", .string, .required)
            .field("counter_id", .int64, .required, .references("counters", "id"))
            .field("created_by", .string, .required)
            .field("created_at_ms", .int64, .required)
            .unique(on: "mall_id", "shop_number")
            .create()
        try await db.schema("wechatpay_nonces")
            .field("nonce", .string, .required)
            .field("seen_at_ms", .int64, .required)
            .unique(on: "nonce")
            .create()
        try await db.schema("wechatpay_notifications")
            .field("notification_id", .string, .required)
            .field("mall_id", .int64, .required)
            .field("event_type", .string, .required)
            .field("result", .string, .required)
            .field("received_at_ms", .int64, .required)
            .unique(on: "notification_id")
            .create()
        try await db.schema("wechatpay_payments").autoID()
            .field("mall_id", .int64, .required, .references("malls", "id"))
            .field("transaction_id", .string, .required)
            .field("appid", .string, .required)
            .field("openid", .string, .required)
            .field("shop_number", .string, .required)
            .field("amount_fen", .int64, .required)
            .field("paid_at_ms", .int64, .required)
            .field("state", .string, .required)           // posted | held | skipped | refused
            .field("detail", .string, .required)
            .field("receipt_no", .string)                 // WX + transaction_id once posted
            .field("member_id", .int64)
            .field("created_at_ms", .int64, .required)
            .field("updated_at_ms", .int64, .required)
            .unique(on: "mall_id", "transaction_id")
            .create()
        try await db.sql.create(index: "wechatpay_payments_payer").on("wechatpay_payments").column("appid").column("openid").run()
        try await db.schema("wechatpay_refunds").autoID()
            .field("mall_id", .int64, .required, .references("malls", "id"))
            .field("refund_id", .string, .required)
            .field("transaction_id", .string, .required)
            .field("refund_fen", .int64, .required)
            .field("refunded_at_ms", .int64, .required)
            .field("state", .string, .required)           // pending | applied | refused
            .field("detail", .string, .required)
            .field("created_at_ms", .int64, .required)
            .field("updated_at_ms", .int64, .required)
            .unique(on: "mall_id", "refund_id")
            .create()
        try await db.sql.create(index: "wechatpay_refunds_transaction").on("wechatpay_refunds").column("transaction_id").run()
    }

    func revert(on db: any Database) async throws {
        for t in ["wechatpay_refunds", "wechatpay_payments", "wechatpay_notifications", "wechatpay_nonces",
                  "wechatpay_shops", "wechatpay_bindings"] {
            try await db.schema(t).delete()
        }
    }
}
