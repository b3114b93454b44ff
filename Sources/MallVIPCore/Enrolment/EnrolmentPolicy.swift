/// Who may get a card (docs/domain.md §2.1, C1). Any one rule is enough. Default (尚峰): a single receipt of at
/// least 500 yuan, or at least 1,500 within 3 months.
public struct EnrolmentPolicy: Codable, Sendable, Equatable {
    public var rules: [EnrolmentRule]
    /// Optional higher entry tiers by qualifying spend (南亞: 300 in a day → gold, 3,000 → diamond).
    public var entryTiers: [EntryTierRule]
    /// Receipts older than this do not count towards enrolment (rolling rules use their own window).
    public var receiptValidityDays: Int
    /// A card issued on receipts that a refund takes below every rule is deactivated.
    public var refundDeactivates: Bool

    public init(rules: [EnrolmentRule], entryTiers: [EntryTierRule] = [], receiptValidityDays: Int = 90,
                refundDeactivates: Bool = true) {
        self.rules = rules
        self.entryTiers = entryTiers
        self.receiptValidityDays = receiptValidityDays
        self.refundDeactivates = refundDeactivates
    }

    enum CodingKeys: String, CodingKey { case rules, entryTiers, receiptValidityDays, refundDeactivates }
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        rules = try c.decode([EnrolmentRule].self, forKey: .rules)
        entryTiers = try c.decodeIfPresent([EntryTierRule].self, forKey: .entryTiers) ?? []
        receiptValidityDays = try c.decodeIfPresent(Int.self, forKey: .receiptValidityDays) ?? 90
        refundDeactivates = try c.decodeIfPresent(Bool.self, forKey: .refundDeactivates) ?? true
    }
}

public struct EnrolmentRule: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable, CaseIterable {
        /// One receipt reaches the amount.
        case singleReceipt
        /// Receipts of one business day add up to the amount.
        case sameDay
        /// Receipts of one calendar month add up to the amount.
        case calendarMonth
        /// Receipts in the rolling `months` ending on the enrolment date add up to the amount.
        case rollingMonths
    }

    public var name: String
    public var kind: Kind
    public var minSpendFen: Int64
    public var months: Int?

    public init(name: String, kind: Kind, minSpendFen: Int64, months: Int? = nil) {
        self.name = name
        self.kind = kind
        self.minSpendFen = minSpendFen
        self.months = months
    }

    enum CodingKeys: String, CodingKey { case name, kind, minSpend, months }
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        kind = try c.decode(Kind.self, forKey: .kind)
        minSpendFen = try c.decode(YuanValue.self, forKey: .minSpend).fen
        months = try c.decodeIfPresent(Int.self, forKey: .months)
    }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(kind, forKey: .kind)
        try c.encode(YuanValue(fen: minSpendFen), forKey: .minSpend)
        try c.encodeIfPresent(months, forKey: .months)
    }
}

public struct EntryTierRule: Codable, Sendable, Equatable {
    public var tier: String
    public var rule: EnrolmentRule
    public init(tier: String, rule: EnrolmentRule) { self.tier = tier; self.rule = rule }
}

/// A receipt offered as proof of spend: recorded purchases for the phone, or receipts named in the request.
public struct QualifyingReceipt: Sendable, Equatable {
    public var receiptNo: String
    public var businessDate: LocalDate
    /// What remains paid on it after refunds.
    public var amountFen: Int64
    public init(receiptNo: String, businessDate: LocalDate, amountFen: Int64) {
        self.receiptNo = receiptNo
        self.businessDate = businessDate
        self.amountFen = amountFen
    }
}

public enum EnrolmentDecision: Sendable, Equatable {
    /// Eligible by `rule`; the card starts in `entryTier`.
    case eligible(rule: String, entryTier: String, receipts: [String])
    case notEligible(DomainError)
}

extension EnrolmentPolicy {
    /// Checks the receipts against the rules on `date` (the enrolment's business date).
    public func evaluate(_ receipts: [QualifyingReceipt], on date: LocalDate, programme: Programme) -> EnrolmentDecision {
        let valid = receipts.filter { $0.businessDate <= date && $0.businessDate >= date.adding(days: -receiptValidityDays) }
        // Entry-tier rules enrol on their own too (南亞: 300 in a day is a gold card even where the base rule is 500).
        let baseMatch = rules.lazy.compactMap { rule in rule.match(receipts, validReceipts: valid, on: date).map { (rule.name, $0) } }.first
        var tier = programme.entryTier.code
        var tierRank = 0
        var tierMatch: (String, [String])?
        for entry in entryTiers {
            if let rank = programme.rank(of: entry.tier), rank > tierRank,
               let used = entry.rule.match(receipts, validReceipts: valid, on: date) {
                tier = entry.tier
                tierRank = rank
                tierMatch = (entry.rule.name, used)
            }
        }
        if let (name, used) = baseMatch ?? tierMatch {
            return .eligible(rule: name, entryTier: tier, receipts: used)
        }
        let total = valid.reduce(Int64(0)) { $0 + $1.amountFen }
        let needs = rules.map { "\($0.name)" }.joined(separator: " / ")
        return .notEligible(DomainError(.notEligible, field: "receipts", rule: "enrolment.threshold",
            zh: "未达到办卡条件（\(needs)）；可计入的消费合计 \(Money.yuan(total)) 元",
            en: "enrolment rule not met (\(needs)); qualifying spend found: \(Money.yuan(total)) yuan"))
    }
}

extension EnrolmentRule {
    /// The receipts that satisfy this rule, or nil.
    func match(_ all: [QualifyingReceipt], validReceipts: [QualifyingReceipt], on date: LocalDate) -> [String]? {
        switch kind {
        case .singleReceipt:
            return validReceipts.sorted { $0.businessDate > $1.businessDate }.first { $0.amountFen >= minSpendFen }.map { [$0.receiptNo] }
        case .sameDay:
            // The latest qualifying day, so the receipts a card is issued on are the same on every run.
            return Dictionary(grouping: validReceipts, by: \.businessDate).sorted { $0.key > $1.key }.map(\.value)
                .first { $0.reduce(0) { $0 + $1.amountFen } >= minSpendFen }?.map(\.receiptNo)
        case .calendarMonth:
            return Dictionary(grouping: validReceipts, by: \.businessDate.monthKey).sorted { $0.key > $1.key }.map(\.value)
                .first { $0.reduce(0) { $0 + $1.amountFen } >= minSpendFen }?.map(\.receiptNo)
        case .rollingMonths:
            let start = date.windowStart(months: months ?? 1)
            let inWindow = all.filter { $0.businessDate >= start && $0.businessDate <= date }
            return inWindow.reduce(0) { $0 + $1.amountFen } >= minSpendFen ? inWindow.map(\.receiptNo) : nil
        }
    }
}
