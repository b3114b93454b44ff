import FluentKit
import Foundation
import MallVIPCore
import SQLKit

extension Store {
    /// Records a purchase: points, balance, ledger row, rolling spend and any tier change in one transaction.
    /// Idempotent on (mall, receipt number): the same body again replays the first answer; a different body
    /// under the same receipt number is a conflict.
    public func postPurchase(_ req: PurchaseRequest) async throws -> Posted<PurchaseOutcome> {
        let (version, programme) = try await self.programme()
        try req.validate(now: now, policy: programme.purchases)
        let counters = try await resolveCounters(req.lines.map(\.counter))
        let mall = counters[0]
        let hash = sha256Hex(req.fingerprint)
        if let replay = try await existingPurchase(mallId: mall.id, receiptNo: req.receiptNo, hash: hash) {
            return .replayed(replay)
        }
        let who = try await identify(card: req.card, phone: req.phone)
        let lines = zip(req.lines, counters).map { PostedLine(request: $0.0, counter: $0.1) }
        do {
            let outcome = try await write { tx in
                try await self.insertPurchase(tx, req, lines: lines, mall: mall, who: who, hash: hash,
                                              version: version, programme: programme)
            }
            return .created(outcome)
        } catch where isUniqueViolation(error) {
            // Another post of the same receipt won the race; answer as a replay (or a conflict).
            if let replay = try await existingPurchase(mallId: mall.id, receiptNo: req.receiptNo, hash: hash) {
                return .replayed(replay)
            }
            throw error
        }
    }

    struct PostedLine: Sendable {
        var request: PurchaseLineRequest
        var counter: Counter
    }

    struct Identified: Sendable {
        var memberId: Int64?
        var cardNo: String?
    }

    func resolveCounters(_ codes: [String]) async throws -> [Counter] {
        var out: [Counter] = []
        for (i, code) in codes.enumerated() {
            guard let c = try await counter(code: code), c.active else {
                throw DomainError(.notFound, field: "lines[\(i)].counter", rule: "counter.exists",
                                  zh: "店柜不存在或已停用：\(code)", en: "unknown or inactive counter \(code)")
            }
            if let first = out.first, first.mallId != c.mallId {
                throw DomainError.invalid("lines[\(i)].counter", "counter.sameMall",
                                          zh: "一张小票的店柜必须属于同一商场", en: "all counters on one receipt must belong to the same mall")
            }
            out.append(c)
        }
        return out
    }

    func existingPurchase(mallId: Int64, receiptNo: String, hash: String) async throws -> PurchaseOutcome? {
        guard let row = try await sql.row("""
            SELECT request_hash, response_json FROM purchases WHERE mall_id = \(bind: mallId) AND receipt_no = \(bind: receiptNo)
            """) else { return nil }
        guard try row.string("request_hash") == hash else {
            throw DomainError(.conflict, field: "receiptNo", rule: "receipt.idempotency",
                              zh: "小票号 \(receiptNo) 已用于另一笔不同的交易", en: "receiptNo \(receiptNo) was already posted with different content")
        }
        return try JSONDecoder().decode(PurchaseOutcome.self, from: Data(try row.string("response_json").utf8))
    }

    /// Card first, then phone ("报电话号码即可积分"). A phone that belongs to no member makes a non-member purchase
    /// that still carries the phone, for enrolment later.
    func identify(card: String?, phone: String?) async throws -> Identified {
        if let card {
            guard let row = try await sql.row("""
                SELECT c.member_id, c.state, m.status FROM cards c LEFT JOIN members m ON m.id = c.member_id WHERE c.card_no = \(bind: card)
                """), let memberId = try row.optInt64("member_id") else {
                throw DomainError(.notFound, field: "card", rule: "card.exists", zh: "卡号不存在：\(card)", en: "unknown card \(card)")
            }
            let state = CardState(rawValue: try row.string("state")) ?? .closed
            guard state == .active, try row.optString("status") == "active" else {
                throw DomainError.invalid("card", "card.state", zh: "此卡不可用（\(state.label.zh)）", en: "card \(card) cannot be used (\(state.label.en))")
            }
            return Identified(memberId: memberId, cardNo: card)
        }
        if let phone, let row = try await sql.row("""
            SELECT m.id, c.card_no FROM members m LEFT JOIN cards c ON c.member_id = m.id AND c.state = 'active'
            WHERE m.phone = \(bind: phone) AND m.status = 'active'
            """) {
            return Identified(memberId: try row.int64("id"), cardNo: try row.optString("card_no"))
        }
        return Identified(memberId: nil, cardNo: nil)
    }

    private func insertPurchase(_ tx: any Database, _ req: PurchaseRequest, lines: [PostedLine], mall: Counter,
                                who: Identified, hash: String, version: Int, programme: Programme) async throws -> PurchaseOutcome {
        let sql = tx.sql
        let zone = programme.timeZone
        let day = LocalDate.of(req.occurredAt, in: zone)
        let today = LocalDate.of(now, in: zone)
        let total = lines.reduce(Int64(0)) { $0 + $1.request.amountFen }
        let eligible = lines.filter(\.counter.earnsPoints).reduce(Int64(0)) { $0 + $1.request.amountFen }
        let nowMs = epochMillis(now)

        var outcome = PurchaseOutcome(
            receiptNo: req.receiptNo, mall: mall.mallCode, businessDate: day.description, member: who.memberId != nil,
            cardNo: who.cardNo, totalFen: total, eligibleFen: eligible, basePoints: 0, bonusPoints: 0, factorPermille: 1000,
            multipliers: [], pointsEarned: 0, pointsBalance: nil, tier: nil, previousTier: nil, tierChanged: false,
            tierApprovalRequested: nil, eligibleToEnrol: false)

        guard let memberId = who.memberId else {
            let receipt = QualifyingReceipt(receiptNo: req.receiptNo, businessDate: day, amountFen: total)
            if case .eligible = programme.enrolment.evaluate([receipt], on: day, programme: programme) { outcome.eligibleToEnrol = true }
            let json = try encodeJSON(outcome)
            let pid = try await insertPurchaseRow(sql, req, mallId: mall.mallId, memberId: nil, cardNo: nil, day: day,
                                                  total: total, eligible: eligible, earned: 0, factor: 1000, version: version,
                                                  hash: hash, json: json, nowMs: nowMs)
            try await insertLines(sql, purchaseId: pid, memberId: nil, lines)
            return outcome
        }

        let m = try await lockMember(sql, memberId)
        var context = EarningContext(businessDate: day, birthday: m.birthday)
        let dayRules = programme.earning.multipliers.filter {
            $0.firstMemberPurchasesOfDay != nil && $0.applies(EarningContext(businessDate: day, birthday: m.birthday, memberPurchaseOrdinalOfDay: 1))
        }
        if !dayRules.isEmpty {
            context.memberPurchaseOrdinalOfDay = try await nextDayOrdinal(sql, mallId: mall.mallId, day: day)
        }
        let earning = programme.earning.earn(eligibleFen: eligible, context: context)

        var spend = try await rollingSpend(sql, memberId: memberId, endingOn: day, windows: programme.tierWindows)
        for w in programme.tierWindows { spend.byMonths[w, default: 0] += total }
        let evaluation = programme.evaluateTier(spend: spend, floor: m.earnedTier)
        let effectiveBefore = programme.effectiveTier(earned: m.earnedTier, manual: m.manualTier, manualUntil: m.manualUntil, on: today)
        let effectiveAfter = programme.effectiveTier(earned: evaluation.tier, manual: m.manualTier, manualUntil: m.manualUntil, on: today)
        let balance = m.balance + earning.points

        outcome.basePoints = earning.basePoints
        outcome.bonusPoints = earning.bonusPoints
        outcome.factorPermille = earning.factorPermille
        outcome.multipliers = earning.multiplierNames
        outcome.pointsEarned = earning.points
        outcome.pointsBalance = balance
        outcome.tier = effectiveAfter
        outcome.previousTier = effectiveBefore
        outcome.tierChanged = effectiveAfter != effectiveBefore

        var approval: String?
        if let candidate = evaluation.approvalCandidate,
           try await sql.row("SELECT id FROM tier_requests WHERE member_id = \(bind: memberId) AND tier = \(bind: candidate) AND status = 'pending'") == nil {
            approval = candidate
            outcome.tierApprovalRequested = candidate
        }

        let pid = try await insertPurchaseRow(sql, req, mallId: mall.mallId, memberId: memberId, cardNo: who.cardNo, day: day,
                                              total: total, eligible: eligible, earned: earning.points,
                                              factor: earning.factorPermille, version: version, hash: hash,
                                              json: try encodeJSON(outcome), nowMs: nowMs)
        try await insertLines(sql, purchaseId: pid, memberId: memberId, lines)
        if earning.points != 0 {
            let note = ([req.receiptNo] + earning.multiplierNames).joined(separator: " · ")
            try await sql.exec("""
                INSERT INTO points_ledger (member_id, kind, points, balance_after, purchase_id, note, actor, at_ms)
                VALUES (\(bind: memberId), 'earn', \(bind: earning.points), \(bind: balance), \(bind: pid), \(bind: note), 'pos', \(bind: nowMs))
                """)
        }
        let tierChanged = evaluation.tier != m.earnedTier
        try await sql.exec("""
            UPDATE members SET points_balance = \(bind: balance), earned_tier = \(bind: evaluation.tier),
              tier_since_day = \(bind: tierChanged ? today.dayNumber : m.tierSinceDay), updated_at_ms = \(bind: nowMs)
            WHERE id = \(bind: memberId)
            """)
        try await addDailySpend(sql, memberId: memberId, mallId: mall.mallId, day: day, amount: total, purchases: 1)
        if tierChanged {
            try await recordTierChange(sql, memberId: memberId, from: m.earnedTier, to: evaluation.tier, kind: "upgrade",
                                       reason: evaluation.reason, purchaseId: pid, actor: "pos", nowMs: nowMs)
        }
        if let approval {
            try await sql.exec("""
                INSERT INTO tier_requests (member_id, tier, reason, status, created_at_ms)
                VALUES (\(bind: memberId), \(bind: approval), \(bind: try encodeJSON(evaluation.approvalReason)), 'pending', \(bind: nowMs))
                """)
        }
        return outcome
    }

    private func insertPurchaseRow(_ sql: any SQLDatabase, _ req: PurchaseRequest, mallId: Int64, memberId: Int64?, cardNo: String?,
                                   day: LocalDate, total: Int64, eligible: Int64, earned: Int64, factor: Int, version: Int,
                                   hash: String, json: String, nowMs: Int64) async throws -> Int64 {
        try await sql.row("""
            INSERT INTO purchases (mall_id, receipt_no, member_id, card_no, phone, occurred_at_ms, business_day, total_fen, eligible_fen,
              refunded_fen, refunded_eligible_fen, points_earned, points_reversed, factor_permille, programme_version, request_hash,
              response_json, created_at_ms)
            VALUES (\(bind: mallId), \(bind: req.receiptNo), \(bind: memberId), \(bind: cardNo), \(bind: req.phone),
              \(bind: epochMillis(req.occurredAt)), \(bind: day.dayNumber), \(bind: total), \(bind: eligible), 0, 0, \(bind: earned), 0,
              \(bind: factor), \(bind: version), \(bind: hash), \(bind: json), \(bind: nowMs))
            RETURNING id
            """)!.int64("id")
    }

    private func insertLines(_ sql: any SQLDatabase, purchaseId: Int64, memberId: Int64?, _ lines: [PostedLine]) async throws {
        var q = SQLQueryString("INSERT INTO purchase_lines (purchase_id, member_id, line_no, counter_id, amount_fen, special_price, earns_points, refunded_fen) VALUES ")
        for (i, l) in lines.enumerated() {
            if i > 0 { q.appendLiteral(", ") }
            q.appendInterpolation("(\(bind: purchaseId), \(bind: memberId), \(bind: i + 1), \(bind: l.counter.id), \(bind: l.request.amountFen), \(bind: l.request.specialPrice), \(bind: l.counter.earnsPoints), 0)" as SQLQueryString)
        }
        try await sql.exec(q)
    }

    struct LockedMember: Sendable {
        var id: Int64
        var earnedTier: String
        var tierSinceDay: Int
        var manualTier: String?
        var manualUntil: LocalDate?
        var balance: Int64
        var birthday: MonthDay?
        var status: String
    }

    /// Reads the member for update. On PostgreSQL the row lock serialises concurrent posts for one member; on
    /// SQLite the write gate already does.
    func lockMember(_ sql: any SQLDatabase, _ id: Int64) async throws -> LockedMember {
        let lock = sql.dialect.name == "postgresql" ? " FOR UPDATE" : ""
        guard let r = try await sql.row("""
            SELECT id, earned_tier, tier_since_day, manual_tier, manual_until_day, points_balance, birth_month, birth_day, status
            FROM members WHERE id = \(bind: id)\(unsafeRaw: lock)
            """) else {
            throw DomainError(.notFound, field: nil, rule: "member.exists", zh: "会员不存在", en: "member not found")
        }
        let bm = try r.optInt("birth_month"), bd = try r.optInt("birth_day")
        return LockedMember(id: id, earnedTier: try r.string("earned_tier"), tierSinceDay: try r.int("tier_since_day"),
                            manualTier: try r.optString("manual_tier"),
                            manualUntil: try r.optInt("manual_until_day").map { LocalDate(dayNumber: $0) },
                            balance: try r.int64("points_balance"),
                            birthday: bm.flatMap { m in bd.map { MonthDay(month: m, day: $0) } }, status: try r.string("status"))
    }

    func nextDayOrdinal(_ sql: any SQLDatabase, mallId: Int64, day: LocalDate) async throws -> Int {
        try await sql.row("""
            INSERT INTO mall_day_counts (mall_id, day, member_purchases) VALUES (\(bind: mallId), \(bind: day.dayNumber), 1)
            ON CONFLICT (mall_id, day) DO UPDATE SET member_purchases = mall_day_counts.member_purchases + 1
            RETURNING member_purchases
            """)!.int("member_purchases")
    }

    /// Spend in each rolling window ending on `endingOn` (inclusive), from the per-day aggregate.
    func rollingSpend(_ sql: any SQLDatabase, memberId: Int64, endingOn end: LocalDate, windows: [Int]) async throws -> RollingSpend {
        guard let longest = windows.max() else { return RollingSpend([:]) }
        let rows = try await sql.rows("""
            SELECT day, spend_fen FROM member_daily_spend
            WHERE member_id = \(bind: memberId) AND day >= \(bind: end.windowStart(months: longest).dayNumber) AND day <= \(bind: end.dayNumber)
            """)
        var byMonths: [Int: Int64] = [:]
        for r in rows {
            let d = try r.int("day"), fen = try r.int64("spend_fen")
            for w in windows where d >= end.windowStart(months: w).dayNumber { byMonths[w, default: 0] += fen }
        }
        return RollingSpend(byMonths)
    }

    func addDailySpend(_ sql: any SQLDatabase, memberId: Int64, mallId: Int64, day: LocalDate, amount: Int64, purchases: Int) async throws {
        try await sql.exec("""
            INSERT INTO member_daily_spend (member_id, mall_id, day, spend_fen, purchases)
            VALUES (\(bind: memberId), \(bind: mallId), \(bind: day.dayNumber), \(bind: amount), \(bind: purchases))
            ON CONFLICT (member_id, mall_id, day) DO UPDATE SET spend_fen = member_daily_spend.spend_fen + \(bind: amount),
              purchases = member_daily_spend.purchases + \(bind: purchases)
            """)
    }

    func recordTierChange(_ sql: any SQLDatabase, memberId: Int64, from: String, to: String, kind: String, reason: TierReason?,
                          note: String = "", purchaseId: Int64?, actor: String, nowMs: Int64) async throws {
        let text = try reason.map { try encodeJSON($0) } ?? note
        try await sql.exec("""
            INSERT INTO tier_changes (member_id, from_tier, to_tier, kind, reason, purchase_id, actor, at_ms)
            VALUES (\(bind: memberId), \(bind: from), \(bind: to), \(bind: kind), \(bind: text), \(bind: purchaseId), \(bind: actor), \(bind: nowMs))
            """)
    }
}

func encodeJSON<T: Encodable>(_ value: T) throws -> String {
    let e = JSONEncoder()
    e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    return String(decoding: try e.encode(value), as: UTF8.self)
}
