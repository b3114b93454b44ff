import AsyncHTTPClient
import Foundation
@testable import MallVIPWeb
import NIOCore
import NIOHTTP1
import _CryptoExtras

/// The sending side of the WeChat Pay simulator (issue 19, 19a): it holds a platform key pair (WeChat's), a merchant
/// key pair (the mall's) and an APIv3 key, all generated in the test; writes the mall's config file as a mall would;
/// and builds 智慧商圈 notifications exactly as documented — resource encrypted AEAD_AES_256_GCM with the APIv3 key
/// (nonce, associated_data), envelope {id, create_time, event_type, resource_type, resource, summary}, signed RSA-SHA256
/// over `timestamp\nnonce\nbody\n` with the platform key — and POSTs them to a running server over HTTP.
final class WechatPaySimulator: Sendable {
    let mchid: String
    let appid: String
    let platformSerial: String
    let merchantSerial: String
    let platformKey: _RSA.Signing.PrivateKey
    let merchantKey: _RSA.Signing.PrivateKey
    let apiV3Key: String

    init(mchid: String = "1900000001", appid: String = "wx8888888888888888") throws {
        self.mchid = mchid
        self.appid = appid
        platformSerial = "PUB_KEY_ID_" + Self.random(16, from: "0123456789ABCDEF")
        merchantSerial = Self.random(40, from: "0123456789ABCDEF")
        platformKey = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        merchantKey = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        apiV3Key = Self.random(32, from: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
    }

    static func random(_ n: Int, from alphabet: String) -> String {
        let a = Array(alphabet)
        return String((0..<n).map { _ in a.randomElement()! })
    }

    /// Writes the key files and the JSON config into `dir`; returns the config file's path.
    func writeConfig(dir: URL, mall: String = "MAIN", callbackPath: String? = nil, apiBase: String? = nil) throws -> String {
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try merchantKey.pemRepresentation.write(to: dir.appendingPathComponent("apiclient_key.pem"), atomically: true, encoding: .utf8)
        try platformKey.publicKey.pemRepresentation.write(to: dir.appendingPathComponent("pub_key.pem"), atomically: true, encoding: .utf8)
        try (apiV3Key + "\n").write(to: dir.appendingPathComponent("apiv3.key"), atomically: true, encoding: .utf8)
        var m: [String: Any] = ["mall": mall, "mchid": mchid, "appid": appid, "merchantSerialNo": merchantSerial,
                                "merchantPrivateKeyFile": "apiclient_key.pem", "platformSerialNo": platformSerial,
                                "platformPublicKeyFile": "pub_key.pem", "apiV3KeyFile": "apiv3.key"]
        if let apiBase { m["apiBase"] = apiBase }
        var root: [String: Any] = ["malls": [m]]
        if let callbackPath { root["callbackPath"] = callbackPath }
        let path = dir.appendingPathComponent("wechatpay.json").path
        try JSONSerialization.data(withJSONObject: root, options: [.prettyPrinted, .sortedKeys]).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// One notification, ready to send (or to tamper with first).
    struct Notification: Sendable {
        var id: String
        var serial: String
        var timestamp: String
        var nonce: String
        var signature: String
        var body: [UInt8]
    }

    /// Builds and signs a notification at `now` (the server's clock in the test).
    func notification(eventType: String, resource: [String: Any], now: Date, id: String = UUID().uuidString.lowercased(),
                      apiV3Key: String? = nil, summary: String = "支付成功") throws -> Notification {
        let plaintext = try JSONSerialization.data(withJSONObject: resource, options: [.sortedKeys])
        let resNonce = Self.random(12, from: "abcdefghijklmnopqrstuvwxyz0123456789")
        let originalType: String = switch eventType {
        case "MALL_AUTH.ACTIVATE_CARD": "mall_auth"
        case "MALL_REFUND.SUCCESS": "mall_refund"
        default: "mall_transaction"
        }
        let ciphertext = try WechatPayCrypto.encrypt(Array(plaintext), apiV3Key: Array((apiV3Key ?? self.apiV3Key).utf8),
                                                     nonce: resNonce, associatedData: originalType)
        let envelope: [String: Any] = [
            "id": id, "create_time": Self.rfc3339(now), "event_type": eventType, "resource_type": "encrypt-resource",
            "summary": summary,
            "resource": ["algorithm": "AEAD_AES_256_GCM", "ciphertext": ciphertext, "associated_data": originalType,
                         "original_type": originalType, "nonce": resNonce],
        ]
        let body = Array(try JSONSerialization.data(withJSONObject: envelope, options: [.sortedKeys]))
        let timestamp = String(Int(now.timeIntervalSince1970))
        let nonce = Self.random(32, from: "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        return Notification(id: id, serial: platformSerial, timestamp: timestamp, nonce: nonce,
                            signature: try sign(timestamp: timestamp, nonce: nonce, body: body), body: body)
    }

    func sign(timestamp: String, nonce: String, body: [UInt8]) throws -> String {
        try WechatPayCrypto.sign(WechatPayCrypto.message(timestamp: timestamp, nonce: nonce, body: body), key: platformKey)
    }

    /// The same notification delivered again as WeChat does: same body, new timestamp and nonce, signed anew.
    func redelivery(of n: Notification, now: Date) throws -> Notification {
        var r = n
        r.timestamp = String(Int(now.timeIntervalSince1970))
        r.nonce = Self.random(32, from: "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        r.signature = try sign(timestamp: r.timestamp, nonce: r.nonce, body: r.body)
        return r
    }

    func authorization(openid: String, cardCode: String?, now: Date) throws -> Notification {
        var res: [String: Any] = ["mchid": mchid, "openid": openid, "auth_type": "REAL_TIME"]
        if let cardCode { res["code"] = cardCode }
        return try notification(eventType: "MALL_AUTH.ACTIVATE_CARD", resource: res, now: now, summary: "授权成功")
    }

    func payment(openid: String, shop: String, transactionId: String, amountFen: Int64, at: Date, now: Date) throws -> Notification {
        try notification(eventType: "MALL_TRANSACTION.SUCCESS", resource: [
            "mchid": mchid, "merchant_name": "测试商场", "shop_name": "测试门店", "shop_number": shop, "appid": appid,
            "openid": openid, "transaction_id": transactionId, "amount": amountFen, "time_end": Self.rfc3339(at), "commit_tag": "AUTO",
        ], now: now)
    }

    func refund(openid: String, shop: String, transactionId: String, refundId: String, payFen: Int64, refundFen: Int64,
                at: Date, now: Date) throws -> Notification {
        try notification(eventType: "MALL_REFUND.SUCCESS", resource: [
            "mchid": mchid, "merchant_name": "测试商场", "shop_name": "测试门店", "shop_number": shop, "appid": appid,
            "openid": openid, "transaction_id": transactionId, "refund_id": refundId, "pay_amount": payFen,
            "refund_amount": refundFen, "refund_time": Self.rfc3339(at),
        ], now: now, summary: "退款成功")
    }

    /// POSTs the notification to `url` over HTTP; returns status and body text.
    func send(_ n: Notification, to url: String, http: HTTPClient) async throws -> (status: Int, body: String) {
        var req = HTTPClientRequest(url: url)
        req.method = .POST
        req.headers.add(name: "Content-Type", value: "application/json")
        req.headers.add(name: "Wechatpay-Serial", value: n.serial)
        req.headers.add(name: "Wechatpay-Signature", value: n.signature)
        req.headers.add(name: "Wechatpay-Timestamp", value: n.timestamp)
        req.headers.add(name: "Wechatpay-Nonce", value: n.nonce)
        req.headers.add(name: "Wechatpay-Signature-Type", value: "WECHATPAY2-SHA256-RSA2048")
        req.body = .bytes(ByteBuffer(bytes: n.body))
        let res = try await http.execute(req, timeout: .seconds(30))
        let body = try await res.body.collect(upTo: 1 << 20)
        return (Int(res.status.code), String(buffer: body))
    }

    /// 2026-11-25T10:00:00+08:00
    static func rfc3339(_ d: Date) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        f.timeZone = TimeZone(identifier: "Asia/Shanghai")
        return f.string(from: d)
    }
}
