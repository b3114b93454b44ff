import Foundation
import MallVIPCore
import MallVIPStore
import Plot
import Vapor

/// Official-account sign-in for the /m/ pages (issue 22, part b; docs/wechat.md "Official-account sign-in"):
/// 网页授权 with `scope=snsapi_base` (silent: WeChat shows no prompt and sends the browser straight back).
///
/// 1. `GET /m/wechat[?mall=…][&next=/m/…]` → 302 to `<openBase>/connect/oauth2/authorize?appid=…&redirect_uri=…
///    &response_type=code&scope=snsapi_base&state=…#wechat_redirect`, with the state in a signed cookie (CSRF).
/// 2. `GET /m/wechat/callback?code=…&state=…` → state checked (cookie, constant time, once) → `GET <apiBase>/sns/oauth2/
///    access_token` → openid (+unionid) recorded; bound → a member session as the SMS sign-in starts one; unbound → a
///    signed pending cookie and the SMS-code sign-in, which binds the openid on success.
/// 404 when WeChat is not configured or the mall has no official account. WeChat's errors are pages, never a 500.
struct WechatSignInController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(.memberSiteWechat, use: start)
        routes.get(.memberSiteWechatCallback, use: callback)
    }

    /// The documented answer of `/sns/oauth2/access_token` (the access_token here is the 网页授权 one: not kept).
    struct OAuthAnswer: Decodable {
        var openid: String
        var unionid: String?
        var scope: String?
    }

    // MARK: 1. to WeChat

    func start(req: Request) async throws -> Response {
        guard let wechat = req.wechat else { throw Abort(.notFound) }
        let withAccount = wechat.config.malls.filter { $0.officialAccount != nil }
        let mall: WechatMallConfig
        if let code = req.query[String.self, at: "mall"], !code.isEmpty {
            guard let m = withAccount.first(where: { $0.mall == code }) else { throw Abort(.notFound) }
            mall = m
        } else {
            guard !withAccount.isEmpty else { throw Abort(.notFound) }
            guard withAccount.count == 1 else {
                throw Abort(.badRequest, reason: req.lang.t("mall：请指明商场（该服务器配置了多个公众号）",
                                                            "mall: name the mall (this server has several official accounts)"))
            }
            mall = withAccount[0]
        }
        guard let account = mall.officialAccount else { throw Abort(.notFound) }
        let next = SafeRedirect.path(req.query[String.self, at: "next"], under: ["/m"])
        let state = StaffAuth.newToken()
        let callback = Self.publicBase(req) + SiteRoute.memberSiteWechatCallback.path()
        let location = Self.authorizeURL(openBase: wechat.config.openBase, appid: account.appid, redirectURI: callback, state: state)
        let response = Response(status: .found)   // 302, as WeChat's own redirects
        response.headers.replaceOrAdd(name: .location, value: location)
        response.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        response.cookies[WechatSignInCookie.stateName] = WechatSignInCookie.stateCookie(req, .init(
            state: state, mall: mall.mall, next: next, expires: req.store.env.now().addingTimeInterval(WechatSignInCookie.stateTTL)))
        return response
    }

    /// WeChat's authorize URL, parameters in the documented order, `#wechat_redirect` last.
    static func authorizeURL(openBase: String, appid: String, redirectURI: String, state: String) -> String {
        "\(openBase)/connect/oauth2/authorize?appid=\(encode(appid))&redirect_uri=\(encode(redirectURI))"
            + "&response_type=code&scope=snsapi_base&state=\(encode(state))#wechat_redirect"
    }

    static func encode(_ s: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return s.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
    }

    /// The server's public address, as other absolute links are built (MALLVIP_PUBLIC_URL); without it, the Host the
    /// browser used (behind a trusted proxy, its X-Forwarded-Proto/Host). WeChat accepts only a redirect_uri on the
    /// 网页授权域名 set in the official account, so production sets MALLVIP_PUBLIC_URL.
    static func publicBase(_ req: Request) -> String {
        let config = req.application.appConfig
        if let u = config.messaging.publicURL, !u.isEmpty { return u.hasSuffix("/") ? String(u.dropLast()) : u }
        var scheme = "http", host = req.headers.first(name: .host) ?? "localhost"
        if config.trustProxy {
            if let p = req.headers.first(name: "X-Forwarded-Proto"), ["http", "https"].contains(p) { scheme = p }
            if let h = req.headers.first(name: "X-Forwarded-Host"), !h.isEmpty { host = h }
        }
        return "\(scheme)://\(host)"
    }

    // MARK: 2. back from WeChat

    func callback(req: Request) async throws -> Response {
        guard let wechat = req.wechat else { throw Abort(.notFound) }
        let now = req.store.env.now()
        let cookie = WechatSignInCookie.state(req, now: now)
        let sentState = req.query[String.self, at: "state"] ?? ""
        // The state is used up whatever happens next.
        func page(_ kind: Failure) -> Response {
            let r = Self.failurePage(req, kind)
            r.cookies[WechatSignInCookie.stateName] = WechatSignInCookie.clearState(req)
            return r
        }
        guard let cookie, !sentState.isEmpty, constantTimeEqual(sentState, cookie.state),
              WechatStateLedger.shared.use(cookie.state, until: cookie.expires, now: now) else {
            return page(.state)
        }
        let retry = SiteRoute.memberSiteWechat.path() + "?mall=" + Self.encode(cookie.mall)
            + (cookie.next.map { "&next=" + Self.encode($0) } ?? "")
        guard let code = req.query[String.self, at: "code"], !code.isEmpty, code.count <= 512 else {
            return page(.declined(retry: retry))   // the member declined (snsapi_userinfo) or WeChat sent no code
        }
        guard let mall = wechat.config.mall(cookie.mall), let account = mall.officialAccount,
              let mallId = try await req.store.mallId(code: mall.mall) else { throw Abort(.notFound) }
        let answer: OAuthAnswer
        do {
            answer = try await wechat.api.get("/sns/oauth2/access_token", query: [
                ("appid", account.appid), ("secret", account.secret), ("code", code), ("grant_type", "authorization_code"),
            ], as: OAuthAnswer.self)
        } catch let e as WechatAPIError {
            req.logger.warning("wechat sign-in: \(e)")   // the path only, never the query (secret, code)
            return page(.wechat(e, retry: retry))
        }
        guard !answer.openid.isEmpty, answer.openid.count <= 128 else { return page(.wechat(nil, retry: retry)) }
        let unionid = answer.unionid.flatMap { $0.isEmpty || $0.count > 128 ? nil : $0 }
        let identity = try await req.store.recordWechatIdentity(mallId: mallId, appid: account.appid, openid: answer.openid,
                                                                 unionid: unionid, kind: .officialAccount)
        let target = cookie.next ?? MemberURL.card.path
        if let memberId = identity.memberId {
            let config = req.application.appConfig
            let token = StaffAuth.newToken()
            try await req.store.startMemberSession(memberId: memberId, tokenHash: sha256Hex(token), csrf: StaffAuth.newToken(),
                                                   ttl: config.memberLogin.sessionTTL)
            if try await req.store.memberSession(tokenHash: sha256Hex(token)) != nil {
                let response = req.redirect(to: target, redirectType: .normal)
                response.cookies[MemberAuth.cookieName] = MemberAuth.cookie(token, config: config, maxAge: Int(config.memberLogin.sessionTTL))
                response.cookies[WechatSignInCookie.stateName] = WechatSignInCookie.clearState(req)
                response.cookies[WechatSignInCookie.pendingName] = WechatSignInCookie.clearPending(req)
                return response
            }
            // Bound to a member who is no longer active: the SMS sign-in decides (and may bind another card).
        }
        let response = req.redirect(to: MemberURL.login.path, redirectType: .normal)
        response.cookies[WechatSignInCookie.stateName] = WechatSignInCookie.clearState(req)
        response.cookies[WechatSignInCookie.pendingName] = WechatSignInCookie.pendingCookie(req, .init(
            appid: account.appid, openid: answer.openid, next: cookie.next, expires: now.addingTimeInterval(WechatSignInCookie.pendingTTL)))
        return response
    }

    enum Failure {
        case state
        case declined(retry: String)
        case wechat(WechatAPIError?, retry: String)
    }

    /// A page in both languages with a way to try again, never a 500.
    static func failurePage(_ req: Request, _ f: Failure) -> Response {
        let ctx = PageContext(req)
        let (zh, en, status, retry): (String, String, HTTPResponseStatus, String) = switch f {
        case .state:
            ("登录链接已失效或不是从本页面发起的（state 校验未通过），请重新从公众号菜单进入。",
             "This sign-in link has expired or was not started here (state check failed). Please open the page from the official account's menu again.",
             .forbidden, SiteRoute.memberSiteWechat.path())
        case .declined(let retry):
            ("您没有授权微信登录。可以重试，或使用手机验证码登录。",
             "You did not allow WeChat sign-in. Try again, or sign in with a code sent to your phone.", .forbidden, retry)
        case .wechat(let e, let retry):
            switch e?.errcode {
            case 40029:
                ("微信登录凭证无效（40029），请重试。", "WeChat's sign-in code was not valid (40029). Please try again.", .badRequest, retry)
            case 40163:
                ("微信登录凭证已被使用（40163），请重试。", "WeChat's sign-in code was already used (40163). Please try again.", .badRequest, retry)
            case _ where e?.isTransient == true:
                ("微信系统繁忙，请稍后重试。", "WeChat is busy. Please try again in a moment.", .serviceUnavailable, retry)
            default:
                ("暂时无法通过微信登录，请重试或使用手机验证码登录。",
                 "WeChat sign-in is not available right now. Try again, or sign in with a code sent to your phone.", .badGateway, retry)
            }
        }
        let response = MemberLayout.render(ctx, title: ctx.t("微信登录", "WeChat sign-in"), .div(
            .p(.class("error"), .attribute(named: "role", value: "alert"), .attribute(named: "lang", value: "zh-CN"), .text(zh)),
            .p(.class("error"), .attribute(named: "lang", value: "en"), .text(en)),
            .p(.a(.class("button wide"), .id("wechat-retry"), .href(retry), .text("重试 · Try again"))),
            .p(.a(.href(MemberURL.login.path), .text("手机验证码登录 · Sign in with a code")))
        ), status: status, signedIn: false)
        response.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        return response
    }
}

/// The hook of the SMS-code sign-in (MemberLoginController.verify): a pending openid from the signed cookie is
/// bound to the member who just proved the phone, and the cookie cleared. No second code store.
enum WechatSignIn {
    /// Binds the pending identity (if any) and returns where to go: the page the member wanted before WeChat, if any.
    static func bindPending(_ req: Request, memberId: Int64, response: Response) async throws -> String? {
        guard req.cookies[WechatSignInCookie.pendingName] != nil else { return nil }
        response.cookies[WechatSignInCookie.pendingName] = WechatSignInCookie.clearPending(req)
        guard let p = WechatSignInCookie.pending(req, now: req.store.env.now()),
              try await req.store.wechatIdentity(appid: p.appid, openid: p.openid) != nil else { return nil }
        try await req.store.bindWechatIdentity(appid: p.appid, openid: p.openid, memberId: memberId, actor: "member:\(memberId)")
        return p.next
    }

    /// True when the sign-in page is reached with a pending WeChat identity (the page says it will be bound).
    static func hasPending(_ req: Request) -> Bool {
        WechatSignInCookie.pending(req, now: req.store.env.now()) != nil
    }
}
