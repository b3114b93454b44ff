import FluentKit
import SQLKit

/// WeChat subscription messages (订阅消息, issue 22c, docs/wechat.md "Subscription messages"). A one-time
/// subscription allows ONE message of that template per accept, so consent is counted: `wechat_subscriptions` holds,
/// per member, app and template, how many messages are still allowed (`remaining`: +1 per accept, −1 when the outbox
/// claims a message for it, 0 when WeChat answers 43101). On `outbox_messages`: `wechat_appid`/`wechat_template_id`
/// say that this message has spent one subscription (set in the claim transaction; a retry of the same row never
/// spends again), `fallback_from`/`fallback_reason` that a message meant for one channel went by SMS instead, and why.
struct M048_WechatSubscriptions: AsyncMigration {
    var name: String { "048_WechatSubscriptions" }

    func prepare(on db: any Database) async throws {
        try await db.schema("wechat_subscriptions").autoID()
            .field("member_id", .int64, .required, .references("members", "id"))
            .field("appid", .string, .required)
            .field("template_id", .string, .required)
            .field("remaining", .int, .required)
            .field("accepted_total", .int, .required)
            .field("last_result", .string, .required)      // accept | reject | ban | filter | 43101
            .field("updated_at_ms", .int64, .required)
            .unique(on: "member_id", "appid", "template_id")
            .create()
        try await db.schema("outbox_messages").field("wechat_appid", .string).update()
        try await db.schema("outbox_messages").field("wechat_template_id", .string).update()
        try await db.schema("outbox_messages").field("fallback_from", .string).update()
        try await db.schema("outbox_messages").field("fallback_reason", .string).update()
    }

    func revert(on db: any Database) async throws {
        try await db.schema("wechat_subscriptions").delete()
        for c in ["wechat_appid", "wechat_template_id", "fallback_from", "fallback_reason"] {
            try await db.schema("outbox_messages").deleteField(.string(c)).update()
        }
    }
}
