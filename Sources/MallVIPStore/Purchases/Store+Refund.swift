import FluentKit
import Foundation
import MallVIPCore
import SQLKit

extension Store {
    /// Refunds part of a receipt. Points are recomputed on what remains of the receipt with the multiplier it was
    /// earned under, and the difference is reversed; rolling spend drops on the purchase's business day; a tier
    /// that this receipt brought is re-evaluated; a card issued on this receipt is deactivated when the remaining
    /// receipts no longer meet the enrolment rules. Idempotent on (mall, refund number).
    public func postRefund(_ req: RefundRequest) async throws -> Posted<RefundOutcome> {
        let (_, active) = try await self.programme()
        try req.validate()
        let counters = try await resolveCounters(req.lines.map(\.counter))
        let mallId = counters[0].mallId
        let hash = sha256Hex(req.fingerprint)
        if let replay = try await existingRefund(mallId: mallId, refundNo: req.refundNo, hash: hash) { return .replayed(replay) }
        do {
            let outcome = try await write { tx in
                try await self.insertRefund(tx, req, counters: counters, mallId: mallId, hash: hash, active: active)
            }
            if outcome.pointsBalance != nil { await reverseReferralAfterRefund(mallId: mallId, receiptNo: req.receiptNo) }
            return .created(outcome)
        } catch where isUniqueViolation(error) {
            if let replay = try await existingRefund(mallId: mallId, refundNo: req.refundNo, hash: hash) { return .replayed(replay) }
            throw error
        }
    }

    func existingRefund(mallId: Int64, refundNo: String, hash: String) async throws -> RefundOutcome? {
        guard let row = try await sql.row("""
            SELECT request_hash, response_json FROM refunds WHERE mall_id = \(bind: mallId) AND refund_no = \(bind: refundNo)
            """) else { return nil }
        guard try row.string("request_hash") == hash else {
            throw DomainError(.conflict, field: "refundNo", rule: "refund.idempotency",
                              zh: "退货单号 \(refundNo) 已用于另一笔不同的退货", en: "refundNo \(refundNo) was already posted with different content")
        }
        return try JSONDecoder().decode(RefundOutcome.self, from: Data(try row.string("response_json").utf8))
    }

    private func insertRefund(_ tx: any Database, _ req: RefundRequest, counters: [Counter], mallId: Int64, hash: String,
                              active: Programme) async throws -> RefundOutcome {
        let sql = tx.sql
        let nowMs = epochMillis(now)
        guard let p = try await sql.row("""
            SELECT id, member_id, business_day, eligible_fen, refunded_eligible_fen, points_earned, points_reversed, factor_permille,
                   programme_version, total_fen, refunded_fen
            FROM purchases WHERE mall_id = \(bind: mallId) AND receipt_no = \(bind: req.receiptNo)\(unsafeRaw: sql.storeDialect.forUpdate)
            """) else {
            throw DomainError(.notFound, field: "receiptNo", rule: "receipt.exists", zh: "原小票不存在：\(req.receiptNo)", en: "unknown receipt \(req.receiptNo)")
        }
        // Locked (PostgreSQL; the gate on SQLite): two refunds of one receipt at once must not both see the same
        // remaining amount.
        let purchaseId = try p.int64("id")
        let memberId = try p.optInt64("member_id")
        let programme = try await programmes.version(try p.int("programme_version"), tx)

        // Take each refunded amount from the receipt's lines of that counter, in line order.
        let lineRows = try await sql.rows("""
            SELECT id, counter_id, amount_fen, refunded_fen, earns_points FROM purchase_lines WHERE purchase_id = \(bind: purchaseId) ORDER BY line_no
            """)
        var remaining: [(id: Int64, counter: Int64, left: Int64, earns: Bool)] = try lineRows.map {
            (try $0.int64("id"), try $0.int64("counter_id"), try $0.int64("amount_fen") - $0.int64("refunded_fen"), try $0.bool("earns_points"))
        }
        var take: [Int64: Int64] = [:]
        var refunded: Int64 = 0, refundedEligible: Int64 = 0
        for (i, line) in req.lines.enumerated() {
            var need = line.amountFen
            let available = remaining.filter { $0.counter == counters[i].id }.reduce(Int64(0)) { $0 + $1.left }
            guard available >= need else {
                throw DomainError.invalid("lines[\(i)].amountFen", "refund.exceedsPaid",
                    zh: "退货金额超过该店柜在原小票上的剩余金额（\(Money.yuan(available)) 元）",
                    en: "refund exceeds what remains paid at counter \(line.counter) on receipt \(req.receiptNo) (\(Money.yuan(available)) yuan)")
            }
            for j in remaining.indices where need > 0 && remaining[j].counter == counters[i].id && remaining[j].left > 0 {
                let t = min(need, remaining[j].left)
                remaining[j].left -= t
                need -= t
                take[remaining[j].id, default: 0] += t
                refunded += t
                if remaining[j].earns { refundedEligible += t }
            }
        }
        for (lineId, amount) in take {
            try await sql.exec("UPDATE purchase_lines SET refunded_fen = refunded_fen + \(bind: amount) WHERE id = \(bind: lineId)")
        }

        var outcome = RefundOutcome(refundNo: req.refundNo, receiptNo: req.receiptNo, refundedFen: refunded, pointsReversed: 0,
                                    pointsBalance: nil, tier: nil, tierChanged: false, cardDeactivated: false)
        let newRefundedEligible = try p.int64("refunded_eligible_fen") + refundedEligible
        var reversal: Int64 = 0, shortfall: Int64 = 0
        var locked: LockedMember?
        if let memberId {
            // Points never go negative: what was already redeemed cannot be taken back, only what is left. The
            // shortfall stays owed on the purchase (points_reversed counts what was taken), so a later refund of the
            // same receipt takes it if points have come in since. The rule is Core's (`RefundDecision`), under the
            // programme the receipt earned with.
            let m = try await lockMember(sql, memberId)
            let points = RefundDecision.points(programme, purchase: RefundDecision.Purchase(
                eligibleFen: try p.int64("eligible_fen"), refundedEligibleFen: try p.int64("refunded_eligible_fen"),
                pointsEarned: try p.int64("points_earned"), pointsReversed: try p.int64("points_reversed"),
                factorPermille: try p.int("factor_permille")), refundedEligibleFen: refundedEligible, balance: m.balance)
            reversal = points.reversal
            shortfall = points.shortfall
            locked = m
        }
        try await sql.exec("""
            UPDATE purchases SET refunded_fen = refunded_fen + \(bind: refunded), refunded_eligible_fen = \(bind: newRefundedEligible),
              points_reversed = points_reversed + \(bind: reversal) WHERE id = \(bind: purchaseId)
            """)
        let refundRow = try await sql.row("""
            INSERT INTO refunds (mall_id, refund_no, purchase_id, member_id, amount_fen, points_reversed, request_hash, response_json, created_at_ms)
            VALUES (\(bind: mallId), \(bind: req.refundNo), \(bind: purchaseId), \(bind: memberId), \(bind: refunded), \(bind: reversal),
                    \(bind: hash), '{}', \(bind: nowMs)) RETURNING id
            """)!
        let refundId = try refundRow.int64("id")

        if let memberId, let m = locked {
            let day = LocalDate(dayNumber: try p.int("business_day"))
            let today = LocalDate.of(now, in: active.timeZone)
            let balance = Saturating.subtract(m.balance, reversal)   // never a trap (issue 14)
            if reversal != 0 {
                try await LedgerWriter.write(sql, [NewLedgerEntry(
                    memberId: memberId, kind: .reverse, points: -reversal, balanceAfter: balance, purchase: .id(purchaseId), refundId: refundId,
                    note: "\(req.refundNo) ← \(req.receiptNo)" + (shortfall > 0 ? " · 余额不足，\(shortfall) 分未扣回" : ""),
                    actor: "pos", atMs: nowMs)])
            }
            try await addDailySpend(sql, memberId: memberId, mallId: mallId, day: day, amount: -refunded, purchases: 0)

            // The tier this receipt brought goes back if the rest of the spend no longer reaches it.
            var earned = m.earnedTier
            if let last = try await sql.row("""
                SELECT from_tier, to_tier, purchase_id FROM tier_changes WHERE member_id = \(bind: memberId) ORDER BY id DESC LIMIT 1
                """), try last.optInt64("purchase_id") == purchaseId, try last.string("to_tier") == m.earnedTier {
                let spend = try await rollingSpend(sql, memberId: memberId, endingOn: day, windows: active.tierWindows)
                if let evaluation = RefundDecision.tier(active, earned: m.earnedTier, broughtFrom: try last.string("from_tier"), spend: spend) {
                    earned = evaluation.tier
                    try await recordTierChange(sql, memberId: memberId, from: m.earnedTier, to: earned, kind: "refund",
                                               reason: evaluation.reason, note: req.refundNo, purchaseId: purchaseId,
                                               actor: "pos", nowMs: nowMs)
                }
            }
            try await sql.exec("""
                UPDATE members SET points_balance = \(bind: balance), earned_tier = \(bind: earned), updated_at_ms = \(bind: nowMs)
                WHERE id = \(bind: memberId)
                """)
            let before = active.effectiveTier(earned: m.earnedTier, manual: m.manualTier, manualUntil: m.manualUntil, on: today)
            let after = active.effectiveTier(earned: earned, manual: m.manualTier, manualUntil: m.manualUntil, on: today)
            outcome.pointsReversed = reversal
            outcome.pointsBalance = balance
            outcome.tier = after
            outcome.tierChanged = before != after
            if active.enrolment.refundDeactivates {
                outcome.cardDeactivated = try await deactivateIfEnrolmentVoided(tx, memberId: memberId, receiptNo: req.receiptNo,
                                                                                programme: active, nowMs: nowMs)
            }
        }
        // The report aggregates (migration 025), last: their rows are locked after the purchase and the member.
        var lines: [Int64: ReportDelta.Line] = [:]
        for r in lineRows { lines[try r.int64("id")] = ReportDelta.Line(counter: try r.int64("counter_id"), amount: try r.int64("amount_fen")) }
        var report = ReportDelta(policy: active.reports)
        report.refund(mall: mallId, day: LocalDate(dayNumber: try p.int("business_day")), member: memberId,
                      taken: take.sorted { $0.key < $1.key }.map { (lines[$0.key]!, $0.value) })
        try await report.write(sql)
        try await sql.exec("UPDATE refunds SET response_json = \(bind: try encodeJSON(outcome)) WHERE id = \(bind: refundId)")
        return outcome
    }

    /// 章程: a card issued on the strength of a receipt goes back when the goods are returned. Re-checks the
    /// enrolment receipts as they now stand; an enrolment a manager overrode is left alone.
    private func deactivateIfEnrolmentVoided(_ tx: any Database, memberId: Int64, receiptNo: String, programme: Programme,
                                             nowMs: Int64) async throws -> Bool {
        let sql = tx.sql
        guard let m = try await sql.row("""
            SELECT enrol_receipts, enrol_override_reason, enrolled_day FROM members WHERE id = \(bind: memberId)
            """), try m.optString("enrol_override_reason") == nil else { return false }
        let receipts = try m.string("enrol_receipts").split(separator: ",").map(String.init)
        guard receipts.contains(receiptNo) else { return false }
        let rows = try await sql.rows("""
            SELECT receipt_no, business_day, total_fen - refunded_fen AS net FROM purchases WHERE member_id = \(bind: memberId)
            """)
        let qualifying = try rows.filter { receipts.contains(try $0.string("receipt_no")) }.map {
            QualifyingReceipt(receiptNo: try $0.string("receipt_no"), businessDate: LocalDate(dayNumber: try $0.int("business_day")),
                              amountFen: try $0.int64("net"))
        }
        let enrolDay = LocalDate(dayNumber: try m.int("enrolled_day"))
        guard case .notEligible = programme.enrolment.evaluate(qualifying, on: enrolDay, programme: programme) else { return false }
        try await sql.exec("UPDATE cards SET state = 'closed', note = \(bind: "退货后不再符合办卡条件 (\(receiptNo))") WHERE member_id = \(bind: memberId) AND state IN ('active', 'inactive')")
        try await sql.exec("UPDATE members SET status = 'deactivated', updated_at_ms = \(bind: nowMs) WHERE id = \(bind: memberId)")
        try await audit(tx, actor: "pos", action: "card.deactivate", subject: "member:\(memberId)", detail: "refund of enrolment receipt \(receiptNo)")
        return true
    }
}
