import Foundation
import MallVIPCore
@testable import MallVIPStore
@testable import MallVIPWeb
import SnapshotTesting
import Testing
import Vapor

/// Issue 16: the whole HTML of the main console and member pages, beside the substring checks of the feature
/// suites. The clock is fixed (2026-11-25 10:00 Shanghai) and the data is made the same way every run
/// (`LinkWorld.seed(forms: false)`), so a change in a snapshot is a change in the page. What differs by run or by
/// store is normalised first (`HTMLSnapshot.normalise`). A deliberate change: delete the affected files under
/// `__Snapshots__/HTMLSnapshotTests/` and run the suite once (it records them and fails), then again.
@Suite("HTML snapshots", .serialized) struct HTMLSnapshotTests {
    @Test("console: dashboard, member list, member page, report")
    func consolePages() async throws {
        try await withTestApp { t in
            let world = try await LinkWorld.seed(t, forms: false)
            let manager = try await t.console(as: "snap", .manager)
            let pages: [(String, String)] = [
                ("dashboard", "/console"),
                ("member-list", "/console/members?q=139123456"),
                ("member-detail", "/console/members/\(world.memberIds[0])"),
                ("report", "/console/reports"),
            ]
            for (name, path) in pages {
                let page = try await manager.get(path)
                #expect(page.status == .ok, "\(path): \(page.status)")
                assertSnapshot(of: HTMLSnapshot.normalise(page.body), as: .lines, named: name)
            }
        }
    }

    @Test("member site: home (sign-in), card, points")
    func memberPages() async throws {
        try await withTestApp { t in
            let world = try await LinkWorld.seed(t, forms: false)
            let anon = ConsoleClient(t)
            let home = try await anon.get("/m/login")
            #expect(home.status == .ok)
            assertSnapshot(of: HTMLSnapshot.normalise(home.body), as: .lines, named: "home")
            let member = try await t.signedInMember(world.memberIds[0])
            for (name, path) in [("card", "/m/card"), ("points", "/m/points")] {
                let r = try await member.get(path)
                #expect(r.status == .ok, "\(path): \(r.status)")
                assertSnapshot(of: HTMLSnapshot.normalise(r.text), as: .lines, named: name)
            }
        }
    }

    @Test("the normaliser keeps the page and blanks only what differs by run")
    func normaliserBlanksOnlyVolatileValues() {
        let html = #"<form><input type="hidden" name="_csrf" value="0123abcd"><a href="/console/members/7">张三</a></form>"#
        #expect(HTMLSnapshot.normalise(html) == "<form>\n<input type=\"hidden\" name=\"_csrf\" value=\"CSRF\">\n<a href=\"/console/members/7\">张三</a></form>")
    }
}

enum HTMLSnapshot {
    /// Blanks per-run values (CSRF tokens) and puts each tag on its own line, so a snapshot's diff shows the
    /// element that changed.
    static func normalise(_ html: String) -> String {
        var s = html
        s = s.replacingOccurrences(of: #"name="_csrf" value="[^"]*""#, with: #"name="_csrf" value="CSRF""#, options: .regularExpression)
        s = s.replacingOccurrences(of: #"<meta name="csrf-token" content="[^"]*""#, with: #"<meta name="csrf-token" content="CSRF""#,
                                   options: .regularExpression)
        s = s.replacingOccurrences(of: #">\s*<(?!/)"#, with: ">\n<", options: .regularExpression)
        return s
    }
}
