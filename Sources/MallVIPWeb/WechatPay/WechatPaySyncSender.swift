import AsyncHTTPClient
import Foundation
import MallVIPCore
import MallVIPStore
import NIOCore
import Vapor

/// Sends the sync queue's calls to WeChat Pay (or, in the tests, to the simulator at the mall's `apiBase`): signs
/// each request with the mall's merchant key (`WechatPayAuthorization`), and trusts a 2xx answer only when its
/// Wechatpay-Signature verifies with the mall's platform key. Redirects are not followed. The answer's error body
/// (`{"code","message"}`) is read for the queue's last error; nothing else of it is kept.
public struct WechatPayHTTPSender: WechatPaySyncSender {
    let config: WechatPayConfig
    let eventLoopGroup: any EventLoopGroup
    let timeout: TimeInterval
    let clock: @Sendable () -> Date

    public init(config: WechatPayConfig, eventLoopGroup: any EventLoopGroup, timeout: TimeInterval,
                clock: @escaping @Sendable () -> Date = { Date() }) {
        self.config = config
        self.eventLoopGroup = eventLoopGroup
        self.timeout = timeout
        self.clock = clock
    }

    public func send(_ call: WechatPayCall) async throws -> WechatPayAnswer {
        guard let mall = config.malls.first(where: { $0.mall == call.mall }) else { throw WechatPayNotConfigured(mall: call.mall) }
        let url = mall.apiBase + call.path
        // The signed path is the one the server sees: the API base's own path prefix (if any) and the call's.
        let pathAndQuery = URL(string: url).map { u in
            (u.path.isEmpty ? "/" : u.path) + (u.query.map { "?" + $0 } ?? "")
        } ?? call.path
        let timestamp = Int64(clock().timeIntervalSince1970)
        let authorization = try WechatPayAuthorization.header(
            mchid: mall.mchid, serialNo: mall.merchantSerialNo, key: mall.merchantPrivateKey,
            method: call.method, pathAndQuery: pathAndQuery, body: call.body, timestamp: timestamp)
        let millis = Int64(timeout * 1000)
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: .init(connect: .milliseconds(millis), read: .milliseconds(millis)))
        configuration.decompression = .disabled
        let client = HTTPClient(eventLoopGroup: eventLoopGroup, configuration: configuration)
        do {
            var req = HTTPClientRequest(url: url)
            req.method = HTTPMethod(rawValue: call.method)
            req.headers.replaceOrAdd(name: "Authorization", value: authorization)
            req.headers.replaceOrAdd(name: "Accept", value: "application/json")
            req.headers.replaceOrAdd(name: "Content-Type", value: "application/json")
            // WeChat Pay refuses requests without a User-Agent.
            req.headers.replaceOrAdd(name: "User-Agent", value: "MallVIP-WechatPay/1")
            if call.method != "GET" { req.body = .bytes(ByteBuffer(string: call.body)) }
            let response = try await client.execute(req, timeout: .milliseconds(millis))
            let status = Int(response.status.code)
            let bytes = try await response.body.collect(upTo: 64 * 1024)
            try? await client.shutdown()
            let body = String(buffer: bytes)
            if (200..<300).contains(status) {
                let headers = response.headers.map { ($0.name, $0.value) }
                let problem = WechatPayAuthorization.responseProblem(headers: headers, body: body, platformSerial: mall.platformSerialNo,
                                                                     platformKey: mall.platformPublicKey, now: clock())
                return WechatPayAnswer(status: status, problem: problem)
            }
            let json = (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any]
            return WechatPayAnswer(status: status, code: (json?["code"] as? String).map { String($0.prefix(64)) },
                                   message: (json?["message"] as? String).map { String($0.prefix(200)) })
        } catch {
            try? await client.shutdown()
            throw error
        }
    }
}

/// The sync worker's timing, from the environment (operations, not programme): `MALLVIP_WECHATPAY_SYNC_INTERVAL`
/// (seconds between passes, default 5), `…_LEASE` (a call left `sending` longer is sent again, default 60),
/// `…_TIMEOUT` (one call, default 10), `…_BACKOFF` (first retry delay, doubling, default 30) and
/// `…_MAX_ATTEMPTS` (then `dead`, default 8).
public struct WechatPaySyncConfig: Sendable, Equatable {
    public var interval: TimeInterval = 5
    public var lease: TimeInterval = Store.wechatPaySyncLeaseSeconds
    public var timeout: TimeInterval = 10
    public var retry = WebhookRetryPolicy()

    public init() {}

    public static func fromEnvironment(_ env: [String: String]) throws -> WechatPaySyncConfig {
        let settings = EnvironmentSettings(env: env)
        let seconds = settings.seconds
        var c = WechatPaySyncConfig()
        c.interval = try seconds("MALLVIP_WECHATPAY_SYNC_INTERVAL", 0.2...3600) ?? c.interval
        c.lease = try seconds("MALLVIP_WECHATPAY_SYNC_LEASE", 1...86_400) ?? c.lease
        c.timeout = try seconds("MALLVIP_WECHATPAY_SYNC_TIMEOUT", 0.5...300) ?? c.timeout
        c.retry.backoffSeconds = try seconds("MALLVIP_WECHATPAY_SYNC_BACKOFF", 0.1...86_400) ?? c.retry.backoffSeconds
        c.retry.maxAttempts = try settings.integer("MALLVIP_WECHATPAY_SYNC_MAX_ATTEMPTS", 1...100) ?? c.retry.maxAttempts
        return c
    }
}

extension Application {
    /// The worker's timing; read from the process environment on first use (tests set it).
    public var wechatPaySyncConfig: WechatPaySyncConfig {
        get {
            if let c = storage[WechatPaySyncConfigKey.self] { return c }
            let c = (try? WechatPaySyncConfig.fromEnvironment(ProcessInfo.processInfo.environment)) ?? WechatPaySyncConfig()
            storage[WechatPaySyncConfigKey.self] = c
            return c
        }
        set { storage[WechatPaySyncConfigKey.self] = newValue }
    }

    /// `MALLVIP_WECHATPAY_CONFIG` names a config: the sync worker runs.
    public var wechatPayEnabled: Bool { appConfig.wechatPay != nil }

    /// The sender of this deployment (nil when WeChat Pay is off); tests put a fake here.
    public var wechatPaySyncSender: (any WechatPaySyncSender)? {
        get {
            if let s = storage[WechatPaySyncSenderKey.self] { return s }
            guard let config = appConfig.wechatPay else { return nil }
            let s = WechatPayHTTPSender(config: config, eventLoopGroup: eventLoopGroup, timeout: wechatPaySyncConfig.timeout)
            storage[WechatPaySyncSenderKey.self] = s
            return s
        }
        set { storage[WechatPaySyncSenderKey.self] = newValue }
    }

    /// Sends every sync call due now, pass after pass while passes come back full. WeChat Pay off: nothing (the
    /// rows wait; with no binding there are none).
    @discardableResult
    public func deliverDueWechatPaySync(limit: Int = 50) async throws -> WechatPaySyncSummary {
        var total = WechatPaySyncSummary()
        guard let sender = wechatPaySyncSender else { return total }
        let config = wechatPaySyncConfig
        while true {
            let s = try await store.deliverWechatPaySync(limit: limit, sender: sender, policy: config.retry, lease: config.lease)
            total.sent += s.sent
            total.retrying += s.retrying
            total.dead += s.dead
            total.recovered += s.recovered
            if s.handled < limit || Task.isCancelled { return total }
        }
    }
}

struct WechatPaySyncConfigKey: StorageKey { typealias Value = WechatPaySyncConfig }
struct WechatPaySyncSenderKey: StorageKey { typealias Value = any WechatPaySyncSender }
