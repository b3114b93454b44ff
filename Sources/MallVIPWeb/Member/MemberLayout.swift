import Foundation
import Plot
import Vapor

/// The member site's frame: phone-first, its own stylesheet and navigation (never the staff nav), a language
/// switch, sign-out. Works without JavaScript.
enum MemberLayout {
    /// `signedIn: false` (the sign-in pages) leaves out the navigation and sign-out.
    static func render(_ ctx: PageContext, title: String, _ body: Node<HTML.BodyContext>,
                       status: HTTPResponseStatus = .ok, signedIn: Bool = true) -> Response {
        let html = HTML(
            .attribute(named: "lang", value: ctx.lang == .en ? "en" : "zh-CN"),
            .head(
                .meta(.charset(.utf8)),
                .meta(.name("viewport"), .content("width=device-width, initial-scale=1")),
                .title("\(title) · " + ctx.t("会员中心", "Member centre")),
                .link(.rel(.stylesheet), .href(MemberURL.stylesheet.path))
            ),
            .body(
                .header(.class("m-top"),
                        .span(.class("m-brand"), .text(ctx.t("VIP 会员中心", "VIP members"))),
                        languageSwitch(ctx),
                        .if(signedIn, logoutForm(ctx))),
                .if(signedIn, navigation(ctx)),
                .main(.h1(.text(title)), body)
            )
        )
        var headers = HTTPHeaders()
        headers.contentType = .html
        headers.add(name: .cacheControl, value: "no-store")
        return Response(status: status, headers: headers, body: .init(string: html.render()))
    }

    static let items: [(zh: String, en: String, url: MemberURL)] = [
        ("卡", "Card", .card), ("积分", "Points", .points(page: nil)), ("优惠券", "Coupons", .coupons), ("礼品", "Gifts", .gifts),
        ("拍照积分", "Receipt photos", .photos), ("兑换", "Rewards", .rewards), ("推荐", "Referral", .referral), ("活动", "Events", .events), ("我的", "Profile", .profile),
    ]

    static func navigation(_ ctx: PageContext) -> Node<HTML.BodyContext> {
        .nav(.class("m-nav"), .attribute(named: "aria-label", value: ctx.t("会员菜单", "Member menu")),
             .forEach(items) { item in
                 // Points and purchases are one section (the history); a coupon or receipt belongs to its list.
                 let here = item.url.path == ctx.path || ctx.path.hasPrefix(item.url.path + "/")
                     || (item.url.path == MemberURL.points(page: nil).path && ctx.path.hasPrefix(MemberURL.purchases(page: nil).path))
                 return .a(.href(item.url.path), .if(here, .attribute(named: "aria-current", value: "page")),
                           .text(ctx.t(item.zh, item.en)))
             })
    }

    static func languageSwitch(_ ctx: PageContext) -> Node<HTML.BodyContext> {
        .form(.method(.post), .action(MemberURL.language.path), .class("inline"),
              .input(.type(.hidden), .name("lang"), .value(ctx.lang == .en ? "zh" : "en")),
              .button(.type(.submit), .class("link"), .attribute(named: "lang", value: ctx.lang == .en ? "zh-CN" : "en"),
                      .text(ctx.lang == .en ? "中文" : "English")))
    }

    static func logoutForm(_ ctx: PageContext) -> Node<HTML.BodyContext> {
        .form(.method(.post), .action(MemberURL.logout.path), .class("inline"),
              csrfField(ctx),
              .button(.type(.submit), .class("link"), .text(ctx.t("退出", "Sign out"))))
    }

    static func csrfField(_ ctx: PageContext) -> Node<HTML.FormContext> {
        .input(.type(.hidden), .name("_csrf"), .value(ctx.csrf))
    }
}

/// Error page for /m/ requests: the member frame, never the console's.
enum MemberErrorPage {
    static func response(status: HTTPResponseStatus, message: String, request: Request) -> Response {
        let ctx = PageContext(request)
        let signedIn = request.storage[MemberSessionKey.self] != nil
        return MemberLayout.render(ctx, title: "\(status.code)", .div(
            .p(.class("error"), .attribute(named: "role", value: "alert"), .text(message)),
            .p(.a(.class("button"), .href(signedIn ? MemberURL.card.path : MemberURL.login.path),
                  .text(ctx.t("返回", "Back"))))), status: status, signedIn: signedIn)
    }
}
