/// Who belongs to a saved segment (issue 4, docs/domain.md §7 "targeted campaign SMS … to the members it suits best").
/// Every condition is optional; the given ones are AND-ed, and the values inside one list are OR-ed. Only active
/// members ever match. Stored as JSON with the segment; the store compiles it to one SQL query.
public struct SegmentConditions: Codable, Sendable, Equatable {
    /// Effective tier codes (a manual tier counts while it is valid and above the earned one).
    public var tiers: [String]?
    /// Enrolled on or after / on or before these business dates (inclusive).
    public var enrolledFrom: LocalDate?
    public var enrolledTo: LocalDate?
    /// Net spend (refunds deducted) in the rolling window of `months` months ending today, at least / at most.
    public var spend: SpendCondition?
    /// Last purchase at least N days ago (never purchased counts as infinitely long ago) …
    public var lastPurchaseAtLeastDays: Int?
    /// … and at most N days ago (a member who never bought does not match).
    public var lastPurchaseAtMostDays: Int?
    /// At least `atLeast` distinct purchase days in the last `withinDays` days (today included).
    public var purchaseDays: PurchaseDaysCondition?
    /// Bought (a line not fully refunded) in one of these departments or counter categories in the last N months.
    public var bought: BoughtCondition?
    /// Birthday month 1…12.
    public var birthMonths: [Int]?
    public var rfm: RFMCondition?
    /// The member's account manager is one of these staff users, or the member has none.
    public var accountManagers: [AccountManagerFilter]?
    /// Consent for at least one of these channels.
    public var consent: [ConsentChannel]?
    /// Carries at least one of these tags.
    public var tags: [String]?
    /// Age today within a band (issue 17; the age changes on the birthday itself). Members without a birthday never match.
    public var age: AgeBandCondition?
    /// One of these genders.
    public var genders: [Gender]?
    /// Points balance at least a number, or at least the cheapest active reward ("can redeem now").
    public var balance: BalanceCondition?
    /// True: only members whose balance ends in the programme's lottery digit (`LotteryRule`); false: only the others.
    public var lotteryEligible: Bool?

    public init(tiers: [String]? = nil, enrolledFrom: LocalDate? = nil, enrolledTo: LocalDate? = nil, spend: SpendCondition? = nil,
                lastPurchaseAtLeastDays: Int? = nil, lastPurchaseAtMostDays: Int? = nil, purchaseDays: PurchaseDaysCondition? = nil,
                bought: BoughtCondition? = nil, birthMonths: [Int]? = nil, rfm: RFMCondition? = nil,
                accountManagers: [AccountManagerFilter]? = nil, consent: [ConsentChannel]? = nil, tags: [String]? = nil,
                age: AgeBandCondition? = nil, genders: [Gender]? = nil, balance: BalanceCondition? = nil, lotteryEligible: Bool? = nil) {
        self.tiers = tiers
        self.enrolledFrom = enrolledFrom
        self.enrolledTo = enrolledTo
        self.spend = spend
        self.lastPurchaseAtLeastDays = lastPurchaseAtLeastDays
        self.lastPurchaseAtMostDays = lastPurchaseAtMostDays
        self.purchaseDays = purchaseDays
        self.bought = bought
        self.birthMonths = birthMonths
        self.rfm = rfm
        self.accountManagers = accountManagers
        self.consent = consent
        self.tags = tags
        self.age = age
        self.genders = genders
        self.balance = balance
        self.lotteryEligible = lotteryEligible
    }

    /// No condition at all: every active member.
    public var isEmpty: Bool { normalized() == SegmentConditions() }
}

/// Age in whole years on the day the segment is evaluated, inclusive at both ends: 30–39 takes a member from their
/// 30th birthday up to the day before their 40th. A 29 February birthday counts from 1 March in other years.
public struct AgeBandCondition: Codable, Sendable, Equatable {
    public var minAge: Int?
    public var maxAge: Int?
    public init(minAge: Int? = nil, maxAge: Int? = nil) {
        self.minAge = minAge
        self.maxAge = maxAge
    }

    /// Birthdays (ISO text, which sorts like dates) that fall in the band on `day`: born on or before `latest` and
    /// after `earliestExclusive`. The same cut-offs as the report pack's age bands (`AgeBands`).
    public func birthdayBounds(on day: LocalDate) -> (latest: LocalDate?, earliestExclusive: LocalDate?) {
        (minAge.map { day.adding(months: -12 * $0) }, maxAge.map { day.adding(months: -12 * ($0 + 1)) })
    }

    /// The pure check the SQL compiles to (tests compare the two).
    public func matches(birthday: LocalDate?, on day: LocalDate) -> Bool {
        guard let birthday else { return false }
        let (latest, earliest) = birthdayBounds(on: day)
        if let latest, birthday > latest { return false }
        if let earliest, birthday <= earliest { return false }
        return true
    }
}

/// Points balance at least `minPoints`, or (`canRedeemNow`) at least the cheapest active reward's points, which the
/// store looks up when it compiles the condition; without any active reward nobody can redeem, so nobody matches.
public struct BalanceCondition: Codable, Sendable, Equatable {
    public var minPoints: Int64?
    public var canRedeemNow: Bool?
    public init(minPoints: Int64? = nil, canRedeemNow: Bool? = nil) {
        self.minPoints = minPoints
        self.canRedeemNow = canRedeemNow
    }

    /// `cheapestReward`: the points of the cheapest reward a member could take now (nil: none).
    public func matches(balance: Int64, cheapestReward: Int64?) -> Bool {
        if canRedeemNow == true {
            guard let cheapestReward else { return false }
            return balance >= cheapestReward
        }
        return minPoints.map { balance >= $0 } ?? true
    }
}

public struct SpendCondition: Codable, Sendable, Equatable {
    public var months: Int
    public var minFen: Int64?
    public var maxFen: Int64?
    public init(months: Int, minFen: Int64? = nil, maxFen: Int64? = nil) {
        self.months = months
        self.minFen = minFen
        self.maxFen = maxFen
    }
}

public struct PurchaseDaysCondition: Codable, Sendable, Equatable {
    public var withinDays: Int
    public var atLeast: Int
    public init(withinDays: Int, atLeast: Int) {
        self.withinDays = withinDays
        self.atLeast = atLeast
    }
}

public struct BoughtCondition: Codable, Sendable, Equatable {
    public var months: Int
    public var departmentIds: [Int64]
    public var categories: [String]
    public init(months: Int, departmentIds: [Int64] = [], categories: [String] = []) {
        self.months = months
        self.departmentIds = departmentIds
        self.categories = categories
    }
}

public struct RFMCondition: Codable, Sendable, Equatable {
    public var classes: [RFMClass]
    /// Cut-offs; nil uses `RFMDefinition()` (documented defaults), so a saved segment keeps its own if set.
    public var definition: RFMDefinition?
    public init(classes: [RFMClass], definition: RFMDefinition? = nil) {
        self.classes = classes
        self.definition = definition
    }
}

public enum ConsentChannel: String, Codable, Sendable, CaseIterable {
    case sms, email, phone
    public var label: LocalizedName {
        switch self {
        case .sms: LocalizedName(zh: "短信", en: "SMS")
        case .email: LocalizedName(zh: "电子邮件", en: "E-mail")
        case .phone: LocalizedName(zh: "电话", en: "Phone")
        }
    }
}

/// A staff user id, or `none` for members without an account manager. JSON: `"none"` or the id as a number.
public enum AccountManagerFilter: Codable, Sendable, Hashable, CustomStringConvertible {
    case none
    case staff(Int64)

    public init?(_ text: String) {
        let t = text.trimmingCharacters(in: .whitespaces)
        if t.lowercased() == "none" { self = .none } else if let id = Int64(t), id > 0 { self = .staff(id) } else { return nil }
    }
    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let id = try? c.decode(Int64.self) { self = .staff(id); return }
        let text = try c.decode(String.self)
        guard let f = AccountManagerFilter(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "expected a staff id or \"none\", got \(text)"))
        }
        self = f
    }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .none: try c.encode("none")
        case .staff(let id): try c.encode(id)
        }
    }
    public var description: String {
        switch self {
        case .none: "none"
        case .staff(let id): String(id)
        }
    }
}

extension SegmentConditions {
    /// Longest look-back a condition may ask for; beyond it a number is a typing mistake, not a wish.
    public static let maxDays = 3_660
    public static let maxMonths = 120
    public static let maxTagLength = 20
    public static let maxAge = 150
    public static let maxPoints: Int64 = 1_000_000_000_000

    /// Empty lists and blank tags dropped, lists sorted and deduplicated: two spellings of one segment compare equal.
    public func normalized() -> SegmentConditions {
        var c = self
        func clean<T: Hashable & Comparable>(_ xs: [T]?) -> [T]? {
            guard let xs else { return nil }
            let s = Array(Set(xs)).sorted()
            return s.isEmpty ? nil : s
        }
        c.tiers = clean(tiers?.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
        c.birthMonths = clean(birthMonths)
        c.tags = clean(tags?.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
        c.consent = clean(consent?.map(\.rawValue)).map { $0.compactMap(ConsentChannel.init(rawValue:)) }
        c.genders = clean(genders?.map(\.rawValue)).map { $0.compactMap(Gender.init(rawValue:)) }
        if let a = age, a.minAge == nil, a.maxAge == nil { c.age = nil }
        if let b = balance, b.minPoints == nil, b.canRedeemNow != true { c.balance = nil }
        if let a = accountManagers {
            let s = Array(Set(a)).sorted { $0.description < $1.description }
            c.accountManagers = s.isEmpty ? nil : s
        }
        if var b = bought {
            b.departmentIds = Array(Set(b.departmentIds)).sorted()
            b.categories = Array(Set(b.categories.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })).sorted()
            c.bought = b
        }
        if let s = spend, s.minFen == nil, s.maxFen == nil { c.spend = nil }
        if var r = rfm {
            r.classes = RFMClass.allCases.filter(r.classes.contains)
            c.rfm = r.classes.isEmpty ? nil : r
        }
        return c
    }

    /// Checks every number and code; the first problem is thrown as a `DomainError` naming the field.
    /// Store-side checks (departments and staff that exist) come on top of these.
    public func validate(tierCodes: [String]) throws {
        func bad(_ field: String, _ rule: String, _ zh: String, _ en: String) -> DomainError { .invalid(field, rule, zh: zh, en: en) }
        func days(_ v: Int?, _ field: String, min: Int = 0) throws {
            guard let v else { return }
            guard v >= min, v <= Self.maxDays else {
                throw bad(field, "days.range", "天数须在 \(min)–\(Self.maxDays) 之间", "the number of days must be between \(min) and \(Self.maxDays)")
            }
        }
        func months(_ v: Int, _ field: String) throws {
            guard v >= 1, v <= Self.maxMonths else {
                throw bad(field, "months.range", "月数须在 1–\(Self.maxMonths) 之间", "the number of months must be between 1 and \(Self.maxMonths)")
            }
        }
        if let unknown = tiers?.first(where: { !tierCodes.contains($0) }) {
            throw bad("tiers", "tier.unknown", "没有等级 \(unknown)", "there is no tier \(unknown)")
        }
        if let f = enrolledFrom, let t = enrolledTo, f > t {
            throw bad("enrolledTo", "dates.order", "入会截止日期早于起始日期", "the enrolment end date is before the start date")
        }
        if let s = spend {
            try months(s.months, "spend.months")
            if let v = s.minFen, v < 0 { throw bad("spend.minFen", "amount.nonNegative", "消费下限不能为负", "the minimum spend cannot be negative") }
            if let v = s.maxFen, v < 0 { throw bad("spend.maxFen", "amount.nonNegative", "消费上限不能为负", "the maximum spend cannot be negative") }
            if let lo = s.minFen, let hi = s.maxFen, lo > hi {
                throw bad("spend.maxFen", "amount.order", "消费上限低于下限", "the maximum spend is below the minimum")
            }
        }
        try days(lastPurchaseAtLeastDays, "lastPurchaseAtLeastDays")
        try days(lastPurchaseAtMostDays, "lastPurchaseAtMostDays")
        if let lo = lastPurchaseAtLeastDays, let hi = lastPurchaseAtMostDays, lo > hi {
            throw bad("lastPurchaseAtMostDays", "days.order", "“最多 N 天前”小于“至少 N 天前”，无人符合",
                      "\"at most N days ago\" is below \"at least N days ago\": nobody could match")
        }
        if let p = purchaseDays {
            try days(p.withinDays, "purchaseDays.withinDays", min: 1)
            guard p.atLeast >= 1, p.atLeast <= p.withinDays else {
                throw bad("purchaseDays.atLeast", "count.range", "消费天数须在 1 到统计天数之间", "the purchase days must be between 1 and the period's days")
            }
        }
        if let b = bought {
            try months(b.months, "bought.months")
            if b.departmentIds.isEmpty && b.categories.isEmpty {
                throw bad("bought.departmentIds", "list.empty", "请选择至少一个课或品类", "choose at least one department or category")
            }
        }
        if let m = birthMonths?.first(where: { !(1...12).contains($0) }) {
            throw bad("birthMonths", "month.range", "生日月份须为 1–12，收到 \(m)", "birthday months are 1–12, got \(m)")
        }
        if let r = rfm { try (r.definition ?? RFMDefinition()).validate(field: "rfm.definition") }
        if let a = age {
            for (v, field) in [(a.minAge, "age.minAge"), (a.maxAge, "age.maxAge")] {
                if let v, !(0...Self.maxAge).contains(v) {
                    throw bad(field, "age.range", "年龄须在 0–\(Self.maxAge) 之间", "the age must be between 0 and \(Self.maxAge)")
                }
            }
            if let lo = a.minAge, let hi = a.maxAge, lo > hi {
                throw bad("age.maxAge", "age.order", "最大年龄小于最小年龄，无人符合", "the maximum age is below the minimum: nobody could match")
            }
        }
        if let b = balance {
            if b.canRedeemNow == true, b.minPoints != nil {
                throw bad("balance.minPoints", "balance.either", "“可立即兑换”与积分下限只能选一个",
                          "choose either \"can redeem now\" or a minimum balance, not both")
            }
            if let v = b.minPoints, v < 0 || v > Self.maxPoints {
                throw bad("balance.minPoints", "points.range", "积分下限须在 0–\(Self.maxPoints) 之间", "the minimum balance must be between 0 and \(Self.maxPoints)")
            }
        }
        if let t = tags?.first(where: { $0.count > Self.maxTagLength }) {
            throw bad("tags", "tag.length", "标签最长 \(Self.maxTagLength) 字：\(t)", "a tag has at most \(Self.maxTagLength) characters: \(t)")
        }
    }
}
