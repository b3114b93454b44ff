import Foundation
import MallVIPCore
import MallVIPStore
import Plot
import Vapor

/// Staff sign-in with bcrypt passwords (issue 14): one answer for every failure (unknown user, wrong password,
/// disabled, locked) after the same bcrypt work, a per-address throttle instead of an account lock anyone could
/// trigger (LoginController+Throttle.swift), an Origin check, and a `next` that can only lead into the console.
struct LoginController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(.login, use: form)
        routes.post(.login, use: login)
    }

    struct LoginForm: Content {
        var username: String?
        var password: String?
        var next: String?
    }

    func form(req: Request) async throws -> Response {
        if try await StaffAuth.session(req) != nil { return req.redirect(to: SiteURL.dashboard.path) }
        return LoginView.render(PageContext(lang: req.lang, user: nil, csrf: ""), next: SafeRedirect.path(req.query["next"]), error: nil)
    }

    func login(req: Request) async throws -> Response {
        try SameOrigin.check(req)
        let form = try req.content.decode(LoginForm.self)
        let config = req.application.appConfig
        let ctx = PageContext(lang: req.lang, user: nil, csrf: "")
        let next = SafeRedirect.path(form.next)
        let ip = req.clientIP
        if let wait = try await LoginThrottle.wait(req, ip: ip) {
            let minutes = (wait + 59) / 60
            let response = LoginView.render(ctx, next: next, error: ctx.t("尝试次数过多，请 \(minutes) 分钟后再试",
                                                                         "Too many failed sign-ins from this address: try again in \(minutes) minute\(minutes == 1 ? "" : "s")"),
                                            status: .tooManyRequests)
            response.headers.replaceOrAdd(name: .retryAfter, value: String(wait))
            return response
        }
        let username = String((form.username ?? "").prefix(64))
        let password = String((form.password ?? "").prefix(1024))
        let user = try await req.store.staff(username: username)
        // The same bcrypt work whether the user exists or not: the dummy hash has the cost real hashes have.
        let matches = try await req.password.async.verify(password, created: user?.passwordHash ?? Self.dummyHash)
        let locked = try await LoginThrottle.isLocked(req, user: user, ip: ip)
        guard let user, user.active, matches, !locked else {
            try await LoginThrottle.failed(req, ip: ip, username: username, user: user)
            return LoginView.render(ctx, next: next, error: Self.failedMessage(ctx), status: .unauthorized)
        }
        try await req.store.recordStaffLoginAttempt(ip: ip, username: username, userId: user.id, success: true)
        let token = StaffAuth.newToken()
        try await req.store.startSession(userId: user.id, tokenHash: sha256Hex(token), csrf: StaffAuth.newToken(),
                                         language: req.lang, ttl: config.sessionTTL)
        let target = user.mustChangePassword ? SiteURL.password.path : next ?? SiteURL.dashboard.path
        let response = req.redirect(to: target, redirectType: .normal)
        response.cookies[StaffAuth.cookieName] = StaffAuth.cookie(token, config: config, maxAge: Int(config.sessionTTL))
        return response
    }

    /// One message for every failure, so the form never tells whether a username exists or is locked.
    static func failedMessage(_ ctx: PageContext) -> String { ctx.t("用户名或密码错误", "Wrong username or password") }

    /// The bcrypt cost of every staff password hash the product makes (Vapor's default), and of the dummy hash.
    static let bcryptCost = 12
    static let dummyHash = (try? Bcrypt.hash(StaffAuth.newToken(), cost: bcryptCost)) ?? ""

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
        let response = req.redirect(to: SafeRedirect.referer(req, under: SafeRedirect.console) ?? SiteURL.dashboard.path)
        response.cookies["mallvip_lang"] = CookieBuilder.language(lang, config: req.application.appConfig)
        return response
    }
}

enum LoginView {
    static func render(_ ctx: PageContext, next: String?, error: String?, status: HTTPResponseStatus = .ok) -> Response {
        Layout.render(ctx, title: ctx.t("员工登录", "Staff sign-in"), status: status, .div(
            Layout.errorBox(error),
            .form(.class("card"), .method(.post), .action(SiteURL.login(next: nil).path),
                  .input(.type(.hidden), .name("next"), .value(SafeRedirect.path(next) ?? "")),
                  Layout.field(ctx.t("用户名", "Username"), name: "username", required: true),
                  Layout.field(ctx.t("密码", "Password"), name: "password", type: .password, required: true),
                  .button(.type(.submit), .text(ctx.t("登录", "Sign in"))))
        ))
    }
}
