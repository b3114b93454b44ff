/// How the VIP centre may contact members (docs/domain.md §7): what an SMS costs, when SMS may not go out, how many
/// marketing messages a member may get per week, the control-group share, the margin used for campaign ROI, and
/// the words a care message must not contain. Gateways and credentials are deployment settings (environment), not
/// programme rules.
public struct MessagingPolicy: Codable, Sendable, Equatable {
    /// Store name every care message ends with (e.g. "【成都尚峰百货】").
    public var storeName: String
    /// Sender signature used when no account manager signs (e.g. "VIP中心").
    public var defaultSender: String
    public var smsCostFen: Int64
    /// Cost of one e-mail (usually 0) and of one call task (staff time, if a mall wants to count it).
    public var emailCostFen: Int64
    public var callCostFen: Int64
    /// Cost of one WeChat subscription message (`wechatCost`, yuan; WeChat charges nothing, so 0 unless a mall counts
    /// a platform fee). Kept out of the encoded programme while 0, so existing programme files read back unchanged.
    public var wechatCostFen: Int64 = 0
    /// No SMS from `quietFrom` until `quietTo` (local time, minutes after midnight); deferred, never dropped.
    public var quietFromMinute: Int
    public var quietToMinute: Int
    /// Marketing messages per member per rolling 7 days (0 = no cap). Care and service messages are not capped.
    public var weeklyMarketingCap: Int
    /// Default control-group share for campaigns and journeys, per mille (100 = 10%).
    public var defaultHoldoutPermille: Int
    /// Gross margin on incremental spend for campaign ROI, per mille (300 = 30%).
    public var marginPermille: Int
    /// A care template (birthday, holiday, season, miss-you) containing any of these is refused.
    public var promotionalWords: [String]
    /// SMS replies that opt the member out of SMS.
    public var optOutKeywords: [String]
    /// Delivery attempts before a message is marked failed, and the first retry delay (doubling each time).
    public var maxAttempts: Int
    public var retryBaseSeconds: Int

    public init(storeName: String = "【尚峰百货】", defaultSender: String = "VIP中心", smsCostFen: Int64 = 5, emailCostFen: Int64 = 0,
                callCostFen: Int64 = 0, quietFromMinute: Int = 21 * 60, quietToMinute: Int = 9 * 60, weeklyMarketingCap: Int = 2,
                defaultHoldoutPermille: Int = 100, marginPermille: Int = 300,
                promotionalWords: [String] = MessagingPolicy.defaultPromotionalWords,
                optOutKeywords: [String] = ["TD", "T", "退订"], maxAttempts: Int = 5, retryBaseSeconds: Int = 60) {
        self.storeName = storeName
        self.defaultSender = defaultSender
        self.smsCostFen = smsCostFen
        self.emailCostFen = emailCostFen
        self.callCostFen = callCostFen
        self.quietFromMinute = quietFromMinute
        self.quietToMinute = quietToMinute
        self.weeklyMarketingCap = weeklyMarketingCap
        self.defaultHoldoutPermille = defaultHoldoutPermille
        self.marginPermille = marginPermille
        self.promotionalWords = promotionalWords
        self.optOutKeywords = optOutKeywords
        self.maxAttempts = maxAttempts
        self.retryBaseSeconds = retryBaseSeconds
    }

    /// What care messages must avoid (docs/domain.md §7.1: greetings carry wishes only): promotions, discounts, new arrivals.
    public static let defaultPromotionalWords = ["活动", "优惠", "折", "新品", "促销", "特价", "满减", "上新", "买赠", "抢购"]

    enum CodingKeys: String, CodingKey {
        case storeName, defaultSender, smsCost, emailCost, callCost, wechatCost, quietHours, weeklyMarketingCap, defaultHoldout, margin
        case promotionalWords, optOutKeywords, maxAttempts, retryBaseSeconds
    }
    struct QuietHours: Codable { var from: String; var to: String }

    public init(from decoder: Decoder) throws {
        let d = MessagingPolicy()
        let c = try decoder.container(keyedBy: CodingKeys.self)
        storeName = try c.decodeIfPresent(String.self, forKey: .storeName) ?? d.storeName
        defaultSender = try c.decodeIfPresent(String.self, forKey: .defaultSender) ?? d.defaultSender
        smsCostFen = try c.decodeIfPresent(YuanValue.self, forKey: .smsCost)?.fen ?? d.smsCostFen
        emailCostFen = try c.decodeIfPresent(YuanValue.self, forKey: .emailCost)?.fen ?? d.emailCostFen
        callCostFen = try c.decodeIfPresent(YuanValue.self, forKey: .callCost)?.fen ?? d.callCostFen
        wechatCostFen = try c.decodeIfPresent(YuanValue.self, forKey: .wechatCost)?.fen ?? d.wechatCostFen
        if let q = try c.decodeIfPresent(QuietHours.self, forKey: .quietHours) {
            guard let f = Self.minute(q.from), let t = Self.minute(q.to) else {
                throw DecodingError.dataCorrupted(.init(codingPath: c.codingPath + [CodingKeys.quietHours],
                    debugDescription: "expected times HH:MM, got \(q.from) and \(q.to)"))
            }
            quietFromMinute = f
            quietToMinute = t
        } else {
            quietFromMinute = d.quietFromMinute
            quietToMinute = d.quietToMinute
        }
        weeklyMarketingCap = try c.decodeIfPresent(Int.self, forKey: .weeklyMarketingCap) ?? d.weeklyMarketingCap
        defaultHoldoutPermille = try c.decodeIfPresent(PercentValue.self, forKey: .defaultHoldout)?.permille ?? d.defaultHoldoutPermille
        marginPermille = try c.decodeIfPresent(PercentValue.self, forKey: .margin)?.permille ?? d.marginPermille
        promotionalWords = try c.decodeIfPresent([String].self, forKey: .promotionalWords) ?? d.promotionalWords
        optOutKeywords = try c.decodeIfPresent([String].self, forKey: .optOutKeywords) ?? d.optOutKeywords
        maxAttempts = try c.decodeIfPresent(Int.self, forKey: .maxAttempts) ?? d.maxAttempts
        retryBaseSeconds = try c.decodeIfPresent(Int.self, forKey: .retryBaseSeconds) ?? d.retryBaseSeconds
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(storeName, forKey: .storeName)
        try c.encode(defaultSender, forKey: .defaultSender)
        try c.encode(YuanValue(fen: smsCostFen), forKey: .smsCost)
        try c.encode(YuanValue(fen: emailCostFen), forKey: .emailCost)
        try c.encode(YuanValue(fen: callCostFen), forKey: .callCost)
        if wechatCostFen != 0 { try c.encode(YuanValue(fen: wechatCostFen), forKey: .wechatCost) }
        try c.encode(QuietHours(from: Self.clock(quietFromMinute), to: Self.clock(quietToMinute)), forKey: .quietHours)
        try c.encode(weeklyMarketingCap, forKey: .weeklyMarketingCap)
        try c.encode(PercentValue(permille: defaultHoldoutPermille), forKey: .defaultHoldout)
        try c.encode(PercentValue(permille: marginPermille), forKey: .margin)
        try c.encode(promotionalWords, forKey: .promotionalWords)
        try c.encode(optOutKeywords, forKey: .optOutKeywords)
        try c.encode(maxAttempts, forKey: .maxAttempts)
        try c.encode(retryBaseSeconds, forKey: .retryBaseSeconds)
    }

    /// "21:00" → 1260.
    public static func minute(_ text: String) -> Int? {
        let parts = text.split(separator: ":")
        guard parts.count == 2, let h = Int(parts[0]), let m = Int(parts[1]), (0...23).contains(h), (0...59).contains(m) else { return nil }
        return h * 60 + m
    }
    public static func clock(_ minute: Int) -> String {
        let h = minute / 60, m = minute % 60
        return (h < 10 ? "0" : "") + "\(h):" + (m < 10 ? "0" : "") + "\(m)"
    }

    /// Whether `minuteOfDay` (local) falls in the quiet hours; the span may wrap past midnight (21:00–09:00).
    public func isQuiet(minuteOfDay m: Int) -> Bool {
        if quietFromMinute == quietToMinute { return false }
        return quietFromMinute < quietToMinute ? (m >= quietFromMinute && m < quietToMinute)
                                               : (m >= quietFromMinute || m < quietToMinute)
    }
}

/// A percentage in YAML ("10%", "10", "2.5%"), held per mille.
public struct PercentValue: Codable, Sendable, Equatable {
    public var permille: Int
    public init(permille: Int) { self.permille = permille }
    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        var text: String
        if let s = try? c.decode(String.self) { text = s } else { text = String(try c.decode(Int.self)) }
        text = text.trimmingCharacters(in: .whitespaces)
        if text.hasSuffix("%") { text.removeLast() }
        // "2.5" percent = 250 hundredths = 25 per mille, through the exact decimal parser.
        guard let hundredths = Money.parseYuan(text), hundredths >= 0, hundredths <= 10_000, hundredths % 10 == 0 else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                debugDescription: "expected a percentage between 0% and 100% with at most one decimal, got \(text)"))
        }
        permille = Int(hundredths / 10)
    }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(permille % 10 == 0 ? "\(permille / 10)%" : "\(permille / 10).\(permille % 10)%")
    }
}

import Foundation
