import Foundation
import MallVIPCore
import MallVIPStore
@testable import MallVIPWeb
import Testing
import Vapor

/// The console's templates, journeys and holiday pages (planners, managers, admins).
@Suite("Console templates, journeys and holidays") struct JourneyConsoleTests {
    @Test("a template is previewed for a real member picked by card or phone, and refused with every problem listed")
    func templatePreviewAndRefusal() async throws {
        try await withTestApp { t in
            let manager = try await t.makeStaff("lina", .accountManager)
            let m = try await t.smsMember("13800000001", name: "赵敏")
            try await t.store.sql.raw("UPDATE members SET account_manager_id = \(bind: manager) WHERE id = \(bind: m)").run()
            let card = try #require(try await t.store.member(id: m)?.cardNo)
            let planner = try await t.console(as: "plan", .planner)

            let list = try await planner.get("/console/templates")
            #expect(list.status == .ok && list.contains("生日祝福") && list.contains("href=\"/console/templates/birthday\""))
            let dashboard = try await planner.get("/console")
            #expect(dashboard.contains("href=\"/console/templates\"") && dashboard.contains("href=\"/console/journeys\""))

            // The saved birthday text for the member by card, then by phone.
            let byCard = try await planner.get("/console/templates/birthday?member=\(card)")
            #expect(byCard.status == .ok)
            #expect(byCard.contains("亲爱的赵敏女士，生日快乐！愿您新的一岁健康平安、事事顺心。【尚峰百货】Lina"))
            #expect(try await planner.get("/console/templates/birthday?member=13800000001").contains("赵敏女士"))
            #expect(try await planner.get("/console/templates/birthday?member=19999999999").contains("没有卡号或手机号为 19999999999 的有效会员"))

            // A new care text with a promotion, no signature and an unknown placeholder: all three listed, nothing saved.
            let form = try await planner.get("/console/templates/new")
            #expect(form.status == .ok)
            let bad = try await planner.post("/console/templates/new", [
                ("code", "midAutumn"), ("name", "中秋"), ("purpose", "care"), ("channel", "sms"),
                ("body", "{nick}中秋快乐！到店享8折优惠"), ("active", "1"), ("member", card), ("action", "save"),
            ])
            #expect(bad.status == .unprocessableEntity)
            #expect(bad.contains("未知的占位符 {nick}"))
            #expect(bad.contains("关怀短信不得含促销内容：优惠、折"))
            #expect(bad.contains("关怀短信须以商场名和发送人署名结尾"))
            #expect(try await t.store.messageTemplate(code: "midAutumn") == nil)

            // Check and preview what was typed, without saving.
            let preview = try await planner.post("/console/templates/new", [
                ("code", "midAutumn"), ("name", "中秋"), ("purpose", "care"), ("channel", "sms"),
                ("body", "{name}{title}，{holiday}快乐，阖家团圆！{store}{sender}"), ("active", "1"), ("member", "13800000001"), ("action", "preview"),
            ])
            #expect(preview.status == .ok)
            #expect(preview.contains("赵敏女士，元旦快乐，阖家团圆！【尚峰百货】Lina"))   // the next holiday after 2026-11-25
            #expect(try await t.store.messageTemplate(code: "midAutumn") == nil)

            let saved = try await planner.post("/console/templates/new", [
                ("code", "midAutumn"), ("name", "中秋"), ("purpose", "care"), ("channel", "sms"),
                ("body", "{name}{title}，{holiday}快乐，阖家团圆！{store}{sender}"), ("active", "1"), ("action", "save"),
            ])
            #expect(saved.status == .seeOther)
            #expect(try await t.store.messageTemplate(code: "midAutumn")?.purpose == .care)
            #expect(try await t.auditCount("template.create", actor: "staff:plan") == 1)

            // Editing a template a care journey sends: promotion refused even when relabelled as service.
            let edit = try await planner.post("/console/templates/birthday", [
                ("name", "生日祝福"), ("purpose", "service"), ("channel", "sms"), ("body", "生日快乐，全场新品9折！{store}{sender}"),
                ("active", "1"), ("action", "save"),
            ])
            #expect(edit.status == .unprocessableEntity)
            #expect(edit.contains("关怀短信不得含促销内容"))
        }
    }

    @Test("journeys: list with switch, channel, template, holdout and rule; settings saved; last run shown")
    func journeys() async throws {
        try await withTestApp { t in
            let manager = try await t.console(as: "boss", .manager)
            let list = try await manager.get("/console/journeys")
            #expect(list.status == .ok)
            #expect(list.contains("生日祝福") && list.contains("生日前 7 天") && list.contains("90 天未消费，每次流失一次"))
            #expect(list.contains("10%"))   // miss-you's control group

            let on = try await manager.post("/console/journeys/welcome/toggle", [("enabled", "1")])
            #expect(on.status == .seeOther)
            #expect(try await t.store.journey(.welcome)?.enabled == true)

            let settings = try await manager.get("/console/journeys/birthday")
            #expect(settings.status == .ok && settings.contains("生日当月"))
            let saved = try await manager.post("/console/journeys/birthday", [
                ("enabled", "1"), ("channel", "sms"), ("templateCode", "birthday"), ("holdout", "5%"), ("mode", "month"), ("days", ""),
            ])
            #expect(saved.status == .seeOther, "\(saved.body)")
            let birthday = try #require(try await t.store.journey(.birthday))
            #expect(birthday.enabled && birthday.holdoutPermille == 50 && birthday.params.mode == .month)

            // Bad numbers and a promotional template for a care journey are refused on the form.
            try await t.store.saveMessageTemplate(MessageTemplate(code: "promo", name: "促销", purpose: .service, body: "生日月全场8折"),
                                                  creating: true, actor: "test")
            let refused = try await manager.post("/console/journeys/birthday", [
                ("enabled", "1"), ("channel", "sms"), ("templateCode", "promo"), ("holdout", "150%"), ("mode", "month"),
            ])
            #expect(refused.status == .unprocessableEntity)
            #expect(refused.contains("对照组比例"))
            let promo = try await manager.post("/console/journeys/birthday", [
                ("enabled", "1"), ("channel", "sms"), ("templateCode", "promo"), ("holdout", "0"), ("mode", "month"),
            ])
            #expect(promo.status == .unprocessableEntity)
            #expect(promo.contains("模板 promo：关怀短信不得含促销内容"))
            #expect(try await t.store.journey(.birthday)?.templateCode == "birthday")

            let season = try await manager.post("/console/journeys/season", [
                ("channel", "sms"), ("templateCode", "seasonWinter"), ("holdout", "0"), ("dates", "11-07 seasonWinter\n05-05 seasonSummer"),
            ])
            #expect(season.status == .seeOther)
            #expect(try await t.store.journey(.season)?.params.dates == [SeasonDate(day: "11-07", template: "seasonWinter"),
                                                                          SeasonDate(day: "05-05", template: "seasonSummer")])

            _ = try await t.smsMember("13800000001", at: shanghai(2026, 11, 25, 10))
            _ = try await t.runJourneys("2026-11-25", hour: 11)
            #expect(try await manager.get("/console/journeys").contains("2026-11-25 · due=1 decidedBefore=0 queued=1"))
            #expect(try await t.auditCount("journey.update", actor: "staff:boss") == 3)
        }
    }

    @Test("holidays: added, moved, switched off and deleted; two on one day refused")
    func holidays() async throws {
        try await withTestApp { t in
            let planner = try await t.console(as: "plan", .planner)
            let page = try await planner.get("/console/holidays")
            #expect(page.status == .ok && page.contains("2026-09-25") && page.contains("中秋"))
            let added = try await planner.post("/console/holidays/new", [("name", "店庆"), ("day", "2026-10-18"), ("active", "1")])
            #expect(added.status == .seeOther)
            let id = try #require(try await t.store.holidays().first { $0.name == "店庆" }?.id)
            let clash = try await planner.post("/console/holidays/new", [("name", "重阳"), ("day", "2026-10-18"), ("active", "1")])
            #expect(clash.status == .conflict && clash.contains("2026-10-18 已有一个节日"))
            #expect(try await planner.post("/console/holidays/\(id)", [("name", "店庆日"), ("day", "2026-10-20")]).status == .seeOther)
            let moved = try #require(try await t.store.holidays().first { $0.id == id })
            #expect(moved.name == "店庆日" && moved.day == LocalDate(year: 2026, month: 10, day: 20) && !moved.active)
            #expect(try await planner.post("/console/holidays/\(id)/delete", []).status == .seeOther)
            #expect(try await t.store.holidays().count == 16)
        }
    }

    @Test("only planners, managers and admins open these pages")
    func roles() async throws {
        try await withTestApp { t in
            let desk = try await t.console(as: "desk", .desk)
            for path in ["/console/templates", "/console/journeys", "/console/holidays", "/console/templates/birthday"] {
                #expect(try await desk.get(path).status == .forbidden, "\(path)")
            }
            #expect(try await desk.post("/console/journeys/welcome/toggle", [("enabled", "1")]).status == .forbidden)
            #expect(try await t.store.journey(.welcome)?.enabled == false)
            #expect(!(try await desk.get("/console")).contains("href=\"/console/journeys\""))
            let admin = try await t.console(as: "root", .admin)
            #expect(try await admin.get("/console/journeys").status == .ok)
        }
    }
}
