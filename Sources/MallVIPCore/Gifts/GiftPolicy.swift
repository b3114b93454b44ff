/// Gifts handed over with a record (issue 18, docs/domain.md §6.5–6.6, docs/programme.md `gifts`). Each gift in
/// `items` makes entitlements (one per member and period) that the daily job writes; the desk hands them over once,
/// unclaimed ones expire after `validityDays`. Where the seeds name a gift the default follows them: 生日礼品 for every
/// tier (003 art.5, 002 §G), a quarterly gift for diamond and purple (003 art.5 "钻石卡每季度赠送礼品一份"), the
/// November return gift, one per card in the 2F VIP room (002 §F 回门赠礼), a souvenir for an event's guests (002 §F),
/// and a gift on activating a community card in the VIP room (002 §F). The seeds give no prices: the costs are
/// placeholders a planner sets.
public struct GiftPolicy: Codable, Sendable, Equatable {
    public var items: [GiftDefinition]
    /// How many days back the daily job still issues an event souvenir for a check-in or an activation gift for a
    /// card activation (a job that did not run for a few days catches up; the unique key keeps it to one). 0–60.
    public var catchUpDays: Int = 7

    public init(items: [GiftDefinition] = GiftPolicy.defaultItems, catchUpDays: Int = 7) {
        self.items = items
        self.catchUpDays = catchUpDays
    }

    enum CodingKeys: String, CodingKey { case items, catchUpDays }
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        items = try c.decodeIfPresent([GiftDefinition].self, forKey: .items) ?? GiftPolicy.defaultItems
        catchUpDays = try c.decodeIfPresent(Int.self, forKey: .catchUpDays) ?? 7
    }

    public static let defaultItems: [GiftDefinition] = [
        GiftDefinition(code: "birthday", kind: .birthday, name: LocalizedName(zh: "生日礼品", en: "Birthday gift"),
                       validityDays: 31, costFen: 3000),
        GiftDefinition(code: "quarterly", kind: .quarterly, name: LocalizedName(zh: "季度礼品", en: "Quarterly gift"),
                       tiers: ["diamond", "purple"], validityDays: 90, costFen: 10000),
        GiftDefinition(code: "returnGift", kind: .returnGift, name: LocalizedName(zh: "店庆回门礼", en: "Anniversary return gift"),
                       collectAt: "2F 贵宾室 · 2F VIP room", validityDays: 30, costFen: 2000, from: MonthDayText(month: 11, day: 1),
                       to: MonthDayText(month: 11, day: 30)),
        GiftDefinition(code: "eventSouvenir", kind: .eventSouvenir, name: LocalizedName(zh: "活动纪念品", en: "Event souvenir"),
                       validityDays: 14, costFen: 1000),
        GiftDefinition(code: "activation", kind: .activation, name: LocalizedName(zh: "开卡礼", en: "Card activation gift"),
                       collectAt: "2F 贵宾室 · 2F VIP room", validityDays: 30, costFen: 1000),
    ]

    public func item(_ code: String) -> GiftDefinition? { items.first { $0.code == code } }

    public func validationErrors(path: String) -> [(String, String)] {
        var out: [(String, String)] = []
        if items.count > 50 { out.append(("\(path).items", "at most 50 gifts")) }
        if !(0...60).contains(catchUpDays) { out.append(("\(path).catchUpDays", "must be between 0 and 60")) }
        var seen = Set<String>()
        for (i, g) in items.enumerated() {
            let p = "\(path).items[\(i)]"
            if !seen.insert(g.code).inserted { out.append(("\(p).code", "must be unique (\(g.code) appears twice)")) }
            out += g.validationErrors(path: p)
        }
        return out
    }
}

/// What kind of occasion makes a gift due; the kind decides the period an entitlement is unique in.
public enum GiftKind: String, Codable, Sendable, CaseIterable {
    /// Once a year: in the birthday month, or from `birthdayDaysAround` days before the birthday.
    case birthday
    /// Once per calendar quarter per member of the gift's tiers.
    case quarterly
    /// Once a year to every member of the gift's tiers while the date range `from`…`to` lasts (November 店庆).
    case returnGift
    /// Once per event to each member who checked in at it.
    case eventSouvenir
    /// Once per member, on activating a pre-issued (community) card.
    case activation

    public var label: LocalizedName {
        switch self {
        case .birthday: LocalizedName(zh: "生日", en: "Birthday")
        case .quarterly: LocalizedName(zh: "每季度", en: "Quarterly")
        case .returnGift: LocalizedName(zh: "回门礼", en: "Return gift")
        case .eventSouvenir: LocalizedName(zh: "活动纪念品", en: "Event souvenir")
        case .activation: LocalizedName(zh: "开卡", en: "Card activation")
        }
    }
}

/// "11-01" in YAML: a day of every year.
public struct MonthDayText: Codable, Sendable, Equatable {
    public var month: Int
    public var day: Int
    public init(month: Int, day: Int) { self.month = month; self.day = day }
    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        let text = try c.decode(String.self)
        let parts = text.split(separator: "-")
        guard parts.count == 2, let m = Int(parts[0]), let d = Int(parts[1]), (1...12).contains(m),
              (1...LocalDate.daysIn(year: 2024, month: m)).contains(d) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "expected MM-DD, got \(text)"))
        }
        self.init(month: m, day: d)
    }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
    public var description: String {
        (month < 10 ? "0" : "") + String(month) + "-" + (day < 10 ? "0" : "") + String(day)
    }
    /// This day in `year` (29 Feb in a common year is 28 Feb).
    public func date(in year: Int) -> LocalDate {
        LocalDate(year: year, month: month, day: min(day, LocalDate.daysIn(year: year, month: month)))
    }
}

public struct GiftDefinition: Codable, Sendable, Equatable {
    /// Unique within the programme; entitlements keep it, so renaming a code starts new periods.
    public var code: String
    public var kind: GiftKind
    public var name: LocalizedName
    /// Tier codes whose members get it; empty = every tier.
    public var tiers: [String]
    /// Where it is collected (shown to the member and the desk).
    public var collectAt: String
    /// Days an entitlement stays open from the day it is issued (1–366); a return gift also ends with its range.
    public var validityDays: Int
    /// What one handed-over gift costs the programme, in fen (programme economics).
    public var costFen: Int64
    /// Pieces each mall starts with; nil = not counted. The desk cannot hand over below zero.
    public var stock: Int?
    /// Birthday only: nil = the birthday month; N = from N days before the birthday (0–31).
    public var birthdayDaysAround: Int?
    /// Return gift only: the yearly date range.
    public var from: MonthDayText?
    public var to: MonthDayText?

    public init(code: String, kind: GiftKind, name: LocalizedName, tiers: [String] = [], collectAt: String = "服务台 · Service desk",
                validityDays: Int = 30, costFen: Int64 = 0, stock: Int? = nil, birthdayDaysAround: Int? = nil,
                from: MonthDayText? = nil, to: MonthDayText? = nil) {
        self.code = code
        self.kind = kind
        self.name = name
        self.tiers = tiers
        self.collectAt = collectAt
        self.validityDays = validityDays
        self.costFen = costFen
        self.stock = stock
        self.birthdayDaysAround = birthdayDaysAround
        self.from = from
        self.to = to
    }

    enum CodingKeys: String, CodingKey { case code, kind, name, tiers, collectAt, validityDays, cost, stock, birthdayDaysAround, from, to }
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let kind = try c.decode(GiftKind.self, forKey: .kind)
        let d = GiftPolicy.defaultItems.first { $0.kind == kind }
        self.init(code: try c.decodeIfPresent(String.self, forKey: .code) ?? kind.rawValue, kind: kind,
                  name: try c.decodeIfPresent(LocalizedName.self, forKey: .name) ?? d?.name ?? kind.label,
                  tiers: try c.decodeIfPresent([String].self, forKey: .tiers) ?? [],
                  collectAt: try c.decodeIfPresent(String.self, forKey: .collectAt) ?? "服务台 · Service desk",
                  validityDays: try c.decodeIfPresent(Int.self, forKey: .validityDays) ?? 30,
                  costFen: try c.decodeIfPresent(YuanValue.self, forKey: .cost)?.fen ?? 0,
                  stock: try c.decodeIfPresent(Int.self, forKey: .stock),
                  birthdayDaysAround: try c.decodeIfPresent(Int.self, forKey: .birthdayDaysAround),
                  from: try c.decodeIfPresent(MonthDayText.self, forKey: .from) ?? (kind == .returnGift ? d?.from : nil),
                  to: try c.decodeIfPresent(MonthDayText.self, forKey: .to) ?? (kind == .returnGift ? d?.to : nil))
    }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(code, forKey: .code)
        try c.encode(kind, forKey: .kind)
        try c.encode(name, forKey: .name)
        try c.encode(tiers, forKey: .tiers)
        try c.encode(collectAt, forKey: .collectAt)
        try c.encode(validityDays, forKey: .validityDays)
        try c.encode(YuanValue(fen: costFen), forKey: .cost)
        try c.encodeIfPresent(stock, forKey: .stock)
        try c.encodeIfPresent(birthdayDaysAround, forKey: .birthdayDaysAround)
        try c.encodeIfPresent(from, forKey: .from)
        try c.encodeIfPresent(to, forKey: .to)
    }

    /// Whether a member of `tier` gets this gift.
    public func applies(to tier: String) -> Bool { tiers.isEmpty || tiers.contains(tier) }

    func validationErrors(path p: String) -> [(String, String)] {
        var out: [(String, String)] = []
        let codeOK = !code.isEmpty && code.count <= 40 && code.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }
        if !codeOK { out.append(("\(p).code", "must be 1–40 letters, digits, - or _")) }
        if name.zh.trimmingCharacters(in: .whitespaces).isEmpty || name.zh.count > 60 || name.en.count > 60 {
            out.append(("\(p).name", "zh must be given; each at most 60 characters"))
        }
        if collectAt.count > 80 { out.append(("\(p).collectAt", "at most 80 characters")) }
        if !(1...366).contains(validityDays) { out.append(("\(p).validityDays", "must be between 1 and 366")) }
        if !(0...100_000_000).contains(costFen) { out.append(("\(p).cost", "must be between 0 and 1,000,000 yuan")) }
        if let s = stock, !(0...1_000_000).contains(s) { out.append(("\(p).stock", "must be between 0 and 1,000,000")) }
        if let n = birthdayDaysAround {
            if kind != .birthday { out.append(("\(p).birthdayDaysAround", "only for a birthday gift")) }
            else if !(0...31).contains(n) { out.append(("\(p).birthdayDaysAround", "must be between 0 and 31")) }
        }
        if kind == .returnGift {
            if from == nil || to == nil { out.append(("\(p).from", "a return gift needs from and to (MM-DD)")) }
            else if let f = from, let t = to, (f.month, f.day) > (t.month, t.day) { out.append(("\(p).to", "must not be before from")) }
        } else if from != nil || to != nil {
            out.append(("\(p).from", "only for a return gift"))
        }
        if tiers.count > 20 { out.append(("\(p).tiers", "at most 20 tiers")) }
        return out
    }
}

/// One gift as the member's handbook and pages describe it (18c's /m/programme and the A4 handbook read this).
public struct GiftDescription: Sendable, Equatable {
    public var code: String
    public var name: LocalizedName
    /// When it is due, in words: 生日当月 / 每季度一份 / 11-01 至 11-30 …
    public var when: LocalizedName
    public var collectAt: String
    public var validityDays: Int
}

extension GiftPolicy {
    /// The gifts a member of `tier` gets, in programme order, with when they are due — pure, from the programme only.
    public func describe(for tier: String) -> [GiftDescription] {
        items.filter { $0.applies(to: tier) }.map { g in
            GiftDescription(code: g.code, name: g.name, when: g.whenText, collectAt: g.collectAt, validityDays: g.validityDays)
        }
    }
}

extension GiftDefinition {
    public var whenText: LocalizedName {
        switch kind {
        case .birthday:
            if let n = birthdayDaysAround {
                return LocalizedName(zh: "每年一份，生日前 \(n) 天起可领", en: "once a year, from \(n) days before the birthday")
            }
            return LocalizedName(zh: "每年一份，生日当月可领", en: "once a year, in the birthday month")
        case .quarterly: return LocalizedName(zh: "每季度一份", en: "once a quarter")
        case .returnGift:
            let r = "\(from?.description ?? "?") – \(to?.description ?? "?")"
            return LocalizedName(zh: "每年一份，\(r) 期间每卡一份", en: "once a year, one per card during \(r)")
        case .eventSouvenir: return LocalizedName(zh: "参加会员活动并签到，每场一份", en: "one per event you check in at")
        case .activation: return LocalizedName(zh: "社区预制卡激活时一份", en: "once, on activating a community card")
        }
    }
}
