import Foundation
import MallVIPCore
import MallVIPStore
import Plot
import Vapor

/// Member sign-in with a one-time SMS code: phone → code → session cookie. Phones that are not members get the
/// same pages and statuses (no SMS goes out), so the form cannot be used to find out who is a member.
struct MemberLoginController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(.memberSiteLogin, use: form)
        routes.post(.memberSiteLogin, use: requestCode)
        routes.post(.memberSiteLoginVerify, use: verify)
    }

    struct PhoneForm: Content { var phone: String? }
    struct CodeForm: Content { var phone: String?; var code: String? }

    func form(req: Request) async throws -> Response {
        if try await MemberAuth.session(req) != nil { return req.redirect(to: MemberURL.card.path) }
        return MemberLoginView.phone(PageContext(req), phone: "", error: nil)
    }

    func requestCode(req: Request) async throws -> Response {
        try Self.sameOrigin(req)
        let ctx = PageContext(req)
        let phone = (try req.content.decode(PhoneForm.self).phone ?? "").filter { !$0.isWhitespace }
        let outcome: MemberCodeRequestOutcome
        do {
            outcome = try await req.store.requestMemberLoginCode(phone: phone, ip: req.clientIP, policy: req.application.appConfig.memberLogin,
                                                                  sender: req.application.messageSenders, sendInBackground: true)
        } catch let e as DomainError {
            return MemberLoginView.phone(ctx, phone: phone, error: ctx.t(e.zh, e.en), status: .unprocessableEntity)
        }
        switch outcome {
        case .sent:
            return MemberLoginView.code(ctx, phone: phone, notice: ctx.t("验证码已发送至 \(Self.masked(phone))", "We sent a code to \(Self.masked(phone))"), error: nil)
        case .tooSoon(let s):
            return MemberLoginView.code(ctx, phone: phone, notice: nil,
                                        error: ctx.t("请 \(s) 秒后再获取新验证码", "Please wait \(s) seconds before asking for a new code"),
                                        status: .tooManyRequests)
        case .limited(let s):
            return MemberLoginView.phone(ctx, phone: phone, error: Self.limitedText(ctx, s), status: .tooManyRequests)
        }
    }

    func verify(req: Request) async throws -> Response {
        try Self.sameOrigin(req)
        let ctx = PageContext(req)
        let form = try req.content.decode(CodeForm.self)
        let phone = (form.phone ?? "").filter { !$0.isWhitespace }
        let code = String((form.code ?? "").filter { !$0.isWhitespace }.prefix(12))
        let config = req.application.appConfig
        let token = StaffAuth.newToken()
        let outcome = try await req.store.verifyMemberLoginCode(phone: String(phone.prefix(32)), code: code, ip: req.clientIP,
                                                               policy: config.memberLogin, sessionTokenHash: sha256Hex(token),
                                                               csrf: StaffAuth.newToken())
        let again = ctx.t("请重新获取验证码", "please ask for a new code")
        switch outcome {
        case .signedIn(let memberId):
            let response = req.redirect(to: MemberURL.card.path, redirectType: .normal)
            response.cookies[MemberAuth.cookieName] = MemberAuth.cookie(token, config: config, maxAge: Int(config.memberLogin.sessionTTL))
            // Issue 22b: a WeChat openid waiting for this sign-in is bound now (signed cookie), then to the page wanted.
            if let next = try await WechatSignIn.bindPending(req, memberId: memberId, response: response) {
                response.headers.replaceOrAdd(name: .location, value: next)
            }
            return response
        case .wrong(let left) where left > 0:
            return MemberLoginView.code(ctx, phone: phone, notice: nil, error: ctx.t("验证码错误，还可尝试 \(left) 次", "Wrong code: \(left) tries left"),
                                        status: .unauthorized)
        case .wrong, .tooManyTries:
            return MemberLoginView.code(ctx, phone: phone, notice: nil, error: ctx.t("验证码错误次数过多，", "Too many wrong codes: ") + again,
                                        status: .unauthorized)
        case .expired:
            return MemberLoginView.code(ctx, phone: phone, notice: nil, error: ctx.t("验证码已过期，", "The code has expired: ") + again,
                                        status: .unauthorized)
        case .noCode:
            return MemberLoginView.code(ctx, phone: phone, notice: nil, error: ctx.t("验证码无效，", "The code is not valid: ") + again,
                                        status: .unauthorized)
        case .limited(let s):
            return MemberLoginView.code(ctx, phone: phone, notice: nil, error: Self.limitedText(ctx, s), status: .tooManyRequests)
        }
    }

    @Sendable static func logout(req: Request) async throws -> Response {
        if let token = req.cookies[MemberAuth.cookieName]?.string {
            try await req.store.endMemberSession(tokenHash: sha256Hex(token))
        }
        let response = req.redirect(to: MemberURL.login.path)
        response.cookies[MemberAuth.cookieName] = MemberAuth.cookie("", config: req.application.appConfig, maxAge: 0)
        return response
    }

    /// The sign-in forms have no session yet, hence no CSRF token: a form posted from another site (which could
    /// sign a visitor in to someone else's account, or spend the SMS budget) is refused by the Origin and
    /// Sec-Fetch-Site headers browsers send with every form POST.
    /// The Origin may name this server as the client sees it (Host), as a trusted proxy forwards it, or as
    /// MALLVIP_PUBLIC_URL names it.
    static func sameOrigin(_ req: Request) throws {
        func authority(_ url: String) -> String? {
            URL(string: url).flatMap { u in u.host.map { $0 + (u.port.map { ":\($0)" } ?? "") } }
        }
        let config = req.application.appConfig
        var ours: Set<String> = []
        if let h = req.headers.first(name: .host) { ours.insert(h) }
        if config.trustProxy, let h = req.headers.first(name: "X-Forwarded-Host") { ours.insert(h) }
        if let u = config.messaging.publicURL.flatMap(authority) { ours.insert(u) }
        let crossSite = req.headers.first(name: "Sec-Fetch-Site") == "cross-site"
        let foreignOrigin = req.headers.first(name: .origin).map { origin in
            origin == "null" || authority(origin).map { !ours.contains($0) } ?? true
        } ?? false
        if crossSite || foreignOrigin {
            throw Abort(.forbidden, reason: req.lang.t("请在会员页面上登录", "Please sign in on the member pages"))
        }
    }

    static func limitedText(_ ctx: PageContext, _ seconds: Int) -> String {
        let minutes = (seconds + 59) / 60
        return ctx.t("尝试次数过多，请 \(minutes) 分钟后再试", "Too many attempts: please try again in \(minutes) minute\(minutes == 1 ? "" : "s")")
    }

    /// 138****8000: enough for the member to recognise, no more.
    static func masked(_ phone: String) -> String {
        guard phone.count == 11 else { return phone }
        return String(phone.prefix(3)) + "****" + String(phone.suffix(4))
    }
}

extension Request {
    /// The client's address for the sign-in limits: the peer, or behind a trusted proxy the first X-Forwarded-For.
    var clientIP: String {
        if application.appConfig.trustProxy,
           let first = headers.first(name: "X-Forwarded-For")?.split(separator: ",").first?.trimmingCharacters(in: .whitespaces),
           !first.isEmpty {
            return String(first.prefix(64))
        }
        return remoteAddress?.ipAddress ?? "unknown"
    }
}

enum MemberLoginView {
    static func phone(_ ctx: PageContext, phone: String, error: String?, status: HTTPResponseStatus = .ok) -> Response {
        MemberLayout.render(ctx, title: ctx.t("会员登录", "Member sign-in"), .div(
            errorBox(error),
            .form(.class("card"), .method(.post), .action(MemberURL.login.path),
                  .label(.text(ctx.t("手机号", "Mobile number")),
                         .input(.type(.tel), .name("phone"), .value(phone), .required(true),
                                .attribute(named: "inputmode", value: "numeric"), .attribute(named: "autocomplete", value: "tel"),
                                .attribute(named: "maxlength", value: "11"), .attribute(named: "pattern", value: "1[0-9]{10}"))),
                  .button(.type(.submit), .class("wide"), .text(ctx.t("获取验证码", "Send me a code")))),
            .p(.class("muted"), .text(ctx.t("我们会向会员登记的手机号发送 6 位验证码。", "We send a 6-digit code to the mobile number registered with your card.")))
        ), status: status, signedIn: false)
    }

    static func code(_ ctx: PageContext, phone: String, notice: String?, error: String?, status: HTTPResponseStatus = .ok) -> Response {
        MemberLayout.render(ctx, title: ctx.t("输入验证码", "Enter the code"), .div(
            .unwrap(notice) { .p(.class("notice"), .attribute(named: "role", value: "status"), .text($0)) },
            errorBox(error),
            .form(.class("card"), .method(.post), .action(MemberURL.loginVerify.path),
                  .input(.type(.hidden), .name("phone"), .value(phone)),
                  .label(.text(ctx.t("6 位验证码", "6-digit code")),
                         .input(.type(.text), .name("code"), .required(true), .attribute(named: "inputmode", value: "numeric"),
                                .attribute(named: "autocomplete", value: "one-time-code"), .attribute(named: "maxlength", value: "6"),
                                .attribute(named: "pattern", value: "[0-9]{6}"))),
                  .button(.type(.submit), .class("wide"), .text(ctx.t("登录", "Sign in")))),
            .form(.method(.post), .action(MemberURL.login.path),
                  .input(.type(.hidden), .name("phone"), .value(phone)),
                  .button(.type(.submit), .class("secondary wide"), .text(ctx.t("重新获取验证码", "Send a new code")))),
            .p(.a(.href(MemberURL.login.path), .text(ctx.t("换一个手机号", "Use another number"))))
        ), status: status, signedIn: false)
    }

    static func errorBox(_ message: String?) -> Node<HTML.BodyContext> {
        .unwrap(message) { .p(.class("error"), .attribute(named: "role", value: "alert"), .text($0)) }
    }
}
