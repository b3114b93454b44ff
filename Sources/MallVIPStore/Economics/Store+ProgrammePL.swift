import FluentKit
import Foundation
import MallVIPCore
import SQLKit

/// The programme's P&L over a span of months: incremental revenue from campaigns measured against their control
/// group (the campaign report's uplift), the margin on it (`messaging.margin`), the costs booked and from the
/// system, the net and the ROI on the programme's basis (`economics.roiBasis`) and on the other.
public struct ProgrammePLReport: Sendable, Equatable {
    public struct CampaignLine: Sendable, Equatable {
        public var id: Int64
        public var name: String
        public var sentOn: LocalDate
        public var treated: Int
        public var holdout: Int
        /// nil when a group is empty (no uplift measurable).
        public var incrementalSpendFen: Int64?
        public var significant: Bool?
    }

    public var from: CostPeriod
    public var through: CostPeriod
    public var campaigns: [CampaignLine]
    public var costs: CostReport
    public var pl: ProgrammePL
    public var basis: ROIBasis
}

extension Store {
    /// Campaigns with a control group whose sending began within the months count; the campaigns' own outbox cost is
    /// among the system's message costs already, so it is not added again.
    public func programmePL(from: CostPeriod, through: CostPeriod) async throws -> ProgrammePLReport {
        let (_, programme) = try await self.programme()
        let zone = programme.timeZone
        let start = epochMillis(from.firstDay.start(in: zone)), end = epochMillis(through.next.firstDay.start(in: zone))
        var lines: [ProgrammePLReport.CampaignLine] = []
        for r in try await sql.rows("""
            SELECT id FROM campaigns WHERE sent_at_ms >= \(bind: start) AND sent_at_ms < \(bind: end) AND COALESCE(holdout_count, 0) > 0
            ORDER BY sent_at_ms, id
            """) {
            guard let report = try await campaignReport(id: try r.int64("id")), let sentAt = report.campaign.sentAt else { continue }
            lines.append(.init(id: report.campaign.id, name: report.campaign.name, sentOn: LocalDate.of(sentAt, in: zone),
                               treated: report.uplift.treated.members, holdout: report.uplift.holdout.members,
                               incrementalSpendFen: report.uplift.incrementalSpendFen, significant: report.uplift.significant))
        }
        let costs = try await costReport(from: from, through: through)
        let pl = ProgrammePL(incrementalRevenueFen: lines.reduce(0) { $0 + ($1.incrementalSpendFen ?? 0) },
                             marginPermille: programme.messaging.marginPermille, costFen: costs.totalFen)
        return ProgrammePLReport(from: from, through: through, campaigns: lines, costs: costs, pl: pl, basis: programme.economics.roiBasis)
    }
}
