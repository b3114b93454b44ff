import Foundation
import MallVIPCore
import MallVIPStore
import Plot
import Vapor

extension SiteRoute {
    /// WeChat Pay 智慧商圈 (issue 19, docs/wechat-pay.md): shop → counter mapping and payer bindings (managers).
    static let wechatPay = SiteRoute("/console/wechat-pay")
    static let wechatPayShops = SiteRoute("/console/wechat-pay/shops")
    static let wechatPayShopRemove = SiteRoute("/console/wechat-pay/shops/:id/remove")
    static let wechatPayBindingLink = SiteRoute("/console/wechat-pay/bindings/:id/link")
    static let wechatPayBindingRevoke = SiteRoute("/console/wechat-pay/bindings/:id/revoke")
}

/// `/console/wechat-pay`: which 商圈 shop (WeChat's `shop_number`) posts to which counter, how many payers are
/// bound, pending or revoked, and the pending ones to link to a member by card number (their held payments then post).
enum WechatPayConsoleController {
    static func register(_ routes: any RoutesBuilder) throws {
        let managers = routes.grouped(StaffAuthMiddleware(roles: StaffRole.managers))
        managers.get(.wechatPay, use: page)
        managers.post(.wechatPayShops, use: addShop)
        managers.post(.wechatPayShopRemove, use: removeShop)
        managers.post(.wechatPayBindingLink, use: link)
        managers.post(.wechatPayBindingRevoke, use: revoke)
    }

    @Sendable static func page(req: Request) async throws -> Response {
        try await render(req, notice: try await Notices.take(req), error: nil)
    }

    static func render(_ req: Request, notice: String?, error: DomainError?) async throws -> Response {
        let ctx = PageContext(req)
        let store = req.store
        let model = View.Model(configured: req.application.appConfig.wechatPay, shops: try await store.wechatPayShops(),
                               bindings: try await store.wechatPayBindingCounts(), payments: try await store.wechatPayPaymentStates(),
                               pending: try await store.wechatPayPendingBindings(),
                               notice: notice, error: error.map { Forms.message($0, ctx) })
        return Layout.render(ctx, title: ctx.t("微信支付智慧商圈", "WeChat Pay Smart Business Circle"), status: error.map(Forms.status) ?? .ok,
                             View.body(model, ctx))
    }

    static func id(_ req: Request) throws -> Int64 {
        guard let id = req.parameters.get("id", as: Int64.self) else { throw Abort(.notFound) }
        return id
    }

    @Sendable static func addShop(req: Request) async throws -> Response {
        let ctx = PageContext(req)
        let f = try req.content.decode([String: String].self)
        do {
            let shop = Forms.trimmed(f["shopNumber"]), counter = Forms.trimmed(f["counter"])
            try await req.store.addWechatPayShop(shopNumber: shop, counterCode: counter, actor: req.actor)
            return req.redirect(to: try await Forms.withNotice(req, SiteRoute.wechatPay.path(), ctx.t("已映射门店 \(shop) → \(counter)", "Shop \(shop) → \(counter) mapped")))
        } catch let e as DomainError {
            return try await render(req, notice: nil, error: e)
        }
    }

    @Sendable static func removeShop(req: Request) async throws -> Response {
        let ctx = PageContext(req)
        try await req.store.removeWechatPayShop(id: try id(req), actor: req.actor)
        return req.redirect(to: try await Forms.withNotice(req, SiteRoute.wechatPay.path(), ctx.t("已删除门店映射", "Shop mapping removed")))
    }

    @Sendable static func link(req: Request) async throws -> Response {
        let ctx = PageContext(req)
        let card = Forms.trimmed(try req.content.decode([String: String].self)["card"])
        do {
            // The card names a member: the same object check as every console form naming one (issue 14).
            if let m = try await req.store.lookup(card: card, phone: nil) { try await MemberAccess.check(req, member: m) }
            let posted = try await req.store.linkWechatPayBinding(id: try id(req), card: card, actor: req.actor)
            return req.redirect(to: try await Forms.withNotice(req, SiteRoute.wechatPay.path(),
                                                               ctx.t("已绑定卡号 \(card)，补记 \(posted) 笔微信支付消费", "Linked to card \(card); \(posted) held payment(s) posted")))
        } catch let e as DomainError {
            return try await render(req, notice: nil, error: e)
        }
    }

    @Sendable static func revoke(req: Request) async throws -> Response {
        let ctx = PageContext(req)
        try await req.store.revokeWechatPayBinding(id: try id(req), actor: req.actor)
        return req.redirect(to: try await Forms.withNotice(req, SiteRoute.wechatPay.path(), ctx.t("已解除绑定", "Binding revoked")))
    }

    enum View {
        struct Model {
            var configured: WechatPayConfig?
            var shops: [Store.WechatPayShop]
            var bindings: [String: Int]
            var payments: [String: Int]
            var pending: [WechatPayBinding]
            var notice: String?
            var error: String?
        }

        static func body(_ m: Model, _ ctx: PageContext) -> Node<HTML.BodyContext> {
            .div(
                Layout.noticeBox(m.notice), Layout.errorBox(m.error),
                .p(.class("muted"), .text(m.configured.map { c in
                    ctx.t("已接入：\(c.malls.map(\.mall).joined(separator: ", "))；回调地址 https://<域名>\(c.callbackPath)",
                          "Connected: \(c.malls.map(\.mall).joined(separator: ", ")); callback URL https://<host>\(c.callbackPath)")
                } ?? ctx.t("未配置（MALLVIP_WECHATPAY_CONFIG 未设置）：不接收微信支付通知。", "Not configured (MALLVIP_WECHATPAY_CONFIG unset): no WeChat Pay notifications are received."))),
                .h2(.text(ctx.t("门店 → 专柜", "Shops → counters"))),
                .table(.tr(.th(.text(ctx.t("商场", "Mall"))), .th(.text(ctx.t("门店编号", "Shop number"))), .th(.text(ctx.t("专柜", "Counter"))), .th()),
                       .forEach(m.shops) { s in
                           .tr(.td(.text(s.mallCode)), .td(.text(s.shopNumber)), .td(.text("\(s.counterCode) \(s.counterName)")),
                               .td(.form(.method(.post), .action(SiteRoute.wechatPayShopRemove.path(s.id)), .class("inline"), Layout.csrfField(ctx),
                                         .button(.class("secondary"), .type(.submit), .text(ctx.t("删除", "Remove"))))))
                       }),
                .form(.class("card"), .method(.post), .action(SiteRoute.wechatPayShops.path()), Layout.csrfField(ctx),
                      Layout.field(ctx.t("门店编号（shop_number）", "Shop number (shop_number)"), name: "shopNumber", required: true),
                      Layout.field(ctx.t("专柜代码", "Counter code"), name: "counter", required: true),
                      .button(.type(.submit), .text(ctx.t("添加映射", "Add mapping")))),
                .h2(.text(ctx.t("授权用户", "Authorized payers"))),
                .table(.tr(.th(.text(ctx.t("已绑定", "Bound"))), .th(.text(ctx.t("待绑定", "Pending"))), .th(.text(ctx.t("已解除", "Revoked")))),
                       .tr(.td(.text(String(m.bindings["bound"] ?? 0))), .td(.text(String(m.bindings["pending"] ?? 0))),
                           .td(.text(String(m.bindings["revoked"] ?? 0))))),
                .p(.class("muted"), .text(ctx.t("微信支付消费：" + ["posted", "held", "skipped", "refused", "duplicate"].map { "\($0) \(m.payments[$0] ?? 0)" }.joined(separator: " · "),
                                                "WeChat Pay payments: " + ["posted", "held", "skipped", "refused", "duplicate"].map { "\($0) \(m.payments[$0] ?? 0)" }.joined(separator: " · ")))),
                .h2(.text(ctx.t("待绑定用户", "Pending payers"))),
                .table(.tr(.th(.text("openid")), .th(.text(ctx.t("状态", "State"))), .th(.text(ctx.t("绑定到卡号", "Link to card"))), .th()),
                       .forEach(m.pending) { b in
                           .tr(.td(.text(b.openid)), .td(.text(b.state)),
                               .td(.form(.method(.post), .action(SiteRoute.wechatPayBindingLink.path(b.id)), .class("inline"), Layout.csrfField(ctx),
                                         .input(.type(.text), .name("card"), .required(true), .placeholder(ctx.t("卡号", "Card number"))),
                                         .button(.class("secondary"), .type(.submit), .text(ctx.t("绑定", "Link"))))),
                               .td(.form(.method(.post), .action(SiteRoute.wechatPayBindingRevoke.path(b.id)), .class("inline"), Layout.csrfField(ctx),
                                         .button(.class("secondary"), .type(.submit), .text(ctx.t("解除", "Revoke"))))))
                       })
            )
        }
    }
}
