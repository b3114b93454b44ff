import Foundation
import MallVIPCore
import MallVIPStore
import Plot
import Vapor

/// Sign-in with bcrypt passwords; repeated failures lock the account for a while.
struct LoginController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("login", use: form)
        routes.post("login", use: login)
    }

    struct LoginForm: Content {
        var username: String
        var password: String
        var next: String?
    }

    func form(req: Request) async throws -> Response {
        if try await StaffAuth.session(req) != nil { return req.redirect(to: SiteURL.dashboard.path) }
        return LoginView.render(PageContext(lang: req.lang, user: nil, csrf: ""), next: req.query["next"], error: nil)
    }

    func login(req: Request) async throws -> Response {
        let form = try req.content.decode(LoginForm.self)
        let config = req.application.appConfig
        let ctx = PageContext(lang: req.lang, user: nil, csrf: "")
        let failed = ctx.t("用户名或密码错误", "Wrong username or password")
        guard let user = try await req.store.staff(username: form.username), user.active else {
            // Hash anyway so that unknown users take as long as known ones.
            _ = try? await req.password.async.verify(form.password, created: LoginController.dummyHash)
            return LoginView.render(ctx, next: form.next, error: failed, status: .unauthorized)
        }
        if let until = user.lockedUntil, until > req.store.env.now() {
            return LoginView.render(ctx, next: form.next, error: ctx.t("登录失败次数过多，账号已临时锁定，请稍后再试",
                                                                       "Too many failed sign-ins: the account is locked for a while"), status: .unauthorized)
        }
        guard try await req.password.async.verify(form.password, created: user.passwordHash) else {
            try await req.store.recordLoginFailure(userId: user.id, limit: config.loginFailureLimit, lockFor: config.lockout)
            return LoginView.render(ctx, next: form.next, error: failed, status: .unauthorized)
        }
        let token = StaffAuth.newToken()
        try await req.store.startSession(userId: user.id, tokenHash: sha256Hex(token), csrf: StaffAuth.newToken(),
                                         language: req.lang, ttl: config.sessionTTL)
        let next = form.next.flatMap { $0.hasPrefix("/console") ? $0 : nil } ?? SiteURL.dashboard.path
        let response = req.redirect(to: next, redirectType: .normal)
        response.cookies[StaffAuth.cookieName] = StaffAuth.cookie(token, config: config, maxAge: Int(config.sessionTTL))
        return response
    }

    static let dummyHash = (try? Bcrypt.hash("not-a-password", cost: 10)) ?? ""

    @Sendable static func logout(req: Request) async throws -> Response {
        if let token = req.cookies[StaffAuth.cookieName]?.string {
            try await req.store.endSession(tokenHash: sha256Hex(token))
        }
        let response = req.redirect(to: SiteURL.login(next: nil).path)
        response.cookies[StaffAuth.cookieName] = StaffAuth.cookie("", config: req.application.appConfig, maxAge: 0)
        return response
    }

    struct LanguageForm: Content { var lang: String }

    @Sendable static func setLanguage(req: Request) async throws -> Response {
        let form = try req.content.decode(LanguageForm.self)
        let lang: UILanguage = form.lang == "en" ? .en : .zh
        if let token = req.cookies[StaffAuth.cookieName]?.string {
            try await req.store.setSessionLanguage(tokenHash: sha256Hex(token), language: lang)
        }
        let back = req.headers.first(name: .referer).flatMap { URL(string: $0)?.path }.flatMap { $0.hasPrefix("/console") ? $0 : nil }
        let response = req.redirect(to: back ?? SiteURL.dashboard.path)
        response.cookies["mallvip_lang"] = HTTPCookies.Value(string: lang.rawValue, maxAge: 365 * 86_400, path: "/", isHTTPOnly: true, sameSite: .lax)
        return response
    }
}

enum LoginView {
    static func render(_ ctx: PageContext, next: String?, error: String?, status: HTTPResponseStatus = .ok) -> Response {
        Layout.render(ctx, title: ctx.t("员工登录", "Staff sign-in"), status: status, .div(
            Layout.errorBox(error),
            .form(.class("card"), .method(.post), .action("/login"),
                  .input(.type(.hidden), .name("next"), .value(next ?? "")),
                  Layout.field(ctx.t("用户名", "Username"), name: "username", required: true),
                  Layout.field(ctx.t("密码", "Password"), name: "password", type: .password, required: true),
                  .button(.type(.submit), .text(ctx.t("登录", "Sign in"))))
        ))
    }
}
