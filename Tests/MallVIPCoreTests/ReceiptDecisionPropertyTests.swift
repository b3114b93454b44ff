import MallVIPCore
import PropertyBased
import Testing

/// Properties of the one per-receipt decision (issue 15) that every caller relies on, over generated members and
/// receipts on the shipped programme (off-season multipliers, big-ticket bonus, five tiers, purple by approval).
@Suite("Receipt decision: properties") struct ReceiptDecisionPropertyTests {
    static let programme = Programme.defaultProgramme()
    static let first = LocalDate(year: 2025, month: 6, day: 1)
    static let tiers = programme.tiers.map(\.code)

    /// Generated inputs: a member's tier, balance, birthday and past spend, and a receipt.
    struct Case: Sendable, CustomStringConvertible {
        var member: MemberState
        var receipt: ReceiptFacts

        var description: String {
            "member \(member.earnedTier) balance \(member.balance) manual \(member.manualTier ?? "-") birthday \(member.birthday.map { "\($0.month)-\($0.day)" } ?? "-") "
                + "spend \(member.spendByDay.sorted { $0.key < $1.key }.map { "\($0.key):\($0.value)" }.joined(separator: ",")) · "
                + "receipt \(receipt.businessDate) total \(receipt.totalFen) eligible \(receipt.eligibleFen) ordinal \(receipt.dayOrdinal.map(String.init) ?? "-")"
        }
    }

    /// Members whose earned tier is consistent with their spend (at least what the spend before the receipt earns,
    /// never purple by spend alone), sometimes with an honorary tier, a birthday, a pending request.
    static var cases: Generator<Case, some SendableSequenceType> { zip(
        Gen.int(in: 0...3), Gen.int64(in: 0...2_000_000), Gen.int64(in: 0...3_000_000).array(of: 0...40),
        Gen.int(in: 0...500), Gen.int64(in: 1...60_000_000), Gen.int(in: 0...1000), Gen.int(in: 0...9_999)
    ).map { tier, balance, history, dayOffset, total, eligiblePermille, extra in
        let day = first.adding(days: dayOffset)
        var spend: [Int: Int64] = [:]
        for (i, fen) in history.enumerated() { spend[day.adding(days: -(i * 11) - (extra % 7)).dayNumber, default: 0] += fen }
        let birthday = extra % 3 == 0 ? MonthDay(month: day.month, day: extra % 2 == 0 ? day.day : min(28, day.day % 28 + 1)) : nil
        var m = MemberState(earnedTier: tiers[tier], tierSinceDay: day.adding(days: -400).dayNumber, balance: balance,
                            birthday: birthday, spendByDay: spend, pendingRequests: extra % 5 == 0 ? ["purple"] : [])
        m.earnedTier = programme.evaluateTier(spend: m.rollingSpend(programme, endingOn: day), floor: m.earnedTier).tier
        if extra % 4 == 1 {
            m.manualTier = tiers[1 + extra % 3]
            m.manualUntil = day.adding(days: extra % 20 - 10)
        }
        let needs = ReceiptDecision.needsDayOrdinal(programme, day: day, birthday: birthday)
        let receipt = ReceiptFacts(receiptNo: "R\(extra)", businessDate: day, totalFen: total, eligibleFen: total * Int64(eligiblePermille) / 1000,
                                   asOf: day.adding(days: extra % 3), atMs: Int64(day.dayNumber) * 86_400_000 + Int64(extra),
                                   dayOrdinal: needs ? 1 + extra % 150 : nil)
        return Case(member: m, receipt: receipt)
    } }

    static func rank(_ tier: String) -> Int { programme.rank(of: tier)! }

    @Test("points are never negative; the balance grows by exactly what was earned, on one earn row when there is any")
    func pointsNeverNegative() async {
        await propertyCheck(count: 400, input: Self.cases) { c in
            let d = ReceiptDecision.decide(Self.programme, member: c.member, receipt: c.receipt)
            #expect(!d.needsPendingRequests)
            #expect(d.pointsEarned >= 0)
            #expect(d.earning.basePoints >= 0 && d.earning.bonusPoints >= 0)
            #expect(d.balanceAfter == c.member.balance + d.pointsEarned)
            #expect((d.ledger == nil) == (d.pointsEarned == 0))
            if let l = d.ledger {
                #expect(l.kind == .earn && l.points == d.pointsEarned && l.balanceAfter == d.balanceAfter && l.atMs == c.receipt.atMs)
                #expect(l.note.hasPrefix(c.receipt.receiptNo))
            }
        }
    }

    @Test("the tier never falls below the floor: upgrades only, never to an approval tier by itself, shown tier at least the earned one")
    func tierNeverBelowFloor() async {
        await propertyCheck(count: 400, input: Self.cases) { c in
            let d = ReceiptDecision.decide(Self.programme, member: c.member, receipt: c.receipt)
            #expect(Self.rank(d.member.earnedTier) >= Self.rank(c.member.earnedTier))
            #expect(Self.rank(d.tierAfter) >= Self.rank(d.tierBefore))
            #expect(Self.rank(d.tierAfter) >= Self.rank(d.member.earnedTier))
            #expect(d.member.earnedTier != "purple" || c.member.earnedTier == "purple")
            #expect((d.tierChange != nil) == (d.member.earnedTier != c.member.earnedTier))
            if let t = d.tierChange {
                #expect(t.from == c.member.earnedTier && t.to == d.member.earnedTier && t.kind == "upgrade" && t.reason != nil)
                #expect(d.member.tierSinceDay == c.receipt.asOf.dayNumber)
            } else {
                #expect(d.member.tierSinceDay == c.member.tierSinceDay)
            }
            #expect(d.tierChanged == (d.tierBefore != d.tierAfter))
        }
    }

    @Test("replaying the same receipt decides the same; a pending approval is asked for once; the rows add exactly the receipt")
    func replayChangesNothing() async {
        await propertyCheck(count: 300, input: Self.cases) { c in
            let d = ReceiptDecision.decide(Self.programme, member: c.member, receipt: c.receipt)
            #expect(ReceiptDecision.decide(Self.programme, member: c.member, receipt: c.receipt) == d)
            // Pending requests unknown: asked for, and deciding again once they are known gives the full decision.
            var unknown = c.member
            unknown.pendingRequests = nil
            let first = ReceiptDecision.decide(Self.programme, member: unknown, receipt: c.receipt)
            #expect(first.needsPendingRequests == Self.reachesPurple(d))
            if d.tierRequest != nil { #expect(first.needsPendingRequests) }
            if let r = d.tierRequest {
                #expect(!c.member.pendingRequests!.contains(r.tier))
                #expect(d.member.pendingRequests!.contains(r.tier))
                // The member's next receipt on the same day: no second request for the same tier.
                var next = c.receipt
                next.receiptNo += "b"
                next.dayOrdinal = next.dayOrdinal.map { $0 + 1 }
                #expect(ReceiptDecision.decide(Self.programme, member: d.member, receipt: next).tierRequest == nil)
            }
            let before = c.member.spendByDay.values.reduce(0, +), after = d.member.spendByDay.values.reduce(0, +)
            #expect(after == before + c.receipt.totalFen)
            #expect(d.dailySpend == ReceiptDecision.DailySpend(day: c.receipt.businessDate.dayNumber, fen: c.receipt.totalFen, purchases: 1))
            #expect(d.member.manualTier == c.member.manualTier && d.member.birthday == c.member.birthday)
        }
    }

    static func reachesPurple(_ d: ReceiptDecision) -> Bool {
        programme.evaluateTier(spend: d.member.rollingSpend(programme, endingOn: LocalDate(dayNumber: d.dailySpend.day)), floor: "regular")
            .approvalCandidate == "purple"
    }

    @Test("refunding everything, at once or in parts, returns the member to the balance, spend and tier before the receipt")
    func refundOfEverythingRestores() async {
        await propertyCheck(count: 300, input: Self.cases, Gen.int(in: 1...4)) { c, parts in
            let d = ReceiptDecision.decide(Self.programme, member: c.member, receipt: c.receipt)
            var purchase = RefundDecision.Purchase(eligibleFen: c.receipt.eligibleFen, refundedEligibleFen: 0, pointsEarned: d.pointsEarned,
                                                   pointsReversed: 0, factorPermille: d.earning.factorPermille)
            var balance = d.balanceAfter
            var spend = d.member
            var left = c.receipt.totalFen, leftEligible = c.receipt.eligibleFen
            for k in 0..<parts {
                let last = k == parts - 1
                let fen = last ? left : left / Int64(parts - k)
                let eligible = last ? leftEligible : leftEligible / Int64(parts - k)
                let p = RefundDecision.points(Self.programme, purchase: purchase, refundedEligibleFen: eligible, balance: balance)
                #expect(p.reversal >= 0 && p.shortfall == 0 && p.balanceAfter >= 0)
                balance = p.balanceAfter
                purchase.refundedEligibleFen += eligible
                purchase.pointsReversed += p.reversal
                spend.spendByDay[c.receipt.businessDate.dayNumber]! -= fen
                left -= fen
                leftEligible -= eligible
            }
            #expect(balance == c.member.balance)
            #expect(purchase.pointsReversed == d.pointsEarned)
            #expect(spend.spendByDay.filter { $0.value != 0 } == c.member.spendByDay.filter { $0.value != 0 })
            let tier = RefundDecision.tier(Self.programme, earned: d.member.earnedTier, broughtFrom: d.tierChange?.from,
                                           spend: spend.rollingSpend(Self.programme, endingOn: c.receipt.businessDate))
            #expect((tier?.tier ?? d.member.earnedTier) == c.member.earnedTier)
        }
    }

    @Test("a refund never takes the balance below zero: what was spent stays owed")
    func refundNeverNegative() async {
        await propertyCheck(count: 300, input: Self.cases, Gen.int64(in: 0...5_000)) { c, spent in
            let d = ReceiptDecision.decide(Self.programme, member: c.member, receipt: c.receipt)
            let purchase = RefundDecision.Purchase(eligibleFen: c.receipt.eligibleFen, refundedEligibleFen: 0, pointsEarned: d.pointsEarned,
                                                   pointsReversed: 0, factorPermille: d.earning.factorPermille)
            let balance = max(0, d.balanceAfter - spent)
            let p = RefundDecision.points(Self.programme, purchase: purchase, refundedEligibleFen: c.receipt.eligibleFen, balance: balance)
            #expect(p.balanceAfter >= 0)
            #expect(p.reversal + p.shortfall == d.pointsEarned)
            #expect(p.reversal == min(d.pointsEarned, balance))
        }
    }

    @Test("the first N member purchases of an off-season day earn double; the N+1st does not")
    func dayOrdinal() {
        let day = LocalDate(year: 2026, month: 3, day: 10)   // a Tuesday in the off-season
        let m = MemberState(earnedTier: "regular", tierSinceDay: day.dayNumber, balance: 0)
        #expect(ReceiptDecision.needsDayOrdinal(Self.programme, day: day, birthday: nil))
        #expect(!ReceiptDecision.needsDayOrdinal(Self.programme, day: LocalDate(year: 2026, month: 7, day: 7), birthday: nil))
        func points(_ ordinal: Int) -> Int64 {
            ReceiptDecision.decide(Self.programme, member: m, receipt: ReceiptFacts(
                receiptNo: "R", businessDate: day, totalFen: 100_000, eligibleFen: 100_000, asOf: day, atMs: 0, dayOrdinal: ordinal)).pointsEarned
        }
        #expect(points(1) == 200 && points(100) == 200 && points(101) == 100)
    }
}
