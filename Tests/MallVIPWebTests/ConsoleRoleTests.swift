import Foundation
import MallVIPCore
import MallVIPStore
@testable import MallVIPWeb
import Testing
import Vapor

@Suite("Console role checks") struct ConsoleRoleTests {
    /// GET pages and whether each role may open them.
    static let pages: [(path: String, roles: Set<StaffRole>)] = [
        ("/console", StaffRole.everyone),
        ("/console/members?q=0001", StaffRole.memberDesk.union([.counterStaff])),
        ("/console/members/new", StaffRole.memberDesk),
        ("/console/tier-requests", StaffRole.managers),
        ("/console/finance/points", StaffRole.managers),
        ("/console/counters", [.admin, .manager, .planner]),
        ("/console/counters/new", [.admin, .manager, .planner]),
        ("/console/counters/1", [.admin, .manager, .planner]),
        ("/console/departments", [.admin, .manager, .planner]),
        ("/console/programme", [.admin, .manager, .planner]),
        ("/console/templates", [.admin, .manager, .planner]),
        ("/console/journeys", [.admin, .manager, .planner]),
        ("/console/holidays", [.admin, .manager, .planner]),
        ("/console/staff", [.admin]),
        ("/console/api-keys", [.admin]),
    ]

    @Test(arguments: StaffRole.allCases)
    func eachPageAdmitsOnlyItsRoles(role: StaffRole) async throws {
        try await withTestApp { t in
            let browser = try await t.console(as: "user", role)
            for page in Self.pages {
                let res = try await browser.get(page.path)
                if page.roles.contains(role) {
                    #expect(res.status == .ok, "\(role) should open \(page.path)")
                } else {
                    #expect(res.status == .forbidden, "\(role) must not open \(page.path)")
                    #expect(res.contains("您的角色无权访问此页面"))
                }
            }
        }
    }

    @Test func counterStaffCannotEnrolOrManage() async throws {
        try await withTestApp { t in
            let staff = try await t.console(as: "counter", .counterStaff)
            #expect(try await staff.get("/console/counters").status == .forbidden)
            #expect(try await staff.get("/console/staff").status == .forbidden)
            #expect(try await staff.get("/console/members/new").status == .forbidden)
            let enrol = try await staff.post("/console/members/new", [("phone", "13800000009"), ("name", "李四")])
            #expect(enrol.status == .forbidden)
            #expect(try await staff.post("/console/counters/new", [("departmentId", "1"), ("code", "X1"), ("name", "x")]).status == .forbidden)
            #expect(try await staff.post("/console/staff", [("username", "x"), ("role", "admin"), ("password", "12345678")]).status == .forbidden)
            #expect(try await t.store.staff(username: "x") == nil)
            // Their navigation offers only what they may open.
            let home = try await staff.get("/console")
            #expect(home.contains("href=\"/console/members\""))
            #expect(!home.contains("href=\"/console/members/new\""))
            #expect(!home.contains("href=\"/console/staff\""))
        }
    }

    @Test func deskEnrolsButDoesNotAdminister() async throws {
        try await withTestApp { t in
            let desk = try await t.console(as: "desk", .desk)
            #expect(try await desk.get("/console/members/new").status == .ok)
            #expect(try await desk.get("/console/staff").status == .forbidden)
            #expect(try await desk.get("/console/api-keys").status == .forbidden)
            #expect(try await desk.post("/console/api-keys", [("name", "sneaky")]).status == .forbidden)
            let home = try await desk.get("/console")
            #expect(home.contains("href=\"/console/members/new\""))
            #expect(!home.contains("href=\"/console/staff\""))
            #expect(!home.contains("href=\"/console/api-keys\""))
        }
    }

    @Test func onlyAdminsSeeStaffAndAPIKeys() async throws {
        try await withTestApp { t in
            let admin = try await t.console(as: "admin", .admin)
            let home = try await admin.get("/console")
            #expect(home.contains("href=\"/console/staff\""))
            #expect(home.contains("href=\"/console/api-keys\""))
            let staff = try await admin.get("/console/staff")
            #expect(staff.status == .ok)
            #expect(staff.contains("admin"))
            #expect(try await admin.get("/console/api-keys").status == .ok)

            for role in [StaffRole.manager, .planner] {
                let other = try await t.console(as: "u-\(role.rawValue)", role)
                let page = try await other.get("/console")
                #expect(!page.contains("href=\"/console/staff\""))
                #expect(!page.contains("href=\"/console/api-keys\""))
                #expect(page.contains("href=\"/console/counters\""))
            }
        }
    }

    @Test func onlyAdminsCreateMalls() async throws {
        try await withTestApp { t in
            let planner = try await t.console(as: "planner", .planner)
            let page = try await planner.get("/console/departments")
            #expect(!page.contains("action=\"/console/malls\""))
            #expect(try await planner.post("/console/malls", [("code", "CD2"), ("name", "二店")]).status == .forbidden)
            #expect(try await t.store.malls().count == 1)
        }
    }

    @Test func plannersReadTheProgrammeButDoNotApplyIt() async throws {
        try await withTestApp { t in
            let planner = try await t.console(as: "planner", .planner)
            let page = try await planner.get("/console/programme")
            #expect(page.status == .ok)
            #expect(!page.contains("name=\"yaml\""))
            let yaml = try await t.store.programmeHistory()[0].yaml
            #expect(try await planner.post("/console/programme", [("yaml", yaml), ("note", "x")]).status == .forbidden)
            #expect(try await t.store.programmeHistory().count == 1)
        }
    }
}
