import Foundation
import MallVIPStore
import Plot
import Vapor

/// The profile's WeChat panel (issue 22b): "已绑定微信" when an openid of the mall's official account or mini-program
/// signs in as this member, with a button that removes every binding (`unbindWechatIdentities`); the next WeChat
/// visit then asks for the SMS code again.
enum MemberWechatProfile {
    @Sendable static func unbind(req: Request) async throws -> Response {
        let memberId = try req.memberId
        try await req.store.unbindWechatIdentities(memberId: memberId, actor: "member:\(memberId)")
        return req.redirect(to: try await Forms.withNotice(req, MemberURL.profile.path, req.lang.t("已解除微信绑定", "WeChat is no longer linked")))
    }

    static func section(bound: Bool, _ ctx: PageContext) -> Node<HTML.BodyContext> {
        guard bound else { return .empty }
        return .form(.method(.post), .action(SiteRoute.memberSiteProfileWechatUnbind.path()), .class("card"), .id("wechat"),
            MemberLayout.csrfField(ctx),
            .h2(.text(ctx.t("微信", "WeChat"))),
            .p(.strong(.text(ctx.t("已绑定微信", "Linked to WeChat")))),
            .p(.class("muted"), .text(ctx.t("在商场公众号或小程序中打开会员页面时自动登录。解除后，下次需用手机验证码登录。",
                                            "You are signed in automatically in the mall's official account or mini-program. After unlinking, you sign in with a code sent to your phone."))),
            .button(.type(.submit), .class("wide secondary"), .text(ctx.t("解除微信绑定", "Unlink WeChat"))))
    }
}
