import Foundation
import MallVIPCore
import MallVIPStore
import Plot
import Vapor

/// The member changes their own phone on /m/profile (issue 17): a code to the NEW number, entered on the next
/// page. Registered behind `MemberAuthMiddleware` (sign-in, CSRF); always for `req.memberId`. One person, one
/// card: a number of another member is refused, naming the rule. Recorded in the change history and audited
/// like the desk's changes, the member as the one who made it.
struct MemberPhoneChangeController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.post(.memberSiteProfilePhoneCode, use: sendCode)
        routes.post(.memberSiteProfilePhone, use: confirm)
    }

    struct Form: Content { var phone: String?; var code: String? }

    @Sendable func sendCode(req: Request) async throws -> Response {
        let memberId = try req.memberId
        let phone = Forms.trimmed(try req.content.decode(Form.self).phone).filter { !$0.isWhitespace }
        do {
            switch try await req.store.requestPhoneChangeCode(memberId: memberId, newPhone: phone, policy: req.application.appConfig.memberLogin,
                                                              sender: req.application.messageSenders, actor: "member:\(memberId)") {
            case .sent(let to):
                return Self.codePage(req, phone: phone, notice: req.lang.t("验证码已发送至新手机 \(to)", "We sent a code to your new number \(to)"))
            case .tooSoon(let s):
                return Self.codePage(req, phone: phone, error: req.lang.t("请 \(s) 秒后再获取新验证码", "Please wait \(s) seconds before asking for a new code"),
                                     status: .tooManyRequests)
            case .failed:
                return Self.codePage(req, phone: phone, error: req.lang.t("短信发送失败，请稍后再试", "The SMS could not be sent; please try again later"),
                                     status: .serviceUnavailable)
            }
        } catch let e as DomainError {
            return Self.codePage(req, phone: phone, error: req.lang.t(e.zh, e.en), status: Forms.status(e), codeForm: false)
        }
    }

    @Sendable func confirm(req: Request) async throws -> Response {
        let memberId = try req.memberId
        let f = try req.content.decode(Form.self)
        let phone = Forms.trimmed(f.phone).filter { !$0.isWhitespace }
        do {
            try await req.store.confirmPhoneChange(memberId: memberId, newPhone: phone, code: Forms.trimmed(f.code),
                                                   policy: req.application.appConfig.memberLogin, actor: "member:\(memberId)")
            return req.redirect(to: try await Forms.withNotice(req, MemberURL.profile.path,
                                                               req.lang.t("手机号已更换，下次请用新手机号登录", "Phone changed: sign in with the new number next time")))
        } catch let e as DomainError {
            return Self.codePage(req, phone: phone, error: req.lang.t(e.zh, e.en), status: Forms.status(e))
        }
    }

    static func codePage(_ req: Request, phone: String, notice: String? = nil, error: String? = nil,
                         status: HTTPResponseStatus = .ok, codeForm: Bool = true) -> Response {
        let ctx = PageContext(req)
        return MemberLayout.render(ctx, title: ctx.t("更换手机号", "Change phone"), .div(
            Layout.noticeBox(notice),
            Layout.errorBox(error),
            .if(codeForm, .form(.method(.post), .action(SiteRoute.memberSiteProfilePhone.path()), .class("card"),
                  MemberLayout.csrfField(ctx),
                  .input(.type(.hidden), .name("phone"), .value(phone)),
                  Layout.field(ctx.t("新手机收到的验证码", "Code sent to the new number"), name: "code", required: true),
                  .button(.type(.submit), .class("wide"), .text(ctx.t("确认更换", "Change phone"))))),
            MemberProfilePhoneView.form(ctx, phone: phone),
            .p(.a(.href(MemberURL.profile.path), .text(ctx.t("返回我的资料", "Back to my profile"))))
        ), status: status)
    }
}

enum MemberProfilePhoneView {
    /// "New number → send code": on /m/profile's identity section and on the code page (to send again).
    static func form(_ ctx: PageContext, phone: String = "") -> Node<HTML.BodyContext> {
        .form(.method(.post), .action(SiteRoute.memberSiteProfilePhoneCode.path()), .class("card"),
              MemberLayout.csrfField(ctx),
              .h2(.text(ctx.t("更换手机号", "Change my phone"))),
              Layout.field(ctx.t("新手机号（验证码将发送到新号码）", "New number (the code goes to the new number)"), name: "phone", value: phone,
                           type: .tel, required: true),
              .button(.type(.submit), .class("wide secondary"), .text(ctx.t("发送验证码", "Send code"))))
    }
}
