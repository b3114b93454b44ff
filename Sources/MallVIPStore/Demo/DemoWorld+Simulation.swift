import Foundation
import MallVIPCore

extension DemoWorld {
    // MARK: the year, member by member

    /// Points, balances, rolling spend and tiers, replayed in time order for each member with the programme's own
    /// rules; the mall-wide "first N member purchases of the day" ordinal is counted first across all members.
    mutating func simulateMembers() {
        countDayOrdinals()
        for i in members.indices { simulate(i) }
        daySpend.sort { ($0.member, $0.day) < ($1.member, $1.day) }
    }

    private mutating func countDayOrdinals() {
        let rules = programme.earning.multipliers.filter { $0.firstMemberPurchasesOfDay != nil }
        guard !rules.isEmpty else { return }
        var counted: [(Int64, Int)] = []
        for (j, p) in purchases.enumerated() where p.isMemberPOS {
            let m = members[p.member!]
            let context = EarningContext(businessDate: LocalDate(dayNumber: p.day), birthday: m.birthday.map { MonthDay(month: $0.month, day: $0.day) },
                                         memberPurchaseOrdinalOfDay: 1)
            if rules.contains(where: { $0.applies(context) }) { counted.append((p.atMs, j)) }
        }
        counted.sort { $0 < $1 }
        for (_, j) in counted {
            let day = purchases[j].day
            let n = (mallDayCounts[day] ?? 0) + 1
            mallDayCounts[day] = n
            purchases[j].ordinal = n
        }
    }

    private enum Event {
        case enrol
        case purchase(Int)
        case honorary
        case replaceCard
    }

    private mutating func simulate(_ i: Int) {
        var m = members[i]
        let programme = self.programme
        let tiers = programme.tiers
        let windows = programme.tierWindows
        let birthday = m.birthday.map { MonthDay(month: $0.month, day: $0.day) }
        var rng = SplitMix64(seed: plan.seed, stream: Stream.simulation.rawValue, UInt64(m.id))
        var tier = m.entryTier
        var tierSince = m.enrolledDay
        var balance: Int64 = 0
        var spend: [(day: Int, fen: Int64)] = []
        var spendByDay: [Int: Int64] = [:]   // the same spend as the decision reads it
        var manual: (tier: Int, until: LocalDate)?
        var pending: (tier: String, reason: String, request: Int, decideAt: Int64, approve: Bool)?
        var card = 0   // index into the member's cards: 0 first, 1 after a replacement
        var updated = m.enrolledAtMs
        let endMs = startMs(ofDay: lastDay + 1)

        func rolling(endingOn day: Int, plus extra: Int64) -> RollingSpend {
            let end = LocalDate(dayNumber: day)
            var by: [Int: Int64] = [:]
            for w in windows {
                let start = end.windowStart(months: w).dayNumber
                by[w] = spend.reduce(extra) { $0 + ($1.day >= start && $1.day <= day ? $1.fen : 0) }
            }
            return RollingSpend(by)
        }
        func effective(on day: Int) -> String {
            programme.effectiveTier(earned: tiers[tier].code, manual: manual.map { tiers[$0.tier].code }, manualUntil: manual?.until,
                                    on: LocalDate(dayNumber: day))
        }
        func addSpend(_ day: Int, _ fen: Int64) {
            spend.append((day, fen))
            spendByDay[day, default: 0] += fen
        }

        // Enrolment row (every member has one), and the earlier members' tier from the spend before the year.
        tierChanges.append(TierChange(member: i, from: tiers[tier].code, to: tiers[tier].code, kind: "enrol",
                                      reason: m.enrolRule, purchase: nil, actor: m.enrolledBy, atMs: m.enrolledAtMs))
        if m.kind == .swap || m.kind == .earlierReceipt {
            // Swapped cards carry the old card's tier (its 12 months' spend); earlier enrolments reached theirs at
            // the till some time before the year. That spend predates the data, so it is only in the reason.
            let before = m.annualYuan * (0.3 + 0.7 * rng.unit())
            let prior = RollingSpend(Dictionary(uniqueKeysWithValues: windows.map { ($0, Int64(before * 100 * min(1, Double($0) / 12))) }))
            let evaluation = programme.evaluateTier(spend: prior, floor: tiers[tier].code)
            if evaluation.tier != tiers[tier].code, let reason = evaluation.reason {
                let swap = m.kind == .swap
                let day = swap ? m.enrolledDay : max(m.enrolledDay + 1, firstDay - 1 - rng.below(120))
                let at = swap ? m.enrolledAtMs + 1000 : shoppingTime(day, &rng)
                tierChanges.append(TierChange(member: i, from: tiers[tier].code, to: evaluation.tier, kind: "upgrade",
                                              reason: (try? encodeJSON(reason)) ?? "", purchase: nil,
                                              actor: swap ? "migration" : "pos", atMs: at))
                tier = programme.rank(of: evaluation.tier) ?? tier
                tierSince = day
                updated = at
            }
        }

        var events: [(Int64, Int, Event)] = []
        if m.kind == .receipt { events.append((m.enrolledAtMs, 0, .enrol)) }
        for j in m.purchases { events.append((purchases[j].atMs, 1, .purchase(j))) }
        if let h = m.honorary { events.append((h.atMs, 2, .honorary)) }
        if let r = m.replacementAtMs { events.append((r, 3, .replaceCard)) }
        events.sort { ($0.0, $0.1) < ($1.0, $1.1) }

        func decide(before t: Int64) {
            guard let p = pending, p.decideAt <= t else { return }
            tierRequests[p.request].status = p.approve ? "approved" : "rejected"
            tierRequests[p.request].decidedBy = inputs.managerActor
            tierRequests[p.request].decidedAtMs = p.decideAt
            tierRequests[p.request].note = p.approve ? "资信审核通过" : "资信审核未通过，暂缓升级"
            if p.approve, let rank = programme.rank(of: p.tier) {
                tierChanges.append(TierChange(member: i, from: tiers[tier].code, to: p.tier, kind: "approval", reason: p.reason,
                                              purchase: nil, actor: inputs.managerActor, atMs: p.decideAt))
                tier = rank
                tierSince = LocalDate.of(dateFromMillis(p.decideAt), in: zone).dayNumber
                updated = max(updated, p.decideAt)
            }
            pending = nil
        }

        // The daily tier-review job (`runTierReview`), as it would have run through the year: on the anniversary of
        // the last tier change or review, or on 1 January; before the year it is taken to have changed nothing.
        var lastReview: Int?
        func review(on day: Int) {
            defer { lastReview = day }
            guard day >= firstDay else { return }
            decide(before: startMs(ofDay: day))
            let floor = programme.review.downgrade ? programme.entryTier.code : tiers[tier].code
            let evaluation = programme.evaluateTier(spend: rolling(endingOn: day, plus: 0), floor: floor)
            let newRank = programme.rank(of: evaluation.tier) ?? tier
            reviewDays[day, default: (0, 0, 0)].reviewed += 1
            if newRank < tier { reviewDays[day, default: (0, 0, 0)].downgraded += 1 }
            if newRank > tier { reviewDays[day, default: (0, 0, 0)].upgraded += 1 }
            guard evaluation.tier != tiers[tier].code else { return }
            let at = startMs(ofDay: day) + Int64(300 + rng.below(3000)) * 1000
            tierChanges.append(TierChange(member: i, from: tiers[tier].code, to: evaluation.tier, kind: "review",
                                          reason: evaluation.reason.flatMap { try? encodeJSON($0) } ?? "年度复核", purchase: nil,
                                          actor: "job", atMs: at))
            tier = programme.rank(of: evaluation.tier) ?? tier
            tierSince = day
            updated = max(updated, at)
        }
        func reviews(through day: Int) {
            switch programme.review.mode {
            case .none:
                return
            case .anniversary:
                while true {
                    let since = max(tierSince, lastReview ?? tierSince)
                    var due = LocalDate(dayNumber: since).adding(months: 12).dayNumber
                    while LocalDate(dayNumber: due).adding(months: -12).dayNumber < since { due += 1 }
                    guard due <= day else { return }
                    review(on: due)
                }
            case .calendarYear:
                let from = LocalDate(dayNumber: m.enrolledDay).year + 1
                guard from <= LocalDate(dayNumber: day).year else { return }
                for year in from...LocalDate(dayNumber: day).year {
                    let newYear = LocalDate(year: year, month: 1, day: 1).dayNumber
                    if newYear > m.enrolledDay, (lastReview ?? Int.min) < newYear { review(on: newYear) }
                }
            }
        }

        for (at, _, event) in events {
            reviews(through: LocalDate.of(dateFromMillis(at), in: zone).dayNumber)
            decide(before: at)
            switch event {
            case .enrol:
                // The desk credits the qualifying receipts: points as the live enrolment computes them.
                for j in m.enrolReceiptPurchases {
                    let p = purchases[j]
                    let earning = programme.earning.earn(eligibleFen: p.eligibleFen,
                                                         context: EarningContext(businessDate: LocalDate(dayNumber: p.day), birthday: birthday))
                    balance += earning.points
                    purchases[j].pointsEarned = earning.points
                    purchases[j].factorPermille = earning.factorPermille
                    if earning.points != 0 {
                        ledger.append(LedgerEntry(member: i, purchase: j, points: earning.points, balanceAfter: balance,
                                                  enrolmentCredit: true, actor: m.enrolledBy, atMs: m.enrolledAtMs))
                    }
                    addSpend(p.day, p.totalFen)
                }
                let evaluation = programme.evaluateTier(spend: rolling(endingOn: m.enrolledDay, plus: 0), floor: tiers[tier].code)
                if evaluation.tier != tiers[tier].code {
                    tierChanges.append(TierChange(member: i, from: tiers[tier].code, to: evaluation.tier, kind: "upgrade",
                                                  reason: (try? encodeJSON(evaluation.reason)) ?? "", purchase: nil,
                                                  actor: m.enrolledBy, atMs: m.enrolledAtMs))
                    tier = programme.rank(of: evaluation.tier) ?? tier
                }
            case .purchase(let j):
                // The live decision (`ReceiptDecision`), posted as of the purchase itself, as an import would be.
                var p = purchases[j]
                let day = LocalDate(dayNumber: p.day)
                let state = MemberState(earnedTier: tiers[tier].code, tierSinceDay: tierSince, manualTier: manual.map { tiers[$0.tier].code },
                                        manualUntil: manual?.until, balance: balance, birthday: birthday, spendByDay: spendByDay,
                                        // One request at a time here: while one waits, no approval tier is asked for.
                                        pendingRequests: pending == nil ? [] : Set(tiers.filter { $0.upgrade?.requiresApproval == true }.map(\.code)))
                let d = ReceiptDecision.decide(programme, member: state, receipt: ReceiptFacts(
                    receiptNo: String(j), businessDate: day, totalFen: p.totalFen, eligibleFen: p.eligibleFen, asOf: day,
                    atMs: p.createdAtMs, dayOrdinal: p.ordinal))
                if let request = d.tierRequest {
                    // Decided by a manager a few days later.
                    let reason = (try? encodeJSON(request.reason)) ?? ""
                    let decideDay = p.day + 1 + rng.below(4)
                    tierRequests.append(TierRequest(member: i, tier: request.tier, reason: reason, status: "pending", createdAtMs: request.atMs))
                    pending = (request.tier, reason, tierRequests.count - 1, officeTime(decideDay, &rng), rng.chance(0.8))
                    p.approvalRequested = request.tier
                }
                balance = d.balanceAfter
                p.pointsEarned = d.pointsEarned
                p.base = d.earning.basePoints
                p.bonus = d.earning.bonusPoints
                p.factorPermille = d.earning.factorPermille
                p.multipliers = d.earning.multiplierNames
                p.balanceAfter = balance
                if let l = d.ledger {
                    ledger.append(LedgerEntry(member: i, purchase: j, points: l.points, balanceAfter: l.balanceAfter,
                                              enrolmentCredit: false, actor: "pos", atMs: l.atMs))
                }
                if let c = d.tierChange {
                    tierChanges.append(TierChange(member: i, from: c.from, to: c.to, kind: c.kind,
                                                  reason: (try? encodeJSON(c.reason)) ?? "", purchase: j, actor: "pos", atMs: c.atMs))
                    tier = programme.rank(of: c.to) ?? tier
                    tierSince = d.member.tierSinceDay
                }
                addSpend(p.day, p.totalFen)
                p.tierBefore = d.tierBefore
                p.tierAfter = d.tierAfter
                p.cardSlot = card
                p.byCard = p.phone == nil
                purchases[j] = p
                updated = max(updated, p.createdAtMs)
            case .honorary:
                guard let h = m.honorary else { break }
                let from = manual.map { tiers[$0.tier].code } ?? tiers[tier].code
                manual = (h.tier, h.until)
                tierChanges.append(TierChange(member: i, from: from, to: tiers[h.tier].code, kind: "manual",
                                              reason: "\(h.reason) · 至 \(h.until)", purchase: nil, actor: inputs.managerActor, atMs: h.atMs))
                updated = max(updated, h.atMs)
            case .replaceCard:
                card = 1
            }
        }
        reviews(through: lastDay)
        decide(before: endMs)
        for j in m.enrolReceiptPurchases { purchases[j].cardSlot = 0 }

        // Rolling-spend aggregate, one row per day.
        var byDay: [Int: (Int64, Int)] = [:]
        for s in spend { byDay[s.day, default: (0, 0)].0 += s.fen; byDay[s.day, default: (0, 0)].1 += 1 }
        for (day, v) in byDay { daySpend.append(DaySpend(member: i, day: day, fen: v.0, purchases: v.1)) }

        m.earnedTier = tier
        m.tierSinceDay = tierSince
        m.lastReviewDay = lastReview
        m.balance = balance
        m.updatedAtMs = updated
        members[i] = m
    }
}
