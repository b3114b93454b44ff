import Foundation
import Vapor

/// The 网页授权 state of the simulator (issue 22, part b): which openid the "WeChat user" in front of the browser has,
/// and the codes issued (each answers once, as WeChat's do: 40163 on reuse).
struct WechatOAuthSimState: Sendable {
    /// The openid WeChat would give this browser for an appid (set by the test; `WechatSimulator.oauthUser`).
    var user: (openid: String, unionid: String?)? = nil
    /// code → (appid, openid, unionid, used).
    var codes: [String: OAuthCode] = [:]
    struct OAuthCode: Sendable { var appid: String; var openid: String; var unionid: String?; var used: Bool }
}

extension WechatSimulator {
    /// Issue 22, part b: 网页授权 — `GET /connect/oauth2/authorize` (open.weixin.qq.com) and `GET /sns/oauth2/access_token`.
    func installOAuth(_ app: Application) {
        // The authorize page: WeChat checks the app and the parameters, then (snsapi_base: silently) sends the browser
        // to redirect_uri?code=…&state=…. An unknown appid or a bad parameter is a WeChat error page, not a redirect.
        app.get("connect", "oauth2", "authorize") { [self] req -> Response in
            if let f = pendingFailure(req) { return f }
            let q = req.query
            guard let appid = q[String.self, at: "appid"], state.withLockedValue({ $0.apps[appid] }) != nil else {
                return page(req, "10003 redirect_uri域名与后台配置不一致 / appid unknown")
            }
            guard let scope = q[String.self, at: "scope"], ["snsapi_base", "snsapi_userinfo"].contains(scope) else {
                return page(req, "10005 scope参数错误")
            }
            guard q[String.self, at: "response_type"] == "code" else { return page(req, "10004 response_type参数错误") }
            guard let redirect = q[String.self, at: "redirect_uri"], var target = URLComponents(string: redirect),
                  ["http", "https"].contains(target.scheme ?? "") else { return page(req, "10003 redirect_uri参数错误") }
            let user = state.withLockedValue { ($0.parts["oauth"] as? WechatOAuthSimState)?.user }
            var items = target.queryItems ?? []
            if let user {
                let code = "OAUTH_" + UUID().uuidString.replacingOccurrences(of: "-", with: "")
                mutateOAuth { $0.codes[code] = .init(appid: appid, openid: user.openid, unionid: user.unionid, used: false) }
                items.append(URLQueryItem(name: "code", value: code))
            }   // no user: as a member who declined (snsapi_userinfo) — state only, no code
            items.append(URLQueryItem(name: "state", value: q[String.self, at: "state"] ?? ""))
            target.queryItems = items
            _ = answer(req, json: ["redirect": target.string ?? ""])   // recorded like every call
            let r = Response(status: .found)
            r.headers.replaceOrAdd(name: .location, value: target.string ?? redirect)
            return r
        }

        // Code → openid: {access_token, expires_in, refresh_token, openid, scope[, unionid]}; 40029 unknown code,
        // 40163 used code, 40013 unknown appid, 40125 wrong secret, 40002 bad grant_type.
        app.get("sns", "oauth2", "access_token") { [self] req -> Response in
            if let f = pendingFailure(req) { return f }
            let q = req.query
            guard q[String.self, at: "grant_type"] == "authorization_code" else { return error(req, 40002, "invalid grant_type") }
            guard let appid = q[String.self, at: "appid"], let secret = state.withLockedValue({ $0.apps[appid] }) else {
                return error(req, 40013, "invalid appid")
            }
            guard q[String.self, at: "secret"] == secret else { return error(req, 40125, "invalid appsecret") }
            let code = q[String.self, at: "code"] ?? ""
            enum Outcome { case ok(WechatOAuthSimState.OAuthCode), unknown, used }
            var outcome = Outcome.unknown
            mutateOAuth { s in
                guard var c = s.codes[code], c.appid == appid else { return }
                if c.used { outcome = .used; return }
                c.used = true
                s.codes[code] = c
                outcome = .ok(c)
            }
            switch outcome {
            case .unknown: return error(req, 40029, "invalid code")
            case .used: return error(req, 40163, "code been used")
            case .ok(let c):
                var json: [String: Any] = ["access_token": "SNS_" + UUID().uuidString.prefix(8), "expires_in": 7200,
                                           "refresh_token": "REFRESH_" + UUID().uuidString.prefix(8), "openid": c.openid,
                                           "scope": "snsapi_base"]
                if let u = c.unionid { json["unionid"] = u }
                return answer(req, json: json)
            }
        }
    }

    /// The WeChat user the next authorize answers for (nil: the member declines — no code).
    func oauthUser(openid: String?, unionid: String? = nil) {
        mutateOAuth { $0.user = openid.map { ($0, unionid) } }
    }

    func mutateOAuth(_ change: (inout WechatOAuthSimState) -> Void) {
        state.withLockedValue { s in
            var o = s.parts["oauth"] as? WechatOAuthSimState ?? WechatOAuthSimState()
            change(&o)
            s.parts["oauth"] = o
        }
    }

    /// WeChat shows its own error page (HTTP 200, text) for a bad authorize request.
    private func page(_ req: Request, _ text: String) -> Response {
        _ = answer(req, json: ["page": text])
        return Response(status: .ok, headers: ["Content-Type": "text/plain; charset=utf-8"], body: .init(string: text))
    }
}
