import AsyncHTTPClient
import Foundation
import MallVIPCore
import MallVIPStore
import NIOCore
import Vapor

/// Posts a signed webhook, within a timeout, under the SSRF rule (issue 14):
/// - right before the request the URL's host is resolved and every address checked (`WebhookTargetPolicy`);
///   a refused target throws `WebhookTargetRefused` and nothing is sent;
/// - the connection goes to the address that was checked (AsyncHTTPClient's `dnsOverride`, the Host header and
///   TLS name stay the URL's), so a DNS answer that changes after the check cannot send it elsewhere;
/// - redirects are never followed: a 3xx is the answer, and counts as a failed attempt;
/// - the response body is never read into anything; only the status is returned.
/// One short-lived client per send (the override is per client); webhooks are few enough that the lost
/// keep-alive does not matter.
public struct WebhookHTTPSender: WebhookSender {
    let eventLoopGroup: any EventLoopGroup
    let timeout: TimeInterval
    let targets: WebhookTargetPolicy

    public init(eventLoopGroup: any EventLoopGroup, timeout: TimeInterval, targets: WebhookTargetPolicy = .strict) {
        self.eventLoopGroup = eventLoopGroup
        self.timeout = timeout
        self.targets = targets
    }

    public func send(_ request: WebhookRequest) async throws -> WebhookResponse {
        let target = try await targets.checkBeforeSending(request.url)
        let millis = Int64(timeout * 1000)
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: .init(connect: .milliseconds(millis), read: .milliseconds(millis)))
        if let pinned = target.pinned { configuration.dnsOverride = [target.host: pinned] }
        configuration.decompression = .disabled
        let client = HTTPClient(eventLoopGroup: eventLoopGroup, configuration: configuration)
        do {
            var req = HTTPClientRequest(url: request.url)
            req.method = .POST
            for (name, value) in request.headers { req.headers.replaceOrAdd(name: name, value: value) }
            req.body = .bytes(ByteBuffer(string: request.body))
            let response = try await client.execute(req, timeout: .milliseconds(millis))
            let status = Int(response.status.code)
            // Read and dropped (at most 64 KiB) so the exchange ends cleanly; never kept.
            _ = try? await response.body.collect(upTo: 64 * 1024)
            try? await client.shutdown()
            return WebhookResponse(status: status)
        } catch {
            try? await client.shutdown()
            throw error
        }
    }
}

extension Application {
    /// The sender of this deployment, built on first use; tests put a fake or a differently timed one here.
    public var webhookSender: any WebhookSender {
        get {
            if let s = storage[WebhookSenderKey.self] { return s }
            let s = WebhookHTTPSender(eventLoopGroup: eventLoopGroup, timeout: appConfig.webhooks.timeout,
                                      targets: appConfig.webhooks.targets)
            storage[WebhookSenderKey.self] = s
            return s
        }
        set { storage[WebhookSenderKey.self] = newValue }
    }

    public var webhookConfig: WebhookConfig { appConfig.webhooks }

    /// The address rule for webhook receivers (public only unless `MALLVIP_WEBHOOK_ALLOW_PRIVATE=1`).
    public var webhookTargets: WebhookTargetPolicy { appConfig.webhooks.targets }

    /// Delivers every webhook due now, pass after pass while passes come back full.
    @discardableResult
    public func deliverDueWebhooks(limit: Int = 50) async throws -> WebhookPassSummary {
        var total = WebhookPassSummary()
        let config = appConfig.webhooks
        while true {
            let s = try await store.deliverWebhooks(limit: limit, sender: webhookSender, policy: config.retry, lease: config.lease)
            total.add(s)
            if s.handled < limit || Task.isCancelled { return total }
        }
    }
}

struct WebhookSenderKey: StorageKey { typealias Value = any WebhookSender }
