import Foundation
import MallVIPCore
import MallVIPStore
@testable import MallVIPWeb
import SQLKit
import Testing

/// The campaign report on a constructed data set (docs/domain.md §12): purchases from the send on, within the window,
/// count, net of refunds; those before the send (even the same day) or after the window do not; ROI with the outbox cost.
@Suite("Campaign report") struct CampaignReportTests {
    @Test("treated 4 vs holdout 3: spend per member 300 vs 200 yuan, uplift 100 ± 366.68, cost 30 yuan, ROI 233.3%")
    func arithmetic() async throws {
        // SMS at 10 yuan so that the ROI has round numbers.
        let yaml = programmeYAML(replacing: [("smsCost: 0.05", "smsCost: 10")])
        try await withTestApp(now: shanghai(2026, 11, 24, 10), programme: yaml) { t in
            var members: [(id: Int64, card: String)] = []
            for n in 1...20 { members.append(try await t.campaignMember(n)) }
            let segment = try await t.campaignSegment("目标会员", tag: "目标")
            let c = try await t.draftCampaign(segment: segment, holdoutPermille: 300, at: shanghai(2026, 11, 25, 10), marginPermille: 250)
            // Pick four members the draw puts in treatment and three it holds out, and make them the segment.
            let control = { (m: (id: Int64, card: String)) in Holdout.isControl(memberId: m.id, salt: "campaign:\(c)", permille: 300) }
            let treated = Array(members.filter { !control($0) }.prefix(4)), holdout = Array(members.filter(control).prefix(3))
            try #require(treated.count == 4 && holdout.count == 3)
            for m in treated + holdout { _ = try await t.store.setMemberTags(memberId: m.id, text: "目标", actor: "test") }
            // The fourth treated member cannot be texted: refused, yet still treated (intention to treat).
            try await t.store.sql.raw("UPDATE members SET consent_sms = FALSE WHERE id = \(bind: treated[3].id)").run()
            try await t.store.scheduleCampaign(id: c, actor: "test")

            func buy(_ receipt: String, _ m: (id: Int64, card: String), _ at: Date, _ fen: Int64) async throws {
                t.clock.set(at)
                let r = try await t.purchase(receipt, fen: fen, card: m.card)
                #expect(r.status == .created, "\(receipt): \(r.text)")
            }
            // The day before the send: not in the window.
            try await buy("T3-before", treated[2], shanghai(2026, 11, 24, 15), 80_000)
            #expect(try await t.store.runDueCampaigns(now: t.clock.now) == CampaignRunSummary())
            // The send day, before the send: not the message's doing either.
            try await buy("T3-morning", treated[2], shanghai(2026, 11, 25, 9), 70_000)

            t.clock.set(shanghai(2026, 11, 25, 10))
            let run = try await t.store.runDueCampaigns(now: t.clock.now)
            #expect(run.campaigns == 1 && run.outbox.queued == 3 && run.outbox.refused == 1 && run.outbox.holdout == 3)
            let delivered = try await t.store.deliverDue(sender: FakeSender())
            #expect(delivered.sent == 3)

            try await buy("T1-a", treated[0], shanghai(2026, 11, 25, 14), 30_000)     // send day, after the send
            try await buy("H2-a", holdout[1], shanghai(2026, 11, 26, 14), 15_000)
            #expect(try await t.refund("RH2-a", receipt: "H2-a", fen: 15_000).status == .created)   // wholly refunded: no visit
            try await buy("T1-b", treated[0], shanghai(2026, 11, 30, 14), 20_000)
            try await buy("H1-a", holdout[0], shanghai(2026, 12, 1, 14), 20_000)
            try await buy("X-a", members.first { m in !(treated + holdout).contains { $0.id == m.id } }!, shanghai(2026, 12, 1, 15), 99_900)

            // Halfway: what has come in so far, flagged.
            let partial = try #require(try await t.store.campaignReport(id: c))
            #expect(!partial.windowOver)
            #expect(partial.uplift.treated.spendFen == 50_000 && partial.uplift.holdout.spendFen == 20_000)

            try await buy("H3-a", holdout[2], shanghai(2026, 12, 5, 14), 40_000)
            try await buy("T2-a", treated[1], shanghai(2026, 12, 10, 14), 100_000)
            #expect(try await t.refund("RT2-a", receipt: "T2-a", fen: 40_000).status == .created)
            try await buy("T3-a", treated[2], shanghai(2026, 12, 24, 20), 10_000)     // the window's last day
            try await buy("T3-after", treated[2], shanghai(2026, 12, 25, 10), 50_000) // the day after: outside

            let r = try #require(try await t.store.campaignReport(id: c))
            #expect(r.windowStart == LocalDate(year: 2026, month: 11, day: 25) && r.windowLastDay == LocalDate(year: 2026, month: 12, day: 24))
            #expect(r.windowOver)
            let u = r.uplift
            // Treated: 500 + 600 + 100 + 0 yuan over 4 members, 2 + 1 + 1 + 0 purchase days.
            #expect(u.treated.members == 4 && u.treated.visits == 4 && u.treated.spendFen == 120_000 && u.treated.spendPerMemberFen == 30_000)
            // Holdout: 200 + 0 (refunded) + 400 yuan over 3 members, 2 purchase days.
            #expect(u.holdout.members == 3 && u.holdout.visits == 2 && u.holdout.spendFen == 60_000 && u.holdout.spendPerMemberFen == 20_000)
            #expect(u.upliftPerMemberFen == 10_000)
            // s₁² = (2·20,000² + 2·30,000²)/3, s₂² = 2·20,000²/2: SE = √(216,666,666.7 + 133,333,333.3) = 18,708.29; × 1.96 = 36,668.24.
            #expect(u.ciHalfWidthFen == 36_668 && u.ciLowFen == -26_668 && u.ciHighFen == 46_668)
            #expect(u.significant == false)
            // 100 yuan × 4 = 400 yuan incremental; × 25% = 100 yuan; three SMS at 10 yuan = 30 yuan; (100 − 30) / 30 = 233.3%.
            #expect(u.incrementalSpendFen == 40_000 && u.incrementalMarginFen == 10_000)
            #expect(u.costFen == 3_000)
            #expect(u.roiPermille == 2_333)
            #expect(r.refusedTreated == 1 && r.refusedHoldout == 0)
            #expect(r.statusCounts[.sent] == 3 && r.statusCounts[.refused] == 1 && r.statusCounts[.holdout] == 3)
        }
    }

    @Test("before the send the report is empty; a campaign without a control group has spend but no uplift or ROI")
    func noControl() async throws {
        try await withTestApp { t in
            let m = try await t.campaignMember(1)
            let segment = try await t.campaignSegment()
            let c = try await t.draftCampaign(segment: segment, holdoutPermille: 0)
            let before = try #require(try await t.store.campaignReport(id: c))
            #expect(before.windowStart == nil && before.uplift.treated.members == 0 && !before.windowOver)
            try await t.store.scheduleCampaign(id: c, sendNow: true, actor: "test")
            try await t.store.runDueCampaigns(now: t.clock.now)
            t.clock.advance(3600)
            _ = try await t.purchase("A-1", fen: 12_300, card: m.card)
            let r = try #require(try await t.store.campaignReport(id: c))
            #expect(r.uplift.treated.members == 1 && r.uplift.treated.spendFen == 12_300 && r.uplift.holdout.members == 0)
            #expect(r.uplift.upliftPerMemberFen == nil && r.uplift.roiPermille == nil)
            #expect(try await t.store.campaignReport(id: 999) == nil)
        }
    }
}
