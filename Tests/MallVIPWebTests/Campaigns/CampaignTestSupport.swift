import Foundation
import MallVIPCore
import MallVIPStore
@testable import MallVIPWeb
import SQLKit
import Testing

extension TestContext {
    /// A member enrolled at the desk (no purchase), with SMS consent unless told otherwise.
    func campaignMember(_ n: Int, sms: Bool = true) async throws -> (id: Int64, card: String) {
        let r = try await store.enrol(EnrolmentRequest(phone: "139" + String(format: "%08d", n), name: "会员\(n)", overrideReason: "测试",
                                                       consentSMS: sms), actor: "test", mallId: nil)
        return (r.memberId, r.cardNo)
    }

    /// A saved segment: everyone active, or those carrying `tag`.
    func campaignSegment(_ name: String = "全部会员", tag: String? = nil) async throws -> Int64 {
        let today = LocalDate.of(clock.now, in: TimeZone(identifier: "Asia/Shanghai")!)
        return try await store.saveSegment(id: nil, name: name, description: "", conditions: SegmentConditions(tags: tag.map { [$0] }),
                                           on: today, actor: "test").id
    }

    /// A marketing SMS campaign written inline, saved as a draft.
    func draftCampaign(segment: Int64, name: String = "双十二会员专享", holdoutPermille: Int = 100, at: Date? = nil,
                       marginPermille: Int = 300, windowDays: Int = 30) async throws -> Int64 {
        try await store.saveCampaign(id: nil, CampaignInput(name: name, segmentId: segment, body: "{name}{title}您好，12月12日会员专享礼遇，回T退订",
                                                            holdoutPermille: holdoutPermille, scheduledAt: at, windowDays: windowDays,
                                                            marginPermille: marginPermille), actor: "test")
    }

    /// The frozen draw: member → holdout.
    func audience(_ campaign: Int64) async throws -> [Int64: Bool] {
        var out: [Int64: Bool] = [:]
        for r in try await store.sql.raw("SELECT member_id, holdout FROM campaign_audience WHERE campaign_id = \(bind: campaign)").all() {
            out[try r.decode(column: "member_id", as: Int64.self)] = try r.decode(column: "holdout", as: Bool.self)
        }
        return out
    }

    /// Outbox rows of a campaign per member: how many each member has, and their statuses.
    func campaignOutbox(_ campaign: Int64) async throws -> [Int64: [MessageStatus]] {
        var out: [Int64: [MessageStatus]] = [:]
        for m in try await store.outboxMessages(OutboxFilter(campaignId: campaign), limit: 100_000) { out[m.memberId, default: []].append(m.status) }
        return out
    }
}
