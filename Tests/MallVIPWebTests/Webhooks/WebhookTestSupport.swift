import Crypto
import Foundation
import MallVIPCore
import MallVIPStore
@testable import MallVIPWeb
import NIOConcurrencyHelpers
import SQLKit
import Testing
import Vapor

/// A sender that records every request and answers from a script (a status, or a thrown error for "no answer").
final class FakeWebhookSender: WebhookSender, @unchecked Sendable {
    enum Answer: Sendable { case status(Int), unreachable }
    private let state = NIOLockedValueBox<(requests: [WebhookRequest], answers: [Answer])>(([], []))
    let fallback: Answer
    let delay: Duration

    init(_ fallback: Answer = .status(200), delay: Duration = .zero) {
        self.fallback = fallback
        self.delay = delay
    }

    /// Answers used in order before the fallback.
    func script(_ answers: [Answer]) { state.withLockedValue { $0.answers += answers } }
    var requests: [WebhookRequest] { state.withLockedValue { $0.requests } }

    func send(_ request: WebhookRequest) async throws -> WebhookResponse {
        let answer: Answer = state.withLockedValue { s in
            s.requests.append(request)
            return s.answers.isEmpty ? fallback : s.answers.removeFirst()
        }
        // Slow receivers answer after the request arrived.
        if delay > .zero { try await Task.sleep(for: delay) }
        switch answer {
        case .status(let code): return WebhookResponse(status: code)
        case .unreachable: throw WebhookTestError("connection refused")
        }
    }
}

struct WebhookTestError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}

/// A delivery as a receiver saw it.
struct ReceivedWebhook: Sendable {
    var event: String
    var delivery: String
    var timestamp: String
    var signature: String
    var body: String
    var signatureValid: Bool
    var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any] ?? [:] }
}

/// A real HTTP receiver on 127.0.0.1 (a Vapor app in the test process): it checks each signature with the secret
/// and records what came. Started on a port of the system's choosing; `restart()` listens on the same port again.
final class WebhookReceiver: @unchecked Sendable {
    private let records = NIOLockedValueBox<[ReceivedWebhook]>([])
    private let secret = NIOLockedValueBox<String>("")
    private var app: Application?
    private(set) var port = 0
    let delay: Duration

    private init(delay: Duration) { self.delay = delay }

    var url: String { "http://127.0.0.1:\(port)/hooks/mallvip" }
    var received: [ReceivedWebhook] { records.withLockedValue { $0 } }
    func setSecret(_ s: String) { secret.withLockedValue { $0 = s } }

    static func start(delay: Duration = .zero) async throws -> WebhookReceiver {
        let r = WebhookReceiver(delay: delay)
        try await r.listen(port: 0)
        return r
    }

    private func listen(port: Int) async throws {
        let app = try await Application.make(Environment(name: "testing", arguments: ["webhook-receiver"]))
        app.logger.logLevel = .critical
        app.http.server.configuration.hostname = "127.0.0.1"
        app.http.server.configuration.port = port
        app.http.server.configuration.reuseAddress = true
        let records = self.records, secret = self.secret, delay = self.delay
        app.on(.POST, "hooks", "mallvip", body: .collect(maxSize: "1mb")) { req async throws -> HTTPStatus in
            let body = req.body.string ?? ""
            let ts = req.headers.first(name: "X-MallVIP-Timestamp") ?? ""
            let sig = req.headers.first(name: "X-MallVIP-Signature") ?? ""
            let valid = WebhookReceiver.verify(secret: secret.withLockedValue { $0 }, timestamp: ts, body: body, signature: sig)
            if delay > .zero { try await Task.sleep(for: delay) }
            records.withLockedValue {
                $0.append(ReceivedWebhook(event: req.headers.first(name: "X-MallVIP-Event") ?? "",
                                          delivery: req.headers.first(name: "X-MallVIP-Delivery") ?? "",
                                          timestamp: ts, signature: sig, body: body, signatureValid: valid))
            }
            return valid ? .noContent : .unauthorized
        }
        try await app.server.start(address: .hostname("127.0.0.1", port: port))
        guard let bound = app.http.server.shared.localAddress?.port else {
            try await app.asyncShutdown()
            throw WebhookTestError("the receiver did not report its port")
        }
        self.port = bound
        self.app = app
    }

    /// Recomputed here rather than through `WebhookSignature`, so the test checks the documented recipe:
    /// hex(HMAC-SHA256(secret, timestamp + "." + body)).
    static func verify(secret: String, timestamp: String, body: String, signature: String) -> Bool {
        guard !secret.isEmpty, !timestamp.isEmpty else { return false }
        return signature == "sha256=" + hmacHex(secret: secret, message: timestamp + "." + body)
    }

    func stop() async {
        guard let app else { return }
        await app.server.shutdown()
        try? await app.asyncShutdown()
        self.app = nil
    }

    func restart() async throws {
        await stop()
        // The port was ours a moment ago; give the kernel a few tries to hand it back.
        var lastError: (any Error)?
        for _ in 0..<50 {
            do { try await listen(port: port); return } catch { lastError = error }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw lastError ?? WebhookTestError("could not listen on \(port) again")
    }
}

/// HMAC-SHA256 in hex, computed independently of the code under test.
func hmacHex(secret: String, message: String) -> String {
    let mac = HMAC<SHA256>.authenticationCode(for: Data(message.utf8), using: SymmetricKey(data: Data(secret.utf8)))
    return Data(mac).map { String(format: "%02x", $0) }.joined()
}

extension TestContext {
    /// A subscription to `events` at `url`; returns its id and secret. The receivers of these tests listen on
    /// 127.0.0.1, so private targets are allowed here (as `MALLVIP_WEBHOOK_ALLOW_PRIVATE=1` does).
    func subscribe(_ events: [WebhookEvent] = WebhookEvent.allCases, url: String = "http://127.0.0.1:9/hooks") async throws -> (id: Int64, secret: String) {
        let (sub, secret) = try await store.createWebhook(url: url, events: events, actor: "test",
                                                          targets: WebhookTargetPolicy(allowPrivate: true))
        return (sub.id, secret)
    }

    /// Every delivery row, oldest first.
    func webhookRows() async throws -> [WebhookDeliveryInfo] {
        try await store.webhookDeliveries(limit: 10_000).sorted { $0.id < $1.id }
    }

    func rowIds(_ table: String, after: Int64 = 0) async throws -> [Int64] {
        try await store.sql.raw("SELECT id FROM \(ident: table) WHERE id > \(bind: after) ORDER BY id").all()
            .map { try $0.decode(column: "id", as: Int64.self) }
    }

    func maxId(_ table: String) async throws -> Int64 {
        try await store.sql.raw("SELECT COALESCE(MAX(id), 0) AS n FROM \(ident: table)").first()!.decode(column: "n", as: Int64.self)
    }
}
