/// The programme simulator (issue 7): a draft programme and the active one replayed over the same window of recorded
/// purchases, member by member, with the programme's own rules — `earning.earn` for points, `evaluateTier` at each
/// purchase and at the yearly review (`review.mode`, `review.downgrade`), the tier's discount, the tier's free parking
/// hours with `parking.charge`, and `redemption.valuePerThousandPoints` for the liability. Nothing is written.
///
/// Members are added one at a time (the store streams them in pages), so memory stays with one member.
/// Simplifications, the same for both programmes: manual (honorary) tiers are not replayed; tiers that need a
/// manager's approval are never granted, only counted as reached; refunds are not replayed (amounts are as rung up);
/// a member's start tier is the recorded one, or, when the draft has no tier of that code, what their rolling spend
/// on the window's eve earns under the draft. Amounts on the receipts are what the member paid: the price before the
/// member discount is recovered with the discount of the tier the active programme's replay gives at that moment, and
/// each programme's discount is then applied to that price.
public struct ProgrammeSimulation: Sendable {
    public let current: Programme
    public let draft: Programme
    public let from: LocalDate
    public let through: LocalDate
    public private(set) var currentFigures = SimulationFigures()
    public private(set) var draftFigures = SimulationFigures()

    public init(current: Programme, draft: Programme, from: LocalDate, through: LocalDate) {
        self.current = current
        self.draft = draft
        self.from = from
        self.through = through
    }

    /// The window of `months` months ending (inclusive) on `today`.
    public static func window(months: Int, endingOn today: LocalDate) -> (from: LocalDate, through: LocalDate) {
        (today.windowStart(months: months), today)
    }

    /// The first business day whose purchases the replay needs: the longest tier window of either programme before
    /// the window opens.
    public static func historyStart(current: Programme, draft: Programme, from: LocalDate) -> LocalDate {
        let longest = (current.tierWindows + draft.tierWindows).max() ?? 0
        return longest == 0 ? from : from.adding(days: -1).windowStart(months: longest)
    }

    /// Whether a programme has "first N member purchases of the day" rules, which need the mall-wide count.
    public static func needsDayOrdinals(_ p: Programme) -> Bool { p.earning.needsDayOrdinal }

    /// The mall-wide ordinal of each counted member purchase under `programme`, as the till counts them: purchases
    /// in posting order within a mall and business day, counted only when a day-ordinal rule would apply to them.
    public static func dayOrdinals(_ programme: Programme, _ purchases: [OrdinalPurchase]) -> [Int64: Int] {
        let rules = programme.earning.multipliers.filter { $0.firstMemberPurchasesOfDay != nil }
        guard !rules.isEmpty else { return [:] }
        var counts: [Int64: [Int: Int]] = [:]
        var out: [Int64: Int] = [:]
        for p in purchases where !p.creditedAtEnrolment {
            let context = EarningContext(businessDate: p.day, birthday: p.birthday, memberPurchaseOrdinalOfDay: 1)
            guard rules.contains(where: { $0.applies(context) }) else { continue }
            let n = (counts[p.mallId]?[p.day.dayNumber] ?? 0) + 1
            counts[p.mallId, default: [:]][p.day.dayNumber] = n
            out[p.id] = n
        }
        return out
    }

    public mutating func add(_ member: SimulationMember) {
        let (c, listPrices) = Replay(programme: current, from: from, through: through, isDraft: false).run(member, listPrices: nil)
        let (d, _) = Replay(programme: draft, from: from, through: through, isDraft: true).run(member, listPrices: listPrices)
        currentFigures.add(c)
        draftFigures.add(d)
    }

    public var result: SimulationResult {
        var tiers = current.tiers.map { (code: $0.code, name: $0.name) }
        for t in draft.tiers where !tiers.contains(where: { $0.code == t.code }) { tiers.append((t.code, t.name)) }
        var c = currentFigures, d = draftFigures
        c.liabilityFen = c.pointsOutstanding * current.redemption.fenPerThousandPoints / 1000
        d.liabilityFen = d.pointsOutstanding * draft.redemption.fenPerThousandPoints / 1000
        return SimulationResult(from: from, through: through, tiers: tiers, current: c, draft: d, recorded: nil)
    }
}

/// One member's outcome under one programme.
struct MemberReplay {
    var endTier: String
    var purchases = 0
    var upgrades = 0
    var downgrades = 0
    var approvalCandidate = false
    var points: Int64 = 0
    var recordedPoints: Int64 = 0
    var discountFen: Int64 = 0
    var freeParkingMinutes: Int64 = 0
    var outstanding: Int64 = 0
}

extension SimulationFigures {
    mutating func add(_ m: MemberReplay) {
        members += 1
        purchases += m.purchases
        membersByTier[m.endTier, default: 0] += 1
        upgrades += m.upgrades
        downgrades += m.downgrades
        approvalCandidates += m.approvalCandidate ? 1 : 0
        pointsIssued += m.points
        discountFen = (discountFen ?? 0) + m.discountFen
        freeParkingMinutes += m.freeParkingMinutes
        pointsOutstanding += m.outstanding
    }
}

/// The replay of one member under one programme.
struct Replay {
    let programme: Programme
    let from: LocalDate
    let through: LocalDate
    let isDraft: Bool

    private enum Event {
        case purchase(Int)
        case exit(Int)
    }

    /// Returns the outcome and, for each purchase in the window (by index), the price before the member discount
    /// (computed by the active programme's replay, reused by the draft's).
    func run(_ m: SimulationMember, listPrices given: [Int: Int64]?) -> (MemberReplay, [Int: Int64]) {
        let p = programme
        let windows = p.tierWindows
        var spend: [(day: Int, fen: Int64)] = []
        var daySpend: [Int64: Int64] = [:]   // by mall, on the business day being replayed
        var spendDay = Int.min
        var listPrices: [Int: Int64] = [:]
        let fromDay = from.dayNumber, throughDay = through.dayNumber

        func rolling(endingOn day: Int, plus extra: Int64) -> RollingSpend {
            var by: [Int: Int64] = [:]
            let end = LocalDate(dayNumber: day)
            for w in windows {
                let start = end.windowStart(months: w).dayNumber
                var sum = extra
                for s in spend where s.day >= start && s.day <= day { sum += s.fen }
                by[w] = sum
            }
            return RollingSpend(by)
        }

        // History before the window feeds the rolling windows only.
        let firstInWindow = m.purchases.firstIndex { $0.day.dayNumber >= fromDay } ?? m.purchases.count
        for h in m.purchases[..<firstInWindow] { spend.append((h.day.dayNumber, h.totalFen)) }

        var tier: Int
        if let r = p.rank(of: m.startTier) {
            tier = r
        } else {
            // The draft has no tier of this code: what the spend on the window's eve earns under it.
            let eve = max(from.adding(days: -1), m.enrolledDay)
            tier = p.rank(of: p.evaluateTier(spend: rolling(endingOn: eve.dayNumber, plus: 0), floor: p.entryTier.code).tier) ?? 0
        }
        var tierSince = m.tierSince.dayNumber
        var lastReview: Int?
        var out = MemberReplay(endTier: p.tiers[tier].code)

        func review(on day: Int, counted: Bool) {
            defer { lastReview = day }
            guard counted else { return }
            let floor = p.review.downgrade ? p.entryTier.code : p.tiers[tier].code
            let evaluation = p.evaluateTier(spend: rolling(endingOn: day, plus: 0), floor: floor)
            let newRank = p.rank(of: evaluation.tier) ?? tier
            if newRank < tier { out.downgrades += 1 }
            if newRank > tier { out.upgrades += 1 }
            if newRank != tier {
                tier = newRank
                tierSince = day
            }
        }
        // The daily review job through `day`: reviews before the window only move the anniversary on (their outcome is
        // in the start tier already).
        func reviews(through day: Int) {
            switch p.review.mode {
            case .none:
                return
            case .anniversary:
                while true {
                    let since = max(tierSince, lastReview ?? tierSince)
                    var due = LocalDate(dayNumber: since).adding(months: 12).dayNumber
                    while LocalDate(dayNumber: due).adding(months: -12).dayNumber < since { due += 1 }
                    guard due <= day else { return }
                    review(on: due, counted: due >= fromDay)
                }
            case .calendarYear:
                let firstYear = m.enrolledDay.year + 1
                let lastYear = LocalDate(dayNumber: day).year
                guard firstYear <= lastYear else { return }
                for year in firstYear...lastYear {
                    let newYear = LocalDate(year: year, month: 1, day: 1).dayNumber
                    if newYear > m.enrolledDay.dayNumber, (lastReview ?? Int.min) < newYear { review(on: newYear, counted: newYear >= fromDay) }
                }
            }
        }
        reviews(through: fromDay - 1)

        var events: [(Int64, Int, Event)] = []
        for i in firstInWindow..<m.purchases.count where m.purchases[i].day.dayNumber <= throughDay { events.append((m.purchases[i].atMs, 0, .purchase(i))) }
        for (i, e) in m.parkingExits.enumerated() where e.day.dayNumber >= fromDay && e.day.dayNumber <= throughDay {
            events.append((e.atMs, 1, .exit(i)))
        }
        events.sort { ($0.0, $0.1) < ($1.0, $1.1) }

        for (_, _, event) in events {
            switch event {
            case .purchase(let i):
                let x = m.purchases[i]
                let day = x.day.dayNumber
                reviews(through: day)
                if day != spendDay { daySpend = [:]; spendDay = day }
                let ordinal = isDraft ? x.draftDayOrdinal : x.dayOrdinal
                let earning = p.earning.earn(eligibleFen: x.eligibleFen,
                                             context: EarningContext(businessDate: x.day, birthday: m.birthday, memberPurchaseOrdinalOfDay: ordinal))
                out.points += earning.points
                out.recordedPoints += x.recordedPoints
                out.purchases += 1

                // The discount of the tier held before this receipt, on the price before any member discount; an
                // event-only tier's only inside its periods (issue 18).
                let permille = p.tierDiscountPermille(tier: p.tiers[tier].code, on: x.day)
                let list = given?[i] ?? (permille < 1000 && permille > 0 ? Uplift.roundedDivision(x.discountableFen * 1000, Int64(permille)) : x.discountableFen)
                listPrices[i] = list
                out.discountFen += list - Money.apply(permille: permille, to: list)

                let evaluation = p.evaluateTier(spend: rolling(endingOn: day, plus: x.totalFen), floor: p.tiers[tier].code)
                if evaluation.approvalCandidate != nil { out.approvalCandidate = true }
                if let r = p.rank(of: evaluation.tier), r != tier {
                    if r > tier { out.upgrades += 1 } else { out.downgrades += 1 }
                    tier = r
                    tierSince = day
                }
                spend.append((day, x.totalFen))
                daySpend[x.mallId, default: 0] += x.totalFen
            case .exit(let i):
                let e = m.parkingExits[i]
                reviews(through: e.day.dayNumber)
                if e.day.dayNumber != spendDay { daySpend = [:]; spendDay = e.day.dayNumber }
                let charge = p.parking.charge(stayMinutes: e.stayMinutes, tierFreeHours: p.tiers[tier].benefits.freeParkingHours,
                                              sameDaySpendFen: daySpend[e.mallId] ?? 0)
                out.freeParkingMinutes += Int64(charge.freeMinutes)
            }
        }
        reviews(through: throughDay)
        out.endTier = p.tiers[tier].code
        out.outstanding = max(0, m.balanceNow - out.recordedPoints + out.points)
        return (out, listPrices)
    }
}
