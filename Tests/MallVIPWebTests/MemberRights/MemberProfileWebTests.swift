import Foundation
import MallVIPCore
import MallVIPStore
import SQLKit
import Testing
import Vapor
@testable import MallVIPWeb

/// /m/profile through a phone's browser: edits, consent, downloads and the deletion request, then the manager's
/// decision in the console. Every read is the signed-in member's own.
@Suite("Member profile (web)") struct MemberProfileWebTests {
    static let phoneA = "13900001111", phoneB = "13900002222"

    /// A member signed in through the SMS code, on their profile page.
    func signIn(_ t: TestContext, _ phone: String, sms: FakeSender) async throws -> MemberLoginHarness {
        let h = MemberLoginHarness(t, sms: sms)
        try await h.requestCode(phone)
        let ok = try await h.verify(phone, try h.lastCode(to: phone))
        #expect(ok.status == .seeOther)
        let page = try await h.browser.get("/m/profile")
        #expect(page.status == .ok && page.csrf != nil)
        return h
    }

    @Test("edit contact details, sizes and a birthday once; forged CSRF refused; bad input answered with the reason")
    func edit() async throws {
        try await withTestApp { t in
            let a = try await t.memberId(card: try await t.enrolMember(phone: Self.phoneA, name: "李四"))
            let h = try await signIn(t, Self.phoneA, sms: FakeSender(channels: [.sms]))
            var page = try await h.browser.get("/m/profile")
            #expect(page.contains("李四") && page.contains("m-nav") && page.contains("name=\"birthday\""))

            let forged = try await h.browser.post("/m/profile", [("email", "x@example.com")], csrf: .value("forged"))
            #expect(forged.status == .forbidden)
            let saved = try await h.browser.post("/m/profile", [("email", "li@example.com"), ("address", "成都市锦江区"),
                ("birthday", "1990-05-06"), ("clothingSize", "M"), ("shoeSize", "38"), ("preferences", "女装")])
            #expect(saved.status == .seeOther && saved.location?.hasPrefix("/m/profile?notice=") == true)
            page = try await h.browser.follow(saved)
            #expect(page.contains("li@example.com") && page.contains("1990-05-06") && !page.contains("name=\"birthday\""))
            let m = try #require(try await t.store.member(id: a))
            #expect(m.email == "li@example.com" && m.profile.clothingSize == "M" && m.birthday == LocalDate(year: 1990, month: 5, day: 6))

            let bad = try await h.browser.post("/m/profile", [("email", "li@example.com"), ("birthday", "1991-01-01")])
            #expect(bad.status == .unprocessableEntity && bad.contains("服务台"))
            let badEmail = try await h.browser.post("/m/profile", [("email", "nope")])
            #expect(badEmail.status == .unprocessableEntity && badEmail.contains("value=\"nope\""))
            #expect(try await t.store.member(id: a)?.email == "li@example.com")
            #expect(try await t.auditCount("member.selfUpdate", actor: "member:\(a)") == 1)
        }
    }

    @Test("consent per channel: opting out of SMS takes effect at once and is recorded; opting back in too")
    func consent() async throws {
        try await withTestApp { t in
            let a = try await t.memberId(card: try await t.enrolMember(phone: Self.phoneA))
            try await t.store.sql.raw("UPDATE members SET consent_sms = \(bind: true) WHERE id = \(bind: a)").run()
            let h = try await signIn(t, Self.phoneA, sms: FakeSender(channels: [.sms]))
            let out = try await h.browser.post("/m/profile/consent", [("channel", "sms"), ("granted", "0")])
            #expect(out.status == .seeOther)
            #expect(try await t.store.member(id: a)?.consentSMS == false)
            #expect(try await t.store.optOuts(memberId: a).map(\.source) == [.member])
            let page = try await h.browser.follow(out)
            #expect(page.contains("已退订短信"))
            let back = try await h.browser.post("/m/profile/consent", [("channel", "sms"), ("granted", "1")])
            #expect(back.status == .seeOther)
            #expect(try await t.store.member(id: a)?.consentSMS == true)
            #expect(try await t.store.consentChanges(memberId: a).map(\.granted) == [true, false])
            let nonsense = try await h.browser.post("/m/profile/consent", [("channel", "fax"), ("granted", "1")])
            #expect(nonsense.status == .unprocessableEntity)
            // The desk sees both directions on the member page.
            let desk = try await t.console(as: "desk1", .desk)
            let memberPage = try await desk.get(SiteURL.member(a).path)
            #expect(memberPage.contains("会员本人（会员网页）") && memberPage.contains("重新同意记录"))
        }
    }

    @Test("download my data: JSON and CSV of the signed-in member only, never another's, audited")
    func download() async throws {
        try await withTestApp { t in
            let cardA = try await t.enrolMember(phone: Self.phoneA, name: "李四")
            let a = try await t.memberId(card: cardA)
            let b = try await t.memberId(card: try await t.enrolMember(phone: Self.phoneB, name: "王五"))
            try await t.purchase("R-A", fen: 12_300, card: cardA)
            try await t.purchase("R-B", fen: 45_600, phone: Self.phoneB)
            let sms = FakeSender(channels: [.sms])
            let h = try await signIn(t, Self.phoneA, sms: sms)

            // An id in the URL changes nothing: the download is always the signed-in member's.
            let res = try await t.app.testing().sendRequest(.GET, "/m/profile/data.json?memberId=\(b)",
                headers: ["Cookie": "\(MemberAuth.cookieName)=\(try #require(h.browser.cookies[MemberAuth.cookieName]))"])
            #expect(res.status == .ok && res.headers.first(name: .contentDisposition)?.contains("attachment") == true)
            #expect(res.headers.first(name: .cacheControl) == "no-store")
            let json = try #require(try JSONSerialization.jsonObject(with: Data(res.body.string.utf8)) as? [String: Any])
            let profile = try #require(json["profile"] as? [String: Any])
            #expect(profile["phone"] as? String == Self.phoneA && profile["name"] as? String == "李四")
            let receipts = (json["purchases"] as? [[String: Any]])?.compactMap { $0["receipt_no"] as? String }
            #expect(receipts == ["ENROL-\(Self.phoneA)", "R-A"])
            for key in ["cards", "ledger", "coupons", "messages", "optOuts", "consentChanges", "tierChanges"] {
                #expect(json[key] is [Any], "missing \(key)")
            }
            #expect(!res.body.string.contains("R-B") && !res.body.string.contains(Self.phoneB) && !res.body.string.contains("王五"))

            let csv = try await h.browser.get("/m/profile/data.csv")
            #expect(csv.status == .ok && csv.contains("table,receipt_no") && csv.contains("purchases,R-A") && !csv.contains("R-B"))
            #expect(csv.contains("profile,\(a),李四"))
            #expect(try await t.auditCount("member.dataExport", actor: "member:\(a)", subject: "member:\(a)") == 2)

            // Signed out: no download.
            let anonymous = try await t.app.testing().sendRequest(.GET, "/m/profile/data.json")
            #expect(anonymous.status == .seeOther)
        }
    }

    @Test("deletion: requested by the member, decided only by a manager from the task list; approval erases and ends the session")
    func deletion() async throws {
        try await withTestApp { t in
            let card = try await t.enrolMember(phone: Self.phoneA, name: "李四")
            let a = try await t.memberId(card: card)
            let h = try await signIn(t, Self.phoneA, sms: FakeSender(channels: [.sms]))
            let unconfirmed = try await h.browser.post("/m/profile/delete", [("reason", "搬家")])
            #expect(unconfirmed.status == .unprocessableEntity)
            let asked = try await h.browser.post("/m/profile/delete", [("reason", "搬家"), ("confirm", "1")])
            #expect(asked.status == .seeOther)
            #expect(try await h.browser.follow(asked).contains("注销申请已提交"))
            let task = try #require(try await t.store.serviceTasks(TaskViewer(staffId: 0, role: .manager, supervisor: true),
                                                                   filter: .init(kind: .deletion)).first)

            let desk = try await t.console(as: "desk1", .desk)
            let deskList = try await desk.get("/console/tasks?kind=deletion")
            #expect(!deskList.contains("/console/tasks/\(task.id)/deletion"))
            let deskTry = try await desk.post("/console/tasks/\(task.id)/deletion", [("decision", "approve")])
            #expect(deskTry.status == .forbidden)
            #expect(try await t.store.member(id: a)?.name == "李四")

            let manager = try await t.console(as: "boss", .manager)
            let list = try await manager.get("/console/tasks?kind=deletion")
            #expect(list.contains("李四") && list.contains("/console/tasks/\(task.id)/deletion") && list.contains("批准注销"))
            let byHand = try await manager.post("/console/tasks/\(task.id)", [("outcome", "done")])
            #expect(byHand.status == .conflict)
            let approved = try await manager.post("/console/tasks/\(task.id)/deletion", [("decision", "approve"), ("note", "")])
            #expect(approved.status == .seeOther)
            let m = try #require(try await t.store.member(id: a))
            #expect(m.name == "已注销" && m.phone != Self.phoneA && m.status == "erased")
            #expect(try await t.auditCount("member.deletionApprove", actor: "staff:boss", subject: "member:\(a)") == 1)
            // The member's session ended with the account.
            let after = try await h.browser.get("/m/profile")
            #expect(after.status == .seeOther && after.location == "/m/login")
        }
    }
}
