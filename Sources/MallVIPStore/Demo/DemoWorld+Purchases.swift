import Foundation
import MallVIPCore

extension DemoWorld {
    // MARK: enrolment receipts

    private var singleReceiptFen: Int64 {
        programme.enrolment.rules.first { $0.kind == .singleReceipt }?.minSpendFen ?? 50_000
    }
    private var rollingRule: EnrolmentRule? { programme.enrolment.rules.first { $0.kind == .rollingMonths } }

    /// Receipt members enrol on what they just bought: one receipt over the threshold (most), or several small
    /// receipts within the rolling window. The receipts are posted as non-member purchases and credited at the desk.
    mutating func makeEnrolmentReceipts() {
        for i in members.indices where members[i].kind == .receipt {
            var rng = SplitMix64(seed: plan.seed, stream: Stream.enrolment.rawValue, UInt64(members[i].id))
            var m = members[i]
            let day = m.enrolledDay
            let rolling = rollingRule.flatMap { rule in
                dayIndex(day) >= 10 && rng.chance(plan.rollingEnrolmentShare) ? rule : nil
            }
            var indices: [Int] = []
            let receiptAt = m.enrolReceiptAtMs
            if let rule = rolling {
                // Receipts under the single-receipt threshold, adding up to the rolling threshold.
                let cap = Double(singleReceiptFen) / 100
                var sum: Int64 = 0
                let span = min(dayIndex(day), max(7, (rule.months ?? 3) * 28 - 5))
                while sum < rule.minSpendFen {
                    // The last receipt is the enrolment day's; the others fall on earlier days within the window.
                    let d = indices.isEmpty ? day : day - 1 - rng.below(span)
                    let yuan = cap * (0.5 + 0.48 * rng.unit())
                    let p = makeReceipt(day: d, at: d == day ? receiptAt : nil, yuan: min(yuan, cap - 1), lines: 1, member: i, &rng,
                                        limitFen: singleReceiptFen - 100)
                    sum += p.totalFen
                    indices.append(appendPurchase(p))
                }
            } else {
                let yuan = Double(singleReceiptFen) / 100 + rng.logNormal(median: 260, sigma: 0.9)
                let p = makeReceipt(day: day, at: receiptAt, yuan: yuan, lines: rng.chance(0.25) ? 2 : 1, member: i, &rng,
                                    minimumFen: singleReceiptFen)
                indices.append(appendPurchase(p))
            }
            indices.sort { purchases[$0].atMs < purchases[$1].atMs }
            // Half the customers gave their phone at the till; the others bring the receipts to the desk.
            let carriesPhone = rolling != nil ? rng.chance(0.7) : rng.chance(0.5)
            for j in indices {
                purchases[j].enrolmentReceipt = true
                purchases[j].member = i
                if carriesPhone { purchases[j].phone = m.phone }
            }
            m.enrolReceiptPurchases = indices
            // The programme decides the rule and entry tier, as the desk would see it.
            let receipts = indices.map {
                QualifyingReceipt(receiptNo: String($0), businessDate: LocalDate(dayNumber: purchases[$0].day), amountFen: purchases[$0].totalFen)
            }
            switch programme.enrolment.evaluate(receipts, on: LocalDate(dayNumber: day), programme: programme) {
            case .eligible(let rule, let tier, let used):
                m.enrolRule = rule
                m.entryTier = programme.rank(of: tier) ?? 0
                m.enrolUsedPurchases = used.compactMap { Int($0) }
            case .notEligible:
                m.enrolRule = "override"
                m.overrideReason = "演示数据：按小票办卡"
                m.enrolUsedPurchases = []
            }
            members[i] = m
        }
    }

    private mutating func appendPurchase(_ p: Purchase) -> Int {
        purchases.append(p)
        return purchases.count - 1
    }

    /// One receipt of `lines` lines worth about `yuan` in total.
    private func makeReceipt(day: Int, at: Int64?, yuan: Double, lines count: Int, member: Int?, _ rng: inout SplitMix64,
                             minimumFen: Int64 = 0, limitFen: Int64 = .max) -> Purchase {
        let table = member == nil ? nonMemberCounters : memberCounters
        let first = table.pick(&rng)
        var lines: [Line] = []
        var counter = first
        for n in 0..<count {
            if n > 0 {
                let sameDepartment = rng.chance(0.7)
                let byDept = member == nil ? nonMemberCountersByDepartment : memberCountersByDepartment
                counter = sameDepartment ? byDept[inputs.counters[first].department]!.pick(&rng) : table.pick(&rng)
            }
            let c = inputs.counters[counter]
            let share = count == 1 ? 1.0 : (n == 0 ? 0.6 : 0.4 / Double(count - 1))
            let special = rng.chance(c.specialRate)
            let fen = min(limitFen, DemoWorld.shelfPriceFen(yuan * share, &rng))
            lines.append(Line(counter: counter, amountFen: fen, special: special))
        }
        var total = lines.reduce(Int64(0)) { $0 + $1.amountFen }
        if total < minimumFen {
            let bump = (minimumFen - total + 999) / 1000 * 1000
            lines[0].amountFen += bump
            total += bump
        }
        let c = inputs.counters[lines[0].counter]
        let till = rng.int(DemoCatalogue.tillsByFloor[c.floor] ?? 1...16)
        let time = shoppingTime(day, &rng)
        return finish(Purchase(atMs: at ?? time, day: day, till: till, lines: lines))
    }

    private func finish(_ p: Purchase) -> Purchase {
        var p = p
        p.totalFen = p.lines.reduce(0) { $0 + $1.amountFen }
        p.eligibleFen = p.lines.reduce(0) { $0 + (inputs.counters[$1.counter].earnsPoints ? $1.amountFen : 0) }
        return p
    }

    // MARK: member visits

    /// Mean member line (yuan) at a counter picked by the member weights: sizes the number of visits.
    private var meanMemberLineYuan: Double {
        let total = memberCounterWeights.reduce(0, +)
        return zip(memberCounterWeights, inputs.counters).reduce(0.0) { $0 + $1.0 / total * $1.1.ticketYuan }
    }

    /// Members' purchases after enrolment. Drawn twice: once to measure, once scaled so that the average spend per
    /// active card meets the plan (the draws are the same, only the amounts differ).
    mutating func makeMemberVisits() {
        let enrolmentFen = members.reduce(Int64(0)) { sum, m in sum + m.enrolReceiptPurchases.reduce(0) { $0 + purchases[$1].totalFen } }
        let activeCount = members.reduce(0) { $0 + ($1.active ? 1 : 0) }
        let target = Double(plan.spendPerActiveCardFen) * Double(activeCount)
        var measured: Int64 = 0
        for i in members.indices { measured += visits(i, factor: 1).reduce(0) { $0 + $1.totalFen } }
        spendFactor = measured > 0 ? max(0.2, (target - Double(enrolmentFen)) / Double(measured)) : 1
        for i in members.indices {
            for p in visits(i, factor: spendFactor) { members[i].purchases.append(appendPurchase(p)) }
        }
    }

    private func visits(_ i: Int, factor: Double) -> [Purchase] {
        let m = members[i]
        guard m.active else { return [] }
        var rng = SplitMix64(seed: plan.seed, stream: Stream.memberVisits.rawValue, UInt64(m.id))
        let startIndex = max(0, dayIndex(m.enrolledDay) + 1)
        let endIndex = plan.days - 1
        guard startIndex <= endIndex else { return [] }
        let fraction = Double(endIndex - startIndex + 1) / Double(plan.days)
        // Bigger spenders buy dearer things as well as more often.
        let wealth = min(3, max(0.5, Foundation.pow(m.annualYuan / plan.medianAnnualSpendYuan, 0.25)))
        let perVisit = meanMemberLineYuan * wealth * 1.35
        var count = rng.poisson(m.annualYuan * fraction / perVisit)
        if m.kind != .receipt { count = max(1, count) }
        var out: [Purchase] = []
        out.reserveCapacity(count)
        for _ in 0..<count {
            let day = firstDay + dayTable.pick(&rng, in: startIndex...endIndex)
            let r = rng.unit()
            let lineCount = r < 0.7 ? 1 : (r < 0.93 ? 2 : 3)
            let first = memberCounters.pick(&rng)
            var lines: [Line] = []
            var counter = first
            for n in 0..<lineCount {
                if n > 0 {
                    counter = rng.chance(0.7) ? memberCountersByDepartment[inputs.counters[first].department]!.pick(&rng) : memberCounters.pick(&rng)
                }
                let c = inputs.counters[counter]
                let yuan = rng.logNormal(median: c.ticketYuan * 0.86, sigma: 0.55) * wealth * factor
                let special = rng.chance(c.specialRate)
                lines.append(Line(counter: counter, amountFen: paidFen(c, yuan: yuan, special: special, &rng), special: special))
            }
            let till = rng.int(DemoCatalogue.tillsByFloor[inputs.counters[first].floor] ?? 1...16)
            var p = finish(Purchase(atMs: shoppingTime(day, &rng), day: day, till: till, lines: lines))
            p.member = i
            if rng.chance(plan.memberByPhoneRate) { p.phone = m.phone }
            out.append(p)
        }
        return out
    }

    // MARK: non-members

    /// Walk-in customers: receipts until the VIP share of sales is the plan's.
    mutating func makeNonMemberPurchases() {
        let memberFen = purchases.reduce(Int64(0)) { $0 + ($1.member != nil ? $1.totalFen : 0) }
        let target = Int64(Double(memberFen) * (1 - plan.vipShare) / plan.vipShare)
        var rng = SplitMix64(seed: plan.seed, stream: Stream.nonMember.rawValue)
        var phoneRng = SplitMix64(seed: plan.seed, stream: Stream.phones.rawValue, 1)
        var used = Set(members.map(\.phone))
        let prospects = (0..<max(1, plan.scaled(400))).map { _ in DemoWorld.uniquePhone(&phoneRng, &used) }
        var sum: Int64 = 0
        while sum < target {
            let day = firstDay + dayTable.pick(&rng)
            let r = rng.unit()
            let lineCount = r < 0.72 ? 1 : (r < 0.94 ? 2 : 3)
            let first = nonMemberCounters.pick(&rng)
            var lines: [Line] = []
            var counter = first
            for n in 0..<lineCount {
                if n > 0 {
                    counter = rng.chance(0.7) ? nonMemberCountersByDepartment[inputs.counters[first].department]!.pick(&rng) : nonMemberCounters.pick(&rng)
                }
                let c = inputs.counters[counter]
                let special = rng.chance(c.specialRate)
                let yuan = rng.logNormal(median: c.ticketYuan * 0.86, sigma: 0.55)
                lines.append(Line(counter: counter, amountFen: paidFen(c, yuan: yuan, special: special, &rng), special: special))
            }
            let till = rng.int(DemoCatalogue.tillsByFloor[inputs.counters[first].floor] ?? 1...16)
            var p = finish(Purchase(atMs: shoppingTime(day, &rng), day: day, till: till, lines: lines))
            if rng.chance(plan.prospectPhoneRate) { p.phone = rng.pick(prospects) }
            sum += p.totalFen
            purchases.append(p)
        }
    }
}
