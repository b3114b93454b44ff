import Foundation
import MallVIPStore

/// The one typed configuration value, built at start from the environment (then defaults). Tests build it in
/// memory.
public struct AppConfig: Sendable {
    public var database: StoreLocation
    /// Production unless `MALLVIP_ENV` is `development` (or `testing`): production refuses to start without a data
    /// key, closes `/metrics` without its token (cookies are `Secure` in every environment unless MALLVIP_INSECURE_COOKIES=1). Tests build development configs.
    public var production = false
    /// Console session lifetime.
    public var sessionTTL: TimeInterval
    /// Staff sign-in throttle (issue 14): failed sign-ins from one client address within `lockout` before that
    /// address gets 429 for the rest of the window (`MALLVIP_LOGIN_FAILURES`); see LoginController+Throttle.swift.
    public var loginFailureLimit: Int
    public var lockout: TimeInterval
    /// `Secure` on every cookie (issue 14): on unless `MALLVIP_INSECURE_COOKIES=1` (plain-HTTP development).
    public var secureCookies: Bool
    /// Request body limit for the API (a POS never needs more).
    public var maxBodyBytes: Int
    /// PostgreSQL connections; purchase batches are written on up to this many at once.
    public var databasePool: Int
    /// SMTP and link settings for outgoing messages (AppConfig+Messaging.swift).
    public var messaging = MessagingConfig()
    /// The HTTP SMS gateway (MALLVIP_SMS_URL …); nil: SMS stays queued ("channel not configured").
    public var sms: SMSGatewayConfiguration?
    /// When set, `/metrics` wants it as a bearer token (`MALLVIP_METRICS_TOKEN`).
    public var metricsToken: String?
    /// Member sign-in by SMS code: validity, tries, resend wait, rate limits (AppConfig+MemberLogin.swift).
    public var memberLogin = MemberLoginPolicy()
    /// Behind a reverse proxy (`MALLVIP_TRUST_PROXY=1`): the client address for the member sign-in limits is the
    /// first `X-Forwarded-For` entry instead of the socket's peer.
    public var trustProxy = false
    /// The webhook worker: interval, lease, timeout, retries (AppConfig+Webhooks.swift).
    public var webhooks = WebhookConfig()
    /// Where receipt photos are stored (issue 19, `MALLVIP_PHOTO_DIR`); nil: beside the database (AppConfig+Photos.swift).
    public var photoDirectory: String?
    /// WeChat Pay 智慧商圈 (issue 19): the file named by `MALLVIP_WECHATPAY_CONFIG`; nil = off (WechatPay/WechatPayConfig.swift).
    public var wechatPay: WechatPayConfig?
    /// Reports from a PostgreSQL streaming replica (issue 21, `DATABASE_REPLICA_URL`); nil: none (AppConfig+Replica.swift).
    public var replica: ReplicaConfig?
    /// WeChat for members (issue 22): the file named by `MALLVIP_WECHAT_CONFIG`; nil = off (Wechat/WechatConfig.swift).
    public var wechat: WechatConfig?

    public init(database: StoreLocation, sessionTTL: TimeInterval = 8 * 3600, loginFailureLimit: Int = 10,
                lockout: TimeInterval = 15 * 60, secureCookies: Bool = true, maxBodyBytes: Int = 64 * 1024,
                databasePool: Int = 16) {
        self.database = database
        self.sessionTTL = sessionTTL
        self.loginFailureLimit = loginFailureLimit
        self.lockout = lockout
        self.secureCookies = secureCookies
        self.maxBodyBytes = maxBodyBytes
        self.databasePool = databasePool
    }

    public static func fromEnvironment(_ env: [String: String] = ProcessInfo.processInfo.environment) throws -> AppConfig {
        let db = try StoreLocation(url: env["DATABASE_URL"].flatMap { $0.isEmpty ? nil : $0 } ?? StoreLocation.defaultURL)
        var config = AppConfig(database: db)
        config.production = AppConfig.isProduction(env)
        if let v = env["MALLVIP_SESSION_HOURS"] {
            guard let h = Double(v), h > 0 else { throw StoreConfigurationError("MALLVIP_SESSION_HOURS must be a positive number") }
            config.sessionTTL = h * 3600
        }
        if let v = env["MALLVIP_LOGIN_FAILURES"] {
            guard let n = Int(v), n > 0 else { throw StoreConfigurationError("MALLVIP_LOGIN_FAILURES must be a positive integer") }
            config.loginFailureLimit = n
        }
        // Secure by default; MALLVIP_SECURE_COOKIES=1 is still accepted and changes nothing.
        config.secureCookies = env["MALLVIP_INSECURE_COOKIES"] != "1"
        if let v = env["MALLVIP_DB_POOL"] {
            guard let n = Int(v), (1...256).contains(n) else { throw StoreConfigurationError("MALLVIP_DB_POOL must be an integer from 1 to 256") }
            config.databasePool = n
        }
        config.metricsToken = env["MALLVIP_METRICS_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
        config.messaging = try MessagingConfig.fromEnvironment(env)
        config.sms = try SMSGatewayConfiguration.fromEnvironment(env)
        config.memberLogin = try MemberLoginPolicy.fromEnvironment(env)
        config.trustProxy = env["MALLVIP_TRUST_PROXY"] == "1"
        config.webhooks = try WebhookConfig.fromEnvironment(env)
        config.photoDirectory = env["MALLVIP_PHOTO_DIR"].flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : $0 }
        config.wechatPay = try WechatPayConfig.fromEnvironment(env)
        config.replica = try ReplicaConfig.fromEnvironment(env)
        config.wechat = try WechatConfig.fromEnvironment(env)
        return config
    }
}

extension AppConfig {
    /// `MALLVIP_ENV` names the environment; anything but development or testing is production, so a deployment that
    /// forgets to say is held to production's rules.
    public static func isProduction(_ env: [String: String] = ProcessInfo.processInfo.environment) -> Bool {
        !["development", "dev", "testing", "test"].contains((env["MALLVIP_ENV"] ?? "production").lowercased())
    }
}
