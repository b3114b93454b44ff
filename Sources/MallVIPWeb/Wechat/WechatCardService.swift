import Foundation
import MallVIPCore
import MallVIPStore
import Vapor

/// Why a card action cannot run: names the configuration field or the WeChat answer. Shown to managers (console,
/// CLI) and, in member words, on the member's card page.
public struct WechatCardProblem: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ d: String) { description = d }
}

/// The membership card in 卡包 (issue 22d, docs/wechat.md "The card in 卡包"): create the mall's card, a QR code a
/// member scans to add it, and activation of the member's code — all with the official account's access token
/// (`tokens.withToken`: cached, refreshed once when WeChat refuses it).
public struct WechatCardService: Sendable {
    let services: WechatServices
    let store: Store

    public init(services: WechatServices, store: Store) {
        self.services = services
        self.store = store
    }

    /// The mall's card section and official account, or a problem that names the field to set.
    func setup(_ mall: String) throws -> (WechatCardConfig, WechatAppCredentials) {
        guard let m = services.config.mall(mall) else { throw WechatCardProblem("MALLVIP_WECHAT_CONFIG: mall \(mall) is not in malls") }
        guard let card = m.card else { throw WechatCardProblem("MALLVIP_WECHAT_CONFIG: mall \(mall) has no card section") }
        guard let oa = m.officialAccount else { throw WechatCardProblem("MALLVIP_WECHAT_CONFIG: mall \(mall).officialAccount is required for the card") }
        return (card, oa)
    }

    /// The mall's card_id: the config's `card.cardId`, else the one MallVIP created (nil: none yet).
    public func cardId(mall: String) async throws -> String? {
        if let id = services.config.mall(mall)?.card?.cardId { return id }
        return try await store.wechatCardType(mall: mall)
    }

    /// The malls with a card section, the member's own mall first.
    public func mall(forMember memberId: Int64) async throws -> String? {
        let withCard = services.config.malls.filter { $0.card != nil && $0.officialAccount != nil }.map(\.mall)
        if let own = try await store.enrolledMallCode(memberId: memberId), withCard.contains(own) { return own }
        return withCard.first
    }

    /// The mall whose card this is.
    public func mall(cardId: String) async throws -> String? {
        for m in services.config.malls where m.card != nil {
            if try await self.cardId(mall: m.mall) == cardId { return m.mall }
        }
        return nil
    }

    struct CardIdAnswer: Decodable { var card_id: String }

    /// `POST /card/create`: a MEMBER_CARD with points (supply_bonus), no stored value, the tier in custom_field1
    /// (名称类型 等级), activation by jumping to `activateUrl`. Keeps the returned card_id (audited).
    public func createCard(mall: String, actor: String) async throws -> String {
        let (card, oa) = try setup(mall)
        let missing = card.missingForCreate
        guard missing.isEmpty else {
            throw WechatCardProblem("MALLVIP_WECHAT_CONFIG: mall \(mall).card needs " + missing.map { "card.\($0)" }.joined(separator: ", ") + " to create the card")
        }
        var baseInfo: [String: Any] = [
            "logo_url": card.logoUrl!, "brand_name": card.brandName!, "title": card.title!, "color": card.color,
            "code_type": "CODE_TYPE_QRCODE", "notice": card.notice, "description": card.description,
            "date_info": ["type": "DATE_TYPE_PERMANENT"], "sku": ["quantity": 100_000_000], "get_limit": 1,
            "use_custom_code": false, "can_give_friend": false,
        ]
        if let phone = card.servicePhone { baseInfo["service_phone"] = phone }
        let body: [String: Any] = ["card": [
            "card_type": "MEMBER_CARD",
            "member_card": [
                "base_info": baseInfo,
                "prerogative": card.prerogative,
                "supply_bonus": true,
                "supply_balance": false,
                "activate_url": card.activateUrl!,
                "custom_field1": ["name_type": "FIELD_NAME_TYPE_LEVEL"],
            ] as [String: Any],
        ] as [String: Any]]
        let json = try JSONSerialization.data(withJSONObject: body, options: [.sortedKeys, .withoutEscapingSlashes])
        let api = services.api
        let answer = try await services.tokens.withToken(oa) { token in
            try await api.post("/card/create", query: [("access_token", token)], json: json, as: CardIdAnswer.self)
        }
        try await store.saveWechatCardType(mall: mall, appid: oa.appid, cardId: answer.card_id, actor: actor)
        return answer.card_id
    }

    public struct CardQRCode: Sendable, Decodable {
        public var ticket: String
        public var url: String?
        public var show_qrcode_url: String
    }

    /// `POST /card/qrcode/create` (QR_CARD, 30 minutes): the member scans it in WeChat and adds the card to 卡包;
    /// `outer_str` carries the member id, so the mall's statistics can tell which page it came from.
    public func qrcode(mall: String, memberId: Int64) async throws -> CardQRCode {
        let (_, oa) = try setup(mall)
        guard let cardId = try await cardId(mall: mall) else { throw WechatCardProblem("mall \(mall): the card is not created yet (card.cardId, or create it)") }
        let body: [String: Any] = ["action_name": "QR_CARD", "expire_seconds": 1800,
                                   "action_info": ["card": ["card_id": cardId, "is_unique_code": false, "outer_str": "m\(memberId)"]]]
        let json = try JSONSerialization.data(withJSONObject: body, options: [.sortedKeys])
        let api = services.api
        return try await services.tokens.withToken(oa) { token in
            try await api.post("/card/qrcode/create", query: [("access_token", token)], json: json, as: CardQRCode.self)
        }
    }

    struct CodeAnswer: Decodable { var code: String }
    struct Empty: Decodable {}

    /// The member tapped 激活 in 卡包: WeChat opened `activateUrl?card_id=…&encrypt_code=…&openid=…`. Decrypts the
    /// code (`/card/code/decrypt`), activates it with the member's card number, points and tier
    /// (`/card/membercard/activate`) and records it (from then on changes are pushed). Returns the card face.
    public func activate(memberId: Int64, cardId: String, encryptCode: String, openid: String?) async throws -> WechatCardFace {
        guard let mall = try await mall(cardId: cardId) else { throw WechatCardProblem("card_id \(cardId) is not a card of this system") }
        let (_, oa) = try setup(mall)
        let api = services.api
        let decrypt = try JSONSerialization.data(withJSONObject: ["encrypt_code": encryptCode])
        let code = try await services.tokens.withToken(oa) { token in
            try await api.post("/card/code/decrypt", query: [("access_token", token)], json: decrypt, as: CodeAnswer.self)
        }.code
        guard let face = try await store.wechatCardFace(memberId: memberId) else { throw WechatCardProblem("member \(memberId) does not exist") }
        let body: [String: Any] = ["membership_number": face.cardNo, "code": code, "card_id": cardId,
                                   "init_bonus": face.points, "init_custom_field_value1": face.tierName]
        let json = try JSONSerialization.data(withJSONObject: body, options: [.sortedKeys])
        _ = try await services.tokens.withToken(oa) { token in
            try await api.post("/card/membercard/activate", query: [("access_token", token)], json: json, as: Empty.self)
        }
        try await store.recordWechatCardActivation(mall: mall, memberId: memberId, cardId: cardId, code: code,
                                                   openid: openid.map { String($0.prefix(64)) }, face: face)
        return face
    }
}

/// Pushes queued card changes with `/card/membercard/updateuser`: the mall's official account token (refreshed once
/// on 40001/40014/42001), -1/45009/5xx/no answer retried, 40056 (invalid code) ends the card, anything else is dead.
public struct WechatCardHTTPSender: WechatCardPushSender {
    let services: WechatServices

    public init(services: WechatServices) { self.services = services }

    struct Answer: Decodable { var result_bonus: Int64? }

    public func push(_ call: WechatCardPush) async -> WechatCardPushOutcome {
        guard let oa = services.config.mall(call.mall)?.officialAccount else {
            return .retry("mall \(call.mall) has no officialAccount in MALLVIP_WECHAT_CONFIG")
        }
        let api = services.api
        let body = Data(call.body.utf8)
        do {
            _ = try await services.tokens.withToken(oa) { token in
                try await api.post("/card/membercard/updateuser", query: [("access_token", token)], json: body, as: Answer.self)
            }
            return .sent
        } catch let e as WechatAPIError {
            if e.errcode == 40056 { return .invalidCode(e.description) }
            return e.isTransient || e.isTokenRejected ? .retry(e.description) : .refused(e.description)
        } catch {
            return .retry(String(describing: type(of: error)))
        }
    }
}

/// The card push worker's timing, from the environment (operations, not programme): `MALLVIP_WECHAT_CARD_SYNC_INTERVAL`
/// (seconds between passes, default 5), `…_LEASE` (a push left `sending` longer goes again, default 60), `…_BACKOFF`
/// (first retry delay, doubling, default 30) and `…_MAX_ATTEMPTS` (then `dead`, default 8).
public struct WechatCardSyncConfig: Sendable, Equatable {
    public var interval: TimeInterval = 5
    public var lease: TimeInterval = Store.wechatCardSyncLeaseSeconds
    public var retry = WebhookRetryPolicy()

    public init() {}

    public static func fromEnvironment(_ env: [String: String]) throws -> WechatCardSyncConfig {
        let settings = EnvironmentSettings(env: env)
        var c = WechatCardSyncConfig()
        c.interval = try settings.seconds("MALLVIP_WECHAT_CARD_SYNC_INTERVAL", 0.2...3600) ?? c.interval
        c.lease = try settings.seconds("MALLVIP_WECHAT_CARD_SYNC_LEASE", 1...86_400) ?? c.lease
        c.retry.backoffSeconds = try settings.seconds("MALLVIP_WECHAT_CARD_SYNC_BACKOFF", 0.1...86_400) ?? c.retry.backoffSeconds
        c.retry.maxAttempts = try settings.integer("MALLVIP_WECHAT_CARD_SYNC_MAX_ATTEMPTS", 1...100) ?? c.retry.maxAttempts
        return c
    }
}

struct WechatCardSyncConfigKey: StorageKey { typealias Value = WechatCardSyncConfig }
struct WechatCardSenderKey: StorageKey { typealias Value = any WechatCardPushSender }

extension Application {
    public var wechatCardSyncConfig: WechatCardSyncConfig {
        get {
            if let c = storage[WechatCardSyncConfigKey.self] { return c }
            let c = (try? WechatCardSyncConfig.fromEnvironment(ProcessInfo.processInfo.environment)) ?? WechatCardSyncConfig()
            storage[WechatCardSyncConfigKey.self] = c
            return c
        }
        set { storage[WechatCardSyncConfigKey.self] = newValue }
    }

    /// Some mall has a card section (and WeChat is configured): the push worker runs.
    public var wechatCardEnabled: Bool { wechat?.config.malls.contains { $0.card != nil } ?? false }

    public var wechatCardService: WechatCardService? { wechat.map { WechatCardService(services: $0, store: store) } }

    /// The sender of this deployment (nil when WeChat is off); tests may put a fake here.
    public var wechatCardSender: (any WechatCardPushSender)? {
        get {
            if let s = storage[WechatCardSenderKey.self] { return s }
            return wechat.map { WechatCardHTTPSender(services: $0) }
        }
        set { storage[WechatCardSenderKey.self] = newValue }
    }

    /// Pushes every card change due now, pass after pass while passes come back full.
    @discardableResult
    public func deliverDueWechatCardSync(limit: Int = 50) async throws -> WechatCardSyncSummary {
        var total = WechatCardSyncSummary()
        guard let sender = wechatCardSender else { return total }
        let config = wechatCardSyncConfig
        while true {
            let s = try await store.deliverWechatCardSync(limit: limit, sender: sender, policy: config.retry, lease: config.lease)
            total.sent += s.sent
            total.retrying += s.retrying
            total.dead += s.dead
            total.recovered += s.recovered
            if s.handled < limit || Task.isCancelled { return total }
        }
    }
}
