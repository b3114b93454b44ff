import Foundation
@testable import MallVIPWeb
import NIOConcurrencyHelpers
import Vapor

/// A local stand-in for WeChat's server API (api.weixin.qq.com) and 网页授权 page (open.weixin.qq.com), issue 22:
/// a real HTTP server on 127.0.0.1 that speaks the documented protocol — JSON answers with `errcode`/`errmsg`,
/// access tokens with `expires_in`, 40001/42001 for a bad or expired token, 45009 for a rate limit. Each part of
/// issue 22 installs its endpoints in its own file (WechatSimulator+Login.swift: code2Session; +OAuth: authorize
/// and sns/oauth2/access_token; +Subscribe: subscribeMessage.send; +Card: the card APIs). `state` is shared.
final class WechatSimulator: @unchecked Sendable {
    /// One call received (query and body as sent; tests assert on them).
    struct Call: Sendable {
        var method: String
        var path: String
        var query: [String: String]
        var body: String
        var status: Int
        var errcode: Int
        var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any] ?? [:] }
    }

    struct State {
        /// appid → AppSecret of the apps this simulator knows.
        var apps: [String: String] = [:]
        /// access token → (appid, expiry).
        var tokens: [String: (appid: String, expires: Date)] = [:]
        var tokenFetches = 0
        var calls: [Call] = []
        /// Errors to answer on the next calls whose path starts with the key: errcode (HTTP 200) or, when ≥ 400, that
        /// HTTP status.
        var failures: [(path: String, code: Int)] = []
        /// Free-form state of the parts (codes issued, subscriptions, cards …), keyed by part.
        var parts: [String: any Sendable] = [:]
    }

    let state = NIOLockedValueBox(State())
    private var app: Application?
    private(set) var port = 0
    /// Seconds a token lives (WeChat: 7200).
    let tokenLifetime: Int

    private init(apps: [String: String], tokenLifetime: Int) {
        self.tokenLifetime = tokenLifetime
        state.withLockedValue { $0.apps = apps }
    }

    var base: String { "http://127.0.0.1:\(port)" }
    var calls: [Call] { state.withLockedValue { $0.calls } }
    var tokenFetches: Int { state.withLockedValue { $0.tokenFetches } }
    func calls(_ path: String) -> [Call] { calls.filter { $0.path == path } }

    /// The next `count` calls to paths starting with `path` are answered `code`: an errcode (e.g. 45009, -1, 40029)
    /// in an HTTP 200 body, or an HTTP status when `code` ≥ 400 and < 600.
    func failNext(_ path: String, code: Int, count: Int = 1) {
        state.withLockedValue { s in for _ in 0..<count { s.failures.append((path, code)) } }
    }

    /// Every token issued so far expires now: the next call with one gets 42001.
    func expireTokens() {
        state.withLockedValue { s in for k in s.tokens.keys { s.tokens[k]?.expires = .distantPast } }
    }

    static func start(apps: [String: String], tokenLifetime: Int = 7200) async throws -> WechatSimulator {
        let s = WechatSimulator(apps: apps, tokenLifetime: tokenLifetime)
        try await s.listen()
        return s
    }

    private func listen() async throws {
        let app = try await Application.make(Environment(name: "testing", arguments: ["wechat-simulator"]))
        app.logger.logLevel = .critical
        app.routes.defaultMaxBodySize = "4mb"
        installToken(app)
        installLogin(app)
        installOAuth(app)
        installSubscribe(app)
        installCard(app)
        try await app.server.start(address: .hostname("127.0.0.1", port: 0))
        guard let bound = app.http.server.shared.localAddress?.port else { throw Abort(.internalServerError) }
        port = bound
        self.app = app
    }

    func stop() async {
        await app?.server.shutdown()
        try? await app?.asyncShutdown()
        app = nil
    }

    // MARK: answering

    /// Records the call and answers the next queued failure for its path, if any.
    func pendingFailure(_ req: Request) -> Response? {
        let path = req.url.path
        let code: Int? = state.withLockedValue { s in
            guard let i = s.failures.firstIndex(where: { path.hasPrefix($0.path) }) else { return nil }
            return s.failures.remove(at: i).code
        }
        guard let code else { return nil }
        return (400..<600).contains(code) ? answer(req, status: code, json: ["errcode": -1, "errmsg": "http \(code)"])
            : error(req, code, "simulated failure")
    }

    func answer(_ req: Request, status: Int = 200, json: [String: Any]) -> Response {
        let data = (try? JSONSerialization.data(withJSONObject: json, options: [.sortedKeys])) ?? Data("{}".utf8)
        var query: [String: String] = [:]
        for item in URLComponents(string: req.url.string)?.queryItems ?? [] { query[item.name] = item.value ?? "" }
        let body = req.body.string ?? ""
        state.withLockedValue {
            $0.calls.append(Call(method: req.method.rawValue, path: req.url.path, query: query, body: body, status: status,
                                 errcode: json["errcode"] as? Int ?? 0))
        }
        return Response(status: HTTPResponseStatus(statusCode: status), headers: ["Content-Type": "application/json"],
                        body: .init(data: data))
    }

    func error(_ req: Request, _ code: Int, _ message: String) -> Response {
        answer(req, json: ["errcode": code, "errmsg": message])
    }

    /// The appid of a valid `access_token` query parameter, or the error answer (40001 unknown, 42001 expired).
    func tokenOwner(_ req: Request) -> Result<String, SimulatorRefusal> {
        guard let token = req.query[String.self, at: "access_token"], !token.isEmpty else {
            return .failure(SimulatorRefusal(response: error(req, 41001, "access_token missing")))
        }
        let entry = state.withLockedValue { $0.tokens[token] }
        guard let entry else { return .failure(SimulatorRefusal(response: error(req, 40001, "invalid credential, access_token is invalid or not latest"))) }
        guard entry.expires > Date() else { return .failure(SimulatorRefusal(response: error(req, 42001, "access_token expired"))) }
        return .success(entry.appid)
    }

    struct SimulatorRefusal: Error { var response: Response }

    /// `POST /cgi-bin/stable_token` {grant_type, appid, secret, force_refresh}: the same token until it expires
    /// unless force_refresh; 40013 unknown appid, 40125 wrong secret, 40002 bad grant_type.
    private func installToken(_ app: Application) {
        app.post("cgi-bin", "stable_token") { [self] req -> Response in
            if let f = pendingFailure(req) { return f }
            let body = (try? JSONSerialization.jsonObject(with: Data((req.body.string ?? "").utf8))) as? [String: Any] ?? [:]
            guard body["grant_type"] as? String == "client_credential" else { return error(req, 40002, "invalid grant_type") }
            guard let appid = body["appid"] as? String, let secret = state.withLockedValue({ $0.apps[appid] }) else {
                return error(req, 40013, "invalid appid")
            }
            guard body["secret"] as? String == secret else { return error(req, 40125, "invalid appsecret") }
            let force = body["force_refresh"] as? Bool ?? false
            let lifetime = tokenLifetime
            let (token, remaining): (String, Int) = state.withLockedValue { s in
                if !force, let (t, e) = s.tokens.first(where: { $0.value.appid == appid && $0.value.expires > Date() }).map({ ($0.key, $0.value.expires) }) {
                    return (t, Int(e.timeIntervalSinceNow))
                }
                // A forced refresh makes the old token invalid, as WeChat does.
                for k in s.tokens.keys where s.tokens[k]?.appid == appid { s.tokens[k] = nil }
                let t = "TOKEN_" + UUID().uuidString.replacingOccurrences(of: "-", with: "")
                s.tokens[t] = (appid, Date().addingTimeInterval(TimeInterval(lifetime)))
                s.tokenFetches += 1
                return (t, lifetime)
            }
            return answer(req, json: ["access_token": token, "expires_in": remaining])
        }
    }
}
