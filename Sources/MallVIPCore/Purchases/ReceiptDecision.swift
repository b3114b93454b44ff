/// The per-receipt decision (issue 15, "One decision"): what a member's purchase earns and what it does to their
/// balance, rolling spend and tier, as one pure function. Live posting (`Store.insertBatch`), the purchase import
/// (`Store.insertImportBatch`) and the demo generator (`DemoWorld.simulate`) all call it, so the three cannot drift;
/// each keeps only its own way of reading the state and writing the rows.
///
/// The two facts that live outside the member are passed in, so the function stays pure:
/// - the mall-wide "first N member purchases of the day" ordinal: ask `needsDayOrdinal` first and count one only
///   when it says so (counting is a write);
/// - the tiers the member already waits on approval for: `MemberState.pendingRequests` may be left unknown (nil),
///   since most receipts never reach an approval tier; when one does, the decision says `needsPendingRequests` and
///   the caller reads them and decides again (deciding twice is free: nothing is changed until the caller writes).
public struct MemberState: Sendable, Equatable {
    public var earnedTier: String
    /// Day number the earned tier was reached (or set).
    public var tierSinceDay: Int
    public var manualTier: String?
    public var manualUntil: LocalDate?
    public var balance: Int64
    public var birthday: MonthDay?
    /// Spend by business day number, at least over the longest tier window before each receipt decided; the
    /// decision adds the receipt's total on its day.
    public var spendByDay: [Int: Int64]
    /// Tiers with an approval request still pending; nil while not read.
    public var pendingRequests: Set<String>?

    public init(earnedTier: String, tierSinceDay: Int, manualTier: String? = nil, manualUntil: LocalDate? = nil, balance: Int64,
                birthday: MonthDay? = nil, spendByDay: [Int: Int64] = [:], pendingRequests: Set<String>? = nil) {
        self.earnedTier = earnedTier
        self.tierSinceDay = tierSinceDay
        self.manualTier = manualTier
        self.manualUntil = manualUntil
        self.balance = balance
        self.birthday = birthday
        self.spendByDay = spendByDay
        self.pendingRequests = pendingRequests
    }

    /// Spend in each of the programme's tier windows ending on `end` (inclusive).
    public func rollingSpend(_ programme: Programme, endingOn end: LocalDate) -> RollingSpend {
        let day = end.dayNumber
        var byMonths: [Int: Int64] = [:]
        for w in programme.tierWindows {
            let start = end.windowStart(months: w).dayNumber
            var sum: Int64 = 0
            for (d, fen) in spendByDay where d >= start && d <= day { sum = Saturating.add(sum, fen) }
            byMonths[w] = sum
        }
        return RollingSpend(byMonths)
    }

    /// The tier the member shows on `day`: a manual tier while it lasts, else the earned one.
    public func effectiveTier(_ programme: Programme, on day: LocalDate) -> String {
        programme.effectiveTier(earned: earnedTier, manual: manualTier, manualUntil: manualUntil, on: day)
    }
}

/// A receipt as the decision needs it.
public struct ReceiptFacts: Sendable, Equatable {
    public var receiptNo: String
    public var businessDate: LocalDate
    public var totalFen: Int64
    /// The part paid at counters that earn points.
    public var eligibleFen: Int64
    /// The day the purchase counts as posted: today for a live post, the receipt's own day for an import or the demo
    /// (tiers shown before and after, a manual tier's end, the day a new tier starts).
    public var asOf: LocalDate
    /// The moment written on the ledger row, the tier change and the approval request.
    public var atMs: Int64
    /// The mall's member-purchase ordinal of the day, when `needsDayOrdinal` asked for one.
    public var dayOrdinal: Int?

    public init(receiptNo: String, businessDate: LocalDate, totalFen: Int64, eligibleFen: Int64, asOf: LocalDate, atMs: Int64,
                dayOrdinal: Int? = nil) {
        self.receiptNo = receiptNo
        self.businessDate = businessDate
        self.totalFen = totalFen
        self.eligibleFen = eligibleFen
        self.asOf = asOf
        self.atMs = atMs
        self.dayOrdinal = dayOrdinal
    }
}

/// What a member's receipt decides: the answer's figures and the rows to write.
public struct ReceiptDecision: Sendable, Equatable {
    public struct LedgerEntry: Sendable, Equatable {
        public var kind: LedgerKind
        public var points: Int64
        public var balanceAfter: Int64
        public var note: String
        public var atMs: Int64
    }

    public struct TierChange: Sendable, Equatable {
        public var from: String
        public var to: String
        /// `tier_changes.kind`.
        public var kind: String
        public var reason: TierReason?
        public var atMs: Int64
    }

    public struct DailySpend: Sendable, Equatable {
        public var day: Int
        public var fen: Int64
        public var purchases: Int

        public init(day: Int, fen: Int64, purchases: Int) {
            self.day = day
            self.fen = fen
            self.purchases = purchases
        }
    }

    public struct TierRequest: Sendable, Equatable {
        public var tier: String
        public var reason: TierReason?
        public var atMs: Int64
    }

    public var earning: EarningResult
    /// The member after the receipt: balance, spend on its day, earned tier and since when, the request added.
    public var member: MemberState
    /// Effective tiers as of the receipt's `asOf` day, before and after.
    public var tierBefore: String
    public var tierAfter: String
    /// At most one ledger row (none when the receipt earns nothing).
    public var ledger: LedgerEntry?
    /// What `member_daily_spend` gains: the receipt's total, one purchase, on its business day.
    public var dailySpend: DailySpend
    public var tierChange: TierChange?
    public var tierRequest: TierRequest?
    /// An approval tier was reached but the member's pending requests are unknown: read them into
    /// `MemberState.pendingRequests` and decide again. Nothing else of this decision may be used.
    public var needsPendingRequests: Bool
    /// The tier discount in force for the tier shown before the receipt on its business day (issue 18): the tier's
    /// per mille, or 1000 when the tier has none or is event-only and the day is outside its periods. What a
    /// purchase's payable amounts should reflect; the decision itself writes nothing from it.
    public var memberDiscountPermille: Int = 1000

    public var pointsEarned: Int64 { earning.points }
    public var balanceAfter: Int64 { member.balance }
    public var tierChanged: Bool { tierAfter != tierBefore }


    /// Whether a receipt of this member on `day` needs the mall's member-purchase ordinal of the day: some
    /// "first N member purchases" rule would apply if it were the first.
    public static func needsDayOrdinal(_ programme: Programme, day: LocalDate, birthday: MonthDay?) -> Bool {
        programme.earning.multipliers.contains {
            $0.firstMemberPurchasesOfDay != nil
                && $0.applies(EarningContext(businessDate: day, birthday: birthday, memberPurchaseOrdinalOfDay: 1))
        }
    }

    /// The decision for one member receipt.
    /// - earning: the programme's points for the eligible amount, with the multipliers of its day (birthday, weekday,
    ///   month, the day's ordinal) and the big-ticket bonus; the balance saturates, never traps;
    /// - rolling spend: the receipt's total added on its business day, each tier window summed up to that day;
    /// - tier: upgrades only (the earned tier is the floor); a tier that needs approval is requested once while a
    ///   request for it is pending, never granted here.
    public static func decide(_ programme: Programme, member: MemberState, receipt r: ReceiptFacts) -> ReceiptDecision {
        var state = member
        let context = EarningContext(businessDate: r.businessDate, birthday: member.birthday, memberPurchaseOrdinalOfDay: r.dayOrdinal)
        let earning = programme.earning.earn(eligibleFen: r.eligibleFen, context: context)

        let day = r.businessDate.dayNumber
        state.spendByDay[day] = Saturating.add(state.spendByDay[day] ?? 0, r.totalFen)
        let evaluation = programme.evaluateTier(spend: state.rollingSpend(programme, endingOn: r.businessDate), floor: member.earnedTier)
        let before = member.effectiveTier(programme, on: r.asOf)
        state.balance = Saturating.add(member.balance, earning.points)

        var decision = ReceiptDecision(earning: earning, member: state, tierBefore: before, tierAfter: before, ledger: nil,
                                       dailySpend: DailySpend(day: day, fen: r.totalFen, purchases: 1), tierChange: nil,
                                       tierRequest: nil, needsPendingRequests: false)
        if let candidate = evaluation.approvalCandidate {
            guard let pending = state.pendingRequests else {
                decision.needsPendingRequests = true
                return decision
            }
            if !pending.contains(candidate) {
                state.pendingRequests = pending.union([candidate])
                decision.tierRequest = TierRequest(tier: candidate, reason: evaluation.approvalReason, atMs: r.atMs)
            }
        }
        if earning.points != 0 {
            decision.ledger = LedgerEntry(kind: .earn, points: earning.points, balanceAfter: state.balance,
                                          note: ([r.receiptNo] + earning.multiplierNames).joined(separator: " · "), atMs: r.atMs)
        }
        if evaluation.tier != member.earnedTier {
            decision.tierChange = TierChange(from: member.earnedTier, to: evaluation.tier, kind: "upgrade", reason: evaluation.reason,
                                             atMs: r.atMs)
            state.earnedTier = evaluation.tier
            state.tierSinceDay = r.asOf.dayNumber
        }
        decision.member = state
        decision.tierAfter = state.effectiveTier(programme, on: r.asOf)
        decision.memberDiscountPermille = programme.tierDiscountPermille(tier: before, on: r.businessDate)
        return decision
    }
}

/// A receipt without a member: only whether it would qualify its buyer for a card.
public enum WalkInDecision {
    /// The cashier should suggest a card: this receipt alone meets the programme's enrolment rules on its day.
    public static func eligibleToEnrol(_ programme: Programme, receipt r: ReceiptFacts) -> Bool {
        let receipt = QualifyingReceipt(receiptNo: r.receiptNo, businessDate: r.businessDate, amountFen: r.totalFen)
        if case .eligible = programme.enrolment.evaluate([receipt], on: r.businessDate, programme: programme) { return true }
        return false
    }
}
