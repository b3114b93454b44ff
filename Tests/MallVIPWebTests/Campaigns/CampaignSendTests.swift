import Foundation
import MallVIPCore
@testable import MallVIPStore
@testable import MallVIPWeb
import SQLKit
import Testing

/// Campaigns to a segment with a random control group: who is drawn, and that each member is decided exactly once
/// however often the scheduler runs, at once or after a crash.
@Suite("Campaign sending") struct CampaignSendTests {
    @Test("the control group is the deterministic draw, close to the configured share; held-out members are recorded, not sent")
    func holdoutShare() async throws {
        try await withTestApp { t in
            var ids: [Int64] = []
            for n in 1...300 { ids.append(try await t.campaignMember(n).id) }
            let segment = try await t.campaignSegment()
            let c = try await t.draftCampaign(segment: segment, holdoutPermille: 200)
            try await t.store.scheduleCampaign(id: c, sendNow: true, actor: "test")
            let run = try await t.store.runDueCampaigns(now: t.clock.now)
            #expect(run.campaigns == 1)

            let audience = try await t.audience(c)
            #expect(Set(audience.keys) == Set(ids))
            let expected = Set(ids.filter { Holdout.isControl(memberId: $0, salt: "campaign:\(c)", permille: 200) })
            #expect(Set(audience.filter(\.value).keys) == expected)
            // 300 members at 20%: 60 expected, standard deviation 6.9; three of them either side.
            #expect(abs(expected.count - 60) <= 21, "\(expected.count) held out")
            #expect(run.outbox.holdout == expected.count && run.outbox.queued == 300 - expected.count && run.outbox.refused == 0)

            let outbox = try await t.campaignOutbox(c)
            #expect(outbox.count == 300 && outbox.values.allSatisfy { $0.count == 1 })
            #expect(Set(outbox.filter { $0.value == [.holdout] }.keys) == expected)
            let campaign = try #require(try await t.store.campaign(id: c))
            #expect(campaign.status == .sent && campaign.audienceCount == 300 && campaign.holdoutCount == expected.count
                    && campaign.treatedCount == 300 - expected.count)
            // Rendered per member, with the campaign's source and period.
            let first = try #require(try await t.store.outboxMessages(OutboxFilter(memberId: ids[0], campaignId: c)).first)
            #expect(first.body == "会员1您好，12月12日会员专享礼遇，回T退订")
            #expect(first.source == .campaign && first.sourceCode == "campaign:\(c)" && first.periodKey == "campaign:\(c)")
            #expect(first.purpose == .marketing && first.channel == .sms)

            // Another campaign to the same segment draws its own control group.
            let c2 = try await t.draftCampaign(segment: segment, name: "第二波", holdoutPermille: 200)
            try await t.store.scheduleCampaign(id: c2, sendNow: true, actor: "test")
            try await t.store.runDueCampaigns(now: t.clock.now)
            let second = Set(try await t.audience(c2).filter(\.value).keys)
            #expect(second == Set(ids.filter { Holdout.isControl(memberId: $0, salt: "campaign:\(c2)", permille: 200) }))
            #expect(second != expected)
        }
    }

    @Test("run twice, and four runs at once: one outbox row per member, one start, status sent")
    func exactlyOnce() async throws {
        try await withTestApp { t in
            for n in 1...40 { _ = try await t.campaignMember(n) }
            let segment = try await t.campaignSegment()
            let a = try await t.draftCampaign(segment: segment, name: "顺序两次")
            try await t.store.scheduleCampaign(id: a, sendNow: true, actor: "test")
            let first = try await t.store.runDueCampaigns(now: t.clock.now)
            let again = try await t.store.runDueCampaigns(now: t.clock.now)
            #expect(first.campaigns == 1 && first.outbox.queued + first.outbox.holdout == 40)
            #expect(again == CampaignRunSummary())
            #expect(try await t.campaignOutbox(a).values.map(\.count) == Array(repeating: 1, count: 40))

            let b = try await t.draftCampaign(segment: segment, name: "同时四次")
            try await t.store.scheduleCampaign(id: b, sendNow: true, actor: "test")
            let store = t.store, now = t.clock.now
            let runs = try await withThrowingTaskGroup(of: CampaignRunSummary.self) { group in
                for _ in 0..<4 { group.addTask { try await store.runDueCampaigns(now: now) } }
                return try await group.reduce(into: [CampaignRunSummary]()) { $0.append($1) }
            }
            #expect(runs.map(\.campaigns).reduce(0, +) == 1)
            #expect(runs.map { $0.outbox.queued + $0.outbox.holdout + $0.outbox.refused }.reduce(0, +) == 40)
            let outbox = try await t.campaignOutbox(b)
            #expect(outbox.count == 40 && outbox.values.allSatisfy { $0.count == 1 })
            #expect(try await t.count("campaign_audience") == 80)
            #expect(try await t.auditCount("campaign.start", subject: "campaign:\(b)") == 1)
            #expect(try await t.auditCount("campaign.sent", subject: "campaign:\(b)") == 1)
            #expect(try await t.store.campaign(id: b)?.status == .sent)
        }
    }

    @Test("a send that stopped halfway is resumed after the lease, with the frozen audience, and nobody gets a second message")
    func resumeAfterCrash() async throws {
        try await withTestApp { t in
            var ids: [Int64] = []
            for n in 1...30 { ids.append(try await t.campaignMember(n).id) }
            let segment = try await t.campaignSegment()
            let c = try await t.draftCampaign(segment: segment)
            try await t.store.scheduleCampaign(id: c, sendNow: true, actor: "test")
            let (_, programme) = try await t.store.programme()
            // The sender froze the audience and recorded three messages, then died.
            #expect(try await t.store.startCampaign(c, programme: programme, now: t.clock.now) == .started)
            let frozen = try await t.audience(c)
            let early = ids.prefix(3).map {
                OutboxDraft(memberId: $0, channel: .sms, purpose: .marketing, source: .campaign, sourceCode: "campaign:\(c)",
                            periodKey: "campaign:\(c)", body: "早到的一条", holdout: frozen[$0]!, campaignId: c)
            }
            _ = try await t.store.enqueue(early, programme: programme)
            // Members who join the segment later are not added to a frozen audience.
            let late = try await t.campaignMember(99).id

            // Within the lease the campaign still belongs to the stopped sender.
            #expect(try await t.store.runDueCampaigns(now: t.clock.now).campaigns == 0)
            #expect(try await t.store.campaign(id: c)?.status == .sending)
            t.clock.advance(11 * 60)
            let resumed = try await t.store.runDueCampaigns(now: t.clock.now)
            #expect(resumed.campaigns == 1)
            #expect(resumed.outbox.queued + resumed.outbox.holdout == 27 && resumed.outbox.duplicates == 0)
            let outbox = try await t.campaignOutbox(c)
            #expect(Set(outbox.keys) == Set(ids) && outbox[late] == nil)
            #expect(outbox.values.allSatisfy { $0.count == 1 })
            #expect(try await t.audience(c) == frozen)
            #expect(try await t.store.campaign(id: c)?.status == .sent)
            #expect(try await t.store.runDueCampaigns(now: t.clock.now) == CampaignRunSummary())
        }
    }

    @Test("only due campaigns go out; a cancelled one never; a campaign whose segment was deleted is cancelled with the reason")
    func scheduling() async throws {
        try await withTestApp { t in
            for n in 1...5 { _ = try await t.campaignMember(n) }
            let segment = try await t.campaignSegment()
            let later = try await t.draftCampaign(segment: segment, name: "明早", at: shanghai(2026, 11, 26, 10))
            let at = try await t.store.scheduleCampaign(id: later, actor: "test")
            #expect(at == shanghai(2026, 11, 26, 10))
            let cancelled = try await t.draftCampaign(segment: segment, name: "取消的")
            try await t.store.scheduleCampaign(id: cancelled, actor: "test")
            try await t.store.cancelCampaign(id: cancelled, actor: "test")
            let draft = try await t.draftCampaign(segment: segment, name: "草稿")

            #expect(try await t.store.runDueCampaigns(now: t.clock.now) == CampaignRunSummary())
            t.clock.set(shanghai(2026, 11, 26, 10))
            #expect(try await t.store.runDueCampaigns(now: t.clock.now).campaigns == 1)
            #expect(try await t.store.campaign(id: later)?.status == .sent)
            #expect(try await t.count("outbox_messages") == 5)
            #expect(try await t.store.campaign(id: cancelled)?.status == .cancelled)
            #expect(try await t.store.campaign(id: draft)?.status == .draft)

            // A sent campaign can be neither edited, cancelled nor scheduled again.
            await #expect(throws: DomainError.self) { try await t.store.cancelCampaign(id: later, actor: "test") }
            await #expect(throws: DomainError.self) { try await t.store.scheduleCampaign(id: later, actor: "test") }
            await #expect(throws: DomainError.self) {
                try await t.store.saveCampaign(id: later, CampaignInput(name: "改", segmentId: segment, body: "x", holdoutPermille: 100,
                                                                        marginPermille: 300), actor: "test")
            }
            // A time long gone is refused rather than sent by surprise.
            let stale = try await t.draftCampaign(segment: segment, name: "过期", at: shanghai(2026, 11, 25, 10))
            await #expect(throws: DomainError.self) { try await t.store.scheduleCampaign(id: stale, actor: "test") }

            let doomed = try await t.draftCampaign(segment: segment, name: "分群将被删")
            try await t.store.scheduleCampaign(id: doomed, actor: "test")
            // The segment of a campaign not yet sent cannot be deleted from the console …
            let refused = await #expect(throws: DomainError.self) { try await t.store.deleteSegment(id: segment, actor: "test") }
            #expect(refused?.rule == "segment.usedByCampaign" && refused?.en.contains("分群将被删") == true)
            // … and if it disappears anyway (by hand in the database), the campaign is cancelled, not sent to nobody.
            try await t.store.sql.raw("DELETE FROM segments WHERE id = \(bind: segment)").run()
            let run = try await t.store.runDueCampaigns(now: t.clock.now)
            #expect(run.cancelled == 1 && run.campaigns == 0)
            let c = try #require(try await t.store.campaign(id: doomed))
            #expect(c.status == .cancelled && c.note.contains("segment"))
        }
    }

    @Test("the campaign text is checked as templates are: care without promotion and signed, e-mail with a subject, the template's channel")
    func textChecks() async throws {
        try await withTestApp { t in
            let segment = try await t.campaignSegment()
            func save(_ i: CampaignInput) async throws -> [String] {
                do {
                    try await t.store.saveCampaign(id: nil, i, actor: "test")
                    return []
                } catch let e as TemplateCheckError {
                    return e.all.map(\.rule)
                } catch let e as DomainError {
                    return [e.rule]
                }
            }
            let care = CampaignInput(name: "冬至问候", segmentId: segment, purpose: .care, body: "{name}{title}，冬至快乐，新品八折！",
                                     holdoutPermille: 100, marginPermille: 300)
            #expect(try await save(care) == ["template.care.promotional", "template.care.signature"])
            var signed = care
            signed.body = "{name}{title}，冬至快乐，天冷添衣。{store}{sender}"
            #expect(try await save(signed) == [])
            var email = signed
            email.channel = .email
            #expect(try await save(email) == ["campaign.subject.required"])
            var unknown = signed
            unknown.body = "{nickname}您好 {store}{sender}"
            #expect(try await save(unknown) == ["template.placeholder.unknown"])
            var share = signed
            share.holdoutPermille = 600
            #expect(try await save(share) == ["campaign.holdout.range"])
            var noSegment = signed
            noSegment.segmentId = 999
            #expect(try await save(noSegment) == ["segment.exists"])
            // A saved template: its channel must match, and its text is checked for the campaign's purpose.
            let template = try #require(try await t.store.messageTemplates().first { $0.channel == .sms && $0.active })
            var byTemplate = CampaignInput(name: "用模板", segmentId: segment, channel: .sms, purpose: template.purpose,
                                           templateCode: template.code, holdoutPermille: 100, marginPermille: 300)
            #expect(try await save(byTemplate) == [])
            byTemplate.channel = .email
            #expect(try await save(byTemplate) == ["campaign.template.channel"])
        }
    }
}
