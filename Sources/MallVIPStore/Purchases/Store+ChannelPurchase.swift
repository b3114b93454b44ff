import FluentKit
import Foundation
import MallVIPCore
import SQLKit

/// How a purchase brought by a channel other than a till ended (issue 19, "One purchase, one earning"): posted
/// (or the same post again), or recognised as a copy of a purchase already recorded, which then earns nothing more.
public struct ChannelPosting: Sendable {
    public enum Result: String, Sendable { case posted, replay, duplicate }
    public var result: Result
    /// The purchase as posted (or as first posted, on a replay; as now credited, on a claim); nil for a duplicate.
    public var outcome: PurchaseOutcome?
    /// The purchase this one copies (duplicate), matches (flagged) or claims, by id.
    public var duplicateOf: Int64?
    /// Which rule recognised it: `channelRef` (the same transaction or photo again), `receipt` (the mall's receipt
    /// number already recorded by another channel), `claim` (that receipt had no member: credited to this one),
    /// `match` (counter, amount and time: flagged).
    public var rule: String?
    /// Posted, but close enough to another channel's purchase (counter, amount, time) for a person to look at.
    public var flaggedForReview: Bool
    /// The receipt was already recorded without a member and this channel named one: the member was attached to it
    /// and earned its points (`result` `.posted`, `rule` `claim`, `duplicateOf` the receipt's purchase).
    public var claimed: Bool

    public init(result: Result, outcome: PurchaseOutcome?, duplicateOf: Int64? = nil, rule: String? = nil, flaggedForReview: Bool = false,
                claimed: Bool = false) {
        self.result = result
        self.outcome = outcome
        self.duplicateOf = duplicateOf
        self.rule = rule
        self.flaggedForReview = flaggedForReview
        self.claimed = claimed
    }
}

extension Store {
    /// The one entry for purchases from WeChat Pay, approved receipt photos and any channel but a till's POS call:
    /// the cross-channel rules first, then the same posting path as a till (`postPurchase`). `request.channel` and
    /// `channelRef` say where it came from; `actor` who brought it (a reviewer's login, `wechatpay`).
    ///
    /// The rules, in order (docs/workflows.md "Reviewing channel duplicates"):
    /// (a) the same channel key again (a WeChat transaction id, a photo id) → the first answer (`.replay`);
    /// (b) the mall's receipt number already recorded by another channel → `.duplicate`, nothing earned — unless that
    ///     receipt has no member and this post names one: the member is attached and earns its points (`claim`);
    /// (c) posted, then another channel's purchase at the same counter for the same total within
    ///     `channels.matchWindowMinutes` → flagged for review (`channel_duplicates`, state `open`).
    /// Races end the same way: the receipt number and the channel key are unique, so of two posts of one purchase at
    /// once one is recorded and the other, on its unique violation or receipt conflict, goes through (a) and (b) again.
    /// The till's own path (`postPurchase` from POST /api/v1/purchases) runs none of this; `sweepChannelMatches`
    /// flags a till's copy after the fact.
    public func postFromChannel(_ request: PurchaseRequest, actor: String) async throws -> ChannelPosting {
        if let found = try await channelExactCopy(request, actor: actor) { return found }
        let posted: Posted<PurchaseOutcome>
        do {
            posted = try await postPurchase(request)
        } catch let e as DomainError where e.rule == "receipt.idempotency" {
            // Another channel recorded the receipt number in the meantime (a different body): rule (b) now.
            if let found = try await channelExactCopy(request, actor: actor) { return found }
            throw e
        } catch where isUniqueViolation(error) {
            // The same channel key raced in under another receipt number: rule (a) now.
            if let found = try await channelExactCopy(request, actor: actor) { return found }
            throw error
        }
        if posted.isReplay {
            // The same body under a receipt number another channel recorded first (the lanes replay it): a copy.
            if let found = try await channelExactCopy(request, actor: actor) { return found }
            return ChannelPosting(result: .replay, outcome: posted.value)
        }
        let mallId = try await resolveCounters([request.lines[0].counter])[0].mallId
        guard let me = try await sql.row("""
            SELECT id FROM purchases WHERE mall_id = \(bind: mallId) AND receipt_no = \(bind: request.receiptNo)
            """).map({ try $0.int64("id") }) else {
            return ChannelPosting(result: .posted, outcome: posted.value)
        }
        let flagged = try await flagMatches(purchaseId: me)
        return ChannelPosting(result: .posted, outcome: posted.value, duplicateOf: flagged.first, rule: flagged.isEmpty ? nil : "match",
                              flaggedForReview: !flagged.isEmpty)
    }

    /// Read-only preview of the rules for a purchase not posted yet (a desk reviewing a receipt photo before approving
    /// it): what `postFromChannel` would answer by rules (a) and (b) — `.replay`, `.duplicate`, or `.posted` with
    /// `claimed` — or a match of rule (c) (`flaggedForReview`, `duplicateOf` the other purchase); nil when nothing is found.
    public func channelDuplicateCheck(_ request: PurchaseRequest) async throws -> ChannelPosting? {
        if let ref = request.channelRef, let prior = try await purchase(channel: request.channel, ref: ref) {
            return ChannelPosting(result: .replay, outcome: try? decodeOutcome(prior.json), duplicateOf: prior.id, rule: "channelRef")
        }
        guard let first = request.lines.first, let counter = try await counter(code: first.counter) else { return nil }
        if let r = try await recordedReceipt(mallId: counter.mallId, receiptNo: request.receiptNo) {
            if r.channel == request.channel.rawValue && r.channelRef == request.channelRef { return nil }
            let member = r.memberId == nil ? try await channelMember(request) : nil
            return member == nil
                ? ChannelPosting(result: .duplicate, outcome: nil, duplicateOf: r.id, rule: "receipt")
                : ChannelPosting(result: .posted, outcome: nil, duplicateOf: r.id, rule: "claim", claimed: true)
        }
        let (_, programme) = try await self.programme()
        let at = epochMillis(request.occurredAt)
        let total = request.lines.reduce(Int64(0)) { $0 + $1.amountFen }
        let day = LocalDate.of(request.occurredAt, in: programme.timeZone).dayNumber
        let w = programme.channels.matchWindowMs
        if let other = try await sql.row("""
            SELECT p.id FROM purchases p JOIN purchase_lines l ON l.purchase_id = p.id AND l.line_no = 1
            WHERE p.mall_id = \(bind: counter.mallId) AND p.business_day BETWEEN \(bind: day - 1) AND \(bind: day + 1)
              AND p.occurred_at_ms BETWEEN \(bind: at - w) AND \(bind: at + w) AND p.total_fen = \(bind: total)
              AND l.counter_id = \(bind: counter.id) AND p.channel <> \(bind: request.channel.rawValue) AND p.refunded_fen < p.total_fen
            ORDER BY p.id LIMIT 1
            """) {
            return ChannelPosting(result: .posted, outcome: nil, duplicateOf: try other.int64("id"), rule: "match", flaggedForReview: true)
        }
        return nil
    }

    /// Rules (a) and (b) against what is recorded now; nil when the purchase is new (or is this channel's own receipt,
    /// which `postPurchase` replays or refuses as a conflict as it would a till's).
    func channelExactCopy(_ request: PurchaseRequest, actor: String) async throws -> ChannelPosting? {
        if let ref = request.channelRef, let prior = try await purchase(channel: request.channel, ref: ref) {
            return ChannelPosting(result: .replay, outcome: try decodeOutcome(prior.json), duplicateOf: nil, rule: "channelRef")
        }
        let (_, programme) = try await self.programme()
        try request.validate(now: now, policy: programme.purchases)   // bad input: the same 4xx as a till's post
        let counters = try await resolveCounters(request.lines.map(\.counter))
        let mallId = counters[0].mallId
        guard let r = try await recordedReceipt(mallId: mallId, receiptNo: request.receiptNo) else { return nil }
        if r.channel == request.channel.rawValue && r.channelRef == request.channelRef { return nil }
        if r.memberId == nil, let member = try await channelMember(request),
           let claimed = try await claimReceipt(purchaseId: r.id, member: member, request: request, actor: actor, programme: programme) {
            try await recordCaught(mallId: mallId, rule: "claim", firstId: r.id, request: request)
            return ChannelPosting(result: .posted, outcome: claimed, duplicateOf: r.id, rule: "claim", claimed: true)
        }
        try await recordCaught(mallId: mallId, rule: "receipt", firstId: r.id, request: request)
        return ChannelPosting(result: .duplicate, outcome: nil, duplicateOf: r.id, rule: "receipt")
    }

    func decodeOutcome(_ json: String) throws -> PurchaseOutcome {
        try JSONDecoder().decode(PurchaseOutcome.self, from: Data(json.utf8))
    }

    func purchase(channel: PurchaseChannel, ref: String) async throws -> (id: Int64, json: String)? {
        guard let r = try await sql.row("""
            SELECT id, response_json FROM purchases WHERE channel = \(bind: channel.rawValue) AND channel_ref = \(bind: ref)
            """) else { return nil }
        return (try r.int64("id"), try r.string("response_json"))
    }

    struct RecordedReceipt {
        var id: Int64
        var memberId: Int64?
        var channel: String
        var channelRef: String?
    }

    func recordedReceipt(mallId: Int64, receiptNo: String) async throws -> RecordedReceipt? {
        guard let r = try await sql.row("""
            SELECT id, member_id, channel, channel_ref FROM purchases WHERE mall_id = \(bind: mallId) AND receipt_no = \(bind: receiptNo)
            """) else { return nil }
        return RecordedReceipt(id: try r.int64("id"), memberId: try r.optInt64("member_id"), channel: try r.string("channel"),
                               channelRef: try r.optString("channel_ref"))
    }

    /// The active member a channel's purchase names (card first, as a till's post), with the card to record.
    func channelMember(_ request: PurchaseRequest) async throws -> (id: Int64, cardNo: String?)? {
        if let card = request.card {
            guard let r = try await sql.row("""
                SELECT c.member_id FROM cards c JOIN members m ON m.id = c.member_id
                WHERE c.card_no = \(bind: card) AND c.state = 'active' AND m.status = 'active'
                """) else { return nil }
            return (try r.int64("member_id"), card)
        }
        if let phone = request.phone, let r = try await sql.row("""
            SELECT m.id, (SELECT c.card_no FROM cards c WHERE c.member_id = m.id AND c.state = 'active' LIMIT 1) AS card_no
            FROM members m WHERE m.phone = \(bind: phone) AND m.status = 'active'
            """) {
            return (try r.int64("id"), try r.optString("card_no"))
        }
        return nil
    }

    /// 补积分 by channel: a receipt the till recorded without a member, claimed by the member a later channel (a
    /// receipt photo, a WeChat payment) names, earns as enrolment credits a pre-enrolment receipt — the points of the
    /// programme version it was recorded under, on what remains after refunds, in the ledger as `earn` (note
    /// `… · 补积分`); rolling spend, the report aggregates and an automatic tier upgrade follow. Nil when another
    /// claim got there first (the receipt has a member now).
    func claimReceipt(purchaseId: Int64, member: (id: Int64, cardNo: String?), request: PurchaseRequest, actor: String,
                      programme active: Programme) async throws -> PurchaseOutcome? {
        let nowMs = epochMillis(now)
        let today = LocalDate.of(now, in: active.timeZone)
        return try await write { tx in
            let sql = tx.sql
            guard let p = try await sql.row("""
                SELECT id, mall_id, member_id, programme_version, receipt_no, business_day, eligible_fen, refunded_eligible_fen,
                  total_fen, refunded_fen, response_json
                FROM purchases WHERE id = \(bind: purchaseId)\(unsafeRaw: sql.storeDialect.forUpdate)
                """), try p.optInt64("member_id") == nil else { return nil }
            let m = try await self.lockMember(sql, member.id)
            let programme = try await self.programmes.version(try p.int("programme_version"), tx)
            let day = LocalDate(dayNumber: try p.int("business_day"))
            let receiptNo = try p.string("receipt_no")
            let mallId = try p.int64("mall_id")
            let earning = programme.earning.earn(eligibleFen: try p.int64("eligible_fen") - p.int64("refunded_eligible_fen"),
                                                 context: EarningContext(businessDate: day, birthday: m.birthday))
            let balance = Saturating.add(m.balance, earning.points)
            try await sql.exec("""
                UPDATE purchases SET member_id = \(bind: member.id), card_no = \(bind: member.cardNo), points_earned = \(bind: earning.points),
                  factor_permille = \(bind: earning.factorPermille) WHERE id = \(bind: purchaseId) AND member_id IS NULL
                """)
            try await sql.exec("UPDATE purchase_lines SET member_id = \(bind: member.id) WHERE purchase_id = \(bind: purchaseId)")
            if earning.points != 0 {
                try await LedgerWriter.write(sql, [NewLedgerEntry(
                    memberId: member.id, kind: .earn, points: earning.points, balanceAfter: balance, purchase: .id(purchaseId),
                    note: "\(receiptNo) · 补积分 (\(request.channel.rawValue))", actor: actor, atMs: nowMs)])
            }
            try await self.addDailySpend(sql, memberId: member.id, mallId: mallId, day: day,
                                         amount: try p.int64("total_fen") - p.int64("refunded_fen"), purchases: 1)
            try await self.creditReportAggregates(sql, purchaseId: purchaseId, memberId: member.id, mallId: mallId, day: day,
                                                  policy: active.reports)
            var tier = m.earnedTier
            let spend = try await self.rollingSpend(sql, memberId: member.id, endingOn: today, windows: active.tierWindows)
            let evaluation = active.evaluateTier(spend: spend, floor: tier)
            if evaluation.tier != tier {
                try await self.recordTierChange(sql, memberId: member.id, from: tier, to: evaluation.tier, kind: "upgrade",
                                                reason: evaluation.reason, purchaseId: purchaseId, actor: actor, nowMs: nowMs)
                tier = evaluation.tier
            }
            try await sql.exec("""
                UPDATE members SET points_balance = \(bind: balance), earned_tier = \(bind: tier), updated_at_ms = \(bind: nowMs)
                WHERE id = \(bind: member.id)
                """)
            try await self.audit(tx, actor: actor, action: "purchase.claim", subject: "member:\(member.id)",
                                 detail: "\(receiptNo) via \(request.channel.rawValue) \(request.channelRef ?? "")")
            var outcome = try self.decodeOutcome(try p.string("response_json"))
            outcome.member = true
            outcome.cardNo = member.cardNo
            outcome.basePoints = earning.basePoints
            outcome.bonusPoints = earning.bonusPoints
            outcome.factorPermille = earning.factorPermille
            outcome.multipliers = earning.multiplierNames
            outcome.pointsEarned = earning.points
            outcome.pointsBalance = balance
            outcome.previousTier = m.earnedTier
            outcome.tier = active.effectiveTier(earned: tier, manual: m.manualTier, manualUntil: m.manualUntil, on: today)
            outcome.tierChanged = tier != m.earnedTier
            outcome.eligibleToEnrol = false
            return outcome
        }
    }

    /// An exact copy refused or a claim, once per copy (a retried post finds its row: `dedupe_key`).
    func recordCaught(mallId: Int64, rule: String, firstId: Int64, request: PurchaseRequest) async throws {
        let key = "\(rule)|\(firstId)|\(request.channel.rawValue)|\(request.channelRef ?? sha256Hex(request.fingerprint))"
        try await write { tx in
            try await tx.sql.exec("""
                INSERT INTO channel_duplicates (mall_id, rule, state, first_purchase_id, channel, channel_ref, receipt_no, dedupe_key, created_at_ms)
                VALUES (\(bind: mallId), \(bind: rule), 'caught', \(bind: firstId), \(bind: request.channel.rawValue), \(bind: request.channelRef),
                        \(bind: request.receiptNo), \(bind: key), \(bind: epochMillis(self.now)))
                ON CONFLICT (dedupe_key) DO NOTHING
                """)
        }
    }
}
