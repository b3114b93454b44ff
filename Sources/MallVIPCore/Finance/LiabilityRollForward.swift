/// The points liability roll-forward (issue 20, docs/finance.md): per month and mall, the points and their value
/// (opening, issued, redeemed, voided, expired, adjusted, closing) and the revenue deferred to them under IFRS 15 /
/// CAS 14 (opening, allocated, recognised on redemption, breakage, closing), from the month's movement totals alone.
/// Pure: the store sums the ledger, this decides every figure.

/// What a mall carries from one month to the next: balances and the cumulative figures the release is computed from.
public struct LiabilityState: Codable, Sendable, Equatable {
    public var pointsBalance: Int64 = 0
    /// Value of the points balance as reported at the last close (fen).
    public var valueFen: Int64 = 0
    /// Points issued for sales, net of refunds, since the start.
    public var salesPoints: Int64 = 0
    /// Points redeemed, net of voided redemptions, since the start (≥ 0 in practice).
    public var redeemedPoints: Int64 = 0
    public var allocatedFen: Int64 = 0
    /// Revenue recognised on redemption since the start.
    public var recognisedFen: Int64 = 0
    /// Breakage recognised since the start.
    public var breakageFen: Int64 = 0

    public init() {}

    /// Deferred revenue still held: allocated less everything recognised.
    public var deferredFen: Int64 { Saturating.subtract(allocatedFen, Saturating.add(recognisedFen, breakageFen)) }

    static func + (a: LiabilityState, b: LiabilityState) -> LiabilityState {
        var s = LiabilityState()
        s.pointsBalance = Saturating.add(a.pointsBalance, b.pointsBalance); s.valueFen = Saturating.add(a.valueFen, b.valueFen)
        s.salesPoints = Saturating.add(a.salesPoints, b.salesPoints); s.redeemedPoints = Saturating.add(a.redeemedPoints, b.redeemedPoints)
        s.allocatedFen = Saturating.add(a.allocatedFen, b.allocatedFen); s.recognisedFen = Saturating.add(a.recognisedFen, b.recognisedFen)
        s.breakageFen = Saturating.add(a.breakageFen, b.breakageFen)
        return s
    }
}

/// The settings one computation uses, resolved from the programme.
public struct LiabilityParameters: Sendable, Equatable {
    public var fenPerThousandPoints: Int64
    public var rateSource: FinancePolicy.RateSource
    public var fixedPermille: Int
    public var historyMonths: Int
    public var rounding: FinanceRounding

    public init(fenPerThousandPoints: Int64, rateSource: FinancePolicy.RateSource = .fixed, fixedPermille: Int,
                historyMonths: Int = 12, rounding: FinanceRounding = .halfUp) {
        self.fenPerThousandPoints = fenPerThousandPoints
        self.rateSource = rateSource
        self.fixedPermille = fixedPermille
        self.historyMonths = historyMonths
        self.rounding = rounding
    }

    public init(_ programme: Programme) {
        let f = programme.finance
        self.init(fenPerThousandPoints: f.fenPerThousandPoints(programme), rateSource: f.redemptionRate,
                  fixedPermille: f.expectedRedemptionPermille, historyMonths: f.historyMonths, rounding: f.rounding)
    }
}

/// One line of the roll-forward: a mall's month, or the group's (`mallId == LiabilityRollForward.group`).
public struct LiabilityRow: Codable, Sendable, Equatable {
    public var month: FinanceMonth
    public var mallId: Int64
    public var movements: PointsMovements
    /// The expected redemption rate used this month (per mille), and its source.
    public var ratePermille: Int
    public var rateFromHistory: Bool
    public var fenPerThousandPoints: Int64
    /// Points expected to be redeemed in all, at the month's end (redeemed so far + expected of the open points).
    public var expectedPoints: Int64

    public var openingPoints: Int64 = 0
    /// earn + import + bonus (referral and activity points, net of referral reversals).
    public var issuedPoints: Int64 = 0
    /// redeem + redeemVoid (negative).
    public var redeemedPoints: Int64 = 0
    /// reverse: points of refunded purchases (negative).
    public var voidedPoints: Int64 = 0
    public var expiredPoints: Int64 = 0
    public var adjustedPoints: Int64 = 0
    public var closingPoints: Int64 = 0

    public var openingValueFen: Int64 = 0
    public var issuedValueFen: Int64 = 0
    public var redeemedValueFen: Int64 = 0
    public var voidedValueFen: Int64 = 0
    public var expiredValueFen: Int64 = 0
    public var adjustedValueFen: Int64 = 0
    /// The opening balance revalued when the point value changed since the last month.
    public var revaluationFen: Int64 = 0
    public var closingValueFen: Int64 = 0

    /// Sales that earned points, net of refunds.
    public var salesFen: Int64 = 0
    /// Stand-alone selling price of the month's points: points × expected rate × value.
    public var sspFen: Int64 = 0
    public var allocatedFen: Int64 = 0
    /// Revenue left to the goods: sales − allocated.
    public var goodsRevenueFen: Int64 = 0
    public var deferredOpeningFen: Int64 = 0
    public var recognisedFen: Int64 = 0
    public var breakageFen: Int64 = 0
    public var deferredClosingFen: Int64 = 0

    /// What the mall carries into the next month.
    public var state: LiabilityState

    public var isGroup: Bool { mallId == LiabilityRollForward.group }

    /// opening + movements = closing, in points, in value and in deferred revenue.
    public var closes: Bool {
        openingPoints + issuedPoints + redeemedPoints + voidedPoints + expiredPoints + adjustedPoints == closingPoints
            && openingValueFen + revaluationFen + issuedValueFen + redeemedValueFen + voidedValueFen + expiredValueFen + adjustedValueFen == closingValueFen
            && deferredOpeningFen + allocatedFen - recognisedFen - breakageFen == deferredClosingFen
    }
}

public enum LiabilityRollForward {
    /// `mallId` of the group's row (the sum of every mall's).
    public static let group: Int64 = -1

    /// The expected redemption rate for `month` (per mille) and whether it came from history. History: over the
    /// `historyMonths` months ending with `month`, redeemed ÷ (redeemed + expired) of the group; the fixed rate when
    /// the window holds neither.
    public static func rate(for month: FinanceMonth, groupMovements: [FinanceMonth: PointsMovements],
                            _ p: LiabilityParameters) -> (permille: Int, fromHistory: Bool) {
        guard p.rateSource == .history else { return (p.fixedPermille, false) }
        var redeemed: Int64 = 0, expired: Int64 = 0
        var m = month
        for _ in 0..<max(1, p.historyMonths) {
            if let g = groupMovements[m] {
                redeemed = Saturating.subtract(redeemed, Saturating.add(g.redeemed, g.redeemVoided))
                expired = Saturating.subtract(expired, g.expired)
            }
            m = m.previous
        }
        redeemed = max(0, redeemed); expired = max(0, expired)
        let resolved = Saturating.add(redeemed, expired)
        guard resolved > 0 else { return (p.fixedPermille, false) }
        return (Int(min(1000, max(0, p.rounding.mulDiv(redeemed, 1000, resolved)))), true)
    }

    /// One mall's month from its opening state and movements.
    public static func step(month: FinanceMonth, mallId: Int64, movements m: PointsMovements, opening s: LiabilityState,
                            rate: (permille: Int, fromHistory: Bool), _ p: LiabilityParameters) -> LiabilityRow {
        let r = p.rounding, v = p.fenPerThousandPoints
        func value(_ points: Int64) -> Int64 { r.mulDiv(points, v, 1000) }
        var row = LiabilityRow(month: month, mallId: mallId, movements: m, ratePermille: rate.permille, rateFromHistory: rate.fromHistory,
                               fenPerThousandPoints: v, expectedPoints: 0, state: s)
        // Points, and their value by cumulative rounding: each line is the change of the rounded running value, so the
        // lines add up to the closing value exactly and none is more than a fen from its own points × value.
        row.openingPoints = s.pointsBalance
        row.openingValueFen = s.valueFen
        var running = s.pointsBalance
        var runningValue = value(running)
        row.revaluationFen = runningValue - s.valueFen
        func move(_ points: Int64) -> Int64 {
            running = Saturating.add(running, points)
            let next = value(running)
            defer { runningValue = next }
            return next - runningValue
        }
        row.issuedPoints = Saturating.sum([m.earned, m.imported, m.bonus])
        row.issuedValueFen = move(row.issuedPoints)
        row.redeemedPoints = Saturating.add(m.redeemed, m.redeemVoided)
        row.redeemedValueFen = move(row.redeemedPoints)
        row.voidedPoints = m.reversed
        row.voidedValueFen = move(row.voidedPoints)
        row.expiredPoints = m.expired
        row.expiredValueFen = move(row.expiredPoints)
        row.adjustedPoints = m.adjusted
        row.adjustedValueFen = move(row.adjustedPoints)
        row.closingPoints = running
        row.closingValueFen = runningValue

        // Allocation: sales × SSP ÷ (sales + SSP), relative stand-alone selling prices. A month whose refunds
        // outweigh its sales (both negative) takes back its share the same way; mixed signs allocate nothing.
        row.salesFen = m.netSalesFen
        row.sspFen = r.mulDiv(m.salesPoints, Int64(rate.permille) * v, 1_000_000)
        let sameSign = (row.salesFen > 0 && row.sspFen > 0) || (row.salesFen < 0 && row.sspFen < 0)
        row.allocatedFen = sameSign ? r.mulDiv(row.salesFen, row.sspFen, Saturating.add(row.salesFen, row.sspFen)) : 0
        row.goodsRevenueFen = row.salesFen - row.allocatedFen

        // Release: cumulative recognised = allocated × redeemed ÷ expected, less what was recognised before. Expected is
        // the net sales points × the rate (IFRS 15 IE267–IE270), kept between what was redeemed and what could still be:
        // once the open points have expired, expected falls to what was redeemed and their share is released as
        // breakage. A changed rate is caught up in this month; the allocation is never restated.
        var e = s
        row.deferredOpeningFen = s.deferredFen
        e.allocatedFen = Saturating.add(e.allocatedFen, row.allocatedFen)
        e.salesPoints = Saturating.add(e.salesPoints, m.salesPoints)
        e.redeemedPoints = Saturating.subtract(e.redeemedPoints, row.redeemedPoints)
        e.pointsBalance = row.closingPoints
        e.valueFen = row.closingValueFen
        let redeemed = max(0, e.redeemedPoints)
        let uncapped = r.mulDiv(max(0, e.salesPoints), Int64(rate.permille), 1000)
        let expected = min(max(uncapped, redeemed), Saturating.add(redeemed, max(0, row.closingPoints)))
        row.expectedPoints = expected
        let totalCum = expected > 0 ? r.mulDiv(e.allocatedFen, redeemed, expected) : e.allocatedFen
        let onRedemptionCum = uncapped > 0 ? r.mulDiv(e.allocatedFen, min(redeemed, uncapped), uncapped) : 0
        let breakageCum = totalCum - onRedemptionCum
        row.recognisedFen = onRedemptionCum - s.recognisedFen
        row.breakageFen = breakageCum - s.breakageFen
        e.recognisedFen = onRedemptionCum
        e.breakageFen = breakageCum
        row.deferredClosingFen = e.deferredFen
        row.state = e
        return row
    }

    /// The group's row of a month: the sum of its malls' rows (the rate and value are the month's own).
    public static func groupRow(_ rows: [LiabilityRow], month: FinanceMonth, rate: (permille: Int, fromHistory: Bool),
                                _ p: LiabilityParameters) -> LiabilityRow {
        var g = LiabilityRow(month: month, mallId: group, movements: PointsMovements(), ratePermille: rate.permille,
                             rateFromHistory: rate.fromHistory, fenPerThousandPoints: p.fenPerThousandPoints, expectedPoints: 0,
                             state: LiabilityState())
        for r in rows where !r.isGroup {
            g.movements += r.movements
            g.expectedPoints += r.expectedPoints
            g.openingPoints += r.openingPoints; g.issuedPoints += r.issuedPoints; g.redeemedPoints += r.redeemedPoints
            g.voidedPoints += r.voidedPoints; g.expiredPoints += r.expiredPoints; g.adjustedPoints += r.adjustedPoints
            g.closingPoints += r.closingPoints
            g.openingValueFen += r.openingValueFen; g.issuedValueFen += r.issuedValueFen; g.redeemedValueFen += r.redeemedValueFen
            g.voidedValueFen += r.voidedValueFen; g.expiredValueFen += r.expiredValueFen; g.adjustedValueFen += r.adjustedValueFen
            g.revaluationFen += r.revaluationFen; g.closingValueFen += r.closingValueFen
            g.salesFen += r.salesFen; g.sspFen += r.sspFen; g.allocatedFen += r.allocatedFen; g.goodsRevenueFen += r.goodsRevenueFen
            g.deferredOpeningFen += r.deferredOpeningFen; g.recognisedFen += r.recognisedFen; g.breakageFen += r.breakageFen
            g.deferredClosingFen += r.deferredClosingFen
            g.state = g.state + r.state
        }
        return g
    }

    /// Rolls `months` forward (consecutive, earliest first) from `start` (each mall's state at the end of the month
    /// before). `movements[month][mall]` are the month's totals; `priorGroup` the group's totals of earlier months,
    /// for the history estimate. Returns each month's mall rows (by mall id) followed by its group row. A mall that
    /// has appeared keeps a row every later month, so its balance carries.
    public static func run(months: [FinanceMonth], movements: [FinanceMonth: [Int64: PointsMovements]],
                           start: [Int64: LiabilityState], priorGroup: [FinanceMonth: PointsMovements] = [:],
                           _ p: LiabilityParameters) -> [FinanceMonth: [LiabilityRow]] {
        var groupMovements = priorGroup
        for (month, malls) in movements {
            groupMovements[month] = malls.values.reduce(PointsMovements(), +)
        }
        var states = start
        var out: [FinanceMonth: [LiabilityRow]] = [:]
        for month in months {
            let rate = rate(for: month, groupMovements: groupMovements, p)
            let these = movements[month] ?? [:]
            let malls = Set(states.keys).union(these.keys).sorted()
            var rows: [LiabilityRow] = []
            for mall in malls {
                let row = step(month: month, mallId: mall, movements: these[mall] ?? PointsMovements(),
                               opening: states[mall] ?? LiabilityState(), rate: rate, p)
                states[mall] = row.state
                rows.append(row)
            }
            rows.append(groupRow(rows, month: month, rate: rate, p))
            out[month] = rows
        }
        return out
    }
}
