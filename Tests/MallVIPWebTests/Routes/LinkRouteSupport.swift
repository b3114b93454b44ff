import Foundation
import MallVIPCore
@testable import MallVIPStore
@testable import MallVIPWeb
import Testing
import Vapor

/// A small mall for the link and snapshot tests: three members with purchases, and one of nearly everything the
/// console makes (counter, department, partner, reward, template, segment, campaign, event, complaint, staff,
/// API key, webhook, target, cost, holiday, prospect, points adjustment, contact note, coupon), each made through
/// its own console form (the forms `HostileWrite.all` lists, filled with plain text), and a survey link.
struct LinkWorld: Sendable {
    var memberIds: [Int64]
    var cards: [String]
    var phones: [String]
    var surveyToken: String?
    /// Forms that did not take the plain values (the seeding should make everything).
    var problems: [String]

    static let names = ["张三", "李四", "王五"]

    /// `forms: false`: the members and their purchases only (the snapshot tests' smaller mall).
    static func seed(_ t: TestContext, forms: Bool = true) async throws -> LinkWorld {
        var world = LinkWorld(memberIds: [], cards: [], phones: [], surveyToken: nil, problems: [])
        for (i, name) in names.enumerated() {
            let phone = "1391234560\(i)"
            let card = try await t.enrolMember(phone: phone, name: name, amountFen: 60_000 + Int64(i) * 10_000,
                                               birthday: "1980-0\(i + 1)-15")
            world.cards.append(card)
            world.phones.append(phone)
            world.memberIds.append(try await t.memberId(card: card))
        }
        // Some history on the first member (points, purchases) a day apart.
        for day in 1...3 {
            _ = try await t.purchase("LW-\(day)", fen: 25_000 * Int64(day), at: t.clock.now.addingTimeInterval(-86_400 * Double(day)),
                                     card: world.cards[0])
        }

        guard forms else { return world }

        var clients: [StaffRole: ConsoleClient] = [:]
        func client(_ role: StaffRole) async throws -> ConsoleClient {
            if let c = clients[role] { return c }
            let c = try await t.console(as: "seed-\(role.rawValue)", role)
            clients[role] = c
            return c
        }
        let memberId = world.memberIds[1]
        for (i, w) in HostileWrite.all.enumerated() where !w.mustReject {
            let fill = { (s: String) in s.replacingOccurrences(of: "{m}", with: String(memberId)).replacingOccurrences(of: "{n}", with: String(700 + i)) }
            let c = try await client(w.role)
            let page = try await c.get(fill(w.page))
            let wanted = "^" + NSRegularExpression.escapedPattern(for: fill(w.action)).replacingOccurrences(of: "\\{any\\}", with: #"\d+"#) + "$"
            guard var form = HostileForm.all(in: page.body).first(where: { $0.action.range(of: wanted, options: .regularExpression) != nil && $0.method == "post" }) else {
                world.problems.append("\(w.role) \(w.page): no form posting to \(fill(w.action))")
                continue
            }
            for (k, v) in w.set { form.set(k, v == "{option}" ? (form.options[k]?.first ?? "") : fill(v)) }
            for f in w.fields { form.set(f, "链接测试 \(i) Link test" + (w.append[f] ?? "")) }
            let r = try await c.post(form.action, form.fields)
            if r.status.code >= 400 || r.body.contains("class=\"error\"") {
                world.problems.append("\(w.role) POST \(form.action) → \(r.status.code)")
            }
        }
        let (_, programme) = try await t.store.programme()
        world.surveyToken = try await t.store.sendSurveys(memberIds: [world.memberIds[0]], reason: .quarterly, ref: "links",
                                                          programme: programme, linkBase: "").first?.token
        return world
    }
}

/// Every link a page offers: `href`/`src` (followed with GET) and each form's action with its method.
struct PageLinks {
    struct Link: Hashable {
        /// The method's name (HTTPMethod itself is not Hashable).
        var verb: String
        var url: String
        var method: HTTPMethod { HTTPMethod(rawValue: verb) }

        init(method: HTTPMethod, url: String) {
            (verb, self.url) = (method.rawValue, url)
        }
        /// The path without query or fragment.
        var path: String { String(url.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)[0]
            .split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)[0]) }
    }

    /// Site-relative links only (`/…`); `data:`, `mailto:`, `#…` and other sites are not routes of ours.
    static func of(_ html: String) -> [Link] {
        var out: [Link] = []
        for m in HostileForm.matches(#"<(?:a|link|script|img)\b[^>]*?\s(?:href|src)="([^"]*)""#, in: html) {
            let url = HostileForm.decode(m[0])
            if url.hasPrefix("/"), !url.hasPrefix("//") { out.append(Link(method: .GET, url: url)) }
        }
        for form in HostileForm.all(in: html) {
            let method: HTTPMethod = form.method == "post" ? .POST : .GET
            if form.action.hasPrefix("/"), !form.action.hasPrefix("//") { out.append(Link(method: method, url: form.action)) }
            else { out.append(Link(method: method, url: "<form action=\"\(form.action)\">")) }
        }
        return out
    }
}

/// Does a registered route take `method` at `path`? Matched as Vapor's router does: constants equal, a
/// parameter takes one non-empty segment. Catch-all routes (a fallback) prove nothing and are not counted.
struct RouteTable {
    let routes: [(method: HTTPMethod, path: [PathComponent])]

    init(_ app: Application) {
        routes = app.routes.all.map { ($0.method, $0.path) }
            .filter { !$0.path.contains(where: { if case .catchall = $0 { true } else { false } }) }
    }

    func resolves(_ method: HTTPMethod, _ path: String) -> Bool {
        guard path.hasPrefix("/") else { return false }
        let segments = path.split(separator: "/").map { String($0).removingPercentEncoding ?? String($0) }
        return routes.contains { $0.method == method && Self.matches($0.path, segments) }
    }

    static func matches(_ pattern: [PathComponent], _ segments: [String]) -> Bool {
        guard pattern.count == segments.count else { return false }
        for (c, s) in zip(pattern, segments) {
            switch c {
            case .constant(let v): if v != s { return false }
            case .parameter, .anything: if s.isEmpty { return false }
            case .catchall: return false
            }
        }
        return true
    }
}
