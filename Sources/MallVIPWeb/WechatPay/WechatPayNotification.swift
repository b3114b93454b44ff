import Crypto
import Foundation
import _CryptoExtras

/// One inbound APIv3 notification (回调通知) as WeChat Pay sends it: headers and the exact body bytes.
/// Verification (APIv3 签名验证): the message is `Wechatpay-Timestamp\nWechatpay-Nonce\nbody\n`, signed RSA-SHA256
/// (PKCS#1 v1.5) with the platform key named by `Wechatpay-Serial`; `Wechatpay-Signature` is its base64.
/// Decryption (回调报文解密): `resource.ciphertext` is base64 of AES-256-GCM ciphertext||tag (16 bytes), key = the
/// APIv3 key's 32 bytes, nonce = `resource.nonce` (12 characters), associated data = `resource.associated_data`.
public struct WechatPayInbound: Sendable {
    public var serial: String
    public var signature: String
    public var timestamp: String
    public var nonce: String
    public var body: [UInt8]

    public init(serial: String, signature: String, timestamp: String, nonce: String, body: [UInt8]) {
        self.serial = serial
        self.signature = signature
        self.timestamp = timestamp
        self.nonce = nonce
        self.body = body
    }
}

/// Why a notification is refused. `message` is safe to log and to answer (no secret, no body).
public struct WechatPayRefusal: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable { case headers, serial, timestamp, signature, envelope, decrypt, replay, resource }
    public var kind: Kind
    public var message: String
    public init(_ kind: Kind, _ message: String) { self.kind = kind; self.message = message }
    public var description: String { "\(kind.rawValue): \(message)" }
}

/// The notification envelope (id, create_time, event_type, resource_type, resource, summary), field names as documented.
public struct WechatPayEnvelope: Codable, Sendable, Equatable {
    public struct Resource: Codable, Sendable, Equatable {
        public var algorithm: String
        public var ciphertext: String
        public var associated_data: String?
        public var original_type: String?
        public var nonce: String
        public init(algorithm: String, ciphertext: String, associated_data: String?, original_type: String?, nonce: String) {
            self.algorithm = algorithm
            self.ciphertext = ciphertext
            self.associated_data = associated_data
            self.original_type = original_type
            self.nonce = nonce
        }
    }
    public var id: String
    public var create_time: String
    public var event_type: String
    public var resource_type: String
    public var resource: Resource
    public var summary: String?
    public init(id: String, create_time: String, event_type: String, resource_type: String, resource: Resource, summary: String?) {
        self.id = id
        self.create_time = create_time
        self.event_type = event_type
        self.resource_type = resource_type
        self.resource = resource
        self.summary = summary
    }
}

public enum WechatPayCrypto {
    /// `timestamp\nnonce\nbody\n`: the signed message of an APIv3 notification or answer.
    public static func message(timestamp: String, nonce: String, body: [UInt8]) -> [UInt8] {
        Array("\(timestamp)\n\(nonce)\n".utf8) + body + [0x0A]
    }

    /// Checks serial, timestamp (within `WechatPayConfig.timestampTolerance` of `now`) and signature; returns the mall
    /// whose platform key signed it. Nothing here touches the database.
    public static func verify(_ n: WechatPayInbound, config: WechatPayConfig, now: Date) throws -> WechatPayMallConfig {
        guard !n.serial.isEmpty, !n.signature.isEmpty, !n.timestamp.isEmpty, !n.nonce.isEmpty else {
            throw WechatPayRefusal(.headers, "Wechatpay-Serial, Wechatpay-Signature, Wechatpay-Timestamp and Wechatpay-Nonce are required")
        }
        guard let mall = config.mall(platformSerial: n.serial) else {
            throw WechatPayRefusal(.serial, "Wechatpay-Serial is not a configured platform serial")
        }
        guard n.timestamp.count <= 12, let t = Int64(n.timestamp),
              abs(Double(t) - now.timeIntervalSince1970) <= WechatPayConfig.timestampTolerance else {
            throw WechatPayRefusal(.timestamp, "Wechatpay-Timestamp is not within 5 minutes of the server's clock")
        }
        guard n.nonce.count <= 64 else { throw WechatPayRefusal(.headers, "Wechatpay-Nonce is longer than 64 characters") }
        guard let sig = Data(base64Encoded: n.signature),
              mall.platformPublicKey.isValidSignature(_RSA.Signing.RSASignature(rawRepresentation: sig),
                                                      for: SHA256.hash(data: message(timestamp: n.timestamp, nonce: n.nonce, body: n.body)),
                                                      padding: .insecurePKCS1v1_5) else {
            throw WechatPayRefusal(.signature, "Wechatpay-Signature does not verify")
        }
        return mall
    }

    public static func envelope(_ body: [UInt8]) throws -> WechatPayEnvelope {
        guard let e = try? JSONDecoder().decode(WechatPayEnvelope.self, from: Data(body)) else {
            throw WechatPayRefusal(.envelope, "body is not a notification (id, create_time, event_type, resource_type, resource)")
        }
        return e
    }

    /// AEAD_AES_256_GCM decryption of the resource; the plaintext JSON.
    public static func decrypt(_ r: WechatPayEnvelope.Resource, apiV3Key: [UInt8]) throws -> Data {
        guard r.algorithm == "AEAD_AES_256_GCM" else { throw WechatPayRefusal(.decrypt, "resource.algorithm must be AEAD_AES_256_GCM") }
        guard apiV3Key.count == 32, let blob = Data(base64Encoded: r.ciphertext), blob.count > 16,
              let nonce = try? AES.GCM.Nonce(data: Array(r.nonce.utf8)) else {
            throw WechatPayRefusal(.decrypt, "resource.ciphertext or resource.nonce is malformed")
        }
        do {
            let box = try AES.GCM.SealedBox(nonce: nonce, ciphertext: blob.prefix(blob.count - 16), tag: blob.suffix(16))
            return try AES.GCM.open(box, using: SymmetricKey(data: apiV3Key), authenticating: Array((r.associated_data ?? "").utf8))
        } catch {
            throw WechatPayRefusal(.decrypt, "resource does not decrypt with the APIv3 key")
        }
    }

    /// The other direction, for the simulator and 19b's tests: ciphertext||tag, base64.
    public static func encrypt(_ plaintext: [UInt8], apiV3Key: [UInt8], nonce: String, associatedData: String) throws -> String {
        let box = try AES.GCM.seal(plaintext, using: SymmetricKey(data: apiV3Key), nonce: AES.GCM.Nonce(data: Array(nonce.utf8)),
                                   authenticating: Array(associatedData.utf8))
        return (box.ciphertext + box.tag).base64EncodedString()
    }

    /// RSA-SHA256 (PKCS#1 v1.5) signature, base64: how WeChat Pay signs (the simulator) and how a merchant signs (19b).
    public static func sign(_ message: [UInt8], key: _RSA.Signing.PrivateKey) throws -> String {
        try key.signature(for: SHA256.hash(data: message), padding: .insecurePKCS1v1_5).rawRepresentation.base64EncodedString()
    }
}
