import Foundation
import MallVIPCore
import MallVIPStore
import NIOCore
import Vapor

/// Posts a signed webhook with the application's HTTP client (AsyncHTTPClient underneath), within a timeout.
public struct WebhookHTTPSender: WebhookSender {
    let client: any Client
    let timeout: TimeAmount

    public init(client: any Client, timeout: TimeInterval) {
        self.client = client
        self.timeout = .milliseconds(Int64(timeout * 1000))
    }

    public func send(_ request: WebhookRequest) async throws -> WebhookResponse {
        var headers = HTTPHeaders()
        for (name, value) in request.headers { headers.replaceOrAdd(name: name, value: value) }
        let timeout = self.timeout
        let response = try await client.post(URI(string: request.url), headers: headers) { req in
            req.body = ByteBuffer(string: request.body)
            req.timeout = timeout
        }
        let text = response.body.map { String(buffer: $0) } ?? ""
        return WebhookResponse(status: Int(response.status.code), body: String(text.prefix(300)))
    }
}

extension Application {
    /// The sender of this deployment, built on first use; tests put a fake or a differently timed one here.
    public var webhookSender: any WebhookSender {
        get {
            if let s = storage[WebhookSenderKey.self] { return s }
            let s = WebhookHTTPSender(client: client, timeout: appConfig.webhooks.timeout)
            storage[WebhookSenderKey.self] = s
            return s
        }
        set { storage[WebhookSenderKey.self] = newValue }
    }

    public var webhookConfig: WebhookConfig { appConfig.webhooks }

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
