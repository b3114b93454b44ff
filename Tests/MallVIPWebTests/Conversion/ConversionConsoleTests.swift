import Foundation
import MallVIPCore
import MallVIPStore
import Testing
import Vapor
@testable import MallVIPWeb

/// The conversion pages and who may see what: counter staff their counter's customers only, managers and
/// planners everything, the ranking for the organisation only.
@Suite("Regular-customer conversion console") struct ConversionConsoleTests {
    @Test("counter staff register at their own counter and see only its customers and invites")
    func counterStaffScope() async throws {
        try await withTestApp(now: shanghai(2026, 11, 25, 10)) { t in
            let w = try await t.conversionWorld()
            try await t.store.registerProspect(phone: "13900000002", name: "别柜顾客", counterId: w.c2, actor: "test")
            try await t.purchase("O-1", fen: 60_000, at: shanghai(2026, 11, 3, 12), phone: "13900000002")

            let staff = try await t.counterStaff("lin", counterId: w.c1)
            var page = try await staff.get("/console/prospects")
            #expect(page.status == .ok)
            #expect(page.contains("/console/prospects\""))          // nav link
            #expect(!page.contains("13900000002"))
            #expect(!page.contains("/console/prospects/ranking"))

            // The form's counter is ignored: counter staff register at their own counter.
            page = try await staff.post("/console/prospects", [("phone", "13900000001"), ("name", "张女士"), ("counterId", String(w.c2))])
            #expect(page.status == .seeOther)
            let mine = try await t.store.prospects(.init())
            #expect(mine.first { $0.phone == "13900000001" }?.counterId == w.c1)
            page = try await staff.follow(page)
            #expect(page.contains("13900000001"))
            #expect(page.contains("张女士"))

            // Shopped on two days: on the invite list of counter C0001 only.
            try await t.purchase("M-1", fen: 2_000, at: shanghai(2026, 11, 5, 12), phone: "13900000001")
            try await t.purchase("M-2", fen: 2_000, at: shanghai(2026, 11, 6, 12), phone: "13900000001")
            page = try await staff.get("/console/prospects/invites?counter=\(w.c2)")
            #expect(page.status == .ok)
            #expect(page.contains("13900000001"))
            #expect(!page.contains("13900000002"))

            // Bad input comes back on the form, nothing written.
            page = try await staff.post("/console/prospects", [("phone", "12345")])
            #expect(page.status == .unprocessableEntity)
            #expect(page.contains("手机号格式不正确"))
            page = try await staff.post("/console/prospects", [("phone", "13900000002")])
            #expect(page.status == .conflict)
            #expect(try await t.conversionCount("prospects") == 2)

            // The ranking is not theirs.
            #expect(try await staff.get("/console/prospects/ranking").status == .forbidden)
        }
    }

    @Test("counter staff without a counter see nothing and cannot register; the desk cannot open the pages")
    func noCounter() async throws {
        try await withTestApp { t in
            let w = try await t.conversionWorld()
            try await t.store.registerProspect(phone: "13900000002", name: nil, counterId: w.c2, actor: "test")
            let staff = try await t.counterStaff("nocounter", counterId: nil)
            var page = try await staff.get("/console/prospects")
            #expect(page.status == .ok)
            #expect(page.contains("尚未设置店柜"))
            #expect(!page.contains("13900000002"))
            page = try await staff.post("/console/prospects", [("phone", "13900000001")])
            #expect(page.status == .forbidden)
            #expect(try await t.conversionCount("prospects") == 1)

            let desk = try await t.console(as: "desk", .desk)
            #expect(try await desk.get("/console/prospects").status == .forbidden)
            #expect(try await desk.get("/console/prospects/invites").status == .forbidden)
            #expect(!(try await desk.get("/console")).contains("/console/prospects\""))
        }
    }

    @Test("managers see every counter, filter by counter and department, and register for any counter")
    func managersSeeAll() async throws {
        try await withTestApp { t in
            let w = try await t.conversionWorld()
            try await t.store.registerProspect(phone: "13900000001", name: nil, counterId: w.c1, actor: "test")
            try await t.store.registerProspect(phone: "13900000002", name: nil, counterId: w.c2, actor: "test")
            let manager = try await t.console(as: "boss", .manager)
            var page = try await manager.get("/console/prospects")
            #expect(page.contains("13900000001") && page.contains("13900000002"))
            page = try await manager.get("/console/prospects?department=\(w.d2)")
            #expect(!page.contains("13900000001") && page.contains("13900000002"))
            page = try await manager.get("/console/prospects?counter=\(w.c1)")
            #expect(page.contains("13900000001") && !page.contains("13900000002"))

            page = try await manager.post("/console/prospects", [("phone", "13900000003")])
            #expect(page.status == .unprocessableEntity)
            page = try await manager.post("/console/prospects", [("phone", "13900000003"), ("counterId", String(w.c2))])
            #expect(page.status == .seeOther)
            #expect(try await t.store.prospects(.init(counterId: w.c2)).map(\.phone).contains("13900000003"))

            // Planners see phones masked (no personal data), but see the customers.
            let planner = try await t.console(as: "plan", .planner)
            page = try await planner.get("/console/prospects")
            #expect(page.contains("139****0001"))
            #expect(!page.contains("13900000001"))
        }
    }

    @Test("ranking page: conversions by department and counter; a planner records the winner once the week is over")
    func rankingPage() async throws {
        try await withTestApp(now: shanghai(2026, 11, 18, 10)) { t in
            let w = try await t.conversionWorld()
            try await t.store.registerProspect(phone: "13900000001", name: nil, counterId: w.c2, actor: "test")
            _ = try await t.enrolMember(phone: "13900000001")
            let planner = try await t.console(as: "plan", .planner)
            var page = try await planner.get("/console/prospects/ranking")
            #expect(page.status == .ok)
            #expect(page.contains("2026-11-16"))
            #expect(page.contains("女装拉夏"))
            #expect(page.contains("本周尚未结束"))
            // Posting early is refused.
            page = try await planner.post("/console/prospects/ranking/award", [("mall", String(w.mallId)), ("week", "2026-11-16")])
            #expect(page.status == .unprocessableEntity)
            #expect(try await t.conversionCount("conversion_awards") == 0)

            t.clock.set(shanghai(2026, 11, 24, 10))
            try await planner.signIn("plan")          // the session of a week ago has expired
            page = try await planner.get("/console/prospects/ranking?week=2026-11-18")
            #expect(page.contains("记录获奖"))
            page = try await planner.post("/console/prospects/ranking/award", [("mall", String(w.mallId)), ("week", "2026-11-16")])
            #expect(page.status == .seeOther)
            page = try await planner.follow(page)
            #expect(page.contains("二课"))
            #expect(page.contains("50元零食大礼包"))
            #expect(page.contains("50.00"))
            page = try await planner.post("/console/prospects/ranking/award", [("mall", String(w.mallId)), ("week", "2026-11-17")])
            #expect(page.status == .seeOther)
            #expect(try await t.conversionCount("conversion_awards") == 1)
            #expect(try await t.auditCount("conversion.award") == 1)
        }
    }

    @Test("an admin sets a counter-staff user's counter on the staff page")
    func adminSetsCounter() async throws {
        try await withTestApp { t in
            let w = try await t.conversionWorld()
            let id = try await t.makeStaff("lin", .counterStaff)
            let admin = try await t.console(as: "root", .admin)
            var page = try await admin.get("/console/staff")
            #expect(page.contains("/console/staff/\(id)/counter"))
            page = try await admin.post("/console/staff/\(id)/counter", [("counterId", String(w.c2))])
            #expect(page.status == .seeOther)
            #expect(try await t.store.staffCounterId(staffId: id) == w.c2)
            page = try await admin.post("/console/staff/\(id)/counter", [("counterId", "")])
            #expect(try await t.store.staffCounterId(staffId: id) == nil)
            let manager = try await t.console(as: "boss", .manager)
            _ = try await manager.get("/console")
            #expect(try await manager.post("/console/staff/\(id)/counter", [("counterId", String(w.c2))]).status == .forbidden)
            #expect(try await t.store.staffCounterId(staffId: id) == nil)
        }
    }
}
