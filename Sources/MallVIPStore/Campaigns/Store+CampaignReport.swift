import FluentKit
import Foundation
import MallVIPCore
import SQLKit

/// A campaign's result: treated against holdout over the window after the send (docs/domain.md §12).
public struct CampaignReport: Sendable, Equatable {
    public var campaign: Campaign
    /// The send day, and the day after the window's last (exclusive); nil before the campaign was sent.
    public var windowStart: LocalDate?
    public var windowEnd: LocalDate?
    /// False while the window is still running: the figures are partial.
    public var windowOver: Bool
    public var uplift: UpliftReport
    /// The campaign's outbox rows by status.
    public var statusCounts: [MessageStatus: Int]
    /// Members of each group whom the outbox refused (no consent, opted out, no address, weekly cap): they stay in
    /// their group, as drawn.
    public var refusedTreated: Int
    public var refusedHoldout: Int
    /// The attached coupon's figures (issue 18): issued, used, redemption rate, spend on their receipts; nil = no coupon.
    public var coupons: CampaignCouponFigures? = nil

    /// The window's last day.
    public var windowLastDay: LocalDate? { windowEnd?.adding(days: -1) }
}

extension Store {
    /// The campaign report, by intention to treat: the groups are the random draw over the frozen audience, treated
    /// = every member drawn into treatment whatever the outbox then did (queued, sent, failed or refused), holdout =
    /// every member drawn into the control group (the outbox records them `holdout`, or `refused` when they could not
    /// have been contacted anyway). Comparing the draws keeps the two groups alike; dropping refused members from
    /// one side only would not. Visits are business days with a purchase not wholly refunded; spend is net of
    /// refunds; both counted from the moment sending began (a purchase earlier that day cannot be the message's
    /// doing) to the end of the window's last day. Cost is the outbox cost of the campaign.
    public func campaignReport(id: Int64) async throws -> CampaignReport? {
        guard let c = try await campaign(id: id) else { return nil }
        let (_, programme) = try await self.programme()
        let cost = try await sql.row("""
            SELECT CAST(COALESCE(SUM(cost_fen), 0) AS BIGINT) AS cost FROM outbox_messages WHERE campaign_id = \(bind: id)
            """)!.int64("cost")
        let counts = try await outboxStatusCounts(OutboxFilter(campaignId: id))
        guard let sentAt = c.sentAt else {
            return CampaignReport(campaign: c, windowStart: nil, windowEnd: nil, windowOver: false,
                                  uplift: Uplift.report(treated: [], holdout: [], costFen: cost, marginPermille: c.marginPermille),
                                  statusCounts: counts, refusedTreated: 0, refusedHoldout: 0)
        }
        let start = LocalDate.of(sentAt, in: programme.timeZone)
        let end = start.adding(days: c.windowDays)
        var treated: [MemberOutcome] = [], holdout: [MemberOutcome] = []
        for r in try await sql.rows("""
            SELECT a.member_id, a.holdout,
              COUNT(DISTINCT CASE WHEN p.total_fen > p.refunded_fen THEN p.business_day END) AS visits,
              CAST(COALESCE(SUM(p.total_fen - p.refunded_fen), 0) AS BIGINT) AS spend
            FROM campaign_audience a
            LEFT JOIN purchases p ON p.member_id = a.member_id
              AND p.occurred_at_ms >= \(bind: epochMillis(sentAt)) AND p.business_day < \(bind: end.dayNumber)
            WHERE a.campaign_id = \(bind: id)
            GROUP BY a.member_id, a.holdout
            """) {
            let outcome = MemberOutcome(spendFen: try r.int64("spend"), visits: try r.int("visits"))
            if try r.bool("holdout") { holdout.append(outcome) } else { treated.append(outcome) }
        }
        var refused: [Bool: Int] = [:]
        for r in try await sql.rows("""
            SELECT a.holdout, COUNT(*) AS n FROM campaign_audience a
            JOIN outbox_messages o ON o.campaign_id = a.campaign_id AND o.member_id = a.member_id
            WHERE a.campaign_id = \(bind: id) AND o.status = 'refused' GROUP BY a.holdout
            """) {
            refused[try r.bool("holdout")] = try r.int("n")
        }
        let today = LocalDate.of(now, in: programme.timeZone)
        return CampaignReport(campaign: c, windowStart: start, windowEnd: end, windowOver: today >= end,
                              uplift: Uplift.report(treated: treated, holdout: holdout, costFen: cost, marginPermille: c.marginPermille),
                              statusCounts: counts, refusedTreated: refused[false] ?? 0, refusedHoldout: refused[true] ?? 0,
                              coupons: c.coupon == nil ? nil : try await campaignCouponFigures(campaignId: id))
    }
}
