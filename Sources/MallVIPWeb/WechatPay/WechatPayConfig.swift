import Foundation
import MallVIPStore
import _CryptoExtras

/// WeChat Pay 智慧商圈 (issue 19, docs/wechat-pay.md): which malls are connected, with their merchant ids and keys.
/// Loaded at start from the JSON file named by `MALLVIP_WECHATPAY_CONFIG`; no variable = WeChat Pay is off (the
/// callback path answers 404 and nothing is sent). Keys are configuration, never programme, never logged: this type's
/// `description` names the malls and serials only.
///
/// File shape (relative `…File` paths are read from the config file's folder; each `…File` may instead be given as
/// `…Env`, the name of an environment variable holding the value):
///
///     { "callbackPath": "/wechatpay/notify",
///       "malls": [ { "mall": "M1", "mchid": "1900000001", "appid": "wx8888888888888888",
///                    "merchantSerialNo": "…", "merchantPrivateKeyFile": "apiclient_key.pem",
///                    "platformSerialNo": "PUB_KEY_ID_…", "platformPublicKeyFile": "pub_key.pem",
///                    "apiV3KeyFile": "apiv3.key", "apiBase": "https://api.mch.weixin.qq.com" } ] }
public struct WechatPayConfig: Sendable, CustomStringConvertible {
    /// The one callback path every notification comes to (default `/wechatpay/notify`). Set it as the 回调地址 in
    /// the merchant platform: `https://<host><callbackPath>`.
    public var callbackPath: String
    public var malls: [WechatPayMallConfig]

    public static let defaultCallbackPath = "/wechatpay/notify"
    public static let defaultAPIBase = "https://api.mch.weixin.qq.com"
    /// A notification older or newer than this (seconds, against `Wechatpay-Timestamp`) is refused (APIv3: 5 minutes).
    public static let timestampTolerance: TimeInterval = 300
    /// The largest notification body read (a 智慧商圈 notification is about 1 KB).
    public static let maxBodyBytes = 16 * 1024

    public init(callbackPath: String = WechatPayConfig.defaultCallbackPath, malls: [WechatPayMallConfig]) {
        self.callbackPath = callbackPath
        self.malls = malls
    }

    /// The mall whose platform serial this is (the `Wechatpay-Serial` header).
    public func mall(platformSerial: String) -> WechatPayMallConfig? {
        malls.first { $0.platformSerialNo == platformSerial }
    }

    public var description: String {
        "WechatPayConfig(callbackPath: \(callbackPath), malls: \(malls.map { "\($0.mall) mchid \($0.mchid) platform \($0.platformSerialNo)" }))"
    }

    /// nil when `MALLVIP_WECHATPAY_CONFIG` is unset or empty (feature off).
    public static func fromEnvironment(_ env: [String: String]) throws -> WechatPayConfig? {
        guard let path = env["MALLVIP_WECHATPAY_CONFIG"]?.trimmingCharacters(in: .whitespaces), !path.isEmpty else { return nil }
        return try load(file: path, env: env)
    }

    /// Reads and checks the file; every error names the file and the field.
    public static func load(file path: String, env: [String: String]) throws -> WechatPayConfig {
        func fail(_ field: String, _ rule: String) -> StoreConfigurationError {
            StoreConfigurationError("MALLVIP_WECHATPAY_CONFIG \(path): \(field) \(rule)")
        }
        guard let data = FileManager.default.contents(atPath: path) else { throw fail("(file)", "cannot be read") }
        guard let root = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw fail("(file)", "must be a JSON object")
        }
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent()
        var callbackPath = defaultCallbackPath
        if let v = root["callbackPath"] {
            guard let s = v as? String, s.hasPrefix("/"), s.count <= 200, !s.contains("?"), !s.contains("#"),
                  !s.contains(" "), s.count > 1 else {
                throw fail("callbackPath", "must be a path starting with / (no query, at most 200 characters)")
            }
            callbackPath = s
        }
        guard let list = root["malls"] as? [[String: Any]], !list.isEmpty else {
            throw fail("malls", "must be a non-empty list of objects")
        }
        var malls: [WechatPayMallConfig] = []
        for (i, m) in list.enumerated() {
            let at = "malls[\(i)]"
            func string(_ key: String, pattern: String? = nil, rule: String = "is required") throws -> String {
                guard let s = (m[key] as? String)?.trimmingCharacters(in: .whitespaces), !s.isEmpty, s.count <= 200 else {
                    throw fail("\(at).\(key)", rule)
                }
                if let pattern, s.range(of: pattern, options: .regularExpression) == nil { throw fail("\(at).\(key)", rule) }
                return s
            }
            /// `<key>File` (path) or `<key>Env` (environment variable name): the secret's text.
            func secret(_ key: String) throws -> String {
                if let file = m["\(key)File"] as? String, !file.isEmpty {
                    let url = file.hasPrefix("/") ? URL(fileURLWithPath: file) : folder.appendingPathComponent(file)
                    guard let d = FileManager.default.contents(atPath: url.path), let s = String(data: d, encoding: .utf8) else {
                        throw fail("\(at).\(key)File", "names a file that cannot be read")
                    }
                    return s
                }
                if let name = m["\(key)Env"] as? String, !name.isEmpty {
                    guard let s = env[name], !s.isEmpty else { throw fail("\(at).\(key)Env", "names an environment variable that is not set") }
                    return s
                }
                throw fail("\(at).\(key)File", "is required (or \(key)Env)")
            }
            let mall = try string("mall", pattern: "^[A-Za-z0-9_-]{1,32}$", rule: "must be a mall code (letters, digits, - or _)")
            let mchid = try string("mchid", pattern: "^[0-9]{1,32}$", rule: "must be the merchant number (digits)")
            let appid = try string("appid", pattern: "^[A-Za-z0-9_-]{1,64}$", rule: "must be the appid (letters and digits)")
            let merchantSerial = try string("merchantSerialNo", pattern: "^[A-Za-z0-9_-]{1,64}$", rule: "must be the merchant certificate serial (letters and digits)")
            let platformSerial = try string("platformSerialNo", pattern: "^[A-Za-z0-9_-]{1,64}$", rule: "must be the platform certificate or public key serial (letters and digits)")
            let privatePEM = try secret("merchantPrivateKey")
            let privateKey: _RSA.Signing.PrivateKey
            do { privateKey = try _RSA.Signing.PrivateKey(pemRepresentation: privatePEM) } catch {
                throw fail("\(at).merchantPrivateKeyFile", "must hold an RSA private key in PEM (apiclient_key.pem, 2048 bits or more)")
            }
            let publicPEM = try secret("platformPublicKey")
            let publicKey: _RSA.Signing.PublicKey
            do { publicKey = try _RSA.Signing.PublicKey(pemRepresentation: publicPEM) } catch {
                throw fail("\(at).platformPublicKeyFile", "must hold the platform's RSA public key in PEM (BEGIN PUBLIC KEY; for a platform certificate: openssl x509 -pubkey -noout)")
            }
            let v3 = try secret("apiV3Key").trimmingCharacters(in: .whitespacesAndNewlines)
            guard v3.utf8.count == 32 else { throw fail("\(at).apiV3KeyFile", "must hold the 32-character APIv3 key") }
            var apiBase = defaultAPIBase
            if m["apiBase"] != nil {
                guard let s = m["apiBase"] as? String, let u = URL(string: s), ["http", "https"].contains(u.scheme ?? ""), u.host != nil else {
                    throw fail("\(at).apiBase", "must be an http(s) URL")
                }
                apiBase = s.hasSuffix("/") ? String(s.dropLast()) : s
            }
            if malls.contains(where: { $0.mall == mall }) { throw fail("\(at).mall", "appears twice") }
            if malls.contains(where: { $0.platformSerialNo == platformSerial }) {
                throw fail("\(at).platformSerialNo", "is already another mall's (the serial finds the mall)")
            }
            malls.append(WechatPayMallConfig(mall: mall, mchid: mchid, appid: appid, merchantSerialNo: merchantSerial,
                                             merchantPrivateKey: privateKey, platformSerialNo: platformSerial,
                                             platformPublicKey: publicKey, apiV3Key: Array(v3.utf8), apiBase: apiBase))
        }
        return WechatPayConfig(callbackPath: callbackPath, malls: malls)
    }
}

/// One mall's 智慧商圈 account. The keys are parsed once at start; `description` never shows them.
public struct WechatPayMallConfig: Sendable, CustomStringConvertible {
    /// The mall's code in MallVIP (malls.code).
    public var mall: String
    public var mchid: String
    public var appid: String
    /// The merchant API certificate's serial (19b signs outbound calls with it).
    public var merchantSerialNo: String
    public var merchantPrivateKey: _RSA.Signing.PrivateKey
    /// The platform certificate's or 微信支付公钥's serial: `Wechatpay-Serial` of an inbound notification.
    public var platformSerialNo: String
    public var platformPublicKey: _RSA.Signing.PublicKey
    /// The APIv3 key's 32 bytes (AEAD_AES_256_GCM key of the notifications' resource).
    public var apiV3Key: [UInt8]
    /// Outbound API base without trailing slash (default https://api.mch.weixin.qq.com).
    public var apiBase: String

    public init(mall: String, mchid: String, appid: String, merchantSerialNo: String,
                merchantPrivateKey: _RSA.Signing.PrivateKey, platformSerialNo: String,
                platformPublicKey: _RSA.Signing.PublicKey, apiV3Key: [UInt8], apiBase: String = WechatPayConfig.defaultAPIBase) {
        self.mall = mall
        self.mchid = mchid
        self.appid = appid
        self.merchantSerialNo = merchantSerialNo
        self.merchantPrivateKey = merchantPrivateKey
        self.platformSerialNo = platformSerialNo
        self.platformPublicKey = platformPublicKey
        self.apiV3Key = apiV3Key
        self.apiBase = apiBase
    }

    public var description: String { "WechatPayMallConfig(mall: \(mall), mchid: \(mchid), appid: \(appid), platform: \(platformSerialNo))" }
}
