import FluentKit
import SQLKit

/// WeChat identities of members (issue 22, docs/wechat.md): an openid of a mall's mini-program or official account
/// (its `appid`), the unionid when WeChat gives one, and the member it signs in as — NULL until the member proves a
/// phone number once by SMS code. One row per (appid, openid). Mini-program openids share the appid WeChat Pay's
/// 智慧商圈 reports for its payers, so binding one also settles a pending `wechatpay_bindings` row.
struct M047_WechatIdentities: AsyncMigration {
    var name: String { "047_WechatIdentities" }

    func prepare(on db: any Database) async throws {
        try await db.schema("wechat_identities").autoID()
            .field("mall_id", .int64, .required, .references("malls", "id"))
            .field("appid", .string, .required)
            .field("openid", .string, .required)
            .field("unionid", .string)
            .field("kind", .string, .required)             // miniProgram | officialAccount
            .field("member_id", .int64, .references("members", "id"))
            .field("created_at_ms", .int64, .required)
            .field("updated_at_ms", .int64, .required)
            .field("last_seen_at_ms", .int64, .required)
            .unique(on: "appid", "openid")
            .create()
        try await db.sql.create(index: "wechat_identities_member").on("wechat_identities").column("member_id").run()
        try await db.sql.create(index: "wechat_identities_unionid").on("wechat_identities").column("unionid").run()
    }

    func revert(on db: any Database) async throws {
        try await db.schema("wechat_identities").delete()
    }
}
