import Foundation
import MallVIPCore
import MallVIPStore
@testable import MallVIPWeb
import SQLKit
import Testing
import Vapor
import VaporTesting

/// Issue 17 "Staff belong to malls": every member route of `ObjectAccessMatrixTests.table`, sent by desk, counter staff
/// and an account manager of mall A, for a member enrolled at A, one enrolled at B, one enrolled at B who bought at A
/// within the window (`malls.memberWindowMonths`, 12) and one who bought at A before it. The role rules are kept out of
/// the way (the members are the account manager's or counter staff's own), so only the mall rule decides.
@Suite("Mall scope matrix") struct MallScopeMatrixTests {
    struct World {
        var mallA: Int64; var mallB: Int64
        var desk: Int64; var am: Int64; var cs: Int64; var manager: Int64
        /// Per owner (am, cs): enrolled A, enrolled B, B + bought at A lately, B + bought at A 13 months ago.
        var members: [Int64: [(id: Int64, card: String, phone: String, inScope: Bool)]]
    }

    static func world(_ t: TestContext) async throws -> World {
        let mallA = try await t.store.malls()[0].id
        let mallB = try await t.store.createMall(code: "BEE", name: "B 店", actor: "test")
        let desk = try await t.makeStaff("deskA", .desk)
        let am = try await t.makeStaff("amA", .accountManager)
        let cs = try await t.makeStaff("csA", .counterStaff)
        let manager = try await t.makeStaff("mgrA", .manager)
        for s in [desk, am, cs, manager] { try await t.store.setStaffMalls(staffId: s, mallIds: [mallA], actor: "test") }
        for s in [am, cs] { try await t.store.setHiredOn(staffId: s, hiredOn: LocalDate("2025-01-01"), actor: "test") }
        let (_, programme) = try await t.store.programme()
        let today = LocalDate.of(t.clock.now, in: programme.timeZone)
        var members: [Int64: [(id: Int64, card: String, phone: String, inScope: Bool)]] = [:]
        var n = 0
        for owner in [am, cs] {
            // (enrolled at, bought at A on, in scope)
            let cases: [(Int64, LocalDate?, Bool)] = [(mallA, nil, true), (mallB, nil, false),
                                                     (mallB, today.adding(months: -1), true), (mallB, today.adding(months: -13), false)]
            for (enrolled, bought, inScope) in cases {
                n += 1
                let phone = "1391234" + String(format: "%04d", n)
                let card = try await t.enrolMember(phone: phone, name: "商场\(n)")
                let id = try await t.store.searchMembers(phone)[0].id
                try await t.store.assignManager(memberId: id, staffId: owner, reason: "test", actor: "test")
                try await t.store.sql.raw("UPDATE members SET enrolled_mall_id = \(bind: enrolled) WHERE id = \(bind: id)").run()
                // The enrolment receipt was bought at A today: replace it by the case's history.
                try await t.store.sql.raw("DELETE FROM member_daily_spend WHERE member_id = \(bind: id)").run()
                try await t.store.sql.raw("""
                    INSERT INTO member_daily_spend (member_id, mall_id, day, spend_fen, purchases) VALUES (\(bind: id), \(bind: mallB), \(bind: today.dayNumber), 100, 1)
                    """).run()
                if let bought {
                    try await t.store.sql.raw("""
                        INSERT INTO member_daily_spend (member_id, mall_id, day, spend_fen, purchases) VALUES (\(bind: id), \(bind: mallA), \(bind: bought.dayNumber), 100, 1)
                        """).run()
                }
                members[owner, default: []].append((id, card, phone, inScope))
            }
        }
        return World(mallA: mallA, mallB: mallB, desk: desk, am: am, cs: cs, manager: manager, members: members)
    }

    static let refusals = ["这位会员不属于您负责的商场", "这位会员不由您维护"]

    @Test("route × role × mall: members of other malls are refused, members of mine (by enrolment or a recent purchase) are not")
    func matrix() async throws {
        try await withTestApp { t in
            let w = try await Self.world(t)
            let event = try await CheckInTests.openEvent(t)
            let routes = t.app.routes.all.filter {
                if case .none = ObjectAccessMatrixTests.table[ObjectAccessMatrixTests.key($0)] ?? .none { false } else { true }
            }
            #expect(routes.count >= 30)
            // Each member's rows (coupon, task, complaint, call, tier request), made once.
            var rowsByOwner: [Int64: [(ObjectAccessMatrixTests.Rows, Bool)]] = [:]
            for owner in [w.am, w.cs] {
                for m in w.members[owner]! {
                    rowsByOwner[owner, default: []].append(
                        (try await ObjectAccessMatrixTests.rows(t, member: m.id, card: m.card, manager: owner, handler: owner), m.inScope))
                }
            }
            for (role, name, owner) in [(StaffRole.desk, "deskA", w.am), (.accountManager, "amA", w.am), (.counterStaff, "csA", w.cs)] {
                let client = ConsoleClient(t)
                try await client.signIn(name)
                let rowsByMember = rowsByOwner[owner]!
                for route in routes {
                    let key = ObjectAccessMatrixTests.key(route)
                    let kind = ObjectAccessMatrixTests.table[key]!
                    if case .door = kind { continue }
                    for (rows, inScope) in rowsByMember {
                        var path = ObjectAccessMatrixTests.fill(route, rows, event: event.id)
                        var form: [(String, String)] = []
                        if case .field(let field, let byCard) = kind {
                            let value = byCard ? try await ObjectAccessMatrixTests.activeCard(t, rows.member) : String(rows.member)
                            if route.method == .GET { path += "?\(field)=\(value)" } else { form = [(field, value)] }
                            if key == "POST console/my-vips/contacts" { form += [("kind", "call"), ("note", "x")] }
                            if key == "POST console/complaints" { form += [("kind", "complaint"), ("channel", "desk"), ("description", "x")] }
                            if key == "POST console/events/:id/rsvp" { form += [("accept", "1")] }
                        }
                        if key == "POST console/members/:id/manager" { form = [("staffId", String(rows.manager)), ("reason", "x")] }
                        let before = try await ObjectAccessTests.snapshot(t)
                        let res = route.method == .GET ? try await client.get(path) : try await client.post(path, form)
                        let label = "\(route.method) \(path) as \(role) of mall A (member \(rows.member) \(inScope ? "of A" : "not of A"))"
                        #expect(res.status != .internalServerError, "\(label): 500")
                        if inScope {
                            #expect(!(res.status == .forbidden && res.body.contains(Self.refusals[0])), "\(label): refused by the mall rule")
                        } else {
                            #expect(res.status == .forbidden || res.status == .notFound, "\(label): \(res.status)")
                            #expect(try await ObjectAccessTests.snapshot(t) == before, "\(label): changed data")
                        }
                    }
                }
            }
        }
    }

    @Test("member search lists only my malls' members; their page opened directly is refused")
    func search() async throws {
        try await withTestApp { t in
            let w = try await Self.world(t)
            for (name, owner) in [("deskA", w.am), ("amA", w.am), ("csA", w.cs)] {
                let client = ConsoleClient(t)
                try await client.signIn(name)
                for m in w.members[owner]! {
                    let page = try await client.get("/console/members?q=\(m.phone)")
                    #expect(page.status == .ok)
                    #expect(page.body.contains(SiteURL.member(m.id).path) == m.inScope, "\(name) searching \(m.phone): listed = \(!m.inScope)")
                    if !m.inScope {
                        let direct = try await client.get(SiteURL.member(m.id).path)
                        #expect(direct.status == .forbidden, "\(name) opening member \(m.id): \(direct.status)")
                    }
                }
            }
            // A name search (desk) lists the two members of A and neither of B's.
            let desk = ConsoleClient(t)
            try await desk.signIn("deskA")
            let byName = try await desk.get("/console/members?q=商场")
            for m in w.members[w.am]! { #expect(byName.body.contains(SiteURL.member(m.id).path) == m.inScope) }
        }
    }

    @Test("a desk user with no mall in a group of two sees no member; a group-wide manager sees all")
    func unassigned() async throws {
        try await withTestApp { t in
            let w = try await Self.world(t)
            _ = try await t.makeStaff("deskNone", .desk)
            _ = try await t.makeStaff("mgrAll", .manager)
            let none = ConsoleClient(t), all = ConsoleClient(t)
            try await none.signIn("deskNone")
            try await all.signIn("mgrAll")
            for m in w.members[w.am]! {
                #expect(try await none.get(SiteURL.member(m.id).path).status == .forbidden)
                #expect(try await all.get(SiteURL.member(m.id).path).status == .ok)
            }
            // The home page: no sales figures for the user with no mall (not the group's), the manager sees them.
            let home = try await none.get(SiteURL.dashboard.path)
            #expect(home.status == .ok)
            #expect(home.body.contains("您还没有分配商场"))
            #expect(!home.body.contains("今日销售额"))
            #expect(try await none.get(SiteURL.dashboard.path + "?mall=BEE").status == .forbidden)
            let managerHome = try await all.get(SiteURL.dashboard.path)
            #expect(managerHome.body.contains("今日销售额") && !managerHome.body.contains("您还没有分配商场"))
        }
    }

    @Test("reports, dashboard and exports default to my malls and refuse another mall with 403")
    func reportsAndExports() async throws {
        try await withTestApp { t in
            let w = try await Self.world(t)
            let mgr = ConsoleClient(t)
            try await mgr.signIn("mgrA")
            let b = try await mgr.get("/console/reports?mall=BEE")
            #expect(b.status == .forbidden)
            #expect(b.body.contains("staff.mall.scope") || b.body.contains("不在您负责的商场范围内"))
            #expect(try await mgr.get("/console/reports?mall=MAIN").status == .ok)
            let byDefault = try await mgr.get("/console/reports")
            #expect(byDefault.status == .ok)
            #expect(!byDefault.body.contains("mall=BEE"), "the mall picker offers only my malls")
            #expect(try await mgr.get("/console/reports/summary.csv?mall=BEE").status == .forbidden)
            #expect(try await mgr.get("/console?mall=BEE").status == .forbidden)
            #expect(try await mgr.get("/console?mall=MAIN").status == .ok)
            #expect(try await mgr.get("/console/exports/members.csv?mall=BEE").status == .forbidden)
            let csv = try await mgr.get("/console/exports/members.csv")
            #expect(csv.status == .ok)
            for m in w.members[w.am]! + w.members[w.cs]! {
                #expect(csv.body.contains(m.card) == m.inScope, "members.csv and card \(m.card) (\(m.inScope ? "of A" : "not of A"))")
            }
            let desk = ConsoleClient(t)
            try await desk.signIn("deskA")
            #expect(try await desk.get("/console?mall=BEE").status == .forbidden)
            #expect(try await desk.get("/console").status == .ok)
        }
    }
}

/// The admin page of regions and staff malls (`/console/regions`).
@Suite("Regions and staff malls: admin page") struct MallsAdminPageTests {
    @Test("an admin creates a region, puts a mall in it and assigns a desk user's malls; bad input is refused naming the field")
    func adminPage() async throws {
        try await withTestApp { t in
            let mallA = try await t.store.malls()[0].id
            let mallB = try await t.store.createMall(code: "BEE", name: "B 店", actor: "test")
            let desk = try await t.makeStaff("deskX", .desk)
            #expect(try await t.store.staffMallIds(staffId: desk).isEmpty, "two malls: a new desk user gets none")
            let admin = ConsoleClient(t)
            _ = try await t.makeStaff("adm", .admin)
            try await admin.signIn("adm")
            #expect(try await admin.get("/console/regions").status == .ok)
            #expect(try await admin.post("/console/regions", [("code", "WEST"), ("name", "西区")]).status == .seeOther)
            let dup = try await admin.post("/console/regions", [("code", "WEST"), ("name", "again")])
            #expect(dup.status == .conflict && dup.body.contains("区域代码已存在"))
            #expect(try await admin.post("/console/regions", [("code", "EAST"), ("name", "")]).status == .unprocessableEntity)
            let west = try await t.store.regions().first { $0.code == "WEST" }!.id
            #expect(try await admin.post("/console/malls/\(mallB)/region", [("regionId", String(west))]).status == .seeOther)
            #expect(try await t.store.mallRegions() == [mallB: west])
            #expect(try await admin.post("/console/malls/\(mallB)/region", [("regionId", "x")]).status == .unprocessableEntity)
            #expect(try await admin.post("/console/staff/\(desk)/malls", [("mall_\(mallA)", "1"), ("mall_\(mallB)", "1")]).status == .seeOther)
            #expect(try await t.store.staffMallIds(staffId: desk) == [mallA, mallB].sorted())
            #expect(try await admin.post("/console/staff/\(desk)/malls", [("mall_999", "1")]).status == .unprocessableEntity)
            #expect(try await t.store.staffMallIds(staffId: desk) == [mallA, mallB].sorted())
            let page = try await admin.get("/console/regions")
            #expect(page.body.contains("西区") && page.body.contains("deskX"))
            // Only admins.
            let d = ConsoleClient(t)
            try await d.signIn("deskX")
            #expect(try await d.get("/console/regions").status == .forbidden)
            #expect(try await d.post("/console/staff/\(desk)/malls", [("mall_\(mallA)", "1")]).status == .forbidden)
        }
    }
}
