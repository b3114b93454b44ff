import Foundation
import MallVIPCore
import MallVIPStore
@testable import MallVIPWeb
import SQLKit
import Testing
import Vapor

/// Issue 14, finding 7: the revealed national ID travelled in a redirect (`?notice=身份证号：…`), and `?notice=`
/// put any text on a real console page. Notices are now kept server-side for the session, shown once, and the URL
/// carries only an opaque id.
@Suite("Server-side one-time notices (issue 14)") struct NoticeTests {
    static let crafted = "Your account is locked, call 400-123"

    @Test("the revealed national ID is shown once, to the session that asked, and never in a Location or the notice table")
    func revealedIDStaysOutOfURLs() async throws {
        try await withTestApp { t in
            let id = nationalID(3)
            _ = try await t.purchase("R-1", fen: 60_000, phone: "13800000001")
            #expect(try await t.enrol(phone: "13800000001", receipts: ["R-1"], idNumber: id).status == .created)
            let member = try #require(try await t.store.lookup(card: nil, phone: "13800000001")).id
            let admin = try await t.console(as: "boss", .admin)
            _ = try await admin.get("/console/members/\(member)")
            let revealed = try await admin.post("/console/members/\(member)/reveal-id", [])
            #expect(revealed.status == .seeOther)
            let location = try #require(revealed.location)
            for form in [id, String(id.prefix(6)), String(id.suffix(4)), "%E8%BA%AB", "身份证"] {
                #expect(!location.contains(form), "the Location header carries \(form): \(location)")
                #expect(!revealed.headers.description.contains(id))
            }
            #expect(location.hasPrefix("/console/members/\(member)?notice="))

            // Another session opening the same URL sees nothing (and does not use it up).
            let other = try await t.console(as: "other", .admin)
            #expect(!(try await other.get(location)).contains(id))
            // The notice table holds the text encrypted only.
            let stored = try await t.store.sql.raw("SELECT owner_hash, text_cipher FROM page_notices").all()
            #expect(stored.count == 1)
            for row in stored {
                #expect(!(try row.decode(column: "text_cipher", as: String.self)).contains(id))
            }

            let page = try await admin.get(location)
            #expect(page.status == .ok && page.contains(id), "the ID is shown on the page the reveal lands on")
            #expect(!(try await admin.get(location)).contains(id), "and only once")
            #expect(try await t.store.sql.raw("SELECT id FROM page_notices").all().isEmpty)
        }
    }

    @Test("?notice=<text> on any console or member page shows nothing")
    func craftedNoticeShowsNothing() async throws {
        try await withTestApp { t in
            let card = try await t.enrolMember(phone: "13900001111", name: "李四")
            let member = try await t.memberId(card: card)
            let admin = try await t.console(as: "boss", .admin)
            let marker = Self.crafted.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
            var checked = 0
            for route in t.app.routes.all where route.method == .GET {
                let parts = route.path.map(\.description)
                guard parts.first == "console" else { continue }
                // Parameterless pages, and the member pages with a real member.
                var path: [String] = []
                for p in parts {
                    if p.hasPrefix(":") {
                        guard p == ":id", parts.count > 1, parts[1] == "members" else { path = []; break }
                        path.append(String(member))
                    } else if p.hasPrefix("*") {
                        path = []; break
                    } else {
                        path.append(p)
                    }
                }
                guard !path.isEmpty else { continue }
                let page = try await admin.get("/" + path.joined(separator: "/") + "?notice=" + marker)
                #expect(!page.body.contains(Self.crafted), "\(route.path) shows a crafted notice")
                if page.status == .ok { checked += 1 }
            }
            #expect(checked > 40, "only \(checked) console pages answered 200")
            #expect(try await admin.get("/console").status == .ok, "still signed in: the pages were really rendered")
            // The redeem page's coupon line is a notice too.
            let redeem = try await admin.get("/console/members/\(member)/redeem?notice=x&coupon=CALL-400-123")
            #expect(redeem.status == .ok && !redeem.contains("CALL-400-123"))

            // A member page.
            let h = MemberLoginHarness(t, sms: FakeSender(channels: [.sms]))
            try await h.requestCode("13900001111")
            #expect(try await h.verify("13900001111", try h.lastCode(to: "13900001111")).status == .seeOther)
            let profile = try await h.browser.get("/m/profile?notice=" + marker)
            #expect(profile.status == .ok && !profile.contains(Self.crafted))
        }
    }

    @Test("a real notice still arrives: shown once on the page a form lands on, for console and member pages")
    func realNoticeShownOnce() async throws {
        try await withTestApp { t in
            let card = try await t.enrolMember(phone: "13900001111", name: "李四")
            let member = try await t.memberId(card: card)
            let admin = try await t.console(as: "boss", .admin)
            _ = try await admin.get("/console/members/\(member)")
            let tagged = try await admin.post("/console/members/\(member)/tags", [("tags", "VIP")])
            #expect(tagged.status == .seeOther)
            let location = try #require(tagged.location)
            #expect(ConsolePage.firstMatch(#"notice=([0-9a-f]{32})$"#, in: location) != nil, "an opaque id: \(location)")
            #expect(try await admin.get(location).contains("标签已保存"))
            #expect(!(try await admin.get(location)).contains("标签已保存"))

            let h = MemberLoginHarness(t, sms: FakeSender(channels: [.sms]))
            try await h.requestCode("13900001111")
            #expect(try await h.verify("13900001111", try h.lastCode(to: "13900001111")).status == .seeOther)
            _ = try await h.browser.get("/m/profile")
            let saved = try await h.browser.post("/m/profile", [("email", "li@example.com")])
            let back = try #require(saved.location)
            #expect(!back.contains("%E5%B7%B2") && !back.contains("Saved"))
            let page = try await h.browser.get(back)
            #expect(page.contains("已保存"))
            #expect(!(try await h.browser.get(back)).contains("class=\"notice\""))
        }
    }
}
