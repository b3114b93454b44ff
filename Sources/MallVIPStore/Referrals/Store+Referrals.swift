import FluentKit
import Foundation
import MallVIPCore
import SQLKit

/// Member-gets-member (docs/domain.md C24). The link is made at enrolment; the reward is settled in its own transaction after the
/// referee's purchase commits (never inside the purchase batch, which must not lock a second member), and taken
/// back after a refund that leaves the purchase short. A daily sweep settles what a crash between the two commits
/// left behind. `UPDATE … WHERE status = <expected> RETURNING` makes each step happen once.
extension Store {
    /// The member a referral code belongs to, for enrolment; nil when no code was given.
    func referrer(code text: String?) async throws -> (id: Int64, code: String)? {
        guard let text, !text.trimmingCharacters(in: .whitespaces).isEmpty else { return nil }
        guard let code = ReferralCode.normalize(text),
              let row = try await sql.row("SELECT id, status FROM members WHERE referral_code = \(bind: code)") else {
            throw DomainError(.notFound, field: "referralCode", rule: "referralCode.exists", zh: "推荐码不存在：\(text)",
                              en: "unknown referralCode \(text)")
        }
        guard try row.string("status") == "active" else {
            throw DomainError.invalid("referralCode", "referralCode.active", zh: "推荐人的会员卡已停用", en: "the referring member is deactivated")
        }
        return (try row.int64("id"), code)
    }

    /// Gives a new member their code and links them to their referrer. Runs inside the enrolment transaction after
    /// the enrolment receipts are credited: only purchases after those count for the referrer's reward. Nobody can
    /// refer themselves: the referrer was found by a code that existed before this member did.
    func startReferrals(_ sql: any SQLDatabase, memberId: Int64, referrer: (id: Int64, code: String)?, nowMs: Int64) async throws {
        try await sql.exec("""
            UPDATE members SET referral_code = \(bind: ReferralCode.forMember(memberId)), referral_pending = \(bind: referrer != nil)
            WHERE id = \(bind: memberId)
            """)
        guard let referrer else { return }
        let credited = try await sql.row("""
            SELECT CAST(COALESCE(MAX(id), 0) AS BIGINT) AS m FROM purchases WHERE member_id = \(bind: memberId)
            """)!.int64("m")
        try await sql.exec("""
            INSERT INTO referrals (referrer_id, referee_id, code, status, after_purchase_id, reward_points, note, created_at_ms)
            VALUES (\(bind: referrer.id), \(bind: memberId), \(bind: referrer.code), 'pending', \(bind: credited), 0, '', \(bind: nowMs))
            """)
    }

    /// After a member purchase commits: settles the buyer's pending referral, if any. Failures are left to the
    /// daily sweep; the purchase itself has already been answered.
    func settleReferralAfterPurchase(mallId: Int64, receiptNo: String, programme: Programme) async {
        guard programme.referrals.enabled else { return }
        guard let row = try? await sql.row("""
            SELECT p.member_id, r.id FROM purchases p LEFT JOIN referrals r ON r.referee_id = p.member_id AND r.status = 'pending'
            WHERE p.mall_id = \(bind: mallId) AND p.receipt_no = \(bind: receiptNo)
            """), let memberId = try? row.int64("member_id") else { return }
        let pendingId = try? row.optInt64("id")
        if pendingId ?? nil == nil {
            await clearReferralPending(memberId)   // settled elsewhere (the sweep) or the flag was left by a crash
            return
        }
        _ = try? await settleReferral(refereeId: memberId)
    }

    /// Lowers the member's flag in its own statement, outside any transaction holding the referrer: locking the
    /// referee there could deadlock against a purchase batch that locks both members in id order.
    func clearReferralPending(_ memberId: Int64) async {
        _ = try? await write { tx in
            try await tx.sql.exec("UPDATE members SET referral_pending = \(bind: false) WHERE id = \(bind: memberId)")
        }
    }

    /// After a refund commits: takes back the reward of a referral whose qualifying purchase this was, when what is
    /// left of it no longer qualifies.
    func reverseReferralAfterRefund(mallId: Int64, receiptNo: String) async {
        guard let row = try? await sql.row("""
            SELECT r.id FROM purchases p JOIN referrals r ON r.purchase_id = p.id
            WHERE p.mall_id = \(bind: mallId) AND p.receipt_no = \(bind: receiptNo) AND r.status = 'rewarded'
            """), let id = try? row.int64("id") else { return }
        _ = try? await reverseReferral(id: id)
    }

    /// Settles `refereeId`'s pending referral if they have a qualifying purchase (net of refunds at least the
    /// programme's minimum, made after enrolment): the referrer gets the reward, or nothing beyond the cap.
    /// Returns the new status, or nil when there was nothing to settle.
    @discardableResult
    public func settleReferral(refereeId: Int64) async throws -> ReferralStatus? {
        let (_, programme) = try await self.programme()
        let policy = programme.referrals
        guard policy.enabled else { return nil }
        guard let r = try await sql.row("""
            SELECT id, referrer_id, after_purchase_id FROM referrals WHERE referee_id = \(bind: refereeId) AND status = 'pending'
            """) else { return nil }
        let minFen = max(policy.minPurchaseFen, 1)
        guard let p = try await sql.row("""
            SELECT id FROM purchases WHERE member_id = \(bind: refereeId) AND id > \(bind: try r.int64("after_purchase_id"))
              AND total_fen - refunded_fen >= \(bind: minFen) ORDER BY id LIMIT 1
            """) else { return nil }
        let (referralId, referrerId, purchaseId) = (try r.int64("id"), try r.int64("referrer_id"), try p.int64("id"))
        let reward = policy.reward
        let couponPolicy = programme.coupons
        let today = LocalDate.of(now, in: programme.timeZone)
        let settled = try await write { tx -> ReferralStatus? in
            let sql = tx.sql
            let nowMs = epochMillis(self.now)
            // The referrer's row is the lock: settlements for one referrer run one at a time, so the cap holds.
            let referrer = try await self.lockMember(sql, referrerId)
            guard let purchase = try await sql.row("""
                SELECT p.receipt_no, p.total_fen - p.refunded_fen AS net, m.name FROM purchases p JOIN members m ON m.id = p.member_id
                WHERE p.id = \(bind: purchaseId)
                """), try purchase.int64("net") >= minFen else { return nil }
            let rewarded = try await sql.row("""
                SELECT COUNT(*) AS n FROM referrals WHERE referrer_id = \(bind: referrerId) AND status = 'rewarded'
                """)!.int("n")
            let capped = policy.maxRewardedPerReferrer > 0 && rewarded >= policy.maxRewardedPerReferrer
            let status: ReferralStatus = capped ? .capped : .rewarded
            let receiptNo = try purchase.string("receipt_no")
            let note = capped ? "已奖励 \(rewarded) 人，达到上限 \(policy.maxRewardedPerReferrer)" : ""
            guard try await sql.row("""
                UPDATE referrals SET status = \(bind: status.rawValue), purchase_id = \(bind: purchaseId), min_purchase_fen = \(bind: minFen),
                  reward_points = \(bind: capped ? 0 : reward.points), reward_gift = \(bind: capped ? nil : reward.gift?.zh),
                  rewarded_at_ms = \(bind: nowMs), note = \(bind: note)
                WHERE id = \(bind: referralId) AND status = 'pending' RETURNING id
                """) != nil else { return nil }
            if capped {
                try await self.audit(tx, actor: "referral", action: "referral.capped", subject: "referral:\(referralId)", detail: note)
                return .capped
            }
            if reward.points > 0 {
                let balance = Saturating.add(referrer.balance, reward.points)   // never a trap (issue 14)
                try await sql.exec("UPDATE members SET points_balance = \(bind: balance), updated_at_ms = \(bind: nowMs) WHERE id = \(bind: referrerId)")
                try await LedgerWriter.write(sql, [NewLedgerEntry(
                    memberId: referrerId, kind: .referral, points: reward.points, balanceAfter: balance,
                    note: "推荐奖励 · \(Identity.maskName(try purchase.string("name"))) 首次消费 \(receiptNo) · referral:\(referralId)",
                    actor: "referral", atMs: nowMs)])
            }
            if let template = reward.coupon {
                let code = try await self.issueReferralCoupon(tx, template: template, policy: couponPolicy, memberId: referrerId,
                                                              referralId: referralId, validFrom: today, nowMs: nowMs)
                try await sql.exec("UPDATE referrals SET reward_coupon_code = \(bind: code) WHERE id = \(bind: referralId)")
            }
            try await self.audit(tx, actor: "referral", action: "referral.reward", subject: "referral:\(referralId)",
                                 detail: "referrer member:\(referrerId) +\(reward.points) points\(reward.gift.map { " gift \($0.zh)" } ?? "") receipt \(receiptNo)")
            return .rewarded
        }
        if settled != nil { await clearReferralPending(refereeId) }
        return settled
    }

    /// Takes back a referral's reward when its purchase, after refunds, no longer meets the minimum it met. Points
    /// come back only as far as the balance goes (never below zero; the shortfall is noted); a coupon is voided.
    @discardableResult
    public func reverseReferral(id: Int64) async throws -> Bool {
        guard let r = try await sql.row("SELECT referrer_id FROM referrals WHERE id = \(bind: id) AND status = 'rewarded'") else { return false }
        let referrerId = try r.int64("referrer_id")
        return try await write { tx -> Bool in
            let sql = tx.sql
            let nowMs = epochMillis(self.now)
            let referrer = try await self.lockMember(sql, referrerId)
            guard let row = try await sql.row("""
                SELECT r.reward_points, r.reward_coupon_code, r.min_purchase_fen, p.receipt_no, p.total_fen - p.refunded_fen AS net
                FROM referrals r JOIN purchases p ON p.id = r.purchase_id WHERE r.id = \(bind: id) AND r.status = 'rewarded'
                """), try row.int64("net") < max(try row.optInt64("min_purchase_fen") ?? 1, 1) else { return false }
            let points = try row.int64("reward_points")
            let taken = min(points, max(0, referrer.balance))
            let receiptNo = try row.string("receipt_no")
            guard try await sql.row("""
                UPDATE referrals SET status = 'reversed', reversed_at_ms = \(bind: nowMs) WHERE id = \(bind: id) AND status = 'rewarded' RETURNING id
                """) != nil else { return false }
            var notes = ["小票 \(receiptNo) 退货后不再符合条件"]
            if taken < points { notes.append("余额不足，少扣 \(points - taken) 分") }
            if let coupon = try row.optString("reward_coupon_code"),
               let problem = try await self.voidReferralCoupon(tx, code: coupon, referralId: id, nowMs: nowMs) {
                notes.append(problem)
            }
            let note = notes.joined(separator: "；")
            try await sql.exec("UPDATE referrals SET note = \(bind: note) WHERE id = \(bind: id)")
            if taken > 0 {
                let balance = referrer.balance - taken
                try await sql.exec("UPDATE members SET points_balance = \(bind: balance), updated_at_ms = \(bind: nowMs) WHERE id = \(bind: referrerId)")
                try await LedgerWriter.write(sql, [NewLedgerEntry(memberId: referrerId, kind: .referralReverse, points: -taken, balanceAfter: balance,
                                                                  note: "推荐奖励收回 · \(note) · referral:\(id)", actor: "referral", atMs: nowMs)])
            }
            try await self.audit(tx, actor: "referral", action: "referral.reverse", subject: "referral:\(id)",
                                 detail: "referrer member:\(referrerId) -\(taken) of \(points) points; \(note)")
            return true
        }
    }

    /// The daily sweep: settles pending referrals whose qualifying purchase exists, and reverses rewarded ones whose
    /// purchase no longer qualifies (a crash between a purchase or refund and its follow-up). Once per business day.
    public func runReferralSweep(on day: LocalDate) async throws -> ReferralSweepSummary {
        var summary = ReferralSweepSummary(settled: 0, reversed: 0, alreadyRan: false)
        if try await sql.row("SELECT day FROM job_runs WHERE job = 'referrals' AND day = \(bind: day.dayNumber)") != nil {
            summary.alreadyRan = true
            return summary
        }
        let (_, programme) = try await self.programme()
        if programme.referrals.enabled {
            let minFen = max(programme.referrals.minPurchaseFen, 1)
            for row in try await sql.rows("""
                SELECT r.referee_id FROM referrals r WHERE r.status = 'pending' AND EXISTS (
                  SELECT 1 FROM purchases p WHERE p.member_id = r.referee_id AND p.id > r.after_purchase_id
                    AND p.total_fen - p.refunded_fen >= \(bind: minFen))
                ORDER BY r.id
                """) where try await settleReferral(refereeId: try row.int64("referee_id")) != nil {
                summary.settled += 1
            }
        }
        for row in try await sql.rows("""
            SELECT r.id FROM referrals r JOIN purchases p ON p.id = r.purchase_id
            WHERE r.status = 'rewarded' AND p.total_fen - p.refunded_fen < COALESCE(r.min_purchase_fen, 1) ORDER BY r.id
            """) where try await reverseReferral(id: try row.int64("id")) {
            summary.reversed += 1
        }
        let text = "settled=\(summary.settled) reversed=\(summary.reversed)"
        try await write { tx in
            try await tx.sql.exec("""
                INSERT INTO job_runs (job, day, finished_at_ms, summary) VALUES ('referrals', \(bind: day.dayNumber), \(bind: epochMillis(self.now)), \(bind: text))
                """)
        }
        return summary
    }

    /// The member's code, who referred them and whom they referred (oldest first).
    public func referralSummary(memberId: Int64) async throws -> ReferralSummary {
        let code = try await sql.row("SELECT referral_code FROM members WHERE id = \(bind: memberId)")?.optString("referral_code")
        let rows = try await sql.rows("""
            SELECT r.*, a.name AS referrer_name, b.name AS referee_name, p.receipt_no
            FROM referrals r JOIN members a ON a.id = r.referrer_id JOIN members b ON b.id = r.referee_id
              LEFT JOIN purchases p ON p.id = r.purchase_id
            WHERE r.referrer_id = \(bind: memberId) OR r.referee_id = \(bind: memberId) ORDER BY r.id
            """).map(referralFrom)
        return ReferralSummary(code: code, referredBy: rows.first { $0.refereeId == memberId },
                               referred: rows.filter { $0.referrerId == memberId })
    }

    func referralFrom(_ r: any SQLRow) throws -> Referral {
        Referral(id: try r.int64("id"), referrerId: try r.int64("referrer_id"), referrerName: try r.string("referrer_name"),
                 refereeId: try r.int64("referee_id"), refereeName: try r.string("referee_name"), code: try r.string("code"),
                 status: ReferralStatus(rawValue: try r.string("status")) ?? .pending, purchaseId: try r.optInt64("purchase_id"),
                 receiptNo: try r.optString("receipt_no"), rewardPoints: try r.int64("reward_points"),
                 rewardCouponCode: try r.optString("reward_coupon_code"), rewardGift: try r.optString("reward_gift"),
                 note: try r.string("note"), createdAt: dateFromMillis(try r.int64("created_at_ms")),
                 rewardedAt: try r.optInt64("rewarded_at_ms").map(dateFromMillis), reversedAt: try r.optInt64("reversed_at_ms").map(dateFromMillis))
    }
}
