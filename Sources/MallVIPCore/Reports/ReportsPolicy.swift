/// Analytics and report packs (programme section `reports`, docs/domain.md §3.3 and §12): the 001 important-customer
/// segments, the 000 high-value standard, price bands, age bands, ABC cut-offs, the top-N tracking list, the RFM grid
/// and how the repurchase rate is counted. Every threshold is the mall's to set; the defaults follow the mall plans (docs/domain.md §3.3).
public struct ReportsPolicy: Codable, Sendable, Equatable {
    /// Ordered: a member belongs to the first segment whose rule their annual spend meets (docs/domain.md C27: boundaries and the
    /// fallback are configuration, not code).
    public var segments: [SpendSegment]
    /// 000 (docs/domain.md §3.3): a high-value VIP spends at least this much a year (counted beside the segments, not instead of them).
    public var highValue: SpendBound
    /// Segment codes whose spend is the "important-customer sales contribution" (001: core + potential ≥ 45%).
    public var importantSegments: [String]
    /// Lower bounds of the price bands above the first, in fen, ascending: [10,000, 30,000] gives below 100 yuan,
    /// 100–300 and 300 and above. A purchase line falls in a band by its amount.
    public var priceBandsFen: [Int64]
    /// Ages that start a band, ascending: [25, 35] gives under 25, 25–34 and 35 and over (age at the period's end).
    public var ageBands: [Int]
    /// ABC by cumulative spend share, per mille: A takes the members making the first `abcA` of spend, B the next
    /// `abcB`, C the rest (003 art.1, docs/domain.md §3.3; 70/20/10 by default).
    public var abcAPermille: Int
    public var abcBPermille: Int
    /// The tracking list (尚峰's "VIP top 500", docs/domain.md §12.3).
    public var topN: Int
    /// Grades per RFM axis (5: quintiles, a 5×5 grid of recency by frequency).
    public var rfmGrades: Int
    public var repurchase: RepurchaseRule
    /// "Bought afterwards" for journey and manual messages on a member's timeline: a purchase within this many days of
    /// the send (campaign messages use their campaign's own window). Defaults like a new campaign's window, 30 days.
    public var messageEffectDays: Int = 30

    public init(segments: [SpendSegment] = ReportsPolicy.defaultSegments, highValue: SpendBound = SpendBound(fen: 500_000, inclusive: true),
                importantSegments: [String] = ["core", "potential"],
                priceBandsFen: [Int64] = [10_000, 30_000, 50_000, 100_000, 300_000], ageBands: [Int] = [25, 35, 45, 55],
                abcAPermille: Int = 700, abcBPermille: Int = 200, topN: Int = 500, rfmGrades: Int = 5,
                repurchase: RepurchaseRule = .init()) {
        self.segments = segments
        self.highValue = highValue
        self.importantSegments = importantSegments
        self.priceBandsFen = priceBandsFen
        self.ageBands = ageBands
        self.abcAPermille = abcAPermille
        self.abcBPermille = abcBPermille
        self.topN = topN
        self.rfmGrades = rfmGrades
        self.repurchase = repurchase
    }

    /// 001 (docs/domain.md §3.3): core > 100,000 a year and weekly; potential 50,000–100,000; stable 10,000–50,000. Potential has
    /// no upper bound, so a core-level spender who does not shop weekly is "below the core standard", i.e. potential.
    public static let defaultSegments: [SpendSegment] = [
        SpendSegment(code: "core", name: LocalizedName(zh: "核心客户", en: "Core"), min: SpendBound(fen: 10_000_000, inclusive: false),
                     minPurchaseDays: 52),
        SpendSegment(code: "potential", name: LocalizedName(zh: "潜力客户", en: "Potential"), min: SpendBound(fen: 5_000_000, inclusive: true)),
        SpendSegment(code: "stable", name: LocalizedName(zh: "稳定客户", en: "Stable"), min: SpendBound(fen: 1_000_000, inclusive: true),
                     max: SpendBound(fen: 5_000_000, inclusive: false)),
    ]

    enum CodingKeys: String, CodingKey {
        case segments, highValue, importantSegments, priceBands, ageBands, abc, topN, rfm, repurchase
        case messageEffectDays
    }
    struct ABC: Codable { var a: PercentValue; var b: PercentValue }
    struct RFM: Codable { var grades: Int }

    public init(from decoder: Decoder) throws {
        let d = ReportsPolicy()
        let c = try decoder.container(keyedBy: CodingKeys.self)
        segments = try c.decodeIfPresent([SpendSegment].self, forKey: .segments) ?? d.segments
        highValue = try c.decodeIfPresent(SpendBound.self, forKey: .highValue) ?? d.highValue
        importantSegments = try c.decodeIfPresent([String].self, forKey: .importantSegments) ?? d.importantSegments
        priceBandsFen = try c.decodeIfPresent([YuanValue].self, forKey: .priceBands)?.map(\.fen) ?? d.priceBandsFen
        ageBands = try c.decodeIfPresent([Int].self, forKey: .ageBands) ?? d.ageBands
        let abc = try c.decodeIfPresent(ABC.self, forKey: .abc)
        abcAPermille = abc?.a.permille ?? d.abcAPermille
        abcBPermille = abc?.b.permille ?? d.abcBPermille
        topN = try c.decodeIfPresent(Int.self, forKey: .topN) ?? d.topN
        rfmGrades = try c.decodeIfPresent(RFM.self, forKey: .rfm)?.grades ?? d.rfmGrades
        repurchase = try c.decodeIfPresent(RepurchaseRule.self, forKey: .repurchase) ?? d.repurchase
        messageEffectDays = try c.decodeIfPresent(Int.self, forKey: .messageEffectDays) ?? d.messageEffectDays
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(segments, forKey: .segments)
        try c.encode(highValue, forKey: .highValue)
        try c.encode(importantSegments, forKey: .importantSegments)
        try c.encode(priceBandsFen.map(YuanValue.init(fen:)), forKey: .priceBands)
        try c.encode(ageBands, forKey: .ageBands)
        try c.encode(ABC(a: PercentValue(permille: abcAPermille), b: PercentValue(permille: abcBPermille)), forKey: .abc)
        try c.encode(topN, forKey: .topN)
        try c.encode(RFM(grades: rfmGrades), forKey: .rfm)
        try c.encode(repurchase, forKey: .repurchase)
        try c.encode(messageEffectDays, forKey: .messageEffectDays)
    }

    /// Problems as (YAML path, message) pairs under `path`.
    public func validationErrors(path p: String) -> [(String, String)] {
        var out: [(String, String)] = []
        var codes = Set<String>()
        for (i, s) in segments.enumerated() {
            let sp = "\(p).segments[\(i)]"
            if s.code.isEmpty || !s.code.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }) {
                out.append(("\(sp).code", "must be letters, digits, _ or -"))
            }
            if !codes.insert(s.code).inserted { out.append(("\(sp).code", "duplicate segment code \(s.code)")) }
            if s.name.zh.isEmpty { out.append(("\(sp).name.zh", "must not be empty")) }
            if s.min.fen < 0 { out.append(("\(sp).minSpend", "must not be negative")) }
            if let max = s.max, max.fen < s.min.fen { out.append(("\(sp).maxSpend", "must not be below minSpend")) }
            if !(0...366).contains(s.minPurchaseDays) { out.append(("\(sp).minPurchaseDays", "must be between 0 and 366")) }
        }
        if highValue.fen <= 0 { out.append(("\(p).highValue.minSpend", "must be more than 0")) }
        for (i, code) in importantSegments.enumerated() where !codes.contains(code) {
            out.append(("\(p).importantSegments[\(i)]", "unknown segment \(code)"))
        }
        if priceBandsFen.count > 20 { out.append(("\(p).priceBands", "at most 20 bounds")) }
        if priceBandsFen.contains(where: { $0 <= 0 }) || zip(priceBandsFen, priceBandsFen.dropFirst()).contains(where: { $0 >= $1 }) {
            out.append(("\(p).priceBands", "must be ascending amounts above 0"))
        }
        if ageBands.count > 12 || ageBands.contains(where: { !(1...120).contains($0) })
            || zip(ageBands, ageBands.dropFirst()).contains(where: { $0 >= $1 }) {
            out.append(("\(p).ageBands", "must be at most 12 ascending ages between 1 and 120"))
        }
        if abcAPermille <= 0 { out.append(("\(p).abc.a", "must be more than 0%")) }
        if abcAPermille + abcBPermille > 1000 { out.append(("\(p).abc.b", "a + b must be at most 100%")) }
        if !(1...5000).contains(topN) { out.append(("\(p).topN", "must be between 1 and 5000")) }
        if !(2...10).contains(rfmGrades) { out.append(("\(p).rfm.grades", "must be between 2 and 10")) }
        if !(2...31).contains(repurchase.minDays) { out.append(("\(p).repurchase.minDays", "must be between 2 and 31")) }
        if !(1...365).contains(messageEffectDays) { out.append(("\(p).messageEffectDays", "must be between 1 and 365 (like a campaign's window)")) }
        return out
    }
}

/// An amount bound with its inclusive flag (docs/domain.md C27: "超过10万" is exclusive, "5–10万" is read as inclusive).
public struct SpendBound: Codable, Sendable, Equatable {
    public var fen: Int64
    public var inclusive: Bool
    public init(fen: Int64, inclusive: Bool) { self.fen = fen; self.inclusive = inclusive }

    enum CodingKeys: String, CodingKey { case minSpend, inclusive }
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        fen = try c.decode(YuanValue.self, forKey: .minSpend).fen
        inclusive = try c.decodeIfPresent(Bool.self, forKey: .inclusive) ?? true
    }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(YuanValue(fen: fen), forKey: .minSpend)
        try c.encode(inclusive, forKey: .inclusive)
    }

    /// At or above (inclusive) or strictly above the bound.
    public func admitsFromBelow(_ v: Int64) -> Bool { inclusive ? v >= fen : v > fen }
    /// At or below (inclusive) or strictly below the bound.
    public func admitsFromAbove(_ v: Int64) -> Bool { inclusive ? v <= fen : v < fen }
}

/// One important-customer segment: annual spend between `min` and `max` (if any), and at least `minPurchaseDays`
/// different purchase days in the year (core: "at least once a week" = 52).
public struct SpendSegment: Codable, Sendable, Equatable {
    public var code: String
    public var name: LocalizedName
    public var min: SpendBound
    public var max: SpendBound?
    public var minPurchaseDays: Int

    public init(code: String, name: LocalizedName, min: SpendBound, max: SpendBound? = nil, minPurchaseDays: Int = 0) {
        self.code = code
        self.name = name
        self.min = min
        self.max = max
        self.minPurchaseDays = minPurchaseDays
    }

    enum CodingKeys: String, CodingKey { case code, name, minSpend, minInclusive, maxSpend, maxInclusive, minPurchaseDays }
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        code = try c.decode(String.self, forKey: .code)
        name = try c.decode(LocalizedName.self, forKey: .name)
        min = SpendBound(fen: try c.decode(YuanValue.self, forKey: .minSpend).fen,
                         inclusive: try c.decodeIfPresent(Bool.self, forKey: .minInclusive) ?? true)
        max = try c.decodeIfPresent(YuanValue.self, forKey: .maxSpend).map {
            SpendBound(fen: $0.fen, inclusive: try c.decodeIfPresent(Bool.self, forKey: .maxInclusive) ?? false)
        }
        minPurchaseDays = try c.decodeIfPresent(Int.self, forKey: .minPurchaseDays) ?? 0
    }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(code, forKey: .code)
        try c.encode(name, forKey: .name)
        try c.encode(YuanValue(fen: min.fen), forKey: .minSpend)
        try c.encode(min.inclusive, forKey: .minInclusive)
        if let max {
            try c.encode(YuanValue(fen: max.fen), forKey: .maxSpend)
            try c.encode(max.inclusive, forKey: .maxInclusive)
        }
        try c.encode(minPurchaseDays, forKey: .minPurchaseDays)
    }

    public func admits(spendFen: Int64, purchaseDays: Int) -> Bool {
        min.admitsFromBelow(spendFen) && (max?.admitsFromAbove(spendFen) ?? true) && purchaseDays >= minPurchaseDays
    }
}

/// How the repurchase rate (复购率) is counted. `days`: members active in the period with purchases on at least
/// `minDays` different days (a day in two malls counts twice), over the active members. `periods`: members active
/// in the previous period who bought again in this one, over the previous period's active members. Both are shown;
/// `basis` says which one is the headline figure.
public struct RepurchaseRule: Codable, Sendable, Equatable {
    public enum Basis: String, Codable, Sendable, CaseIterable { case days, periods }
    public var basis: Basis
    public var minDays: Int
    public init(basis: Basis = .days, minDays: Int = 2) { self.basis = basis; self.minDays = minDays }

    enum CodingKeys: String, CodingKey { case basis, minDays }
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        basis = try c.decodeIfPresent(Basis.self, forKey: .basis) ?? .days
        minDays = try c.decodeIfPresent(Int.self, forKey: .minDays) ?? 2
    }
}

extension ReportsPolicy {
    /// Index of the first segment the member belongs to, nil for none ("other").
    public func segmentIndex(spendFen: Int64, purchaseDays: Int) -> Int? {
        segments.firstIndex { $0.admits(spendFen: spendFen, purchaseDays: purchaseDays) }
    }

    public func isHighValue(spendFen: Int64) -> Bool { highValue.admitsFromBelow(spendFen) }

    /// The band (its lower bound in fen, 0 for the first band) of a line amount.
    public func priceBand(of amountFen: Int64) -> Int64 { priceBandsFen.last { $0 <= amountFen } ?? 0 }

    /// Lower bounds of all bands, the first being 0.
    public var priceBandFloors: [Int64] { [0] + priceBandsFen }

    /// The ABC class of one member, given the spend of everyone ranked above them (`cumulativeBeforeFen`) and the
    /// total: the member that crosses a cut-off still belongs to the class it started in.
    public func abcClass(cumulativeBeforeFen: Int64, totalFen: Int64) -> ABCClass {
        if totalFen > 0 && Saturating.multiply(cumulativeBeforeFen, 1000) < Saturating.multiply(Int64(abcAPermille), totalFen) { return .a }
        if totalFen > 0 && Saturating.multiply(cumulativeBeforeFen, 1000) < Saturating.multiply(Int64(abcAPermille + abcBPermille), totalFen) { return .b }
        return .c
    }
}

public enum ABCClass: String, Codable, Sendable, CaseIterable, Comparable {
    case a = "A", b = "B", c = "C"
    public static func < (x: ABCClass, y: ABCClass) -> Bool { x.rawValue < y.rawValue }

    /// Classes of spends already sorted from highest to lowest (ties in any fixed order).
    public static func classify(sortedDescending spends: [Int64], policy: ReportsPolicy) -> [ABCClass] {
        let total = spends.reduce(0, +)
        var before: Int64 = 0
        return spends.map { s in
            defer { before += s }
            return policy.abcClass(cumulativeBeforeFen: before, totalFen: total)
        }
    }
}
