/// Whether ROI is reckoned on incremental revenue or on the margin it brings (docs/domain.md §19). The 000 plan subtracts its costs
/// from the incremental sales themselves (180,000 − 88,000 = 92,000; the plan wrote 97,000); a mall keeps only the margin on those sales, so
/// `margin` is the default and `revenue` reproduces the plan's own formula. Programme key `economics.roiBasis`.
public enum ROIBasis: String, CaseIterable, Codable, Sendable {
    case margin, revenue

    public var label: LocalizedName {
        switch self {
        case .margin: LocalizedName(zh: "按毛利（增量销售 × 毛利率 − 成本）", en: "On margin (incremental sales × margin − costs)")
        case .revenue: LocalizedName(zh: "按销售额（增量销售 − 成本，000 方案原式）", en: "On revenue (incremental sales − costs, the 000 plan's formula)")
        }
    }
}

/// Programme economics settings (programme section `economics`).
public struct EconomicsPolicy: Codable, Sendable, Equatable {
    public var roiBasis: ROIBasis
    public init(roiBasis: ROIBasis = .margin) { self.roiBasis = roiBasis }

    enum CodingKeys: String, CodingKey { case roiBasis }
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        roiBasis = try c.decodeIfPresent(ROIBasis.self, forKey: .roiBasis) ?? .margin
    }
}

/// The programme's profit and loss for a period: incremental revenue (campaigns measured against a control group, or a
/// plan's assumption), the margin on it, the costs, the net and the ROI. Fen and per mille throughout.
public struct ProgrammePL: Sendable, Equatable {
    public var incrementalRevenueFen: Int64
    /// Gross margin on incremental sales (300 = 30%; programme `messaging.margin`).
    public var marginPermille: Int
    public var costFen: Int64

    public init(incrementalRevenueFen: Int64, marginPermille: Int, costFen: Int64) {
        self.incrementalRevenueFen = incrementalRevenueFen
        self.marginPermille = marginPermille
        self.costFen = costFen
    }

    /// Incremental revenue × margin, fen rounded half away from zero.
    public var incrementalMarginFen: Int64 { Uplift.roundedDivision(Saturating.multiply(incrementalRevenueFen, Int64(marginPermille)), 1000) }

    /// What the programme earned over its costs: revenue or margin, less the costs.
    public func netFen(_ basis: ROIBasis) -> Int64 {
        Saturating.subtract(basis == .revenue ? incrementalRevenueFen : incrementalMarginFen, costFen)
    }

    /// Net ÷ costs, per mille rounded (1102 = 110.2%); nil without costs.
    public func roiPermille(_ basis: ROIBasis) -> Int64? {
        costFen > 0 ? Uplift.roundedDivision(Saturating.multiply(netFen(basis), 1000), costFen) : nil
    }
}

/// The 000 plan's calculator (docs/domain.md §13.1): planned new VIPs × expected extra spend per VIP, less the planned costs.
/// 200 × 900 = 180,000 yuan; − 80,000 events − 5,000 database − 3,000 promotion = 92,000 on revenue. The plan writes
/// 97,000 for the same subtraction (its own total cost is 88,000): an arithmetic slip like the SMS line of docs/domain.md §19.
public struct ProgrammePlan: Sendable, Equatable {
    public struct CostLine: Sendable, Equatable {
        public var label: String
        public var amountFen: Int64
        public init(label: String, amountFen: Int64) { self.label = label; self.amountFen = amountFen }
    }

    public var newVIPs: Int64
    public var upliftPerVIPFen: Int64
    public var costs: [CostLine]
    public var marginPermille: Int

    public init(newVIPs: Int64, upliftPerVIPFen: Int64, costs: [CostLine], marginPermille: Int) {
        self.newVIPs = newVIPs
        self.upliftPerVIPFen = upliftPerVIPFen
        self.costs = costs
        self.marginPermille = marginPermille
    }

    public var incrementalRevenueFen: Int64 { Saturating.multiply(newVIPs, upliftPerVIPFen) }
    public var costFen: Int64 { Saturating.sum(costs.map(\.amountFen)) }
    public var pl: ProgrammePL { ProgrammePL(incrementalRevenueFen: incrementalRevenueFen, marginPermille: marginPermille, costFen: costFen) }

    /// The 000 plan's own figures (docs/domain.md §13.1: 200 new VIPs × 900 yuan; 80,000 events, 5,000 database,
    /// 3,000 promotion), the calculator's starting values.
    public static func seed(marginPermille: Int) -> ProgrammePlan {
        ProgrammePlan(newVIPs: 200, upliftPerVIPFen: 90_000, costs: [
            CostLine(label: CostKind.events.label.zh, amountFen: 8_000_000),
            CostLine(label: CostKind.database.label.zh, amountFen: 500_000),
            CostLine(label: CostKind.promotion.label.zh, amountFen: 300_000),
        ], marginPermille: marginPermille)
    }
}
