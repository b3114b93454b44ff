import Foundation
import MallVIPCore
import MallVIPStore
import SQLKit
import Testing
import Vapor
@testable import MallVIPWeb

extension TestContext {
    /// `n` more members with SMS consent, enrolled today, phones 1390000000x.
    func smsMembers(_ n: Int) async throws {
        for i in 0..<n {
            _ = try await segmentMember(String(format: "139%08d", i), "史\(i)", enrolled: today, sms: true)
        }
    }

    func segmentIds() async throws -> [Int64] {
        try await store.sql.raw("SELECT id FROM segments ORDER BY id").all().map { try $0.decode(column: "id", as: Int64.self) }
    }
}

@Suite("Segments: console")
struct SegmentConsoleTests {
    @Test("roles: planners, managers and admins build; account managers read; desk and counter staff are turned away")
    func roles() async throws {
        try await withTestApp { t in
            _ = try await t.segmentWorld()
            let saved = try await t.store.saveSegment(id: nil, name: "短信", description: "", conditions: SegmentConditions(consent: [.sms]),
                                                      on: t.today, actor: "test")
            for (user, role) in [("p1", StaffRole.planner), ("m1", .manager), ("ad1", .admin)] {
                let c = try await t.console(as: user, role)
                #expect(try await c.get("/console/segments").status == .ok, "\(role)")
                #expect(try await c.get("/console/segments/new").status == .ok, "\(role)")
                #expect(try await c.get("/console/segments/\(saved.id)").contains("name=\"action\""), "\(role)")
                #expect(try await c.get("/console").contains("/console/segments"), "\(role) nav")
            }
            let am = try await t.console(as: "am2", .accountManager)
            #expect(try await am.get("/console/segments").status == .ok)
            let page = try await am.get("/console/segments/\(saved.id)")
            #expect(page.status == .ok)
            #expect(!page.contains("name=\"action\""))          // read only: no builder buttons
            #expect(page.contains("segment-count"))
            #expect(try await am.get("/console/segments/new").status == .forbidden)
            #expect(try await am.post("/console/segments/new", [("name", "x"), ("action", "save")]).status == .forbidden)
            #expect(try await am.post("/console/segments/\(saved.id)/delete", []).status == .forbidden)
            for (user, role) in [("d1", StaffRole.desk), ("cs1", .counterStaff)] {
                let c = try await t.console(as: user, role)
                #expect(try await c.get("/console/segments").status == .forbidden, "\(role)")
                #expect(try await c.get("/console/segments/\(saved.id)").status == .forbidden, "\(role)")
                #expect(try await c.get("/console/segments/\(saved.id)/export.csv").status == .forbidden, "\(role)")
                #expect(try await c.get("/console").contains("/console/segments") == false, "\(role) nav")
            }
            #expect(try await t.auditCount("segment.export") == 0)
        }
    }

    @Test("preview shows the live count and 20 members, masked for planners, in full for managers; saving keeps the count")
    func previewThenSave() async throws {
        try await withTestApp { t in
            let w = try await t.segmentWorld()
            try await t.smsMembers(22)
            let form: [(String, String)] = [("name", "短信会员"), ("description", "可发短信"), ("consent_sms", "1"), ("spendMonths", "12")]
            let planner = try await t.console(as: "p1", .planner)
            _ = try await planner.get("/console/segments/new")
            let preview = try await planner.post("/console/segments/new", form + [("action", "preview")])
            #expect(preview.status == .ok)
            #expect(preview.contains("<span id=\"segment-count\">23</span>"), "\(preview.body.prefix(2000))")
            #expect(ConsolePage.matches(#"href="/console/members/(\d+)""#, in: preview.body).count == 20)
            #expect(preview.contains("138****0001") && !preview.contains("13800000001"))
            #expect(preview.contains("安*"))
            #expect(try await t.segmentIds().isEmpty)                 // a preview saves nothing

            let manager = try await t.console(as: "m1", .manager)
            _ = try await manager.get("/console/segments/new")
            let full = try await manager.post("/console/segments/new", form + [("action", "preview")])
            #expect(full.contains("13800000001") && full.contains("安娜"))

            let saved = try await planner.post("/console/segments/new", form + [("action", "save")])
            #expect(saved.status == .seeOther)
            let id = try #require(try await t.segmentIds().first)
            #expect(saved.location?.hasPrefix("/console/segments/\(id)") == true)
            let segment = try #require(try await t.store.segment(id: id))
            #expect(segment.lastCount == 23)
            #expect(segment.createdBy == "staff:p1")
            #expect(try await t.store.segmentMemberIds(segmentId: id, on: t.today).count == 23)
            #expect(try await t.store.segmentMemberIds(segmentId: id, on: t.today).first == w.a)
            let page = try await planner.follow(saved)
            #expect(page.contains("<span id=\"segment-count\">23</span>"))
            #expect(try await planner.get("/console/segments").contains("短信会员"))
        }
    }

    @Test("every condition in the form round-trips: save, reopen, save again unchanged")
    func formRoundTrip() async throws {
        try await withTestApp { t in
            let w = try await t.segmentWorld()
            _ = try await t.store.setMemberTags(memberId: w.b, text: "亲子", actor: "test")
            let planner = try await t.console(as: "p1", .planner)
            _ = try await planner.get("/console/segments/new")
            let form: [(String, String)] = [
                ("name", "全条件"), ("description", ""), ("tier_silver", "1"), ("tier_gold", "1"),
                ("enrolledFrom", "2025-01-01"), ("enrolledTo", "2026-12-31"),
                ("spendMonths", "6"), ("spendMin", "1000"), ("spendMax", "20000.5"),
                ("lastPurchaseAtLeastDays", "1"), ("lastPurchaseAtMostDays", "60"),
                ("purchaseDaysWithin", "30"), ("purchaseDaysAtLeast", "2"),
                ("boughtMonths", "3"), ("dept_\(w.dept2)", "1"), ("category_综合", "1"),
                ("birth_11", "1"), ("birth_3", "1"),
                ("rfm_generalDevelop", "1"), ("rfm_importantValue", "1"), ("rfmMonths", "12"), ("rfmRecency", "30,60,90,180"),
                ("rfmFrequency", "2,4,12,24"), ("rfmMonetary", "1000,10000,50000,100000"), ("rfmHighFrom", "3"),
                ("am_none", "1"), ("am_\(w.am1)", "1"), ("consent_email", "1"), ("consent_sms", "1"), ("tags", "高尔夫，亲子"),
                ("action", "save"),
            ]
            let r = try await planner.post("/console/segments/new", form)
            #expect(r.status == .seeOther, "\(r.body.prefix(1500))")
            let id = try #require(try await t.segmentIds().first)
            let expected = SegmentConditions(tiers: ["gold", "silver"], enrolledFrom: LocalDate("2025-01-01"), enrolledTo: LocalDate("2026-12-31"),
                                             spend: SpendCondition(months: 6, minFen: 100_000, maxFen: 2_000_050), lastPurchaseAtLeastDays: 1,
                                             lastPurchaseAtMostDays: 60, purchaseDays: PurchaseDaysCondition(withinDays: 30, atLeast: 2),
                                             bought: BoughtCondition(months: 3, departmentIds: [w.dept2], categories: ["综合"]), birthMonths: [3, 11],
                                             rfm: RFMCondition(classes: [.importantValue, .generalDevelop]),
                                             accountManagers: [.staff(w.am1), .none], consent: [.email, .sms], tags: ["亲子", "高尔夫"]).normalized()
            let saved = try #require(try await t.store.segment(id: id))
            #expect(saved.conditions == expected)
            #expect(saved.lastCount == 1)                                   // B
            #expect(try await t.store.segmentMemberIds(segmentId: id, on: t.today) == [w.b])
            // Reopen: every box and number comes back; posting the page again changes nothing.
            let page = try await planner.get("/console/segments/\(id)")
            let checked = ConsolePage.matches(#"name="([a-z]+_[^"]+)" value="1" checked"#, in: page.body)
            #expect(Set(checked) == Set(form.map(\.0).filter { $0.contains("_") }), "\(checked)")
            var again = form.filter { $0.0 != "action" }
            again.append(("action", "save"))
            _ = try await planner.post("/console/segments/\(id)", again)
            #expect(try await t.store.segment(id: id)?.conditions == expected)
            // Own RFM cut-offs are kept with the segment.
            var custom = again
            custom.removeAll { $0.0 == "rfmHighFrom" }
            custom.append(("rfmHighFrom", "4"))
            _ = try await planner.post("/console/segments/\(id)", custom)
            #expect(try await t.store.segment(id: id)?.conditions.rfm?.definition?.highFrom == 4)
        }
    }

    @Test("bad input is refused with 422 naming the field; nothing saved", arguments: [
        ([("lastPurchaseAtLeastDays", "-5")], "lastPurchaseAtLeastDays"),
        ([("tier_platinum", "1")], "tiers"),
        ([("spendMonths", "12"), ("spendMin", "-100")], "spend.minFen"),
        ([("spendMonths", "0"), ("spendMin", "100")], "spend.months"),
        ([("purchaseDaysWithin", "30")], "purchaseDays.atLeast"),
        ([("purchaseDaysWithin", "abc"), ("purchaseDaysAtLeast", "1")], "purchaseDays.withinDays"),
        ([("birth_13", "1")], "birthMonths"),
        ([("rfm_bestFriends", "1")], "rfm.classes"),
        ([("rfm_generalKeep", "1"), ("rfmRecency", "90,60,30,10")], "rfm.definition.recencyDays"),
        ([("boughtMonths", "12"), ("dept_999", "1")], "bought.departmentIds"),
        ([("am_999", "1")], "accountManagers"),
        ([("enrolledFrom", "2026-02-30")], "enrolledFrom"),
        ([("name", "")], "name"),
    ])
    func badInput(fields: [(String, String)], field: String) async throws {
        try await withTestApp { t in
            let planner = try await t.console(as: "p1", .planner)
            _ = try await planner.get("/console/segments/new")
            var form: [(String, String)] = fields.contains { $0.0 == "name" } ? [] : [("name", "坏分群")]
            form += fields
            for action in ["preview", "save"] where !(field == "name" && action == "preview") {
                let r = try await planner.post("/console/segments/new", form + [("action", action)])
                #expect(r.status == .unprocessableEntity, "\(action) \(field): \(r.status)")
                #expect(r.contains("data-field=\"\(field)\""), "\(action) \(field)")
            }
            #expect(try await t.segmentIds().isEmpty)
        }
    }

    @Test("export: managers get names and phones, planners and account managers masked; every export audited with the count")
    func export() async throws {
        try await withTestApp { t in
            let w = try await t.segmentWorld()
            let s = try await t.store.saveSegment(id: nil, name: "近7天", description: "", conditions: SegmentConditions(lastPurchaseAtMostDays: 7),
                                                  on: t.today, actor: "test")
            let manager = try await t.console(as: "m1", .manager)
            let full = try await manager.get("/console/segments/\(s.id)/export.csv")
            #expect(full.status == .ok)
            let lines = full.body.split(separator: "\r\n").map(String.init)
            #expect(lines.count == 4)
            #expect(lines[0].hasPrefix("\u{FEFF}memberId,cardNo,name,phone"))     // UTF-8 with BOM: Excel reads it as UTF-8
            #expect(lines[1].hasPrefix("\(w.b),") && lines[1].contains("包贝") && lines[1].contains("13800000002") && lines[1].contains(",silver,"))
            #expect(lines[1].contains("13800000002@example.com"))
            let detail = try await t.store.sql.raw("SELECT actor, subject, detail FROM audit_log WHERE action = 'segment.export'").all()
            #expect(detail.count == 1)
            #expect(try detail[0].decode(column: "actor", as: String.self) == "staff:m1")
            #expect(try detail[0].decode(column: "subject", as: String.self) == "segment:\(s.id)")
            #expect(try detail[0].decode(column: "detail", as: String.self).contains("count=3"))
            #expect(try detail[0].decode(column: "detail", as: String.self).contains("unmasked=true"))

            // Account managers export only their own members (ObjectAccessTests); am2 looks after none here.
            #expect(try await t.console(as: "am2", .accountManager).get("/console/segments/\(s.id)/export.csv").body
                .split(whereSeparator: \.isNewline).count == 1)
            for (user, role) in [("p1", StaffRole.planner)] {
                let c = try await t.console(as: user, role)
                let masked = try await c.get("/console/segments/\(s.id)/export.csv")
                #expect(masked.status == .ok, "\(role)")
                #expect(masked.contains("138****0002") && !masked.contains("13800000002") && masked.contains("包*"), "\(role)")
                #expect(!masked.contains("@example.com"), "\(role)")
            }
            #expect(try await t.auditCount("segment.export") == 3)
            #expect(try await t.auditCount("segment.export", actor: "staff:p1") == 1)
            #expect(try await t.console(as: "cs1", .counterStaff).get("/console/segments/\(s.id)/export.csv").status == .forbidden)
            #expect(try await t.auditCount("segment.export") == 3)
            #expect(try await manager.get("/console/segments/999/export.csv").status == .notFound)
        }
    }

    @Test("delete by an editor, audited")
    func delete() async throws {
        try await withTestApp { t in
            let s = try await t.store.saveSegment(id: nil, name: "临时", description: "", conditions: SegmentConditions(), on: t.today, actor: "test")
            let planner = try await t.console(as: "p1", .planner)
            _ = try await planner.get("/console/segments/\(s.id)")
            let r = try await planner.post("/console/segments/\(s.id)/delete", [])
            #expect(r.status == .seeOther)
            #expect(try await t.segmentIds().isEmpty)
            #expect(try await t.auditCount("segment.delete", actor: "staff:p1") == 1)
        }
    }

    @Test("member page: the desk edits tags; a tag segment finds the member")
    func memberTags() async throws {
        try await withTestApp { t in
            let w = try await t.segmentWorld()
            let desk = try await t.console(as: "d1", .desk)
            let page = try await desk.get("/console/members/\(w.d)")
            #expect(page.contains("/console/members/\(w.d)/tags"))
            let r = try await desk.post("/console/members/\(w.d)/tags", [("tags", "婚庆 高尔夫")])
            #expect(r.status == .seeOther)
            let after = try await desk.follow(r)
            #expect(after.contains("<span class=\"tag\">婚庆</span>"))
            #expect(Set(try await t.store.segmentMemberIds(SegmentConditions(tags: ["婚庆"]), on: t.today)) == [w.d])
            #expect(try await t.auditCount("member.tags", actor: "staff:d1") == 1)
            let bad = try await desk.post("/console/members/\(w.d)/tags", [("tags", String(repeating: "长", count: 21))])
            #expect(bad.status == .unprocessableEntity)
            #expect(try await t.store.memberTags(memberId: w.d) == ["婚庆", "高尔夫"])
            // Counter staff see the member page but not the tag editor, and may not post it.
            let counter = try await t.console(as: "cs1", .counterStaff)
            #expect(try await counter.get("/console/members/\(w.d)").contains("/console/members/\(w.d)/tags") == false)
            #expect(try await counter.post("/console/members/\(w.d)/tags", [("tags", "x")]).status == .forbidden)
        }
    }
}
