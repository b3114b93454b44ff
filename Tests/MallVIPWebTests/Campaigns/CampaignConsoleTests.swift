import Foundation
import MallVIPCore
import MallVIPStore
@testable import MallVIPWeb
import SQLKit
import Testing

/// The campaign pages: planners, managers and admins write, schedule and read campaigns; other roles may not.
@Suite("Campaign console") struct CampaignConsoleTests {
    @Test("a planner writes a campaign, sends it now and reads its page; the list and nav show it")
    func plannerFlow() async throws {
        try await withTestApp { t in
            for n in 1...12 { _ = try await t.campaignMember(n) }
            let segment = try await t.campaignSegment()
            let planner = try await t.console(as: "planner", .planner)
            let home = try await planner.get("/console")
            #expect(home.contains("/console/campaigns") && home.contains("活动推送"))

            let form = try await planner.get("/console/campaigns/new")
            #expect(form.status == .ok && form.contains("全部会员") && form.contains(#"name="holdout" value="10""#))
            // A care text with a promotion comes back with every problem listed and what was typed.
            let bad = try await planner.post("/console/campaigns/new", [
                ("name", "冬至问候"), ("segmentId", "\(segment)"), ("channel", "sms"), ("purpose", "care"), ("templateCode", ""),
                ("body", "冬至快乐，全场八折"), ("holdout", "10"), ("windowDays", "30"), ("margin", "30"), ("action", "save"),
            ])
            #expect(bad.status == .unprocessableEntity)
            #expect(bad.contains("关怀短信不得含促销内容") && bad.contains("须以商场名和发送人署名结尾") && bad.contains("冬至快乐，全场八折"))
            #expect(try await t.count("campaigns") == 0)

            let sent = try await planner.post("/console/campaigns/new", [
                ("name", "双十二"), ("segmentId", "\(segment)"), ("channel", "sms"), ("purpose", "marketing"), ("templateCode", ""),
                ("body", "{name}您好，会员日礼遇，回T退订"), ("holdout", "25"), ("scheduledAt", ""), ("sendNow", "1"),
                ("windowDays", "14"), ("margin", "35.5"), ("action", "schedule"),
            ])
            #expect(sent.status == .seeOther, "\(sent.body)")
            let id = try #require(try await t.store.campaigns().first?.id)
            let c = try #require(try await t.store.campaign(id: id))
            #expect(c.status == .sent && c.holdoutPermille == 250 && c.marginPermille == 355 && c.windowDays == 14 && c.createdBy == "staff:planner")
            #expect(c.audienceCount == 12)
            let page = try await planner.follow(sent)
            #expect(page.status == .ok)
            #expect(page.contains("已发送") && page.contains("效果报告") && page.contains("观察期未结束"))
            #expect(page.contains("处理组") && page.contains("对照组") && page.contains("ROI") && page.contains("人均提升"))
            #expect(page.contains("待发送"))
            // A sent campaign offers no edit or cancel, and refuses them when posted.
            #expect(!page.contains("/console/campaigns/\(id)/cancel"))
            let cancel = try await planner.post("/console/campaigns/\(id)/cancel", [])
            #expect(cancel.status == .conflict)

            let list = try await planner.get("/console/campaigns")
            #expect(list.contains("双十二") && list.contains("/console/campaigns/\(id)"))
        }
    }

    @Test("a manager saves a draft, edits it, schedules it for later and cancels it")
    func draftScheduleCancel() async throws {
        try await withTestApp { t in
            _ = try await t.campaignMember(1)
            let segment = try await t.campaignSegment()
            let manager = try await t.console(as: "boss", .manager)
            _ = try await manager.get("/console/campaigns/new")
            let fields: [(String, String)] = [
                ("name", "周末"), ("segmentId", "\(segment)"), ("channel", "sms"), ("purpose", "marketing"), ("templateCode", ""),
                ("body", "{name}您好，周末见，回T退订"), ("holdout", "10"), ("scheduledAt", "2026-11-28T10:30"), ("windowDays", "30"),
                ("margin", "30"), ("action", "save"),
            ]
            let saved = try await manager.post("/console/campaigns/new", fields)
            #expect(saved.status == .seeOther)
            let id = try #require(try await t.store.campaigns().first?.id)
            #expect(try await t.store.campaign(id: id)?.status == .draft)
            let edit = try await manager.get("/console/campaigns/\(id)/edit")
            #expect(edit.contains("2026-11-28T10:30") && edit.contains("周末见"))
            let edited = try await manager.post("/console/campaigns/\(id)/edit", fields.map { $0.0 == "name" ? ("name", "周末礼遇") : $0 })
            #expect(edited.status == .seeOther)
            let detail = try await manager.follow(edited)
            #expect(detail.contains("周末礼遇") && detail.contains("排期发送"))
            let scheduled = try await manager.post("/console/campaigns/\(id)/schedule", [])
            #expect(scheduled.status == .seeOther)
            let c = try #require(try await t.store.campaign(id: id))
            #expect(c.status == .scheduled && c.scheduledAt == shanghai(2026, 11, 28, 10, 30))
            #expect(try await t.count("outbox_messages") == 0)
            _ = try await manager.get("/console/campaigns/\(id)")
            #expect(try await manager.post("/console/campaigns/\(id)/cancel", []).status == .seeOther)
            #expect(try await t.store.campaign(id: id)?.status == .cancelled)
            #expect(try await t.auditCount("campaign.cancel", actor: "staff:boss") == 1)
        }
    }

    @Test("desk, account managers and counter staff may not open or post campaign pages; a post without the CSRF token is refused")
    func roles() async throws {
        try await withTestApp { t in
            let segment = try await t.campaignSegment()
            let id = try await t.draftCampaign(segment: segment)
            for (name, role) in [("desk1", StaffRole.desk), ("am1", .accountManager), ("cs1", .counterStaff)] {
                let staff = try await t.console(as: name, role)
                for path in ["/console/campaigns", "/console/campaigns/new", "/console/campaigns/\(id)", "/console/campaigns/\(id)/edit"] {
                    #expect(try await staff.get(path).status == .forbidden, "\(role) opened \(path)")
                }
                #expect(try await staff.post("/console/campaigns/\(id)/send-now", []).status == .forbidden)
                #expect(!(try await staff.get("/console")).contains("/console/campaigns"))
            }
            #expect(try await t.store.campaign(id: id)?.status == .draft)
            let admin = try await t.console(as: "root", .admin)
            #expect(try await admin.get("/console/campaigns/\(id)").status == .ok)
            #expect(try await admin.post("/console/campaigns/\(id)/send-now", [], csrf: .none).status == .forbidden)
            #expect(try await t.store.campaign(id: id)?.status == .draft)
        }
    }
}
