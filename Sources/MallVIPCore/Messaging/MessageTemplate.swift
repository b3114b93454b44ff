import Foundation

/// What a template's placeholders are filled with for one member (docs/domain.md §7.1). Values a message does not
/// concern (no coupon, no expiring points) are empty.
public struct TemplateContext: Sendable, Equatable {
    public var name: String
    /// 先生/女士 from the member's gender; empty when unknown.
    public var title: String
    /// The effective tier's Chinese name.
    public var tier: String
    public var points: Int64
    public var expiringPoints: Int64
    public var expiryDate: LocalDate?
    public var store: String
    /// The member's account manager's display name, or the programme's default sender.
    public var sender: String
    public var couponName: String
    public var couponExpiry: LocalDate?
    /// The holiday a holiday greeting is for (春节, 中秋 …).
    public var holiday: String
    /// The code of the coupon a campaign attached for this member (issue 18); empty when none.
    public var couponCode: String = ""

    public init(name: String, title: String = "", tier: String = "", points: Int64 = 0, expiringPoints: Int64 = 0,
                expiryDate: LocalDate? = nil, store: String, sender: String, couponName: String = "",
                couponExpiry: LocalDate? = nil, holiday: String = "") {
        self.name = name
        self.title = title
        self.tier = tier
        self.points = points
        self.expiringPoints = expiringPoints
        self.expiryDate = expiryDate
        self.store = store
        self.sender = sender
        self.couponName = couponName
        self.couponExpiry = couponExpiry
        self.holiday = holiday
    }

    /// The text a placeholder stands for; nil for names that are not placeholders.
    public func value(of placeholder: String) -> String? {
        switch placeholder {
        case "name": name
        case "title": title
        case "tier": tier
        case "points": String(points)
        case "expiringPoints": String(expiringPoints)
        case "expiryDate": expiryDate.map(MessageTemplate.chineseDate) ?? ""
        case "store": store
        case "sender": sender
        case "couponName": couponName
        case "couponExpiry": couponExpiry.map(MessageTemplate.chineseDate) ?? ""
        case "holiday": holiday
        case "couponCode": couponCode
        default: nil
        }
    }
}

/// A message text with `{placeholder}`s, its purpose and channel. Pure: the store keeps templates, journeys and
/// campaigns render them with a member's `TemplateContext`, and `check` says everything wrong with one at once.
public struct MessageTemplate: Codable, Sendable, Equatable {
    public var code: String
    public var name: String
    public var purpose: MessagePurpose
    public var channel: MessageChannel
    /// E-mail subject; ignored for SMS and calls.
    public var subject: String?
    public var body: String
    public var active: Bool

    public init(code: String, name: String, purpose: MessagePurpose, channel: MessageChannel = .sms, subject: String? = nil,
                body: String, active: Bool = true) {
        self.code = code
        self.name = name
        self.purpose = purpose
        self.channel = channel
        self.subject = subject
        self.body = body
        self.active = active
    }

    public static let placeholders = ["name", "title", "tier", "points", "expiringPoints", "expiryDate", "store", "sender",
                                      "couponName", "couponExpiry", "holiday", "couponCode"]
    /// What every care message must end with (the store's name, then the sender's: docs/domain.md §7.1).
    public static let signature = "{store}{sender}"

    public func render(_ context: TemplateContext) -> String { Self.render(body, context) }
    public func renderSubject(_ context: TemplateContext) -> String? { subject.map { Self.render($0, context) } }

    /// Replaces each known `{placeholder}`; anything else (unknown names, lone braces) is left as written, which
    /// `check` refuses before a template is saved.
    public static func render(_ text: String, _ context: TemplateContext) -> String {
        var out = ""
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "{") {
            out += rest[..<open]
            let after = rest[rest.index(after: open)...]
            if let close = after.firstIndex(of: "}"), let value = context.value(of: String(after[..<close])) {
                out += value
                rest = after[after.index(after: close)...]
            } else {
                out += "{"
                rest = after
            }
        }
        return out + rest
    }

    /// Names written in braces, in order, and whether a brace is left unclosed.
    static func scan(_ text: String) -> (names: [String], unclosed: Bool) {
        var names: [String] = []
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "{") {
            let after = rest[rest.index(after: open)...]
            guard let close = after.firstIndex(of: "}") else { return (names, true) }
            names.append(String(after[..<close]))
            rest = after[after.index(after: close)...]
        }
        return (names, false)
    }

    /// Every problem with this template for `purpose` (default its own) under `policy`, empty when it may be saved:
    /// unknown placeholders and unclosed braces anywhere; for care messages, promotional words (docs/domain.md §7.1: wishes
    /// only, no promotions, no new arrivals), coupon placeholders (a coupon's name is an offer) and a body that
    /// does not end with the store and sender signature.
    public func check(purpose: MessagePurpose? = nil, policy: MessagingPolicy) -> [DomainError] {
        let purpose = purpose ?? self.purpose
        var errors: [DomainError] = []
        var texts: [(field: String, text: String)] = [("body", body)]
        if let subject, !subject.isEmpty { texts.append(("subject", subject)) }
        if body.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            errors.append(.invalid("body", "template.body.required", zh: "请填写消息内容", en: "The message text is required"))
        }
        for (field, text) in texts {
            let (names, unclosed) = Self.scan(text)
            for name in names where !Self.placeholders.contains(name) {
                errors.append(.invalid(field, "template.placeholder.unknown",
                    zh: "未知的占位符 {\(name)}；可用：\(Self.placeholders.map { "{\($0)}" }.joined(separator: " "))",
                    en: "Unknown placeholder {\(name)}; known: \(Self.placeholders.map { "{\($0)}" }.joined(separator: " "))"))
            }
            if unclosed {
                errors.append(.invalid(field, "template.placeholder.unclosed", zh: "“{” 没有对应的 “}”", en: "A “{” is not closed by “}”"))
            }
            guard purpose == .care else { continue }
            let found = policy.promotionalWords.filter { !$0.isEmpty && text.localizedCaseInsensitiveContains($0) }
            if !found.isEmpty {
                errors.append(.invalid(field, "template.care.promotional",
                    zh: "关怀短信不得含促销内容：\(found.joined(separator: "、"))",
                    en: "A care message may not promote anything; found: \(found.joined(separator: ", "))"))
            }
            let coupons = names.filter { $0 == "couponName" || $0 == "couponExpiry" || $0 == "couponCode" }
            if !coupons.isEmpty {
                errors.append(.invalid(field, "template.care.coupon", zh: "关怀短信不得提及礼券",
                                       en: "A care message may not mention a coupon"))
            }
        }
        if purpose == .care && !endsWithSignature(policy: policy) {
            errors.append(.invalid("body", "template.care.signature",
                zh: "关怀短信须以商场名和发送人署名结尾（{store}{sender}，即“\(policy.storeName)”加维护人姓名）",
                en: "A care message must end with the store and sender signature ({store}{sender})"))
        }
        return errors
    }

    /// The body ends with `{store}{sender}`, or with the store name written out, followed by `{sender}` or the
    /// default sender written out (a message that always signs as the VIP centre).
    public func endsWithSignature(policy: MessagingPolicy) -> Bool {
        let text = body.trimmingCharacters(in: .whitespacesAndNewlines)
        let stores = ["{store}", policy.storeName].filter { !$0.isEmpty }
        let senders = ["{sender}", policy.defaultSender].filter { !$0.isEmpty }
        return stores.contains { s in senders.contains { text.hasSuffix(s + $0) } }
    }

    /// "2026年12月31日": dates as a Chinese SMS writes them.
    public static func chineseDate(_ d: LocalDate) -> String { "\(d.year)年\(d.month)月\(d.day)日" }
}
