import Foundation
import Vapor

extension WechatSimulator {
    /// The login codes a test has handed out: `wx.login` code → who it signs in as. A code works once (40163 after).
    struct LoginCodes: Sendable {
        struct Who: Sendable { var appid: String; var openid: String; var unionid: String? }
        var codes: [String: Who] = [:]
        var used: Set<String> = []
    }

    /// Issue 22, part a: code2Session — `GET /sns/jscode2session?appid&secret&js_code&grant_type=authorization_code`
    /// → `{openid, session_key, unionid?}`; 40013 unknown appid, 40125 wrong secret, 40002 bad grant_type,
    /// 40029 unknown code (or another app's), 40163 code already used; failNext("/sns/jscode2session", code: 45011 / -1 / 503).
    func installLogin(_ app: Application) {
        app.get("sns", "jscode2session") { [self] req -> Response in
            if let f = pendingFailure(req) { return f }
            guard let appid = req.query[String.self, at: "appid"], let secret = state.withLockedValue({ $0.apps[appid] }) else {
                return error(req, 40013, "invalid appid")
            }
            guard req.query[String.self, at: "secret"] == secret else { return error(req, 40125, "invalid appsecret") }
            guard req.query[String.self, at: "grant_type"] == "authorization_code" else { return error(req, 40002, "invalid grant_type") }
            let code = req.query[String.self, at: "js_code"] ?? ""
            let outcome: Result<LoginCodes.Who, SimulatorRefusal> = state.withLockedValue { s in
                var codes = s.parts["login"] as? LoginCodes ?? LoginCodes()
                defer { s.parts["login"] = codes }
                guard let who = codes.codes[code], who.appid == appid else {
                    return .failure(SimulatorRefusal(response: Response()))
                }
                if codes.used.contains(code) { return .failure(SimulatorRefusal(response: Response(status: .conflict))) }
                codes.used.insert(code)
                return .success(who)
            }
            switch outcome {
            case .success(let who):
                var json: [String: Any] = ["openid": who.openid, "session_key": "SK" + UUID().uuidString.prefix(22)]
                if let u = who.unionid { json["unionid"] = u }
                return answer(req, json: json)
            case .failure(let r) where r.response.status == .conflict:
                return error(req, 40163, "code been used")
            case .failure:
                return error(req, 40029, "invalid code")
            }
        }
    }

    /// Hands out a `wx.login` code for this app that code2Session will map to `openid` (and `unionid`).
    @discardableResult
    func issueLoginCode(appid: String, openid: String, unionid: String? = nil, code: String? = nil) -> String {
        let c = code ?? "CODE_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(20)
        state.withLockedValue { s in
            var codes = s.parts["login"] as? LoginCodes ?? LoginCodes()
            codes.codes[c] = .init(appid: appid, openid: openid, unionid: unionid)
            s.parts["login"] = codes
        }
        return c
    }
}
