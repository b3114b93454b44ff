import Foundation

/// The mall's membership card in 卡包 (issue 22d, docs/wechat.md "The card in 卡包"). The card belongs to the mall's
/// official account (服务号, `officialAccount` must be configured): its token creates the card, makes the QR codes,
/// decrypts and activates codes and pushes points and tier.
///
///     "card": { "cardId": "pXXXX…",                      // the card made in the 公众号 admin (else: create it)
///               "brandName": "星河广场", "title": "星河会员卡", "logoUrl": "https://mmbiz.qpic.cn/…",
///               "color": "Color010", "notice": "出示会员卡", "description": "…", "prerogative": "…",
///               "servicePhone": "400…", "activateUrl": "https://vip.example.com/m/card/wechat" }
///
/// Every key is optional; `cardId` or the create fields (`brandName`, `title`, `logoUrl`, `activateUrl`) are
/// needed before a member can add the card. Limits are WeChat's (brand_name ≤ 12 characters, title ≤ 9, notice ≤ 16).
public struct WechatCardConfig: Sendable {
    /// A card_id from the 公众号 admin; wins over one created through MallVIP.
    public var cardId: String?
    public var brandName: String?
    public var title: String?
    /// A logo uploaded to WeChat (`/cgi-bin/media/uploadimg` gives an mmbiz.qpic.cn URL).
    public var logoUrl: String?
    /// One of WeChat's card colours Color010 … Color100.
    public var color: String = "Color010"
    public var notice: String = "使用时向服务员出示此卡"
    public var description: String = "会员积分与等级以商场会员系统为准"
    public var prerogative: String = "会员积分、等级礼遇"
    public var servicePhone: String?
    /// Where WeChat sends a member who taps 激活 (MallVIP's /m/card/wechat page): it appends card_id, encrypt_code, openid.
    public var activateUrl: String?

    public init(cardId: String? = nil) { self.cardId = cardId }

    /// What `/card/create` still needs (field names as in the file); empty = the card can be created.
    public var missingForCreate: [String] {
        [("brandName", brandName), ("title", title), ("logoUrl", logoUrl), ("activateUrl", activateUrl)].filter { $0.1 == nil }.map(\.0)
    }

    static func parse(_ o: [String: Any], at: String, reader: WechatConfigReader) throws -> WechatCardConfig {
        let known: Set<String> = ["cardId", "brandName", "title", "logoUrl", "color", "notice", "description", "prerogative",
                                  "servicePhone", "activateUrl"]
        if let unknown = o.keys.sorted().first(where: { !known.contains($0) }) {
            throw reader.fail("\(at).\(unknown)", "is not a card key (\(known.sorted().joined(separator: ", ")))")
        }
        func text(_ key: String, max: Int, pattern: String? = nil, rule: String? = nil) throws -> String? {
            guard o[key] != nil else { return nil }
            let r = rule ?? "must be text of 1 to \(max) characters"
            let s = try reader.string(o, key, at: at, pattern: pattern, rule: r)
            guard s.count <= max else { throw reader.fail("\(at).\(key)", r) }
            return s
        }
        var c = WechatCardConfig()
        c.cardId = try text("cardId", max: 64, pattern: "^[A-Za-z0-9_-]{8,64}$", rule: "must be a card_id (letters, digits, - or _)")
        c.brandName = try text("brandName", max: 12)
        c.title = try text("title", max: 9)
        c.logoUrl = try reader.url(o, "logoUrl", at: at)
        c.color = try text("color", max: 8, pattern: "^Color(0[1-9]0|100)$", rule: "must be one of WeChat's colours Color010 … Color100") ?? c.color
        c.notice = try text("notice", max: 16) ?? c.notice
        c.description = try text("description", max: 200) ?? c.description
        c.prerogative = try text("prerogative", max: 200) ?? c.prerogative
        c.servicePhone = try text("servicePhone", max: 24, pattern: "^[0-9+ -]{3,24}$", rule: "must be a phone number (digits, +, - or spaces)")
        c.activateUrl = try reader.url(o, "activateUrl", at: at)
        return c
    }
}
