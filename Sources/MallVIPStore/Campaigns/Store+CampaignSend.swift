import FluentKit
import Foundation
import MallVIPCore
import SQLKit

extension Store {
    /// How long a sender may hold a campaign without a sign of life before another run resumes it (a crash
    /// mid-send). Each batch renews it.
    static let campaignLeaseMillis: Int64 = 10 * 60_000
    static let campaignBatch = 200

    /// Starts every scheduled campaign whose time has come and resumes any whose sender stopped halfway.
    /// Exactly once, however often and however many runs at a time: a campaign is claimed by a conditional status
    /// change (scheduled → sending) that only one run can make, its audience and control group are frozen in the
    /// same transaction, and every message goes through `enqueue`, whose dedupe key (member, campaign, channel)
    /// skips what a stopped run had already recorded.
    @discardableResult
    public func runDueCampaigns(now: Date) async throws -> CampaignRunSummary {
        let (_, programme) = try await self.programme()
        let nowMs = epochMillis(now)
        var summary = CampaignRunSummary()
        let due = try await sql.rows("""
            SELECT id, status FROM campaigns
            WHERE (status = 'scheduled' AND scheduled_at_ms <= \(bind: nowMs))
               OR (status = 'sending' AND claimed_at_ms < \(bind: nowMs - Store.campaignLeaseMillis))
            ORDER BY id
            """)
        for row in due {
            let id = try row.int64("id")
            if try row.string("status") == CampaignStatus.scheduled.rawValue {
                switch try await startCampaign(id, programme: programme, now: now) {
                case .started: break
                case .cancelled: summary.cancelled += 1; continue
                case .taken: continue
                }
            } else {
                let reclaimed = try await write { tx in
                    try await tx.sql.row("""
                        UPDATE campaigns SET claimed_at_ms = \(bind: nowMs) WHERE id = \(bind: id) AND status = 'sending'
                          AND claimed_at_ms < \(bind: nowMs - Store.campaignLeaseMillis) RETURNING id
                        """) != nil
                }
                guard reclaimed else { continue }
            }
            let result = try await sendFrozenAudience(id, programme: programme, now: now)
            summary.outbox.queued += result.queued
            summary.outbox.refused += result.refused
            summary.outbox.holdout += result.holdout
            summary.outbox.duplicates += result.duplicates
            summary.campaigns += 1
        }
        return summary
    }

    enum CampaignStart { case started, cancelled, taken }

    /// Freezes the audience (the segment's members on the send day) with each member's draw, and claims the
    /// campaign; `.taken` when another run got there first.
    func startCampaign(_ id: Int64, programme: Programme, now: Date) async throws -> CampaignStart {
        guard let c = try await campaign(id: id), c.status == .scheduled else { return .taken }
        let day = LocalDate.of(now, in: programme.timeZone)
        let ids: [Int64]
        if try await segment(id: c.segmentId) == nil {
            // The segment was deleted after scheduling: nothing sensible to send.
            do {
                try await cancelCampaign(id: id, actor: "job", note: "分群已删除 / the segment was deleted")
                return .cancelled
            } catch is DomainError {
                return .taken
            }
        }
        ids = try await segmentMemberIds(segmentId: c.segmentId, on: day)
        let draws = ids.map { ($0, Holdout.isControl(memberId: $0, salt: c.sourceCode, permille: c.holdoutPermille)) }
        let controls = draws.filter(\.1).count
        let nowMs = epochMillis(now)
        let claimed = try await write { tx -> Bool in
            let sql = tx.sql
            guard try await sql.row("""
                UPDATE campaigns SET status = 'sending', sent_at_ms = \(bind: nowMs), claimed_at_ms = \(bind: nowMs),
                  audience_count = \(bind: draws.count), treated_count = \(bind: draws.count - controls), holdout_count = \(bind: controls),
                  updated_at_ms = \(bind: nowMs)
                WHERE id = \(bind: id) AND status = 'scheduled' RETURNING id
                """) != nil else { return false }
            var insert = BulkInsert(sql, table: "campaign_audience", columns: ["campaign_id", "member_id", "holdout"], maxRows: 2000)
            for (member, control) in draws { try await insert.add([.int(id), .int(member), .bool(control)]) }
            try await insert.flush()
            try await self.audit(tx, actor: "job", action: "campaign.start", subject: c.sourceCode,
                                 detail: "audience=\(draws.count) holdout=\(controls)")
            return true
        }
        return claimed ? .started : .taken
    }

    /// Puts a message in the outbox for every frozen audience member who has none yet, in batches (renewing the
    /// claim after each), then marks the campaign sent.
    func sendFrozenAudience(_ id: Int64, programme: Programme, now: Date) async throws -> EnqueueResult {
        guard let c = try await campaign(id: id), c.status == .sending else { return EnqueueResult() }
        let day = LocalDate.of(c.sentAt ?? now, in: programme.timeZone)
        let text = MessageTemplate(code: c.templateCode ?? c.sourceCode, name: c.name, purpose: c.purpose, channel: c.channel,
                                   subject: c.channel == .email ? c.subject : nil, body: c.body ?? "")
        let mentionsExpiry = ["{expiringPoints}", "{expiryDate}"].contains { (text.body + (text.subject ?? "")).contains($0) }
        let pending = try await sql.rows("""
            SELECT a.member_id, a.holdout FROM campaign_audience a
            WHERE a.campaign_id = \(bind: id) AND NOT EXISTS (
              SELECT 1 FROM outbox_messages o WHERE o.campaign_id = a.campaign_id AND o.member_id = a.member_id)
            ORDER BY a.member_id
            """).map { (try $0.int64("member_id"), try $0.bool("holdout")) }
        var total = EnqueueResult()
        for batch in pending.chunked(Store.campaignBatch) {
            var contexts = try await templateContexts(sql, memberIds: batch.map(\.0), programme: programme, on: day)
            if mentionsExpiry {
                // Only then the per-member look-up of the next points to lapse.
                for (member, _) in batch {
                    if let full = try await templateContext(memberId: member, programme: programme, on: day) { contexts[member] = full }
                }
            }
            if let template = c.coupon {
                // The attached coupon (issue 18): issued once per treated member, never to the holdout; its code goes in the text.
                let coupons = try await campaignCoupons(c, template: template, treated: batch.filter { !$0.1 && contexts[$0.0] != nil }.map(\.0), day: day,
                                                        programme: programme)
                for (member, coupon) in coupons {
                    contexts[member]?.couponCode = coupon.code
                    contexts[member]?.couponName = template.name.zh
                    contexts[member]?.couponExpiry = coupon.validTo
                }
            }
            let drafts = batch.compactMap { member, control -> OutboxDraft? in
                guard let context = contexts[member] else { return nil }
                return OutboxDraft(memberId: member, channel: c.channel, purpose: c.purpose, source: .campaign, sourceCode: c.sourceCode,
                                   periodKey: c.sourceCode, subject: text.renderSubject(context), body: text.render(context),
                                   holdout: control, campaignId: c.id, templateCode: c.templateCode)
            }
            let r = try await enqueue(drafts, programme: programme)
            total.queued += r.queued
            total.refused += r.refused
            total.holdout += r.holdout
            total.duplicates += r.duplicates
            let renewMs = epochMillis(self.now)
            try await write { tx in
                try await tx.sql.exec("UPDATE campaigns SET claimed_at_ms = \(bind: renewMs) WHERE id = \(bind: id) AND status = 'sending'")
            }
        }
        let doneMs = epochMillis(self.now)
        let detail = "queued=\(total.queued) refused=\(total.refused) holdout=\(total.holdout) duplicates=\(total.duplicates)"
        try await write { tx in
            guard try await tx.sql.row("""
                UPDATE campaigns SET status = 'sent', finished_at_ms = \(bind: doneMs), claimed_at_ms = NULL, updated_at_ms = \(bind: doneMs)
                WHERE id = \(bind: id) AND status = 'sending' RETURNING id
                """) != nil else { return }
            try await self.audit(tx, actor: "job", action: "campaign.sent", subject: c.sourceCode, detail: detail)
        }
        return total
    }
}
