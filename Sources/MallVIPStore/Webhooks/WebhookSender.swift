import Crypto
import Foundation

/// One signed POST to a subscriber.
public struct WebhookRequest: Sendable {
    public var url: String
    /// Content-Type, X-MallVIP-Event, X-MallVIP-Delivery, X-MallVIP-Timestamp, X-MallVIP-Signature.
    public var headers: [(String, String)]
    public var body: String
    public func header(_ name: String) -> String? { headers.first { $0.0.lowercased() == name.lowercased() }?.1 }
}

/// What the receiver answered: only the status. The body is neither read into the log nor shown: a receiver's
/// answer is not ours to store, and showing it would turn webhooks into a way to read internal pages (SSRF).
public struct WebhookResponse: Sendable {
    public var status: Int
    public init(status: Int) {
        self.status = status
    }

    /// The fixed reason recorded for a status that is not 2xx.
    public static func failureReason(status: Int) -> String {
        switch status {
        case 300..<400: "HTTP \(status): redirects are not followed; point the subscription at the final address"
        case 400..<500: "HTTP \(status): the receiver refused the delivery"
        case 500..<600: "HTTP \(status): the receiver failed"
        default: "HTTP \(status): not a success status"
        }
    }
}

/// The HTTP edge of the delivery worker, injected so that tests can put a fake or a real local server behind it.
/// Throws when no answer came (refused, timed out) or the target was refused (`WebhookTargetRefused`, nothing
/// sent); an answer of any status is returned. Redirects are never followed.
public protocol WebhookSender: Sendable {
    func send(_ request: WebhookRequest) async throws -> WebhookResponse
}

/// `X-MallVIP-Signature: sha256=<hex>` over "<unix seconds>.<body>", keyed with the subscription's secret.
public enum WebhookSignature {
    public static func sign(secret: String, timestamp: Int64, body: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Data("\(timestamp).\(body)".utf8), using: SymmetricKey(data: Data(secret.utf8)))
        return "sha256=" + Data(mac).map { String(format: "%02x", $0) }.joined()
    }

    /// Constant-time check, for receivers written in Swift (and the tests).
    public static func verify(secret: String, timestamp: String, body: String, signature: String) -> Bool {
        guard let ts = Int64(timestamp), signature.hasPrefix("sha256=") else { return false }
        let hex = signature.dropFirst("sha256=".count)
        guard hex.count == 64 else { return false }
        var bytes = [UInt8]()
        var i = hex.startIndex
        while i < hex.endIndex {
            let j = hex.index(i, offsetBy: 2)
            guard let b = UInt8(hex[i..<j], radix: 16) else { return false }
            bytes.append(b)
            i = j
        }
        return HMAC<SHA256>.isValidAuthenticationCode(bytes, authenticating: Data("\(ts).\(body)".utf8),
                                                      using: SymmetricKey(data: Data(secret.utf8)))
    }
}
