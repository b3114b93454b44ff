import Foundation
import MallVIPCore
import Plot
@testable import MallVIPStore
@testable import MallVIPWeb
import Testing
import Vapor
import VaporTesting

/// One console form that stores text: who submits it, the page it is on, its action, the text fields that get the
/// hostile value and the other fields that need a valid one (`{m}` is the hostile member's id, `{n}` a number
/// unique to the entry). Adding a field to the suite is one line here.
struct HostileWrite: Sendable {
    var role: StaffRole
    var page: String
    var action: String
    var fields: [String]
    var set: [String: String] = [:]
    /// Text a field must end with to be valid (a care template's signature).
    var append: [String: String] = [:]
    /// Stored but shown on no page (only the form's answer is checked).
    var shown = true
    /// A field with a format (a plate): every hostile value must get a clean 4xx or a form error, none stored.
    var mustReject = false

    init(_ role: StaffRole, _ page: String, _ action: String, _ fields: [String], set: [String: String] = [:],
         append: [String: String] = [:], shown: Bool = true, mustReject: Bool = false) {
        (self.role, self.page, self.action, self.fields, self.set, self.append, self.shown) = (role, page, action, fields, set, append, shown)
        self.mustReject = mustReject
    }

    static let all: [HostileWrite] = [
        // The desk's edit form: every free-text field of the member (hobbies and notes are shown in value="…").
        HostileWrite(.desk, "/console/members/{m}/edit", "/console/members/{m}/edit",
                     ["name", "address", "occupation", "family", "hobbies", "preferences", "preferredService", "clothingSize",
                      "shoeSize", "notes"]),
        HostileWrite(.desk, "/console/members/{m}", "/console/members/{m}/tags", ["tags"]),
        HostileWrite(.admin, "/console/counters/new", "/console/counters/new", ["name", "brand", "category", "floor"],
                     set: ["code": "H{n}"]),
        HostileWrite(.admin, "/console/departments", "/console/departments", ["name"], set: ["code": "H{n}"]),
        HostileWrite(.admin, "/console/departments", "/console/malls", ["name"], set: ["code": "H{n}"]),
        HostileWrite(.admin, "/console/partners/new", "/console/partners/new", ["name", "contact"], set: ["code": "H{n}"]),
        HostileWrite(.admin, "/console/rewards/new", "/console/rewards/new", ["nameZh", "nameEn"],
                     set: ["code": "H{n}", "points": "100", "stock": "5"]),
        HostileWrite(.admin, "/console/templates/new", "/console/templates/new", ["name", "body"], set: ["code": "h{n}"],
                     append: ["body": "{store}{sender}"]),
        HostileWrite(.admin, "/console/segments/new", "/console/segments/new", ["name"]),
        HostileWrite(.admin, "/console/campaigns/new", "/console/campaigns/new", ["name", "subject", "body"],
                     set: ["segmentId": "{option}"]),
        HostileWrite(.admin, "/console/events/new", "/console/events", ["title", "place"],
                     set: ["startsAt": "2026-12-20T10:00", "endsAt": "2026-12-20T12:00", "rsvpDeadline": "2026-12-19T10:00",
                           "capacity": "50"]),
        HostileWrite(.admin, "/console/complaints", "/console/complaints", ["category", "description"]),
        HostileWrite(.admin, "/console/staff", "/console/staff", ["displayName"],
                     set: ["username": "hostile{n}", "password": "Long-enough-password-{n}"]),
        HostileWrite(.admin, "/console/api-keys", "/console/api-keys", ["name"]),
        HostileWrite(.admin, "/console/webhooks", "/console/webhooks", ["description"],
                     set: ["url": "https://example.com/hook{n}", "event_member.enrolled": "on"]),
        HostileWrite(.admin, "/console/targets", "/console/targets", ["note"], set: ["value": "30"], shown: false),
        HostileWrite(.admin, "/console/economics", "/console/economics/costs", ["note"], set: ["amount": "100"]),
        HostileWrite(.admin, "/console/holidays", "/console/holidays/new", ["name"], set: ["day": "2026-12-25"]),
        HostileWrite(.admin, "/console/prospects", "/console/prospects", ["name"],
                     set: ["phone": "139000{n}00", "counterId": "{option}"]),
        HostileWrite(.manager, "/console/members/{m}", "/console/members/{m}/adjust-points", ["reason"], set: ["points": "10"]),
        // Widened (part H): contact notes, hand-issued coupons, complaint outcomes, plates.
        HostileWrite(.manager, "/console/members/{m}", "/console/members/{m}/contacts", ["note"]),
        HostileWrite(.manager, "/console/members/{m}", "/console/members/{m}/coupons", ["name"],
                     set: ["face": "10", "discount": "", "counters": "", "reason": "hostile name"]),
        HostileWrite(.manager, "/console/members/{m}", "/console/members/{m}/coupons", ["reason"],
                     set: ["name": "hostile reason", "face": "10", "discount": "", "counters": ""], shown: false),
        HostileWrite(.admin, "/console/complaints", "/console/complaints/{any}/resolve", ["outcome"]),
        HostileWrite(.desk, "/console/members/{m}", "/console/members/{m}/plate-bind", ["plate"], mustReject: true),
    ]
}

@Suite("Security: hostile strings are escaped everywhere")
struct HostileStringTests {
    @Test("the renderer escapes & < > \" ' in text and in every attribute value; .title() is only <title>")
    func renderer() {
        let h = HostileText.svg + HostileText.script + "&amp;"
        let html = HTML(.head(.title(h)), .body(.p(.text(h)), .form(.input(.value(h))), .a(.href(h), .text("x")))).render()
        #expect(HostileText.unescaped(in: html).isEmpty, "\(html)")
        #expect(!html.contains("og:title") && !html.contains("twitter:title"))
        let escaped = "&quot;&gt;&lt;svg onload=alert(1)&gt;&#39;&gt;&lt;script&gt;alert(1)&lt;/script&gt;&amp;amp;"
        #expect(html.components(separatedBy: escaped).count - 1 == 4, "\(html)")   // title, text, value, href
        #expect(HTMLEscaping.escape("a&b<c>d\"e'f") == "a&amp;b&lt;c&gt;d&quot;e&#39;f")
        #expect(HTMLEscaping.escape("&lt;") == "&amp;lt;")                            // no entity pass-through
    }

    @Test("reflected query values (login next, notice, search, filters) come out escaped", .timeLimit(.minutes(20)))
    func reflected() async throws {
        try await withTestApp { t in
            let h = HostileText.svg + HostileText.script
            let q = h.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
            let anon = ConsoleClient(t)
            var problems: [String] = []
            for path in ["/login?next=\(q)", "/login?next=/console\(q)", "/m/login?phone=\(q)", "/console?notice=\(q)"] {
                let page = try await anon.get(path)
                #expect(page.status.code < 500, "\(path)")
                problems += HostileText.unescaped(in: page.body).map { "anon \(path): \($0)" }
            }
            let admin = try await t.console(as: "refl", .admin)
            for path in ["/console?notice=\(q)", "/console/members?q=\(q)", "/console/coupons?query=\(q)&status=\(q)",
                         "/console/webhooks?status=\(q)", "/console/reports?period=\(q)", "/console/economics?year=\(q)",
                         "/console/targets?year=\(q)", "/console/staff?notice=\(q)", "/console/segments/new?name=\(q)"] {
                let page = try await admin.get(path)
                #expect(page.status.code < 500, "\(path)")
                problems += HostileText.unescaped(in: page.body).map { "admin \(path): \($0)" }
            }
            #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")
        }
    }

    @Test("hostile text written by a POS, a CSV import, a member and every staff form is escaped on every page",
          .timeLimit(.minutes(20)))
    func everyField() async throws {
        try await withTestApp { t in
            var probes: [(String, String)] = []      // (who wrote it, probe)
            var problems: [String] = []
            var tagNo = 0
            func nextTag() -> String { tagNo += 1; return "HX\(tagNo)Q" }

            // POS: the member's name and e-mail at enrolment, the receipt number of a purchase.
            let phone = "13912340001"
            #expect(try await t.purchase("ENROL-H1", fen: 60_000, phone: phone).status == .created)
            var memberCard: String?
            let nameTag = nextTag()
            for (probe, value) in HostileText.candidates(tag: nameTag) {
                let body = #"{"phone":"\#(phone)","name":\#(Self.json(value)),"receipts":["ENROL-H1"]}"#
                let r = try await t.send(.POST, "/api/v1/members", body: body)
                #expect(r.status.code < 500, "POS name: \(r.status)")
                if r.status == .created { memberCard = r.string("cardNo"); probes.append(("POS name", probe)); break }
            }
            let card = try #require(memberCard, "no hostile name was accepted by POST /api/v1/members")
            let posMemberId = try await t.memberId(card: card)
            // The desk edits another member (an edit would overwrite the POS name), the member edits a third.
            let memberId = try await t.memberId(card: try await t.enrolMember(phone: "13912340003"))
            let selfPhone = "13912340004"
            _ = try await t.enrolMember(phone: selfPhone)
            let receiptTag = nextTag()
            for (probe, value) in HostileText.candidates(tag: receiptTag) {
                let r = try await t.send(.POST, "/api/v1/purchases", body: #"{"receiptNo":\#(Self.json(value)),"occurredAt":"\#(iso(t.clock.now))","card":"\#(card)","lines":[{"counter":"C0001","amountFen":1000}]}"#)
                #expect(r.status.code < 500, "POS receiptNo: \(r.status)")
                if r.status.code < 300 { probes.append(("POS receiptNo", probe)); break }
            }

            // CSV import: a second member with hostile name, address and notes; a counter with hostile names.
            let csvTag = nextTag()
            let csvValue = csvTag + HostileText.svg
            let csv = "手机号,姓名,地址,备注\r\n13912340002,\(Self.csv(csvValue)),\(Self.csv(csvValue + " addr")),\(Self.csv(csvValue + " notes"))\r\n"
            let imported = try await t.importText(.members, csv)
            if imported.imported == 1 { probes.append(("CSV member", csvTag + HostileText.svg)) } else {
                problems.append("CSV member import rejected the hostile row: \(imported.rejects)")
            }
            let counterTag = nextTag()
            let counterCSV = "店柜号,店柜名称,课,品牌\r\nCH01,\(Self.csv(counterTag + HostileText.svg)),D1,\(Self.csv(counterTag + HostileText.svg))\r\n"
            let counters = try await t.importText(.counters, counterCSV)
            if counters.imported == 1 { probes.append(("CSV counter", counterTag + HostileText.svg)) }

            // Staff forms, each as the role that uses it.
            var clients: [StaffRole: ConsoleClient] = [:]
            func client(_ role: StaffRole) async throws -> ConsoleClient {
                if let c = clients[role] { return c }
                let c = try await t.console(as: "hostile-\(role.rawValue)", role)
                clients[role] = c
                return c
            }
            var shownOn: [String] = []
            for (i, w) in HostileWrite.all.enumerated() {
                let fill = { (s: String) in s.replacingOccurrences(of: "{m}", with: String(memberId)).replacingOccurrences(of: "{n}", with: String(800 + i)) }
                let c = try await client(w.role)
                let page = try await c.get(fill(w.page))
                // `{any}` in an action stands for an id the suite does not know in advance (a complaint, a task).
                let wanted = "^" + NSRegularExpression.escapedPattern(for: fill(w.action)).replacingOccurrences(of: "\\{any\\}", with: #"\d+"#) + "$"
                guard var form = HostileForm.all(in: page.body).first(where: { $0.action.range(of: wanted, options: .regularExpression) != nil && $0.method == "post" }) else {
                    problems.append("\(w.role) \(w.page): no form posting to \(fill(w.action)); forms: \(HostileForm.all(in: page.body).map(\.action)) status \(page.status)")
                    continue
                }
                let action = form.action
                for (k, v) in w.set {
                    // `{option}`: the select's first real option (a segment, a counter, …).
                    form.set(k, v == "{option}" ? (form.options[k]?.first ?? "") : fill(v))
                }
                let tags = w.fields.map { _ in nextTag() }
                var accepted = false, lastError = ""
                for level in HostileText.candidates(tag: "").indices {
                    for (f, tag) in zip(w.fields, tags) { form.set(f, HostileText.candidates(tag: tag)[level].value + (w.append[f] ?? "")) }
                    let r = try await c.post(action, form.fields)
                    if r.status.code >= 500 { problems.append("\(w.role) POST \(action) → \(r.status.code)") }
                    // The answer itself (an error page echoes what was typed) must be escaped too.
                    problems += HostileText.unescaped(in: r.body, probes: tags.map { HostileText.candidates(tag: $0)[level].probe })
                        .map { "\(w.role) POST \(action) answer: unescaped \($0.debugDescription)" }
                    if r.status.code < 400, !r.body.contains("class=\"error\"") {
                        accepted = true
                        if let next = r.location { shownOn.append(next) }
                        for tag in tags where w.shown { probes.append(("\(action)", HostileText.candidates(tag: tag)[level].probe)) }
                        break
                    }
                    #expect(r.status.code >= 400 && r.status.code < 500 || r.body.contains("class=\"error\""),
                            "\(w.action): \(r.status)")
                    lastError = "\(r.status.code) " + (HostileForm.matches(#"class="error"[^>]*>(.*?)</(p|div|ul)>\s*</div>"#, in: r.body).first?.first
                        ?? HostileForm.matches(#"class="error"[^>]*>(.*?)</(p|div)>"#, in: r.body).first?.first ?? "")
                        .replacingOccurrences(of: #"<[^>]*>"#, with: " ", options: .regularExpression)
                }
                if w.mustReject {
                    if accepted { problems.append("\(w.role) POST \(action): a hostile value was accepted (fields \(w.fields))") }
                } else if !accepted {
                    problems.append("\(w.role) POST \(action): no value with < > \" ' & accepted (fields \(w.fields)): \(lastError)")
                }
                shownOn.append(fill(w.page))
            }

            // The member's own profile (hobbies and the rest are shown back in value="…").
            let profileTag = nextTag()
            let h = MemberLoginHarness(t)
            try await h.requestCode(selfPhone)
            #expect(try await h.verify(selfPhone, try h.lastCode(to: selfPhone)).status == .seeOther)
            _ = try await h.browser.get("/m/profile")
            let memberFields = ["address", "clothingSize", "shoeSize", "preferences", "hobbies", "preferredService"]
            var memberAccepted = false
            for level in HostileText.candidates(tag: "").indices {
                let values = memberFields.enumerated().map { ($0.element, HostileText.candidates(tag: profileTag + "\($0.offset)")[level]) }
                let r = try await h.browser.post("/m/profile", values.map { ($0.0, $0.1.value) })
                #expect(r.status.code < 500, "/m/profile: \(r.status)")
                problems += HostileText.unescaped(in: r.body, probes: values.map(\.1.probe)).map { "member POST /m/profile answer: \($0)" }
                if r.status == .seeOther {
                    probes += values.map { ("/m/profile \($0.0)", $0.1.probe) }
                    memberAccepted = true
                    break
                }
            }
            if !memberAccepted { problems.append("/m/profile accepted no value with < > \" ' &") }

            // Programme YAML (part H): the programme's name and the first two tiers' names, Chinese and English, as
            // YAML double-quoted scalars (JSON strings are valid ones); the most hostile level the parser accepts.
            let (_, programmeNow) = try await t.store.programme()
            let yaml = Programme.defaultYAML()
            let yamlTags = (0..<5).map { _ in nextTag() }
            var yamlApplied = false
            for level in HostileText.candidates(tag: "").indices {
                let v = yamlTags.map { HostileText.candidates(tag: $0)[level] }
                let text = yaml
                    .replacingOccurrences(of: "name: {zh: 普卡, en: Regular}", with: "name: {zh: \(Self.json(v[0].value)), en: \(Self.json(v[1].value))}")
                    .replacingOccurrences(of: "name: {zh: 银卡, en: Silver}", with: "name: {zh: \(Self.json(v[2].value)), en: \(Self.json(v[3].value))}")
                    .replacingOccurrences(of: "\nname: 默认会员章程 (尚峰等级 · 南亞积分)", with: "\nname: \(Self.json(v[4].value))")
                #expect(text != yaml)
                guard (try? Programme.parse(yaml: text)) != nil else { continue }
                _ = try await t.store.applyProgramme(yaml: text, by: "hostile", note: "hostile tier names")
                // The Chinese tier names must show on some page; the English names and the programme's name show
                // only inside the YAML text (JSON-escaped there), so they are checked by the markers alone.
                probes += [("programme tier zh", v[0].probe), ("programme tier zh", v[2].probe)]
                yamlApplied = true
                break
            }
            if !yamlApplied { problems.append("programme YAML: no tier name with < > \" ' & parsed") }
            shownOn += ["/console/programme"]

            // The public survey page (part H): a member's comment, shown on the feedback report.
            let link = try #require(try await t.store.sendSurveys(memberIds: [memberId], reason: .quarterly, ref: "hostile",
                                                                 programme: programmeNow, linkBase: "").first)
            let surveyTag = nextTag()
            let anon = ConsoleClient(t)
            let surveyPage = try await anon.get("/s/\(link.token)")
            if var form = HostileForm.all(in: surveyPage.body).first(where: { $0.action == "/s/\(link.token)" }) {
                var surveyAccepted = false
                for (probe, value) in HostileText.candidates(tag: surveyTag) {
                    form.set("nps", "9"); form.set("csat", "5"); form.set("comment", value)
                    let r = try await anon.post("/s/\(link.token)", form.fields)
                    #expect(r.status.code < 500, "/s/ comment: \(r.status)")
                    problems += HostileText.unescaped(in: r.body, probes: [probe]).map { "anon POST /s/ answer: \($0)" }
                    if try await t.store.surveyLink(token: link.token)?.answeredAtMs != nil {
                        probes.append(("survey comment", probe)); surveyAccepted = true; break
                    }
                }
                if !surveyAccepted { problems.append("/s/ accepted no comment with < > \" ' &") }
            } else {
                problems.append("/s/{token}: no survey form (\(surveyPage.status))")
            }
            shownOn.append("/console/feedback")

            // The car park API (part H): its only free text is the idempotency key (never shown) and the plate, which
            // has a format: a hostile plate gets a clean 4xx naming the field, and nothing reaches a page.
            for (i, (_, value)) in HostileText.candidates(tag: nextTag()).enumerated() {
                let body = #"{"idempotencyKey":\#(Self.json(String(value.prefix(60)))),"plate":\#(Self.json(value)),"card":"\#(card)","entryAt":"\#(iso(t.clock.now.addingTimeInterval(-3600)))","exitAt":"\#(iso(t.clock.now))"}"#
                let r = try await t.send(.POST, "/api/v1/parking/exits", body: body)
                #expect(r.status.code >= 400 && r.status.code < 500, "parking exit \(i): \(r.status)")
                #expect(!r.text.contains("<html"), "parking exit \(i): an HTML answer")
            }

            // Render: every console page reachable from the dashboard and the members' pages, as an admin and as
            // limited roles; every member page.
            let allProbes = probes.map(\.1)
            let csvMember = try await t.store.lookup(card: nil, phone: "13912340002")
            let memberSeeds = [posMemberId, memberId] + (csvMember.map { [$0.id] } ?? [])
            var seen: [String: String] = [:]
            for role in [StaffRole.admin, .manager, .desk, .planner, .accountManager, .counterStaff] {
                let c = try await client(role)
                let seeds = ["/console"] + memberSeeds.flatMap { ["/console/members/\($0)", "/console/members/\($0)/edit",
                                                                 "/console/members/\($0)/redeem"] }
                    + ["/console/members?q=\(phone)", "/console/members?q=\(card)"] + shownOn
                let crawl = try await HostileCrawl.crawl(c, who: role.rawValue, seeds: seeds, prefixes: ["/console"], probes: allProbes)
                problems += crawl.problems
                seen.merge(crawl.pages) { a, _ in a }
            }
            let memberCrawl = try await HostileCrawl.crawl(h.browser, who: "member", seeds: ["/m/card", "/m/profile", "/m/points", "/m/purchases"],
                                                           prefixes: ["/m/"], probes: allProbes)
            problems += memberCrawl.problems
            seen.merge(memberCrawl.pages) { a, _ in a }

            // Each accepted value reached some page (so the suite cannot pass by never showing it).
            for (who, probe) in probes where !seen.values.contains(where: { HostileText.shows($0, escaped: probe) }) {
                let tag = String(probe.prefix { $0 != "\"" && $0 != "<" })
                let near = seen.compactMap { path, body in
                    body.range(of: tag).map { r in path + ": " + String(body[r.lowerBound...].prefix(60)) }
                }.prefix(3)
                problems.append("\(who): the value \(probe.debugDescription) was stored but no page showed it; \(tag) seen at \(Array(near))")
            }
            #expect(seen.count > 40, "only \(seen.count) pages rendered")
            #expect(problems.isEmpty, "\(problems.count) problems:\n\(problems.joined(separator: "\n"))")
        }
    }

    static func json(_ s: String) -> String {
        String(data: try! JSONEncoder().encode(s), encoding: .utf8)!
    }

    static func csv(_ s: String) -> String {
        "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
