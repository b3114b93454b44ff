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
}
