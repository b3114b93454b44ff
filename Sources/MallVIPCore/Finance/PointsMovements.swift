/// One month's points movements of one mall, summed from the ledger by kind (docs/finance.md "Movements"), and the
/// sales behind the points. Every field is a plain sum, so movements add and subtract: a month's late activity is
/// what the ledger holds now less what was frozen when it closed.
public struct PointsMovements: Codable, Sendable, Equatable {
    /// Eligible sales of the purchases whose `earn` rows fall in the month (fen).
    public var salesFen: Int64 = 0
    /// The part of those sales undone by refunds, for the `reverse` rows in the month: a purchase's eligible sales ×
    /// points reversed ÷ points it earned (fen, ≥ 0).
    public var refundedSalesFen: Int64 = 0
    /// `earn` (+).
    public var earned: Int64 = 0
    /// `reverse` (−): points of refunded purchases.
    public var reversed: Int64 = 0
    /// `referral`, `referralReverse` and the activity kinds (`checkIn`, `survey`, `profile`, issue 18) (±): points
    /// given for something other than a purchase, net. Any kind added later counts here until it is placed.
    public var bonus: Int64 = 0
    /// `import` (+): opening balances brought in by member imports.
    public var imported: Int64 = 0
    /// `redeem` (−).
    public var redeemed: Int64 = 0
    /// `redeemVoid` (+): points given back when a redemption is voided.
    public var redeemVoided: Int64 = 0
    /// `expire` (−).
    public var expired: Int64 = 0
    /// `adjust` (±): manual adjustments and write-offs of deleted accounts.
    public var adjusted: Int64 = 0

    public init() {}

    /// Adds one ledger row's points to the field of its kind.
    public mutating func add(_ kind: LedgerKind, _ points: Int64) {
        switch kind {
        case .earn: earned = Saturating.add(earned, points)
        case .reverse: reversed = Saturating.add(reversed, points)
        case .import: imported = Saturating.add(imported, points)
        case .redeem: redeemed = Saturating.add(redeemed, points)
        case .redeemVoid: redeemVoided = Saturating.add(redeemVoided, points)
        case .expire: expired = Saturating.add(expired, points)
        case .adjust: adjusted = Saturating.add(adjusted, points)
        default: bonus = Saturating.add(bonus, points)
        }
    }

    /// The change of the points balance: every kind, signed.
    public var netPoints: Int64 {
        Saturating.sum([earned, reversed, bonus, imported, redeemed, redeemVoided, expired, adjusted])
    }

    /// Points issued for sales, net of refunds: what revenue is allocated to.
    public var salesPoints: Int64 { Saturating.add(earned, reversed) }
    /// Sales that earned points, net of refunds (fen).
    public var netSalesFen: Int64 { Saturating.subtract(salesFen, refundedSalesFen) }
    public var isZero: Bool { self == PointsMovements() }

    private func zip(_ o: PointsMovements, _ f: (Int64, Int64) -> Int64) -> PointsMovements {
        var r = PointsMovements()
        r.salesFen = f(salesFen, o.salesFen); r.refundedSalesFen = f(refundedSalesFen, o.refundedSalesFen)
        r.earned = f(earned, o.earned); r.reversed = f(reversed, o.reversed); r.bonus = f(bonus, o.bonus)
        r.imported = f(imported, o.imported); r.redeemed = f(redeemed, o.redeemed); r.redeemVoided = f(redeemVoided, o.redeemVoided)
        r.expired = f(expired, o.expired); r.adjusted = f(adjusted, o.adjusted)
        return r
    }

    public static func + (a: PointsMovements, b: PointsMovements) -> PointsMovements { a.zip(b, Saturating.add) }
    public static func - (a: PointsMovements, b: PointsMovements) -> PointsMovements { a.zip(b, Saturating.subtract) }
    public static func += (a: inout PointsMovements, b: PointsMovements) { a = a + b }
}
