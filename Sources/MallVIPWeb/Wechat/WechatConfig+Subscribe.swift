import Foundation
import MallVIPCore

/// Subscription-message (订阅消息) templates of a mall's mini-program (issue 22, part c; docs/wechat.md
/// "Subscription messages"). Messages go by the mall's `miniProgram` app to the member's mini-program openid.
///
///     "subscribe": { "miniprogramState": "formal", "lang": "zh_CN", "timeZone": "Asia/Shanghai",
///                    "templates": [ { "templateId": "T-points…", "templateCodes": ["points_expiring"],
///                                     "purposes": ["service"], "page": "pages/card/index",
///                                     "fields": { "thing1": "{title}", "thing2": "{body}", "time3": "{time}" } } ] }
///
/// A message finds its template by its template code first, then by its purpose; none → it goes by SMS. Field values
/// are the placeholders {title} (the message's subject, else its first line), {body}, {date}, {time}, {purpose} or
/// fixed text, formatted by the keyword's kind as WeChat requires (thing ≤ 20 characters, cut with "…"; time
/// "2026年12月7日 21:30"; number digits …). Problems name the field, e.g. `malls[0].subscribe.templates[1].fields.time3`.
public struct WechatSubscribeConfig: Sendable {
    public struct Template: Sendable, Equatable {
        public var templateId: String
        public var templateCodes: [String]
        public var purposes: [MessagePurpose]
        public var page: String?
        /// keyword ("thing1") → value template ("{title}"), in keyword order.
        public var fields: [(String, String)]

        public static func == (a: Template, b: Template) -> Bool {
            a.templateId == b.templateId && a.templateCodes == b.templateCodes && a.purposes == b.purposes && a.page == b.page
                && a.fields.map(\.0) == b.fields.map(\.0) && a.fields.map(\.1) == b.fields.map(\.1)
        }
    }

    public var templates: [Template]
    /// developer | trial | formal (WeChat's miniprogram_state).
    public var miniprogramState: String
    public var lang: String
    public var timeZone: TimeZone

    public init(templates: [Template] = [], miniprogramState: String = "formal", lang: String = "zh_CN",
                timeZone: TimeZone = TimeZone(identifier: "Asia/Shanghai")!) {
        self.templates = templates
        self.miniprogramState = miniprogramState
        self.lang = lang
        self.timeZone = timeZone
    }

    /// The template for a message: by template code, else by purpose.
    public func template(purpose: MessagePurpose, templateCode: String?) -> Template? {
        if let templateCode, let t = templates.first(where: { $0.templateCodes.contains(templateCode) }) { return t }
        return templates.first { $0.purposes.contains(purpose) }
    }

    public func template(id: String) -> Template? { templates.first { $0.templateId == id } }

    static let placeholders: Set<String> = ["{title}", "{body}", "{date}", "{time}", "{purpose}"]

    static func parse(_ o: [String: Any], at: String, reader: WechatConfigReader) throws -> WechatSubscribeConfig {
        var c = WechatSubscribeConfig()
        if o["miniprogramState"] != nil {
            c.miniprogramState = try reader.string(o, "miniprogramState", at: at, pattern: "^(developer|trial|formal)$",
                                                   rule: "must be developer, trial or formal")
        }
        if o["lang"] != nil {
            c.lang = try reader.string(o, "lang", at: at, pattern: "^(zh_CN|en_US|zh_HK|zh_TW)$", rule: "must be zh_CN, en_US, zh_HK or zh_TW")
        }
        if o["timeZone"] != nil {
            let name = try reader.string(o, "timeZone", at: at, rule: "must be a time zone name (Asia/Shanghai)")
            guard let tz = TimeZone(identifier: name) else { throw reader.fail("\(at).timeZone", "must be a time zone name (Asia/Shanghai)") }
            c.timeZone = tz
        }
        guard let list = o["templates"] as? [[String: Any]], !list.isEmpty, list.count <= 50 else {
            throw reader.fail("\(at).templates", "must be a list of 1 to 50 template objects")
        }
        for (i, t) in list.enumerated() {
            let here = "\(at).templates[\(i)]"
            let id = try reader.string(t, "templateId", at: here, pattern: "^[A-Za-z0-9_-]{1,128}$",
                                       rule: "must be the template id from the mini-program admin (letters, digits, - and _)")
            if c.templates.contains(where: { $0.templateId == id }) { throw reader.fail("\(here).templateId", "appears twice") }
            guard let codes = (t["templateCodes"] ?? [String]()) as? [String], codes.allSatisfy({ !$0.isEmpty && $0.count <= 64 }) else {
                throw reader.fail("\(here).templateCodes", "must be a list of MallVIP template codes")
            }
            guard let purposeNames = (t["purposes"] ?? [String]()) as? [String] else {
                throw reader.fail("\(here).purposes", "must be a list of care, marketing or service")
            }
            var purposes: [MessagePurpose] = []
            for p in purposeNames {
                guard let v = MessagePurpose(rawValue: p) else { throw reader.fail("\(here).purposes", "must be a list of care, marketing or service") }
                purposes.append(v)
            }
            if codes.isEmpty && purposes.isEmpty { throw reader.fail("\(here)", "needs templateCodes or purposes (which messages use it)") }
            var page: String? = nil
            if t["page"] != nil {
                page = try reader.string(t, "page", at: here, pattern: "^[A-Za-z0-9_/.?=&%-]{1,128}$",
                                         rule: "must be a page path of the mini-program (pages/index?x=1)")
            }
            guard let fieldObject = t["fields"] as? [String: Any], !fieldObject.isEmpty, fieldObject.count <= 20 else {
                throw reader.fail("\(here).fields", "must be an object of keyword → value (\"thing1\": \"{title}\")")
            }
            var fields: [(String, String)] = []
            for (keyword, v) in fieldObject.sorted(by: { $0.key < $1.key }) {
                let name = "\(here).fields.\(keyword)"
                guard let kind = SubscribeValueKind(keyword: keyword) else {
                    throw reader.fail(name, "is not a WeChat keyword (thing1, time2, number3, phrase4, name5, date6 …)")
                }
                guard let value = v as? String, !value.isEmpty, value.count <= 200 else { throw reader.fail(name, "must be text") }
                if let problem = kind.configProblem(value) { throw reader.fail(name, problem) }
                fields.append((keyword, value))
            }
            c.templates.append(Template(templateId: id, templateCodes: codes, purposes: purposes, page: page, fields: fields))
        }
        return c
    }
}

/// The kinds of WeChat template keywords and their value rules (订阅消息参数值内容限制).
public enum SubscribeValueKind: String, Sendable, CaseIterable {
    case thing, number, letter, symbol, character_string, time, date, amount, phone_number, car_number, name, phrase

    /// "thing12" → .thing, "character_string3" → .character_string.
    public init?(keyword: String) {
        guard let m = keyword.range(of: "^[a-z_]+(?=[0-9]{1,3}$)", options: .regularExpression) else { return nil }
        self.init(rawValue: String(keyword[m]))
    }

    /// Kinds whose value cannot come from free text: only fixed text (checked here) or {date}/{time}.
    var needsFixedOrClock: Bool { ![.thing, .character_string, .name].contains(self) }

    func configProblem(_ value: String) -> String? {
        let usesPlaceholder = value.contains("{")
        switch self {
        case .time, .date:
            if value == "{date}" || value == "{time}" { return nil }
            return usesPlaceholder ? "must be {date}, {time} or a fixed date" : (Self.checkFixed(self, value) ? nil : "must be a date like 2026年12月7日 (time: 21:30)")
        default:
            if usesPlaceholder {
                if needsFixedOrClock { return "must be fixed text for a \(rawValue) keyword (no placeholders)" }
                var rest = value
                for p in WechatSubscribeConfig.placeholders { rest = rest.replacingOccurrences(of: p, with: "") }
                if rest.contains("{") { return "uses an unknown placeholder (known: {title}, {body}, {date}, {time}, {purpose})" }
                return nil
            }
            return Self.checkFixed(self, value) ? nil : "does not satisfy WeChat's rule for \(rawValue): \(ruleText)"
        }
    }

    var ruleText: String {
        switch self {
        case .thing: "20 characters at most"
        case .number: "digits, optionally with decimals (32 at most)"
        case .letter: "letters (32 at most)"
        case .symbol: "symbols (5 at most)"
        case .character_string: "letters, digits or symbols (32 at most)"
        case .time: "24-hour time, optionally with the date (2026年12月7日 21:30)"
        case .date: "a date (2026年12月7日), optionally with the time"
        case .amount: "a currency sign and 10 digits at most, optionally ending in 元"
        case .phone_number: "digits and symbols (17 at most)"
        case .car_number: "a car plate (8 at most)"
        case .name: "10 Chinese or 20 Latin characters at most"
        case .phrase: "5 Chinese characters at most"
        }
    }

    static func checkFixed(_ kind: SubscribeValueKind, _ v: String) -> Bool {
        func m(_ p: String) -> Bool { v.range(of: p, options: .regularExpression) != nil }
        switch kind {
        case .thing: return v.count <= 20
        case .number: return v.count <= 32 && m("^[0-9]+(\\.[0-9]+)?$")
        case .letter: return v.count <= 32 && m("^[A-Za-z]+$")
        case .symbol: return v.count <= 5 && !m("[A-Za-z0-9\\p{Han}]")
        case .character_string: return v.count <= 32 && !m("[\\p{Han}\\s]")
        case .time: return m("^([0-9]{4}年[0-9]{1,2}月[0-9]{1,2}日 )?[0-9]{1,2}:[0-9]{2}(~([0-9]{4}年[0-9]{1,2}月[0-9]{1,2}日 )?[0-9]{1,2}:[0-9]{2})?$")
        case .date: return m("^[0-9]{4}年[0-9]{1,2}月[0-9]{1,2}日( [0-9]{1,2}:[0-9]{2})?(~[0-9]{4}年[0-9]{1,2}月[0-9]{1,2}日( [0-9]{1,2}:[0-9]{2})?)?$")
        case .amount: return m("^[¥￥$]?[0-9]{1,10}(\\.[0-9]{1,2})?元?$")
        case .phone_number: return v.count <= 17 && m("^[0-9+()\\- ]+$")
        case .car_number: return v.count <= 8 && m("^[\\p{Han}A-Z0-9][A-Z0-9]*[\\p{Han}A-Z0-9]?$")
        case .name: return m("^\\p{Han}{1,10}$") || (v.count <= 20 && !m("\\p{Han}")) || (v.count <= 10)
        case .phrase: return m("^\\p{Han}{1,5}$")
        }
    }

    /// A rendered value made to fit: text kinds are cut ("…" as the last character), others are sent as they are
    /// (the config check made sure they fit).
    func fit(_ v: String) -> String {
        let flat = v.replacingOccurrences(of: "\n", with: " ").trimmingCharacters(in: .whitespaces)
        let limit: Int? = switch self {
        case .thing: 20
        case .character_string: 32
        case .name: 10
        default: nil
        }
        guard let limit, flat.count > limit else { return flat.isEmpty ? "-" : flat }
        return String(flat.prefix(limit - 1)) + "…"
    }
}
