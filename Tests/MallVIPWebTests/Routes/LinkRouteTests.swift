import Foundation
import MallVIPCore
@testable import MallVIPStore
@testable import MallVIPWeb
import Testing
import Vapor

/// Issue 16: every link and form action the console and member pages render leads to a registered route with
/// that method, and every GET link answers (not 404 or 405) for the user who was shown it. Pages are walked as
/// a browser would, from the start page (and the member search), for each staff role, for a signed-in member and
/// signed out.
@Suite("Links lead to routes") struct LinkRouteTests {
    /// What one walk saw.
    struct Walk {
        var pages: Set<String> = []
        /// link → the first page it was on
        var links: [PageLinks.Link: String] = [:]
        var problems: [String] = []
    }

    /// Walks same-site pages breadth first from `seeds` (at most `perShape` pages per path shape, ids as N),
    /// recording every link; `get` answers (status, HTML).
    static func walk(who: String, seeds: [String], prefixes: [String], perShape: Int = 2, limit: Int = 300,
                     get: (String) async throws -> (HTTPStatus, String)) async throws -> Walk {
        var out = Walk()
        var queue = seeds, seen = Set<String>(), shapes: [String: Int] = [:]
        while !queue.isEmpty, out.pages.count < limit {
            let url = queue.removeFirst()
            guard !seen.contains(url), !url.contains(".csv"), !url.contains(".json") else { continue }
            seen.insert(url)
            let shape = HostileCrawl.shape(PageLinks.Link(method: .GET, url: url).path)
            if !seeds.contains(url) {
                guard shapes[shape, default: 0] < perShape else { continue }
            }
            shapes[shape, default: 0] += 1
            let (status, body) = try await get(url)
            if status == .notFound || status == .methodNotAllowed || status.code >= 500 {
                out.problems.append("\(who) GET \(url) → \(status.code)")
            }
            guard body.contains("<html") else { continue }
            out.pages.insert(url)
            for link in PageLinks.of(body) {
                if out.links[link] == nil { out.links[link] = url }
                if link.method == .GET, prefixes.contains(where: { link.url.hasPrefix($0) }), !seen.contains(link.url) {
                    queue.append(link.url)
                }
            }
        }
        return out
    }

    /// Every link of a walk against the route table, and each form action once more by sending it: a POST
    /// without its CSRF token is refused (403) by a route that exists, and 404/405 only where none does.
    static func check(_ walk: Walk, who: String, table: RouteTable,
                      post: (String) async throws -> HTTPStatus) async throws -> [String] {
        var problems = walk.problems
        var posted = Set<String>()
        for (link, page) in walk.links.sorted(by: { $0.key.url < $1.key.url }) {
            guard table.resolves(link.method, link.path) else {
                problems.append("\(who): \(link.method) \(link.url) on \(page) leads to no route")
                continue
            }
            if link.method == .POST, !posted.contains(link.path) {
                posted.insert(link.path)
                let status = try await post(link.url)
                if status == .notFound || status == .methodNotAllowed || status.code >= 500 {
                    problems.append("\(who): POST \(link.url) on \(page) → \(status.code)")
                }
            }
        }
        return problems
    }

    // The limit guards against a hang, not a speed: alone the walk takes about 12 s, but on PostgreSQL it first waits
    // for one of the shared test databases, behind the kill and end-to-end suites of a full run.
    @Test("every link and form action on every console and member page leads to a registered route",
          .timeLimit(.minutes(20)))
    func everyLinkLeadsToARoute() async throws {
        try await withTestApp { t in
            let world = try await LinkWorld.seed(t)
            #expect(world.problems.isEmpty, "seeding: \(world.problems.joined(separator: "\n"))")
            let table = RouteTable(t.app)
            var problems: [String] = []
            var consolePages = Set<String>(), consoleLinks = 0

            for role in StaffRole.allCases {
                let c = try await t.console(as: "links-\(role.rawValue)", role)
                let seeds = ["/console", "/console/members?q=\(world.phones[0])"] + world.memberIds.map { "/console/members/\($0)" }
                let walk = try await Self.walk(who: role.rawValue, seeds: seeds, prefixes: ["/console", "/login"]) { url in
                    let page = try await c.get(url)
                    // A link the role may not open is shown to it only by mistake; the page it leads to exists.
                    return (page.status, page.body)
                }
                consolePages.formUnion(walk.pages)
                consoleLinks += walk.links.count
                problems += try await Self.check(walk, who: role.rawValue, table: table) { url in
                    try await c.post(url, [], csrf: .none).status
                }
            }

            // A signed-in member on the member site.
            let member = try await t.signedInMember(world.memberIds[0])
            let memberWalk = try await Self.walk(who: "member", seeds: ["/m", "/m/card"], prefixes: ["/m"]) { url in
                let r = try await member.get(url)
                return (r.status == .seeOther || r.status == .found ? .ok : r.status, r.text)
            }
            problems += try await Self.check(memberWalk, who: "member", table: table) { url in
                try await t.send(.POST, url, authorized: false,
                                 headers: ["Cookie": "\(MemberAuth.cookieName)=\(member.token)", "Accept": "text/html"]).status
            }

            // Signed out: the two sign-in pages and a survey link from a message.
            let anon = ConsoleClient(t)
            let anonSeeds = ["/login", "/m/login"] + (world.surveyToken.map { ["/s/\($0)"] } ?? [])
            let anonWalk = try await Self.walk(who: "signed out", seeds: anonSeeds, prefixes: ["/login", "/m/login"]) { url in
                let page = try await anon.get(url)
                return (page.status, page.body)
            }
            problems += try await Self.check(anonWalk, who: "signed out", table: table) { url in
                try await anon.post(url, [], csrf: .none).status
            }

            // The walk must have covered the site, or it proves nothing.
            #expect(consolePages.count >= 60, "only \(consolePages.count) console pages walked")
            #expect(consoleLinks >= 300, "only \(consoleLinks) console links seen")
            #expect(memberWalk.pages.count >= 8, "only \(memberWalk.pages.count) member pages walked: \(memberWalk.pages.sorted())")
            #expect(anonWalk.pages.count >= 3, "signed-out pages: \(anonWalk.pages.sorted())")
            #expect(problems.isEmpty, "\(problems.count) links lead nowhere:\n\(problems.joined(separator: "\n"))")
        }
    }

    @Test("the route table refuses what is not registered")
    func tableRefusesUnknownPaths() async throws {
        try await withTestApp { t in
            let table = RouteTable(t.app)
            #expect(table.resolves(.GET, "/console/members/42"))
            #expect(table.resolves(.POST, "/console/members/42/card-lost"))
            #expect(!table.resolves(.GET, "/console/members/42/card-lost"), "a POST-only route is not a GET link")
            #expect(!table.resolves(.GET, "/console/nowhere"))
            #expect(!table.resolves(.POST, "/console/members/42/no-such-action"))
            #expect(!table.resolves(.GET, "/console/members/42/edit/extra"))
        }
    }

    @Test("links fill their routes: every SiteURL action names a registered POST route")
    func typedActionsAreRegistered() async throws {
        try await withTestApp { t in
            let table = RouteTable(t.app)
            for a in SiteURL.MemberAction.allCases { #expect(table.resolves(.POST, SiteURL.memberAction(7, a).path), "\(a)") }
            for a in SiteURL.RewardAction.allCases { #expect(table.resolves(.POST, SiteURL.rewardAction(7, a).path), "\(a)") }
            for a in SiteURL.CampaignAction.allCases { #expect(table.resolves(.POST, SiteURL.campaignAction(7, a).path), "\(a)") }
            for a in SiteURL.ComplaintAction.allCases { #expect(table.resolves(.POST, SiteURL.complaintAction(7, a).path), "\(a)") }
            // Parameters are encoded as one segment each.
            #expect(SiteURL.coupon("A/B C").path == "/console/coupons/A%2FB%20C")
            #expect(SiteURL.redemptionVoid(member: 3, redemption: 9).path == "/console/members/3/redemptions/9/void")
            #expect(SiteURL.home.path == "/")
            #expect(MemberURL.home.path == "/m")
        }
    }
}
