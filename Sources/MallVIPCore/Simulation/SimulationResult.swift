/// What one programme did over the window.
public struct SimulationFigures: Sendable, Equatable {
    public var members = 0
    /// Member purchases replayed in the window.
    public var purchases = 0
    /// Earned tier of each member at the window's end.
    public var membersByTier: [String: Int] = [:]
    public var upgrades = 0
    public var downgrades = 0
    /// Members who reached a tier that needs a manager's approval (the replay grants none).
    public var approvalCandidates = 0
    public var pointsIssued: Int64 = 0
    /// Member discount given at participating counters, fen (nil where not known: the recorded column).
    public var discountFen: Int64? = 0
    /// Car park minutes the tier benefit covered.
    public var freeParkingMinutes: Int64 = 0
    /// Points outstanding at the end and what they are worth (programme `redemption.valuePerThousandPoints`).
    public var pointsOutstanding: Int64 = 0
    public var liabilityFen: Int64 = 0

    public init() {}
}

/// The active programme and a draft replayed over the same window, side by side, with what was recorded.
public struct SimulationResult: Sendable, Equatable {
    public var from: LocalDate
    public var through: LocalDate
    /// Tier codes and names: the active programme's in order, then tiers only the draft has.
    public var tiers: [(code: String, name: LocalizedName)]
    public var current: SimulationFigures
    public var draft: SimulationFigures
    /// The same figures as the database recorded them over the window (the store fills this in), to show how close
    /// the replay of the active programme comes.
    public var recorded: SimulationFigures?

    public static func == (a: SimulationResult, b: SimulationResult) -> Bool {
        a.from == b.from && a.through == b.through && a.tiers.map(\.code) == b.tiers.map(\.code) && a.current == b.current
            && a.draft == b.draft && a.recorded == b.recorded
    }

    public struct Row: Sendable, Equatable {
        public var label: LocalizedName
        public var current: String
        public var draft: String
        public var change: String
        public var recorded: String?
    }

    /// The side-by-side table the console and `mallvip programme simulate` print.
    public var rows: [Row] {
        var out: [Row] = []
        func count(_ label: LocalizedName, _ f: (SimulationFigures) -> Int) {
            let a = f(current), b = f(draft)
            out.append(Row(label: label, current: String(a), draft: String(b), change: signed(Int64(b - a), String.init),
                           recorded: recorded.map { String(f($0)) }))
        }
        func money(_ label: LocalizedName, _ f: (SimulationFigures) -> Int64?) {
            let a = f(current) ?? 0, b = f(draft) ?? 0
            out.append(Row(label: label, current: Money.yuan(a), draft: Money.yuan(b), change: signed(b - a) { Money.yuan($0) },
                           recorded: recorded.map { r in f(r).map { Money.yuan($0) } ?? "—" }))
        }
        func number(_ label: LocalizedName, _ f: (SimulationFigures) -> Int64) {
            let a = f(current), b = f(draft)
            out.append(Row(label: label, current: String(a), draft: String(b), change: signed(b - a, String.init),
                           recorded: recorded.map { String(f($0)) }))
        }
        count(LocalizedName(zh: "会员人数", en: "Members"), \.members)
        for t in tiers {
            count(LocalizedName(zh: "期末\(t.name.zh)", en: "\(t.name.en) at the end"), { $0.membersByTier[t.code] ?? 0 })
        }
        count(LocalizedName(zh: "升级次数", en: "Upgrades"), \.upgrades)
        count(LocalizedName(zh: "降级次数", en: "Downgrades"), \.downgrades)
        count(LocalizedName(zh: "达到需审批等级的会员", en: "Members reaching a tier that needs approval"), \.approvalCandidates)
        number(LocalizedName(zh: "发放积分", en: "Points issued"), \.pointsIssued)
        money(LocalizedName(zh: "会员折扣成本（元）", en: "Discount cost (yuan)"), \.discountFen)
        let hours: (SimulationFigures) -> String = { SimulationResult.hours($0.freeParkingMinutes) }
        out.append(Row(label: LocalizedName(zh: "免费停车（小时）", en: "Free parking (hours)"), current: hours(current), draft: hours(draft),
                       change: signed(draft.freeParkingMinutes - current.freeParkingMinutes) { SimulationResult.hours($0) },
                       recorded: recorded.map(hours)))
        number(LocalizedName(zh: "期末未用积分", en: "Points outstanding at the end"), \.pointsOutstanding)
        money(LocalizedName(zh: "积分负债（元）", en: "Points liability (yuan)"), { $0.liabilityFen })
        return out
    }

    /// Minutes as hours with one decimal: 90 → "1.5".
    public static func hours(_ minutes: Int64) -> String {
        let tenths = (minutes.magnitude * 10 + 30) / 60
        return (minutes < 0 ? "-" : "") + "\(tenths / 10).\(tenths % 10)"
    }

    private func signed(_ v: Int64, _ format: (Int64) -> String) -> String {
        v > 0 ? "+" + format(v) : v < 0 ? "-" + format(-v) : "0"
    }
}
