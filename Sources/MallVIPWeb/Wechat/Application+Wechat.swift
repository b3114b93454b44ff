import AsyncHTTPClient
import NIOCore
import Vapor

/// The WeChat services of this process (issue 22): configuration, the API client and the shared token cache. Present
/// when `MALLVIP_WECHAT_CONFIG` is set (AppConfig.wechat); `app.wechat` is nil otherwise.
public struct WechatServices: Sendable {
    public let config: WechatConfig
    public let api: WechatAPIClient
    public let tokens: WechatAccessTokens
}

extension Application {
    private struct WechatKey: StorageKey { typealias Value = WechatServices }
    private struct WechatHTTPKey: StorageKey { typealias Value = HTTPClient }

    public var wechat: WechatServices? { storage[WechatKey.self] }

    /// Called once from configure when the config is present. The HTTP client is shut down with the application.
    func startWechat(_ config: WechatConfig) async {
        var configuration = HTTPClient.Configuration(redirectConfiguration: .disallow,
                                                     timeout: .init(connect: .seconds(5), read: .seconds(10)))
        configuration.decompression = .disabled
        let http = HTTPClient(eventLoopGroup: eventLoopGroup, configuration: configuration)
        await storage.setWithAsyncShutdown(WechatHTTPKey.self, to: http, onShutdown: { try await $0.shutdown() })
        let api = WechatAPIClient(apiBase: config.apiBase, http: http)
        storage[WechatKey.self] = WechatServices(config: config, api: api, tokens: WechatAccessTokens(client: api))
    }
}

extension Request {
    public var wechat: WechatServices? { application.wechat }
}
