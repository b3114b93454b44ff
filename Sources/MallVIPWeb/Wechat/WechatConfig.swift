import Foundation
import MallVIPStore

/// WeChat for members (issue 22, docs/wechat.md): each mall's mini-program (小程序) and official account (公众号) —
/// appid and AppSecret — plus its subscription-message templates and membership card. Loaded at start from the JSON
/// file named by `MALLVIP_WECHAT_CONFIG`; unset = WeChat sign-in, subscription messages and the card are off.
/// Secrets are configuration, never programme, never logged: `description` names appids only.
///
/// File shape (relative `…File` paths are read from the config file's folder; each `…File` may instead be given as
/// `…Env`, the name of an environment variable holding the value):
///
///     { "apiBase": "https://api.weixin.qq.com", "openBase": "https://open.weixin.qq.com",
///       "malls": [ { "mall": "MAIN",
///                    "miniProgram": { "appid": "wx…", "secretFile": "mp.secret" },
///                    "officialAccount": { "appid": "wx…", "secretEnv": "WX_OA_SECRET" },
///                    "subscribe": { … WechatSubscribeConfig … },
///                    "card": { … WechatCardConfig … } } ] }
public struct WechatConfig: Sendable, CustomStringConvertible {
    /// The API host (code2Session, access tokens, OAuth code exchange, subscribe messages, cards); tests point it at
    /// the simulator. No trailing slash.
    public var apiBase: String
    /// Where a member's browser is sent for 网页授权 (`/connect/oauth2/authorize`). No trailing slash.
    public var openBase: String
    public var malls: [WechatMallConfig]

    public static let defaultAPIBase = "https://api.weixin.qq.com"
    public static let defaultOpenBase = "https://open.weixin.qq.com"

    public init(apiBase: String = WechatConfig.defaultAPIBase, openBase: String = WechatConfig.defaultOpenBase, malls: [WechatMallConfig]) {
        self.apiBase = apiBase
        self.openBase = openBase
        self.malls = malls
    }

    public func mall(_ code: String) -> WechatMallConfig? { malls.first { $0.mall == code } }
    /// The mall whose mini-program or official account has this appid.
    public func mall(appid: String) -> WechatMallConfig? {
        malls.first { $0.miniProgram?.appid == appid || $0.officialAccount?.appid == appid }
    }

    public var description: String {
        "WechatConfig(apiBase: \(apiBase), malls: \(malls.map(\.description)))"
    }

    /// nil when `MALLVIP_WECHAT_CONFIG` is unset or empty (feature off).
    public static func fromEnvironment(_ env: [String: String]) throws -> WechatConfig? {
        guard let path = env["MALLVIP_WECHAT_CONFIG"]?.trimmingCharacters(in: .whitespaces), !path.isEmpty else { return nil }
        return try load(file: path, env: env)
    }

    /// Reads and checks the file; every error names the file and the field.
    public static func load(file path: String, env: [String: String]) throws -> WechatConfig {
        let reader = WechatConfigReader(path: path, env: env)
        guard let data = FileManager.default.contents(atPath: path) else { throw reader.fail("(file)", "cannot be read") }
        guard let root = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw reader.fail("(file)", "must be a JSON object")
        }
        let apiBase = try reader.url(root, "apiBase", at: "") ?? defaultAPIBase
        let openBase = try reader.url(root, "openBase", at: "") ?? defaultOpenBase
        guard let list = root["malls"] as? [[String: Any]], !list.isEmpty else {
            throw reader.fail("malls", "must be a non-empty list of objects")
        }
        var malls: [WechatMallConfig] = []
        for (i, m) in list.enumerated() {
            let at = "malls[\(i)]"
            let mall = try reader.string(m, "mall", at: at, pattern: "^[A-Za-z0-9_-]{1,32}$", rule: "must be a mall code (letters, digits, - or _)")
            if malls.contains(where: { $0.mall == mall }) { throw reader.fail("\(at).mall", "appears twice") }
            func app(_ key: String) throws -> WechatAppCredentials? {
                guard let v = m[key] else { return nil }
                guard let o = v as? [String: Any] else { throw reader.fail("\(at).\(key)", "must be an object with appid and secretFile (or secretEnv)") }
                let appid = try reader.string(o, "appid", at: "\(at).\(key)", pattern: "^wx[A-Za-z0-9]{14,30}$", rule: "must be the appid (wx followed by letters and digits)")
                let secret = try reader.secret(o, "secret", at: "\(at).\(key)").trimmingCharacters(in: .whitespacesAndNewlines)
                guard secret.range(of: "^[A-Za-z0-9]{16,64}$", options: .regularExpression) != nil else {
                    throw reader.fail("\(at).\(key).secretFile", "must hold the AppSecret (letters and digits)")
                }
                if malls.contains(where: { $0.miniProgram?.appid == appid || $0.officialAccount?.appid == appid }) {
                    throw reader.fail("\(at).\(key).appid", "is already another mall's (the appid finds the mall)")
                }
                return WechatAppCredentials(appid: appid, secret: secret)
            }
            let miniProgram = try app("miniProgram")
            let officialAccount = try app("officialAccount")
            if miniProgram == nil && officialAccount == nil {
                throw reader.fail("\(at)", "needs miniProgram or officialAccount")
            }
            let subscribe = try (m["subscribe"]).map { v -> WechatSubscribeConfig in
                guard let o = v as? [String: Any] else { throw reader.fail("\(at).subscribe", "must be an object") }
                return try WechatSubscribeConfig.parse(o, at: "\(at).subscribe", reader: reader)
            }
            let card = try (m["card"]).map { v -> WechatCardConfig in
                guard let o = v as? [String: Any] else { throw reader.fail("\(at).card", "must be an object") }
                return try WechatCardConfig.parse(o, at: "\(at).card", reader: reader)
            }
            // 22d: the card belongs to the official account (its token creates, activates and updates it).
            if card != nil && officialAccount == nil { throw reader.fail("\(at).card", "needs officialAccount (the card belongs to the 服务号)") }
            malls.append(WechatMallConfig(mall: mall, miniProgram: miniProgram, officialAccount: officialAccount,
                                          subscribe: subscribe, card: card))
        }
        return WechatConfig(apiBase: apiBase, openBase: openBase, malls: malls)
    }
}

/// An appid and its AppSecret. `description` never shows the secret.
public struct WechatAppCredentials: Sendable, Hashable, CustomStringConvertible {
    public var appid: String
    public var secret: String
    public init(appid: String, secret: String) {
        self.appid = appid
        self.secret = secret
    }
    public var description: String { "WechatApp(\(appid))" }
}

/// One mall's WeChat presence.
public struct WechatMallConfig: Sendable, CustomStringConvertible {
    /// The mall's code in MallVIP (malls.code).
    public var mall: String
    /// The mall's mini-program (sign-in by wx.login code, /api/m/v1); its appid is also WeChat Pay's payer appid.
    public var miniProgram: WechatAppCredentials?
    /// The mall's service account (服务号): 网页授权 for the /m/ pages, subscription messages, the card.
    public var officialAccount: WechatAppCredentials?
    /// Subscription-message templates (issue 22, part c).
    public var subscribe: WechatSubscribeConfig?
    /// The membership card in 卡包 (issue 22, part d).
    public var card: WechatCardConfig?

    public init(mall: String, miniProgram: WechatAppCredentials? = nil, officialAccount: WechatAppCredentials? = nil,
                subscribe: WechatSubscribeConfig? = nil, card: WechatCardConfig? = nil) {
        self.mall = mall
        self.miniProgram = miniProgram
        self.officialAccount = officialAccount
        self.subscribe = subscribe
        self.card = card
    }

    public var description: String {
        "WechatMallConfig(mall: \(mall), miniProgram: \(miniProgram?.appid ?? "-"), officialAccount: \(officialAccount?.appid ?? "-"))"
    }
}

/// Reads fields of `MALLVIP_WECHAT_CONFIG`; every error names the file and the field. Shared with the sections'
/// parsers (WechatConfig+Subscribe.swift, WechatConfig+Card.swift).
public struct WechatConfigReader: Sendable {
    public var path: String
    public var env: [String: String]
    var folder: URL { URL(fileURLWithPath: path).deletingLastPathComponent() }

    public func fail(_ field: String, _ rule: String) -> StoreConfigurationError {
        StoreConfigurationError("MALLVIP_WECHAT_CONFIG \(path): \(field) \(rule)")
    }

    private func name(_ at: String, _ key: String) -> String { at.isEmpty ? key : "\(at).\(key)" }

    public func string(_ o: [String: Any], _ key: String, at: String, pattern: String? = nil, rule: String = "is required") throws -> String {
        guard let s = (o[key] as? String)?.trimmingCharacters(in: .whitespaces), !s.isEmpty, s.count <= 200 else {
            throw fail(name(at, key), rule)
        }
        if let pattern, s.range(of: pattern, options: .regularExpression) == nil { throw fail(name(at, key), rule) }
        return s
    }

    public func url(_ o: [String: Any], _ key: String, at: String) throws -> String? {
        guard let v = o[key] else { return nil }
        guard let s = v as? String, let u = URL(string: s), ["http", "https"].contains(u.scheme ?? ""), u.host != nil, s.count <= 200 else {
            throw fail(name(at, key), "must be an http(s) URL")
        }
        return s.hasSuffix("/") ? String(s.dropLast()) : s
    }

    /// `<key>File` (path) or `<key>Env` (environment variable name): the secret's text.
    public func secret(_ o: [String: Any], _ key: String, at: String) throws -> String {
        if let file = o["\(key)File"] as? String, !file.isEmpty {
            let url = file.hasPrefix("/") ? URL(fileURLWithPath: file) : folder.appendingPathComponent(file)
            guard let d = FileManager.default.contents(atPath: url.path), let s = String(data: d, encoding: .utf8) else {
                throw fail(name(at, "\(key)File"), "names a file that cannot be read")
            }
            return s
        }
        if let envName = o["\(key)Env"] as? String, !envName.isEmpty {
            guard let s = env[envName], !s.isEmpty else { throw fail(name(at, "\(key)Env"), "names an environment variable that is not set") }
            return s
        }
        throw fail(name(at, "\(key)File"), "is required (or \(key)Env)")
    }
}
