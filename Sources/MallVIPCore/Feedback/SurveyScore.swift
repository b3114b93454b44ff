/// Survey arithmetic (docs/domain.md §11). Integers only: scores are whole points, rounded half away from zero,
/// so a report never shows a score the answers do not support.
public enum SurveyScore {
    public enum NPSGroup: String, Sendable, CaseIterable { case promoter, passive, detractor }

    /// 0–10 answer → group: 9–10 promoters, 7–8 passives, 0–6 detractors.
    public static func group(_ score: Int) -> NPSGroup {
        score >= 9 ? .promoter : (score >= 7 ? .passive : .detractor)
    }

    public struct NPSCount: Sendable, Equatable {
        public var promoters = 0, passives = 0, detractors = 0
        public init(promoters: Int = 0, passives: Int = 0, detractors: Int = 0) {
            self.promoters = promoters; self.passives = passives; self.detractors = detractors
        }
        public var total: Int { promoters + passives + detractors }
    }

    public static func count(_ scores: [Int]) -> NPSCount {
        var c = NPSCount()
        for s in scores {
            switch group(s) {
            case .promoter: c.promoters += 1
            case .passive: c.passives += 1
            case .detractor: c.detractors += 1
            }
        }
        return c
    }

    /// % promoters − % detractors, −100…100; nil without answers. 55/30/15 of 100 → 40.
    public static func nps(_ c: NPSCount) -> Int? {
        guard c.total > 0 else { return nil }
        return roundedPercent(c.promoters - c.detractors, of: c.total)
    }

    public static func nps(scores: [Int]) -> Int? { nps(count(scores)) }

    /// CSAT 1–5 shown as 0–100: the mean answer mapped linearly (1 → 0, 5 → 100); nil without answers.
    public static func csat(scores: [Int]) -> Int? {
        guard !scores.isEmpty else { return nil }
        let points = scores.reduce(0) { $0 + ($1 - 1) * 25 }
        return roundedPercent(points, of: scores.count * 100)
    }

    /// `part / whole` as a whole percentage, half away from zero.
    public static func roundedPercent(_ part: Int, of whole: Int) -> Int {
        precondition(whole > 0)
        let scaled = part * 100
        let q = scaled / whole, r = scaled % whole
        if 2 * abs(r) >= whole { return q + (scaled < 0 ? -1 : 1) }
        return q
    }

    public static func validNPS(_ score: Int) -> Bool { (0...10).contains(score) }
    public static func validCSAT(_ score: Int) -> Bool { (1...5).contains(score) }
}
