import Foundation
import MallVIPCore
import MallVIPStore
import Vapor

/// Sign-in for the mini-program (issue 22a): `wx.login` code → code2Session → openid (+unionid) → the bound member's
/// session token, or — the first time — a bind token, an SMS code to the member's phone (the /m/ sign-in code path
/// and its limits) and the binding.
///
/// The mall is found by the mini-program's appid: the client sends it (`appid` field, from
/// `wx.getAccountInfoSync().miniProgram.appId`) and it must be a configured mini-program; with a single configured
/// mini-program it may be left out. The session_key WeChat returns is neither stored nor returned (nothing here
/// decrypts wx.getPhoneNumber data), and the openid never travels back to the client in clear: the bind token is
/// sealed (AES-GCM) with the store's data key, so it can be neither read nor forged.
struct MiniProgramSessionController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.post("session", use: signIn)
        routes.post("session", "sms-code", use: smsCode)
        routes.post("session", "bind", use: bind)
        routes.delete("session", use: signOut)
    }

    struct SignInBody: Content { var code: String?; var appid: String? }
    struct SMSBody: Content { var bindToken: String?; var phone: String? }
    struct BindBody: Content { var bindToken: String?; var phone: String?; var code: String? }

    /// code2Session's answer (小程序登录 auth.code2Session).
    struct Code2Session: Decodable { var openid: String?; var unionid: String?; var session_key: String? }

    /// Bind tokens live 10 minutes: long enough to wait for an SMS code, short enough to be of no later use.
    static let bindTokenTTL: TimeInterval = 600

    @Sendable func signIn(req: Request) async throws -> Response {
        guard let wechat = req.wechat else { throw Abort(.notFound) }
        let body = try req.content.decode(SignInBody.self)
        let app = try Self.miniProgram(req, appid: body.appid)
        guard let code = body.code?.trimmingCharacters(in: .whitespaces), !code.isEmpty, code.count <= 128 else {
            throw DomainError.invalid("code", "code.required", zh: "code 必填（wx.login 返回的 code）", en: "code is required (the wx.login code)")
        }
        let answer: Code2Session
        do {
            answer = try await wechat.api.get("/sns/jscode2session", query: [
                ("appid", app.credentials.appid), ("secret", app.credentials.secret), ("js_code", code), ("grant_type", "authorization_code"),
            ])
        } catch let e as WechatAPIError {
            throw Self.mapped(e, req)
        }
        guard let openid = answer.openid, !openid.isEmpty, openid.count <= 128 else {
            req.logger.warning("code2Session answered without an openid")
            throw MiniProgramError(status: .badGateway, field: nil, rule: "wechat.badAnswer",
                                   zh: "微信登录服务返回异常，请稍后再试", en: "WeChat sign-in answered unexpectedly; try again later")
        }
        guard let mallId = try await req.store.mallId(code: app.mall) else {
            req.logger.error("MALLVIP_WECHAT_CONFIG names mall \(app.mall), which does not exist")
            throw MiniProgramError(status: .serviceUnavailable, field: nil, rule: "wechat.config",
                                   zh: "小程序配置的商场不存在", en: "the mini-program's mall is not configured")
        }
        let identity = try await req.store.recordWechatIdentity(mallId: mallId, appid: app.credentials.appid, openid: openid,
                                                                unionid: answer.unionid.flatMap { $0.isEmpty ? nil : $0 }, kind: .miniProgram)
        if let memberId = identity.memberId, try await req.store.member(id: memberId)?.status == "active" {
            return try await Self.session(req, memberId: memberId, start: true, token: StaffAuth.newToken())
        }
        let bindToken = try Self.sealBindToken(req, appid: app.credentials.appid, openid: openid)
        return try await SignInAnswer(bindingRequired: true, bindToken: bindToken,
                                      bindTokenExpiresAt: req.store.env.now().addingTimeInterval(Self.bindTokenTTL),
                                      token: nil, expiresAt: nil, member: nil).encodeResponse(for: req)
    }

    @Sendable func smsCode(req: Request) async throws -> Response {
        let body = try req.content.decode(SMSBody.self)
        _ = try Self.openBindToken(req, body.bindToken)
        let phone = (body.phone ?? "").filter { !$0.isWhitespace }
        let outcome = try await req.store.requestMemberLoginCode(phone: String(phone.prefix(32)), ip: req.clientIP,
                                                                  policy: req.application.appConfig.memberLogin,
                                                                  sender: req.application.messageSenders, sendInBackground: true)
        switch outcome {
        case .sent:
            return try await SMSAnswer(sent: true, phone: MemberLoginController.masked(phone)).encodeResponse(status: .accepted, for: req)
        case .tooSoon(let s):
            throw Self.limited(req, field: "phone", rule: "sms.tooSoon", seconds: s,
                               zh: "请 \(s) 秒后再获取新验证码", en: "Please wait \(s) seconds before asking for a new code")
        case .limited(let s):
            throw Self.limited(req, field: "phone", rule: "sms.limited", seconds: s,
                               zh: "尝试次数过多，请稍后再试", en: "Too many attempts; try again in \((s + 59) / 60) minutes")
        }
    }

    @Sendable func bind(req: Request) async throws -> Response {
        let body = try req.content.decode(BindBody.self)
        let (appid, openid) = try Self.openBindToken(req, body.bindToken)
        let phone = String((body.phone ?? "").filter { !$0.isWhitespace }.prefix(32))
        let code = String((body.code ?? "").filter { !$0.isWhitespace }.prefix(12))
        guard !code.isEmpty else {
            throw DomainError.invalid("code", "code.required", zh: "验证码必填", en: "code is required (the SMS code)")
        }
        let token = StaffAuth.newToken()
        let outcome = try await req.store.verifyMemberLoginCode(phone: phone, code: code, ip: req.clientIP,
                                                               policy: req.application.appConfig.memberLogin,
                                                               sessionTokenHash: sha256Hex(token), csrf: StaffAuth.newToken())
        func wrong(_ rule: String, _ zh: String, _ en: String) -> MiniProgramError {
            MiniProgramError(status: .unauthorized, field: "code", rule: rule, zh: zh, en: en)
        }
        switch outcome {
        case .signedIn(let memberId):
            try await req.store.bindWechatIdentity(appid: appid, openid: openid, memberId: memberId, actor: "member:\(memberId)")
            return try await Self.session(req, memberId: memberId, start: false, token: token)
        case .wrong(let left) where left > 0:
            throw wrong("code.wrong", "验证码错误，还可尝试 \(left) 次", "Wrong code: \(left) tries left")
        case .wrong, .tooManyTries:
            throw wrong("code.tooManyTries", "验证码错误次数过多，请重新获取", "Too many wrong codes: ask for a new one")
        case .expired:
            throw wrong("code.expired", "验证码已过期，请重新获取", "The code has expired: ask for a new one")
        case .noCode:
            throw wrong("code.none", "验证码无效，请重新获取", "The code is not valid: ask for a new one")
        case .limited(let s):
            throw Self.limited(req, field: "code", rule: "code.limited", seconds: s,
                               zh: "尝试次数过多，请稍后再试", en: "Too many attempts; try again in \((s + 59) / 60) minutes")
        }
    }

    @Sendable func signOut(req: Request) async throws -> Response {
        guard let token = MiniProgramAuth.bearer(req) else { throw MiniProgramAuth.required(req) }
        try await req.store.endMemberSession(tokenHash: sha256Hex(token))
        return Response(status: .noContent)
    }

    // MARK: - Answers

    struct SignInAnswer: Content {
        var bindingRequired: Bool
        var bindToken: String?
        var bindTokenExpiresAt: Date?
        var token: String?
        var expiresAt: Date?
        var member: MiniProgramDTO.MemberSummary?
    }

    struct SMSAnswer: Content { var sent: Bool; var phone: String }

    /// Starts a session (unless the SMS verification already did, in the same transaction) and answers with it.
    static func session(_ req: Request, memberId: Int64, start: Bool, token: String) async throws -> Response {
        let ttl = req.application.appConfig.memberLogin.sessionTTL
        if start {
            try await req.store.startMemberSession(memberId: memberId, tokenHash: sha256Hex(token), csrf: StaffAuth.newToken(), ttl: ttl)
        }
        guard let session = try await req.store.memberSession(tokenHash: sha256Hex(token)) else { throw MiniProgramAuth.required(req) }
        let summary = try await MiniProgramDTO.MemberSummary.load(req.store, memberId: memberId)
        return try await SignInAnswer(bindingRequired: false, bindToken: nil, bindTokenExpiresAt: nil, token: token,
                                      expiresAt: session.expiresAt, member: summary).encodeResponse(for: req)
    }

    // MARK: - Helpers

    /// The configured mini-program the request is for.
    static func miniProgram(_ req: Request, appid: String?) throws -> (mall: String, credentials: WechatAppCredentials) {
        let apps = (req.wechat?.config.malls ?? []).compactMap { m in m.miniProgram.map { (mall: m.mall, credentials: $0) } }
        if let appid = appid?.trimmingCharacters(in: .whitespaces), !appid.isEmpty {
            guard let app = apps.first(where: { $0.credentials.appid == appid }) else {
                throw DomainError.invalid("appid", "appid.unknown", zh: "appid 不是本系统配置的小程序", en: "appid is not a mini-program configured here")
            }
            return app
        }
        guard apps.count == 1 else {
            throw DomainError.invalid("appid", "appid.required", zh: "appid 必填（有多个小程序）", en: "appid is required (more than one mini-program is configured)")
        }
        return apps[0]
    }

    /// code2Session errors as the API answers them; never the query (it holds the secret and the code).
    static func mapped(_ e: WechatAPIError, _ req: Request) -> any Error {
        switch e.kind {
        case .errcode(40029, _), .errcode(40163, _):
            return MiniProgramError(status: .unauthorized, field: "code", rule: "wechat.code.invalid",
                                    zh: "登录凭证 code 无效或已使用，请重新调用 wx.login", en: "code is invalid or already used; call wx.login again")
        case .errcode(45011, _):
            return limited(req, field: nil, rule: "wechat.rateLimit", seconds: 60,
                           zh: "登录过于频繁，请稍后再试", en: "Too many sign-ins; try again in a minute")
        case .errcode(-1, _), .http, .transport:
            req.logger.warning("\(e.description)")
            var err = MiniProgramError(status: .serviceUnavailable, field: nil, rule: "wechat.unavailable",
                                       zh: "微信登录服务暂不可用，请稍后再试", en: "WeChat sign-in is unavailable; try again later")
            err.headers.replaceOrAdd(name: .retryAfter, value: "30")
            return err
        default:
            // 40125 wrong secret, 40013 wrong appid …: the mall's configuration, not the member's doing.
            req.logger.error("\(e.description)")
            return MiniProgramError(status: .badGateway, field: nil, rule: "wechat.error",
                                    zh: "微信登录失败，请稍后再试", en: "WeChat sign-in failed; try again later")
        }
    }

    static func limited(_ req: Request, field: String?, rule: String, seconds: Int, zh: String, en: String) -> MiniProgramError {
        var e = MiniProgramError(status: .tooManyRequests, field: field, rule: rule, zh: zh, en: en)
        e.headers.replaceOrAdd(name: .retryAfter, value: "\(max(1, seconds))")
        return e
    }

    static func sealBindToken(_ req: Request, appid: String, openid: String) throws -> String {
        let expires = epochMillisNow(req) + Int64(bindTokenTTL * 1000)
        return try req.store.env.cipher.encrypt("mp-bind|\(appid)|\(openid)|\(expires)")
    }

    /// (appid, openid) of a live bind token; 401 naming `bindToken` otherwise.
    static func openBindToken(_ req: Request, _ token: String?) throws -> (String, String) {
        let bad = MiniProgramError(status: .unauthorized, field: "bindToken", rule: "bindToken.invalid",
                                   zh: "bindToken 无效或已过期，请重新登录", en: "bindToken is invalid or expired; sign in again")
        guard let token, !token.isEmpty, token.count <= 1024,
              let text = try? req.store.env.cipher.decrypt(token) else { throw bad }
        let parts = text.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 4, parts[0] == "mp-bind", let expires = Int64(parts[3]), expires > epochMillisNow(req),
              req.wechat?.config.malls.contains(where: { $0.miniProgram?.appid == parts[1] }) == true else { throw bad }
        return (parts[1], parts[2])
    }

    static func epochMillisNow(_ req: Request) -> Int64 { Int64((req.store.env.now().timeIntervalSince1970 * 1000).rounded()) }
}
