import Foundation
import MallVIPCore
import MallVIPStore
@testable import MallVIPWeb
import SQLKit
import Testing
import VaporTesting

/// Issue 14, finding 4: one object-level check (`MemberAccess`) on every route that names a member.
@Suite("Object-level access") struct ObjectAccessTests {
    /// am1 looks after A, am2 after B, the counter-staff user cs after C.
    struct World {
        var a: Int64, b: Int64, c: Int64
        var cardA: String, cardB: String, cardC: String
        var am1: Int64, am2: Int64, cs: Int64
    }

    static func world(_ t: TestContext) async throws -> World {
        let am1 = try await t.makeStaff("am1", .accountManager)
        let am2 = try await t.makeStaff("am2", .accountManager)
        let cs = try await t.makeStaff("cs", .counterStaff)
        for s in [am1, am2, cs] { try await t.store.setHiredOn(staffId: s, hiredOn: LocalDate("2025-01-01"), actor: "test") }
        let cardA = try await t.enrolMember(phone: "13911110001", name: "安")
        let cardB = try await t.enrolMember(phone: "13911110002", name: "包")
        let cardC = try await t.enrolMember(phone: "13911110003", name: "陈")
        let a = try await t.store.searchMembers("13911110001")[0].id
        let b = try await t.store.searchMembers("13911110002")[0].id
        let c = try await t.store.searchMembers("13911110003")[0].id
        try await t.store.assignManager(memberId: a, staffId: am1, reason: "test", actor: "test")
        try await t.store.assignManager(memberId: b, staffId: am2, reason: "test", actor: "test")
        try await t.store.assignManager(memberId: c, staffId: cs, reason: "test", actor: "test")
        return World(a: a, b: b, c: c, cardA: cardA, cardB: cardB, cardC: cardC, am1: am1, am2: am2, cs: cs)
    }

    /// What the database holds of members and their rows, to show a refused request changed nothing.
    static func snapshot(_ t: TestContext) async throws -> String {
        let queries = [
            "SELECT CAST(id AS TEXT) AS v FROM members ORDER BY id",
            "SELECT name || '|' || COALESCE(email, '') || '|' || COALESCE(address, '') || '|' || status || '|' || CAST(points_balance AS TEXT) || '|' || COALESCE(CAST(account_manager_id AS TEXT), '') || '|' || COALESCE(manual_tier, '') || '|' || notes AS v FROM members ORDER BY id",
            "SELECT card_no || state AS v FROM cards ORDER BY id",
            "SELECT code || status AS v FROM coupons ORDER BY id",
            "SELECT CAST(COUNT(*) AS TEXT) AS v FROM redemptions",
            "SELECT CAST(COUNT(*) AS TEXT) AS v FROM member_tags",
            "SELECT CAST(COUNT(*) AS TEXT) AS v FROM parking_plates",
            "SELECT CAST(COUNT(*) AS TEXT) AS v FROM member_contacts",
            "SELECT CAST(COUNT(*) AS TEXT) AS v FROM points_ledger",
            "SELECT CAST(COUNT(*) AS TEXT) AS v FROM event_invitations",
            "SELECT CAST(id AS TEXT) || status AS v FROM complaints ORDER BY id",
            "SELECT CAST(id AS TEXT) || status AS v FROM service_tasks ORDER BY id",
            "SELECT CAST(id AS TEXT) || status AS v FROM tier_requests ORDER BY id",
            "SELECT CAST(id AS TEXT) || status AS v FROM outbox_messages ORDER BY id",
        ]
        var out: [String] = []
        for q in queries {
            for row in try await t.store.sql.raw(SQLQueryString(stringLiteral: q)).all() {
                out.append(try row.decode(column: "v", as: String?.self) ?? "∅")
            }
            out.append("—")
        }
        return out.joined(separator: ",")
    }

    // MARK: The findings as reported

    @Test("an account manager cannot redeem, void, report lost, replace, tag or bind plates for another manager's member")
    func accountManagerOnAnotherManagersMember() async throws {
        try await withTestApp { t in
            let w = try await Self.world(t)
            let am1 = ConsoleClient(t)
            try await am1.signIn("am1")
            let before = try await Self.snapshot(t)
            #expect(try await am1.get("/console/members/\(w.b)/redeem").status == .forbidden)
            for (path, form) in [("redeem", [("item", "X"), ("idempotencyKey", "k1")]), ("redemptions/1/void", []),
                                 ("card-lost", []), ("card-replace", []), ("tags", [("tags", "VIP")]),
                                 ("plate-bind", [("plate", "沪A12345")]), ("plate-unbind", [("plate", "沪A12345")]),
                                 ("edit", [("name", "改")]), ("contacts", [("kind", "call"), ("note", "x")])] as [(String, [(String, String)])] {
                let res = try await am1.post("/console/members/\(w.b)/\(path)", form)
                #expect(res.status == .forbidden, "\(path): \(res.status)")
            }
            #expect(try await Self.snapshot(t) == before)
            // Their own member: the same pages open.
            #expect(try await am1.get("/console/members/\(w.a)/redeem").status == .ok)
            #expect(try await am1.post("/console/members/\(w.a)/card-lost", []).status == .seeOther)
        }
    }

    @Test("counter staff find members by the whole card or phone number only; `%` and `_` are not wildcards anywhere")
    func counterStaffSearchAndWildcards() async throws {
        try await withTestApp { t in
            let w = try await Self.world(t)
            _ = try await t.enrolMember(phone: "13911110009", name: "50%_off")
            let cs = ConsoleClient(t)
            try await cs.signIn("cs")
            for q in ["%", "_", "%25", "3911", "0002", "包", "1391111000_"] {
                #expect(try await cs.get("/console/members?q=\(q.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)").memberIDs.isEmpty, "q=\(q)")
            }
            // Store level, for every role's search: LIKE wildcards are escaped.
            #expect(try await t.store.searchMembers("%").isEmpty)
            #expect(try await t.store.searchMembers("_").isEmpty)
            #expect(try await t.store.searchMembers("50%").map(\.name) == ["50%_off"])
            #expect(try await t.store.searchMembers("5_%").isEmpty)
            #expect(try await t.store.searchMembers("\\").isEmpty)
            let desk = try await t.console(as: "desk1", .desk)
            #expect(try await desk.get("/console/members?q=%25").memberIDs.isEmpty)
            #expect(try await desk.get("/console/members?q=0002").memberIDs == [w.b])

            // An exact card number finds the member, masked, with a link that opens the page for this session only.
            let hits = try await cs.get("/console/members?q=\(w.cardB)")
            #expect(hits.contains("<td>139****0002</td>"))
            let link = try #require(ConsolePage.firstMatch(#"href="(/console/members/\#(w.b)\?grant=[^"]+)""#, in: hits.body))
            #expect(try await cs.get(link).status == .ok)
            #expect(try await cs.get("/console/members/\(w.b)").status == .forbidden)
            #expect(try await cs.get("/console/members/\(w.b)?grant=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA").status == .forbidden)
            #expect(try await cs.get(link.replacingOccurrences(of: "/members/\(w.b)", with: "/members/\(w.a)")).status == .forbidden)
            let other = try await t.console(as: "cs2", .counterStaff)
            #expect(try await other.get(link).status == .forbidden)
            // Their own member (counter staff may look after members) opens without a search.
            #expect(try await cs.get("/console/members/\(w.c)").status == .ok)
        }
    }

    @Test("an account manager reads and exports a segment with only their own members in it")
    func segmentsAreScoped() async throws {
        try await withTestApp { t in
            let w = try await Self.world(t)
            let all = try await t.store.saveSegment(id: nil, name: "全部", description: "", conditions: SegmentConditions(),
                                                    on: LocalDate(year: 2026, month: 11, day: 25), actor: "test")
            let theirs = try await t.store.saveSegment(id: nil, name: "am2", description: "", conditions: SegmentConditions(accountManagers: [.staff(w.am2)]),
                                                       on: LocalDate(year: 2026, month: 11, day: 25), actor: "test")
            let am1 = ConsoleClient(t)
            try await am1.signIn("am1")
            let csv = try await am1.get("/console/segments/\(all.id)/export.csv")
            #expect(csv.status == .ok)
            let ids = csv.body.split(whereSeparator: \.isNewline).dropFirst().compactMap { Int64($0.split(separator: ",").first ?? "") }
            #expect(ids == [w.a])
            let page = try await am1.get("/console/segments/\(all.id)")
            #expect(page.status == .ok)
            #expect(page.memberIDs == [w.a])
            let none = try await am1.get("/console/segments/\(theirs.id)/export.csv")
            #expect(none.body.split(whereSeparator: \.isNewline).count == 1)
            // The segment's own count stays the whole segment's.
            #expect(try await t.store.segment(id: all.id)?.lastCount == 3)
            let planner = try await t.console(as: "pl", .planner)
            let full = try await planner.get("/console/segments/\(all.id)/export.csv")
            #expect(full.body.split(whereSeparator: \.isNewline).count == 4)
        }
    }

    @Test("the edit form shows planners e-mail and address masked, and saving it back keeps the real values")
    func editFormMasksPersonalData() async throws {
        try await withTestApp { t in
            let w = try await Self.world(t)
            var m = try #require(try await t.store.member(id: w.a))
            try await t.store.updateProfile(memberId: w.a, ProfileUpdate(
                name: m.name, gender: m.gender, birthday: m.birthday, email: "an@example.com", address: "成都市锦江区1号",
                profile: m.profile, notes: m.notes, consentSMS: m.consentSMS, consentEmail: m.consentEmail, consentPhone: m.consentPhone), actor: "test")
            let planner = try await t.console(as: "pl", .planner)
            let form = try await planner.get("/console/members/\(w.a)/edit")
            #expect(form.status == .ok)
            #expect(!form.contains("an@example.com") && !form.contains("成都市锦江区1号"))
            #expect(form.contains(#"value="***""#))
            let saved = try await planner.post("/console/members/\(w.a)/edit", [("name", "安安"), ("email", "***"), ("address", "***")])
            #expect(saved.status == .seeOther)
            m = try #require(try await t.store.member(id: w.a))
            #expect(m.name == "安安" && m.email == "an@example.com" && m.address == "成都市锦江区1号")
            let desk = try await t.console(as: "desk1", .desk)
            #expect(try await desk.get("/console/members/\(w.a)/edit").contains("an@example.com"))
        }
    }

    // MARK: Lists and the door (issue 14, second pass)

    /// Gives A and B names no page text contains, so a page that lists them can be checked by name.
    static func nameAB(_ t: TestContext, _ w: World) async throws {
        try await t.store.sql.raw("UPDATE members SET name = 'Zz甲会员A' WHERE id = \(bind: w.a)").run()
        try await t.store.sql.raw("UPDATE members SET name = 'Zz乙会员B' WHERE id = \(bind: w.b)").run()
    }

    @Test("an account manager's complaints list shows only complaints of their own members")
    func complaintsListIsScoped() async throws {
        try await withTestApp { t in
            let w = try await Self.world(t)
            for (member, text) in [(w.a, "投诉-甲-own"), (w.b, "投诉-乙-other"), (nil, "投诉-丙-nomember")] as [(Int64?, String)] {
                _ = try await t.store.openComplaint(NewComplaint(memberId: member, kind: .complaint, channel: .desk, category: "服务",
                                                                 owner: "desk", description: text), actor: "test")
            }
            let am1 = ConsoleClient(t)
            try await am1.signIn("am1")
            for path in ["/console/complaints", "/console/complaints?status=open"] {
                let page = try await am1.get(path)
                #expect(page.status == .ok)
                #expect(page.contains("投诉-甲-own"), "\(path)")
                #expect(!page.contains("投诉-乙-other") && !page.contains("投诉-丙-nomember"), "\(path)")
            }
            let desk = try await t.console(as: "desk1", .desk)
            let all = try await desk.get("/console/complaints")
            #expect(all.contains("投诉-甲-own") && all.contains("投诉-乙-other") && all.contains("投诉-丙-nomember"))
        }
    }

    @Test("an account manager sees only their own members on an event's invitation list and the door's arrivals")
    func eventInviteeListsAreScoped() async throws {
        try await withTestApp { t in
            let w = try await Self.world(t)
            try await Self.nameAB(t, w)
            let e = try await CheckInTests.openEvent(t)
            for m in [w.a, w.b] {
                let inv = try await t.store.ensureInvitation(eventId: e.id, memberId: m)
                _ = try await t.store.checkIn(eventId: e.id, input: inv.token, actor: "test")
            }
            let am1 = ConsoleClient(t)
            try await am1.signIn("am1")
            for path in ["/console/events/\(e.id)", SiteURL.eventCheckIn(e.id).path, SiteURL.eventReport(e.id).path] {
                let page = try await am1.get(path)
                #expect(page.status == .ok, "\(path)")
                #expect(!page.contains("Zz乙会员B"), "\(path)")
            }
            #expect(try await am1.get("/console/events/\(e.id)").contains("Zz甲会员A"))
            #expect(try await am1.get(SiteURL.eventCheckIn(e.id).path).contains("Zz甲会员A"))
            // The counts stay the whole event's.
            #expect(try await am1.get("/console/events/\(e.id)").contains("2 / 50"))
            #expect(try await am1.get(SiteURL.eventCheckIn(e.id).path).contains("2 / 50"))
            let desk = try await t.console(as: "desk1", .desk)
            for path in ["/console/events/\(e.id)", SiteURL.eventCheckIn(e.id).path] {
                let page = try await desk.get(path)
                #expect(page.contains("Zz甲会员A") && page.contains("Zz乙会员B"), "\(path)")
            }
        }
    }

    @Test("a walk-in for a member id needs the proof that this member's card was just presented at this door")
    func walkInNeedsThePresentedCard() async throws {
        try await withTestApp { t in
            let w = try await Self.world(t)
            let e = try await CheckInTests.openEvent(t)
            let other = try await CheckInTests.openEvent(t)
            let walkIn = SiteURL.eventWalkIn(e.id).path
            let am1 = ConsoleClient(t)
            try await am1.signIn("am1")
            func rows() async throws -> Int { try await t.store.invitations(eventId: e.id).count }
            // A raw id of another manager's member, or with a forged proof: refused, nothing recorded.
            #expect(try await am1.post(walkIn, [("memberId", String(w.b))]).status == .forbidden)
            #expect(try await am1.post(walkIn, [("memberId", String(w.b)), ("grant", String(repeating: "A", count: 32))]).status == .forbidden)
            #expect(try await rows() == 0)
            // The card presented at the door: the answer carries the proof, which names that member at that event only.
            let answer = try await am1.post(SiteURL.eventCheckIn(e.id).path, [("q", w.cardB)])
            #expect(CheckInTests.outcome(answer) == "notInvited")
            let grant = try #require(ConsolePage.firstMatch(#"name="grant" value="([^"]+)""#, in: answer.body))
            #expect(try await am1.post(walkIn, [("memberId", String(w.c)), ("grant", grant)]).status == .forbidden)
            #expect(try await am1.post(SiteURL.eventWalkIn(other.id).path, [("memberId", String(w.b)), ("grant", grant)]).status == .forbidden)
            let am2 = ConsoleClient(t)
            try await am2.signIn("am2")
            #expect(try await am2.post(walkIn, [("memberId", String(w.c)), ("grant", grant)]).status == .forbidden)
            #expect(try await rows() == 0)
            #expect(CheckInTests.outcome(try await am1.post(walkIn, [("memberId", String(w.b)), ("grant", grant)])) == "walkIn")
            // Their own member, a guest without a card, and the desk (sees every member) need no proof.
            #expect(CheckInTests.outcome(try await am1.post(walkIn, [("memberId", String(w.a))])) == "walkIn")
            #expect(CheckInTests.outcome(try await am1.post(walkIn, [])) == "walkIn")
            let desk = try await t.console(as: "desk1", .desk)
            #expect(CheckInTests.outcome(try await desk.post(walkIn, [("memberId", String(w.c))])) == "walkIn")
            #expect(try await rows() == 4)
        }
    }
}
