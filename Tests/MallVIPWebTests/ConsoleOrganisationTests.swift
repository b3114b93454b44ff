import Foundation
import MallVIPCore
import MallVIPStore
@testable import MallVIPWeb
import Testing
import Vapor

@Suite("Console counters, departments and malls") struct ConsoleOrganisationTests {
    @Test func listGroupsCountersByMallAndDepartment() async throws {
        try await withTestApp { t in
            let planner = try await t.console(as: "planner", .planner)
            let page = try await planner.get("/console/counters")
            #expect(page.status == .ok)
            #expect(page.contains("总店 (MAIN)"))
            #expect(page.contains("一课 (D1)"))
            #expect(page.contains("<td>C0001</td><td>综合收银</td><td>综合</td><td>综合</td><td>1F</td><td>是</td><td>是</td><td>启用</td>"))
        }
    }

    @Test func createAndEditACounter() async throws {
        try await withTestApp { t in
            let manager = try await t.console(as: "manager", .manager)
            let form = try await manager.get("/console/counters/new")
            #expect(form.status == .ok)
            #expect(form.contains("<option value=\"1\" label=\"总店 MAIN · 一课 D1\"/>"))

            let created = try await manager.post("/console/counters/new", [
                ("departmentId", "1"), ("code", "C0101"), ("name", "雅诗兰黛"), ("brand", "Estée Lauder"), ("category", "化妆品"),
                ("floor", "1F"), ("participatesInDiscount", "1"), ("earnsPoints", "1"), ("active", "1"),
            ])
            #expect(created.status == .seeOther)
            let list = try await manager.follow(created)
            #expect(list.contains("已新增店柜 C0101"))
            #expect(list.contains("雅诗兰黛"))
            let counter = try #require(try await t.store.counterList().first { $0.code == "C0101" })
            #expect(counter.brand == "Estée Lauder")
            #expect(counter.participatesInDiscount && counter.earnsPoints && counter.active)

            // Edit: the form shows the saved values; unticked boxes are saved as false.
            let edit = try await manager.get("/console/counters/\(counter.id)")
            #expect(edit.status == .ok)
            #expect(edit.contains("value=\"雅诗兰黛\""))
            #expect(edit.contains("<option value=\"1\" label=\"总店 MAIN · 一课 D1\" selected/>"))
            #expect(edit.contains("action=\"/console/counters/\(counter.id)\""))
            let saved = try await manager.post("/console/counters/\(counter.id)", [
                ("departmentId", "1"), ("code", "C0101"), ("name", "雅诗兰黛专柜"), ("brand", "Estée Lauder"), ("category", "化妆品"),
                ("floor", "2F"), ("earnsPoints", "1"), ("active", "1"),
            ])
            #expect(saved.status == .seeOther)
            let after = try #require(try await t.store.counterList().first { $0.id == counter.id })
            #expect(after.name == "雅诗兰黛专柜")
            #expect(after.floor == "2F")
            #expect(after.participatesInDiscount == false)
            #expect(after.earnsPoints)

            // The POS lookup sees the edit at once.
            #expect(try await t.store.counter(code: "C0101")?.participatesInDiscount == false)
        }
    }

    @Test func counterErrorsComeBackOnTheForm() async throws {
        try await withTestApp { t in
            let admin = try await t.console(as: "admin", .admin)
            _ = try await admin.get("/console/counters/new")
            let dup = try await admin.post("/console/counters/new", [("departmentId", "1"), ("code", "C0001"), ("name", "重复柜")])
            #expect(dup.status == .conflict)
            #expect(dup.contains("店柜代码已存在：C0001"))
            #expect(dup.contains("value=\"重复柜\""))

            let bad = try await admin.post("/console/counters/new", [("departmentId", "1"), ("code", "C 01"), ("name", "空格")])
            #expect(bad.status == .unprocessableEntity)
            #expect(bad.contains("代码只能包含字母、数字"))

            let noDept = try await admin.post("/console/counters/new", [("departmentId", "999"), ("code", "C0102"), ("name", "无课")])
            #expect(noDept.status == .unprocessableEntity)
            #expect(noDept.contains("课不存在"))
            #expect(try await t.store.counterList().count == 1)

            #expect(try await admin.get("/console/counters/999").status == .notFound)
        }
    }

    @Test func createDepartmentsAndMalls() async throws {
        try await withTestApp { t in
            let admin = try await t.console(as: "admin", .admin)
            let page = try await admin.get("/console/departments")
            #expect(page.status == .ok)
            #expect(page.contains("action=\"/console/malls\""))

            let mall = try await admin.post("/console/malls", [("code", "CD2"), ("name", "成都二店")])
            #expect(mall.status == .seeOther)
            let mallID = try #require(try await t.store.malls().first { $0.code == "CD2" }?.id)

            _ = try await admin.get("/console/departments")
            let dept = try await admin.post("/console/departments", [("mallId", "\(mallID)"), ("code", "D2"), ("name", "二课")])
            #expect(dept.status == .seeOther)
            let listed = try await admin.follow(dept)
            #expect(listed.contains("已新建课 二课"))
            #expect(listed.contains("<td>成都二店 (CD2)</td><td>D2</td><td>二课</td>"))

            // Duplicates and blanks come back on the form that was sent.
            let dupDept = try await admin.post("/console/departments", [("mallId", "\(mallID)"), ("code", "D2"), ("name", "又一个二课")])
            #expect(dupDept.status == .conflict)
            #expect(dupDept.contains("课代码已存在：D2"))
            #expect(dupDept.contains("value=\"又一个二课\""))
            let dupMall = try await admin.post("/console/malls", [("code", "MAIN"), ("name", "又一个总店")])
            #expect(dupMall.status == .conflict)
            #expect(dupMall.contains("商场代码已存在：MAIN"))
            let blank = try await admin.post("/console/malls", [("code", "CD3"), ("name", " ")])
            #expect(blank.status == .unprocessableEntity)
            #expect(try await t.store.malls().count == 2)

            // The new department is offered on the counter form, and a counter there belongs to the new mall.
            let form = try await admin.get("/console/counters/new")
            #expect(form.contains("成都二店 CD2 · 二课 D2"))
            let deptID = try #require(try await t.store.departments(mallId: mallID).first?.id)
            #expect(try await admin.post("/console/counters/new", [("departmentId", "\(deptID)"), ("code", "CD2-001"), ("name", "二店收银")]).status == .seeOther)
            #expect(try await t.store.counterList().first { $0.code == "CD2-001" }?.mallCode == "CD2")
        }
    }
}
