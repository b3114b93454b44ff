import Foundation

/// The access tokens (接口调用凭据) of the malls' WeChat apps, cached and refreshed for every caller of the process:
/// one refresh at a time per appid (callers arriving during a refresh wait for it), a token is replaced a few
/// minutes before `expires_in` runs out, and a token the API refuses (40001, 40014, 42001) is fetched again once.
/// Uses `POST /cgi-bin/stable_token` (稳定版接口调用凭据): a second server of the same app fetching its token does
/// not invalidate this one, which `/cgi-bin/token` would.
public actor WechatAccessTokens {
    struct Cached: Sendable {
        var token: String
        var expiresAt: Date
    }

    private let client: WechatAPIClient
    private let clock: @Sendable () -> Date
    private var cache: [String: Cached] = [:]
    private var refreshing: [String: Task<Cached, any Error>] = [:]
    /// Tokens fetched from the API since start (the tests count refreshes).
    public private(set) var fetches = 0

    /// A token is renewed this long before WeChat says it expires.
    public static let renewBefore: TimeInterval = 300

    public init(client: WechatAPIClient, clock: @escaping @Sendable () -> Date = { Date() }) {
        self.client = client
        self.clock = clock
    }

    struct TokenAnswer: Decodable {
        var access_token: String
        var expires_in: Int
    }

    /// A valid token for `app`, from the cache or from one refresh shared by all callers.
    public func token(for app: WechatAppCredentials, forceRefresh: Bool = false) async throws -> String {
        if !forceRefresh, let c = cache[app.appid], c.expiresAt.timeIntervalSince(clock()) > Self.renewBefore { return c.token }
        if let running = refreshing[app.appid] { return try await running.value.token }
        let client = self.client
        let now = clock()
        let task = Task<Cached, any Error> {
            let body = try JSONSerialization.data(withJSONObject: [
                "grant_type": "client_credential", "appid": app.appid, "secret": app.secret, "force_refresh": forceRefresh,
            ])
            let answer = try await client.post("/cgi-bin/stable_token", json: body, as: TokenAnswer.self)
            guard !answer.access_token.isEmpty, answer.expires_in > 0 else {
                throw WechatAPIError(path: "/cgi-bin/stable_token", kind: .badAnswer)
            }
            return Cached(token: answer.access_token, expiresAt: now.addingTimeInterval(TimeInterval(answer.expires_in)))
        }
        refreshing[app.appid] = task
        defer { refreshing[app.appid] = nil }
        let fresh = try await task.value
        fetches += 1
        cache[app.appid] = fresh
        return fresh.token
    }

    /// Forget `token` (the API refused it) unless a newer one has replaced it already.
    public func invalidate(_ app: WechatAppCredentials, token: String) {
        if cache[app.appid]?.token == token { cache[app.appid] = nil }
    }

    /// Runs `call` with a token; when the API refuses the token, fetches a fresh one (forced) and runs it once more.
    public nonisolated func withToken<T: Sendable>(_ app: WechatAppCredentials,
                                                   _ call: @Sendable (String) async throws -> T) async throws -> T {
        let first = try await token(for: app)
        do {
            return try await call(first)
        } catch let e as WechatAPIError where e.isTokenRejected {
            await invalidate(app, token: first)
            return try await call(try await token(for: app, forceRefresh: true))
        }
    }
}
