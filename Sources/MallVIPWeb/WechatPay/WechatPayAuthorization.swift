import Crypto
import Foundation
import _CryptoExtras

/// WeChat Pay APIv3 request signing and response verification (issue 19, the outbound calls of 智慧商圈).
///
/// Request (签名生成): the message is `METHOD\nURL-path-and-query\ntimestamp\nnonce\nbody\n` (body empty for a GET,
/// still followed by `\n`), signed with the merchant's private key, RSA PKCS#1 v1.5 over SHA-256, base64; the header is
/// `Authorization: WECHATPAY2-SHA256-RSA2048 mchid="…",nonce_str="…",timestamp="…",serial_no="…",signature="…"`
/// (the order of the official SDK; the server parses by name).
///
/// Response (签名验证): WeChat Pay signs `timestamp\nnonce\nbody\n` with the platform key and sends
/// `Wechatpay-Timestamp`, `Wechatpay-Nonce`, `Wechatpay-Signature`, `Wechatpay-Serial`; the serial must be the
/// configured platform serial and the timestamp within 5 minutes of our clock. An answer that fails this is not
/// trusted: the call counts as failed and is tried again (it may be a forged answer in front of the real API).
public enum WechatPayAuthorization {
    public static let scheme = "WECHATPAY2-SHA256-RSA2048"

    /// The exact bytes signed for a request.
    public static func requestMessage(method: String, pathAndQuery: String, timestamp: Int64, nonce: String, body: String) -> String {
        "\(method)\n\(pathAndQuery)\n\(timestamp)\n\(nonce)\n\(body)\n"
    }

    /// The exact bytes WeChat Pay signs in an answer (and in a notification).
    public static func responseMessage(timestamp: String, nonce: String, body: String) -> String {
        "\(timestamp)\n\(nonce)\n\(body)\n"
    }

    /// RSA-SHA256 (PKCS#1 v1.5), base64.
    public static func sign(_ message: String, with key: _RSA.Signing.PrivateKey) throws -> String {
        try key.signature(for: Data(message.utf8), padding: .insecurePKCS1v1_5).rawRepresentation.base64EncodedString()
    }

    public static func isValid(signature: String, of message: String, with key: _RSA.Signing.PublicKey) -> Bool {
        guard let raw = Data(base64Encoded: signature) else { return false }
        let sig = _RSA.Signing.RSASignature(rawRepresentation: raw)
        return key.isValidSignature(sig, for: Data(message.utf8), padding: .insecurePKCS1v1_5)
    }

    /// 32 characters from [A-Z0-9], fresh for every request.
    public static func nonce() -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        var g = SystemRandomNumberGenerator()
        return String((0..<32).map { _ in alphabet[Int(g.next(upperBound: UInt32(alphabet.count)))] })
    }

    /// The `Authorization` header value of one request.
    public static func header(mchid: String, serialNo: String, key: _RSA.Signing.PrivateKey, method: String,
                              pathAndQuery: String, body: String, timestamp: Int64, nonce: String = nonce()) throws -> String {
        let signature = try sign(requestMessage(method: method, pathAndQuery: pathAndQuery, timestamp: timestamp, nonce: nonce, body: body), with: key)
        return "\(scheme) mchid=\"\(mchid)\",nonce_str=\"\(nonce)\",timestamp=\"\(timestamp)\",serial_no=\"\(serialNo)\",signature=\"\(signature)\""
    }

    /// The name="value" pairs of an Authorization header; nil when the scheme is not APIv3's.
    public static func parse(header: String) -> [String: String]? {
        guard header.hasPrefix(scheme + " ") else { return nil }
        var out: [String: String] = [:]
        for part in header.dropFirst(scheme.count + 1).split(separator: ",") {
            guard let eq = part.firstIndex(of: "=") else { return nil }
            let name = part[..<eq].trimmingCharacters(in: .whitespaces)
            var value = part[part.index(after: eq)...].trimmingCharacters(in: .whitespaces)
            guard value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") else { return nil }
            value = String(value.dropFirst().dropLast())
            out[name] = value
        }
        return out
    }

    /// Why an answer is not trusted, or nil when it is signed by the platform key and fresh.
    public static func responseProblem(headers: [(String, String)], body: String, platformSerial: String,
                                       platformKey: _RSA.Signing.PublicKey, now: Date,
                                       tolerance: TimeInterval = 300) -> String? {
        func h(_ name: String) -> String? {
            headers.first { $0.0.lowercased() == name.lowercased() }?.1.trimmingCharacters(in: .whitespaces)
        }
        guard let serial = h("Wechatpay-Serial"), let signature = h("Wechatpay-Signature"),
              let timestamp = h("Wechatpay-Timestamp"), let nonce = h("Wechatpay-Nonce"), !nonce.isEmpty else {
            return "the answer is not signed (Wechatpay-Serial, -Signature, -Timestamp, -Nonce missing)"
        }
        guard serial == platformSerial else { return "the answer is signed with serial \(serial.prefix(64)), not the configured platform serial" }
        guard let ts = Int64(timestamp), abs(now.timeIntervalSince1970 - Double(ts)) < tolerance else {
            return "the answer's Wechatpay-Timestamp is more than 5 minutes from our clock"
        }
        guard isValid(signature: signature, of: responseMessage(timestamp: timestamp, nonce: nonce, body: body), with: platformKey) else {
            return "the answer's Wechatpay-Signature does not verify with the platform public key"
        }
        return nil
    }
}
