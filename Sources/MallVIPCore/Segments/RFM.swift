/// RFM scoring for segments. Each of recency, frequency and monetary value gets a score 1…5 from four ascending
/// cut-offs; a score at or above `highFrom` counts as high. The three high/low bits give the eight classes used by
/// Chinese CRM practice (重要价值客户 … 一般挽留客户).
///
/// Defaults (12-month look-back, high from score 3):
/// - R: last purchase ≤30 days ago → 5, ≤60 → 4, ≤90 → 3, ≤180 → 2, older or never → 1 (high = within 90 days,
///   the same span as the miss-you journey).
/// - F: purchases in the look-back ≥2 → 2, ≥4 → 3, ≥12 → 4, ≥24 → 5, else 1 (high = at least quarterly).
/// - M: net spend in the look-back ≥1,000 yuan → 2, ≥10,000 → 3, ≥50,000 → 4, ≥100,000 → 5, else 1 (the 001 plan's
///   stable / potential / core boundaries of 10k, 50k and 100k a year).
public struct RFMDefinition: Codable, Sendable, Equatable {
    /// Look-back for frequency and monetary value, in months (a rolling window ending today).
    public var months: Int
    /// Days since the last purchase for scores 5, 4, 3 and 2 (ascending).
    public var recencyDays: [Int]
    /// Purchases for scores 2, 3, 4 and 5 (ascending).
    public var frequency: [Int]
    /// Net spend in fen for scores 2, 3, 4 and 5 (ascending).
    public var monetaryFen: [Int64]
    public var highFrom: Int

    public init(months: Int = 12, recencyDays: [Int] = [30, 60, 90, 180], frequency: [Int] = [2, 4, 12, 24],
                monetaryFen: [Int64] = [100_000, 1_000_000, 5_000_000, 10_000_000], highFrom: Int = 3) {
        self.months = months
        self.recencyDays = recencyDays
        self.frequency = frequency
        self.monetaryFen = monetaryFen
        self.highFrom = highFrom
    }

    public func validate(field: String) throws {
        func bad(_ f: String, _ zh: String, _ en: String) -> DomainError { .invalid("\(field).\(f)", "rfm.cutoffs", zh: zh, en: en) }
        guard months >= 1, months <= SegmentConditions.maxMonths else { throw bad("months", "RFM 月数须在 1–120 之间", "RFM months must be 1–120") }
        func ascending<T: Comparable & SignedInteger>(_ xs: [T]) -> Bool { xs.count == 4 && xs[0] >= 0 && zip(xs, xs.dropFirst()).allSatisfy { $0 < $1 } }
        guard ascending(recencyDays) else { throw bad("recencyDays", "R 的分界须为 4 个递增的非负天数", "R needs 4 ascending non-negative day counts") }
        guard ascending(frequency) else { throw bad("frequency", "F 的分界须为 4 个递增的非负次数", "F needs 4 ascending non-negative counts") }
        guard ascending(monetaryFen) else { throw bad("monetaryFen", "M 的分界须为 4 个递增的非负金额", "M needs 4 ascending non-negative amounts") }
        guard (2...5).contains(highFrom) else { throw bad("highFrom", "“高”的起始分须在 2–5 之间", "the high score must start between 2 and 5") }
    }

    /// `daysSinceLast` nil = never purchased.
    public func score(daysSinceLast: Int?, purchases: Int, spendFen: Int64) -> RFMScore {
        let r: Int
        if let d = daysSinceLast { r = 5 - (recencyDays.firstIndex { d <= $0 } ?? 4) } else { r = 1 }
        let f = 1 + frequency.filter { purchases >= $0 }.count
        let m = 1 + monetaryFen.filter { spendFen >= $0 }.count
        return RFMScore(r: r, f: f, m: m)
    }

    public func classify(_ s: RFMScore) -> RFMClass {
        RFMClass.of(rHigh: s.r >= highFrom, fHigh: s.f >= highFrom, mHigh: s.m >= highFrom)
    }
}

public struct RFMScore: Sendable, Equatable {
    public var r: Int
    public var f: Int
    public var m: Int
    public init(r: Int, f: Int, m: Int) { self.r = r; self.f = f; self.m = m }
}

/// The eight classes. 重要 = high monetary value; 价值 = recent and frequent, 发展 = recent but infrequent,
/// 保持 = frequent but not recent, 挽留 = neither.
public enum RFMClass: String, Codable, Sendable, CaseIterable, Comparable {
    case importantValue, importantDevelop, importantKeep, importantRetain
    case generalValue, generalDevelop, generalKeep, generalRetain

    public var rHigh: Bool { [.importantValue, .importantDevelop, .generalValue, .generalDevelop].contains(self) }
    public var fHigh: Bool { [.importantValue, .importantKeep, .generalValue, .generalKeep].contains(self) }
    public var mHigh: Bool { [.importantValue, .importantDevelop, .importantKeep, .importantRetain].contains(self) }

    public static func of(rHigh: Bool, fHigh: Bool, mHigh: Bool) -> RFMClass {
        allCases.first { $0.rHigh == rHigh && $0.fHigh == fHigh && $0.mHigh == mHigh }!
    }

    public var label: LocalizedName {
        switch self {
        case .importantValue: LocalizedName(zh: "重要价值客户", en: "Important: value")
        case .importantDevelop: LocalizedName(zh: "重要发展客户", en: "Important: develop")
        case .importantKeep: LocalizedName(zh: "重要保持客户", en: "Important: keep")
        case .importantRetain: LocalizedName(zh: "重要挽留客户", en: "Important: win back")
        case .generalValue: LocalizedName(zh: "一般价值客户", en: "General: value")
        case .generalDevelop: LocalizedName(zh: "一般发展客户", en: "General: develop")
        case .generalKeep: LocalizedName(zh: "一般保持客户", en: "General: keep")
        case .generalRetain: LocalizedName(zh: "一般挽留客户", en: "General: win back")
        }
    }

    public static func < (a: RFMClass, b: RFMClass) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}
