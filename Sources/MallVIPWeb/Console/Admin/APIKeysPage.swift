import Foundation
import MallVIPCore
import MallVIPStore
import Plot

/// API keys for POS systems: list, create (the key is shown once), revoke (admins only).
enum APIKeysPage {
    struct Model: Sendable {
        var keys: [APIKeyInfo]
        var programme: Programme
        /// Active partner merchants a new key may be scoped to.
        var partners: [Partner]
        /// Set only on the answer to a create: the one time the key can be read.
        var newKey: (name: String, key: String)?
        var name = ""
        var partner = ""
        var notice: String?
        var error: String?
    }

    enum Query {
        static func model(_ store: Store, notice: String?) async throws -> Model {
            let (_, programme) = try await store.programme()
            return Model(keys: try await store.apiKeys(), programme: programme, partners: try await store.partners().filter(\.active),
                         notice: notice)
        }
    }

    enum View {
        static func body(_ m: Model, _ ctx: PageContext) -> Node<HTML.BodyContext> {
            .div(
                Layout.noticeBox(m.notice),
                .unwrap(m.newKey) { k in
                    .div(.class("notice"), .id("new-key"),
                         .p(.text(ctx.t("已创建 API 密钥「\(k.name)」。请立即复制，此密钥只显示这一次：",
                                        "API key “\(k.name)” created. Copy it now: it is shown only this once:"))),
                         .p(.code(.class("secret"), .text(k.key))))
                },
                .h2(.text(ctx.t("已有密钥", "Keys"))),
                .if(m.keys.isEmpty, .p(.class("muted"), .text(ctx.t("还没有 API 密钥", "No API keys yet")))),
                .if(!m.keys.isEmpty, .table(
                    .tr(.th(.text(ctx.t("名称", "Name"))), .th(.text(ctx.t("前缀", "Prefix"))), .th(.text(ctx.t("用途", "Scope"))),
                        .th(.text(ctx.t("创建时间", "Created"))),
                        .th(.text(ctx.t("状态", "Status"))), .th()),
                    .forEach(m.keys) { k in
                        .tr(.td(.text(k.name)), .td(.code(.text(k.prefix + "…"))),
                            .td(.text(k.partnerCode.map { ctx.t("联盟商家 \($0)", "partner \($0)") } ?? ctx.t("收银系统", "POS"))),
                            .td(.text(Layout.dateTime(k.createdAt, m.programme))),
                            .td(.text(k.revoked ? ctx.t("已吊销", "revoked") : ctx.t("有效", "active"))),
                            .td(.if(!k.revoked,
                                    .form(.method(.post), .action(SiteURL.apiKeyRevoke(k.id).path), .class("inline"),
                                          Layout.csrfField(ctx),
                                          .button(.class("secondary"), .type(.submit), .text(ctx.t("吊销", "Revoke")))))))
                    })),
                .h2(.text(ctx.t("新建 API 密钥", "New API key"))),
                Layout.errorBox(m.error),
                .form(.class("card"), .method(.post), .action(SiteURL.apiKeys.path),
                      Layout.csrfField(ctx),
                      Layout.field(ctx.t("名称（如 POS-1F-03）", "Name (e.g. POS-1F-03)"), name: "name", value: m.name, required: true),
                      Layout.select(ctx.t("用途", "Scope"), name: "partner",
                                    options: [("", ctx.t("收银系统（POS 接口）", "POS (cashier API)"))]
                                        + m.partners.map { ($0.code, ctx.t("联盟商家 \($0.name)（仅联盟商家接口）", "Partner \($0.name) (partner API only)")) },
                                    selected: m.partner),
                      .button(.type(.submit), .text(ctx.t("创建", "Create"))))
            )
        }
    }
}
