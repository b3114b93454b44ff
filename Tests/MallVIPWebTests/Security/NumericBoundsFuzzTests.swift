import Foundation
import MallVIPCore
@testable import MallVIPStore
@testable import MallVIPWeb
import Testing
import Vapor
import VaporTesting

/// Issue 14, finding 2, as a class: Int64.max, Int64.min, -1, 30 digits, "1e99", "NaN" and "0x10" sent to every
/// numeric input of every route — path parameters of every registered route, every query parameter the controllers
/// read, every field of every console and member form (found by walking the pages as a browser does), every integer
/// of the OpenAPI document, CSV import cells and programme YAML numbers. Any answer may be a 4xx or a normal page;
/// none may be a 5xx, and a trap would kill the test process. The server must be alive afterwards.
@Suite("Numeric bounds: hostile numbers everywhere") struct NumericBoundsFuzzTests {
    /// GET query parameters the controllers read, and a page that reads each. `queryKeysAreCovered` fails when the
    /// source reads a key that is not here, so a new one cannot be missed.
    static let queryParameters: [(path: String, key: String)] = [
        ("/api/v1/coupons/ANY", "amountFen"), ("/api/v1/coupons/ANY", "counter"), ("/api/v1/coupons/ANY", "card"),
        ("/api/v1/coupons/ANY", "phone"), ("/api/v1/members/lookup", "card"), ("/api/v1/members/lookup", "phone"),
        ("/api/v1/partner/members/lookup", "card"), ("/api/v1/partner/members/lookup", "phone"),
        ("/console/my-vips", "staff"), ("/console/account-managers/ranking", "month"), ("/console/programme", "version"),
        ("/console/coupons", "q"), ("/console/coupons", "status"), ("/console", "mall"),
        ("/console/economics", "planVIPs"), ("/console/economics", "planUplift"), ("/console/economics", "year"),
        ("/console/economics/costs.csv", "year"), ("/console/targets", "year"),
        ("/console/exports/members.csv", "from"), ("/console/exports/members.csv", "to"),
        ("/console/finance/points", "days"), ("/console/templates/new", "member"), ("/console/login", "next"), ("/login", "next"),
        ("/console/members", "q"), ("/console/messages", "status"), ("/console/messages", "channel"), ("/console/messages", "source"),
        ("/console/messages", "member"), ("/console/messages", "month"), ("/unsubscribe", "m"), ("/unsubscribe", "c"), ("/unsubscribe", "t"),
        ("/console/partners/settlement", "month"), ("/console/prospects/ranking", "mall"), ("/console/prospects/ranking", "week"),
        ("/console/prospects/invites", "month"), ("/console/prospects", "counter"), ("/console/prospects", "department"),
        ("/console/reports", "p"), ("/console/reports", "mall"), ("/console/members/1/redeem", "coupon"),
        ("/console/rewards/settlement", "month"), ("/console/rewards/settlement.csv", "month"),
        ("/console/finance/co-funding", "month"), ("/console/finance/co-funding.csv", "month"),
        ("/console/finance/liability", "month"), ("/console/finance/liability.csv", "month"),   // issue 20a
        ("/console/tasks", "staff"), ("/console/tasks", "kind"), ("/console/tasks", "status"),
        ("/console/webhooks", "status"), ("/console/webhooks", "subscription"),
        ("/console/feedback/report", "quarter"), ("/console/complaints", "status"), ("/m/points", "page"), ("/m/history", "page"),
        ("/console/staff", "notice"), ("/console/members/1", "tab"), ("/console/members/1", "before"),
        ("/console/quality", "missing"),
        ("/console/handbook", "tier"),   // issue 18: an unknown tier is a 4xx naming the field
        ("/console/gifts", "from"), ("/console/gifts", "through"), ("/console/gifts", "mall"),   // issue 18: the gift report
        ("/console/channels", "from"), ("/console/channels", "through"), ("/console/channels", "mall"),   // issue 19: points by channel
        ("/console/channels/report.csv", "from"), ("/console/channels/report.csv", "through"),
        ("/console/photos", "state"), ("/m/photos", "replaces"),   // issue 19: receipt photos
    ]

    /// Keys read with a name held in a variable (the exports' `from`/`to`), or not numbers at all and covered by
    /// the every-route sweep (`notice`; `code`, WeChat's OAuth code on /m/wechat/callback, a bounded string).
    static let indirectKeys: Set<String> = ["from", "to", "notice", "code"]

    @Test("every query key the source reads is in the list above")
    func queryKeysAreCovered() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Sources/MallVIPWeb")
        var read = Set<String>()
        let patterns = [#"query\["([A-Za-z0-9_]+)"\]"#, #"query\[[A-Za-z0-9]+\.self, at: "([A-Za-z0-9_]+)"\]"#,
                        #"query\.get\([A-Za-z0-9]+\.self, at: "([A-Za-z0-9_]+)"\)"#, #"boundedQuery\("([A-Za-z0-9_]+)""#]
        let files = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil)!
        var scanned = 0
        for case let url as URL in files where url.pathExtension == "swift" {
            let text = try String(contentsOf: url, encoding: .utf8)
            scanned += 1
            for p in patterns { for m in HTMLScan.matches(p, in: text) { read.insert(m[0]) } }
            // planCost0…7 and planCostLabel0…7 are read in a loop.
            if text.contains("req.query[\"planCost\\(i)\"]") { read.insert("planCost") }
        }
        #expect(scanned > 100)
        let listed = Set(Self.queryParameters.map(\.key)).union(Self.indirectKeys).union(["planCost", "planCostLabel"])
        #expect(read.count >= 25)
        #expect(read.subtracting(listed).isEmpty, "query keys read in Sources but not fuzzed: \(read.subtracting(listed).sorted())")
    }

    @Test("path parameters of every registered route, and every query key on every GET route")
    func everyRoute() async throws {
        try await withTestApp { t in
            try await t.seedDemo()
            let admin = try await t.console(as: "fuzzadmin", .admin)
            let (card, memberId) = try await t.selfServiceMember("13912345678")
            _ = card
            let member = try await t.signedInMember(memberId)
            let bad = FiveHundreds()
            let allKeys = Set(Self.queryParameters.map(\.key))
            let routes = t.app.routes.all
            #expect(routes.count > 150)
            for route in routes {
                let params = route.path.enumerated().filter { if case .parameter = $0.element { true } else { false } }
                let isGET = route.method == .GET
                func path(_ value: (Int) -> String) -> String {
                    "/" + route.path.enumerated().map { i, c in
                        switch c {
                        case .constant(let s): s
                        case .parameter: value(i)
                        case .anything, .catchall: "x"
                        }
                    }.joined(separator: "/")
                }
                func send(_ p: String) async throws -> HTTPStatus {
                    if p.hasPrefix("/api/") {
                        return try await t.send(route.method, p, body: isGET ? nil : "{}").status
                    } else if p == "/m" || p.hasPrefix("/m/") {
                        return try await t.memberSend(route.method, p, token: member.token, form: isGET ? nil : [("_csrf", "csrf-\(memberId)")]).status
                    } else {
                        let r = isGET ? try await admin.get(p) : try await admin.post(p, [])
                        if r.location?.hasPrefix("/login") == true { try await admin.signIn("fuzzadmin") }
                        return r.status
                    }
                }
                for value in Hostile.numbers {
                    // Every parameter at once, then each alone with the others a plausible id.
                    var candidates = params.isEmpty ? [] : [path { _ in value.formEncoded }]
                    if params.count > 1 {
                        for (j, _) in params { candidates.append(path { $0 == j ? value.formEncoded : "1" }) }
                    }
                    for p in candidates { bad.check(try await send(p), "\(route.method) \(p)") }
                    if isGET {
                        // Every query key at once on every GET route (with its parameters a plausible id).
                        let q = allKeys.sorted().map { "\($0)=\(value.formEncoded)" }.joined(separator: "&")
                        let p = path { _ in "1" } + "?" + q
                        bad.check(try await send(p), "GET \(p.prefix(120))")
                    }
                }
            }
            // Each listed key alone on the page that reads it, others absent.
            for (p, key) in Self.queryParameters {
                for value in Hostile.numbers + Hostile.yuan {
                    let url = p + "?" + key + "=" + value.formEncoded
                    let status = p.hasPrefix("/api/") ? try await t.send(.GET, url).status
                        : p.hasPrefix("/m/") ? try await t.memberSend(.GET, url, token: member.token).status : try await admin.get(url).status
                    bad.check(status, "GET \(url)")
                }
            }
            bad.expectNone("path and query parameters")
            #expect(bad.requests > 1000)
            try await t.expectAlive()
        }
    }

    @Test("every field of every console form, as an admin who walked the console")
    func consoleForms() async throws {
        try await withTestApp { t in
            try await t.seedDemo()
            let admin = try await t.console(as: "fuzzadmin", .admin)
            _ = try await t.selfServiceMember("13912345678")
            let bad = FiveHundreds()
            // Walk: every console link, at most two pages of one shape.
            var queue = ["/console"], seen = Set<String>(), shapes: [String: Int] = [:]
            var forms: [String: (page: String, form: HTMLForm)] = [:]
            while let page = queue.first, seen.count < 260 {
                queue.removeFirst()
                guard !seen.contains(page) else { continue }
                seen.insert(page)
                let r = try await admin.get(page)
                bad.check(r.status, "GET \(page)")
                for link in HTMLScan.links(r.body, prefix: "/console") where !seen.contains(link) {
                    let shape = HTMLScan.shape(link.split(separator: "?").first.map(String.init) ?? link)
                    if shapes[shape, default: 0] >= 2 { continue }
                    shapes[shape, default: 0] += 1
                    queue.append(link)
                }
                for form in HTMLScan.forms(r.body, page: page) where form.action != "/logout" && form.action != "/console/logout" {
                    if forms[form.shape] == nil { forms[form.shape] = (page, form) }
                }
            }
            #expect(seen.count > 60, "pages walked: \(seen.count)")
            #expect(forms.count > 40, "forms found: \(forms.count)")
            for (_, entry) in forms.sorted(by: { $0.key < $1.key }) {
                let form = entry.form
                for (i, field) in form.fields.enumerated() where field.0 != "_csrf" {
                    for value in Hostile.numbers + (field.0.lowercased().contains("amount") || field.0.lowercased().contains("cost")
                                                    || field.0.lowercased().contains("face") || field.0.lowercased().contains("spend") ? Hostile.yuan : []) {
                        var fields = form.fields
                        fields[i].1 = value
                        let r = try await Self.submit(admin, form, fields)
                        bad.check(r.status, "\(form.method.uppercased()) \(form.action) \(field.0)=\(value) (form on \(entry.page))")
                        if r.location?.hasPrefix("/login") == true || r.status == .unauthorized {
                            try await admin.signIn("fuzzadmin")
                        }
                    }
                }
            }
            bad.expectNone("console forms")
            #expect(bad.requests > 2000, "console form requests: \(bad.requests) over \(forms.count) forms, \(seen.count) pages")
            try await t.expectAlive()
        }
    }

    /// Sends a form as the browser would: POST with its own CSRF field (or the last page's), GET as a query.
    static func submit(_ admin: ConsoleClient, _ form: HTMLForm, _ fields: [(String, String)]) async throws -> ConsolePage {
        if form.method == "post" {
            let hasToken = fields.contains { $0.0 == "_csrf" }
            return try await admin.post(form.action, fields, csrf: hasToken ? .none : .fromLastPage)
        }
        let q = fields.map { "\($0.0.formEncoded)=\($0.1.formEncoded)" }.joined(separator: "&")
        return try await admin.get(form.action + (form.action.contains("?") ? "&" : "?") + q)
    }

    @Test("every field of every member (/m/) form and page")
    func memberForms() async throws {
        try await withTestApp { t in
            try await t.seedDemo()
            let (_, memberId) = try await t.selfServiceMember("13912345678")
            let member = try await t.signedInMember(memberId)
            let bad = FiveHundreds()
            var queue = ["/m", "/m/card", "/m/profile", "/m/points", "/m/history", "/m/coupons", "/m/rewards", "/m/events"]
            var seen = Set<String>(), forms: [String: HTMLForm] = [:]
            while let page = queue.first, seen.count < 80 {
                queue.removeFirst()
                guard !seen.contains(page) else { continue }
                seen.insert(page)
                let r = try await t.memberSend(.GET, page, token: member.token)
                bad.check(r.status, "GET \(page)")
                for link in HTMLScan.links(r.text, prefix: "/m/") where !seen.contains(link) { queue.append(link) }
                for form in HTMLScan.forms(r.text, page: page) where !form.action.hasSuffix("logout") {
                    if forms[form.shape] == nil { forms[form.shape] = form }
                }
            }
            #expect(forms.count >= 2, "member forms found: \(forms.count)")
            for (_, form) in forms.sorted(by: { $0.key < $1.key }) {
                for (i, field) in form.fields.enumerated() where field.0 != "_csrf" {
                    for value in Hostile.numbers {
                        var fields = form.fields
                        fields[i].1 = value
                        let r = form.method == "post"
                            ? try await t.memberSend(.POST, form.action, token: member.token, form: fields)
                            : try await t.memberSend(.GET, form.action + "?" + fields.map { "\($0.0.formEncoded)=\($0.1.formEncoded)" }.joined(separator: "&"),
                                                     token: member.token)
                        bad.check(r.status, "\(form.method) \(form.action) \(field.0)=\(value)")
                    }
                }
            }
            bad.expectNone("member forms")
            #expect(bad.requests > 40, "member requests: \(bad.requests) over \(forms.count) forms")
            try await t.expectAlive()
        }
    }

    @Test("every integer of the OpenAPI document: query, path and JSON body fields")
    func apiFromOpenAPI() async throws {
        try await withTestApp { t in
            try await t.seedDemo()
            let card = try await t.enrolMember(phone: "13912345678")
            let coupon = try await t.issueCoupon(member: nil, face: nil, permille: 880).code
            let doc = try JSONValue.parse(try await t.send(.GET, "/api/v1/openapi.json", authorized: false).text)
            let validator = SchemaValidator(document: doc)
            let bad = FiveHundreds()
            var serial = 0
            let today = LocalDate.of(t.clock.now, in: TimeZone(identifier: "Asia/Shanghai")!).description

            /// A plausible JSON value for a schema, with `hole` (a path of keys) replaced by the hostile literal.
            func build(_ raw: JSONValue, name: String, at path: [String], hole: [String], literal: String) -> String {
                let schema = validator.representative(raw)
                if path == hole { return literal }
                if let options = schema["enum"]?.array, let first = options.first { return first.description }
                switch schema["type"]?.string ?? (schema["properties"] != nil ? "object" : "") {
                case "object":
                    let props = schema["properties"]?.object ?? [:]
                    let required = Set((schema["required"]?.array ?? []).compactMap(\.string))
                    let keys = props.keys.sorted().filter { required.contains($0) || hole.starts(with: path + [$0]) }
                    return "{" + keys.map { "\"\($0)\":" + build(props[$0]!, name: $0, at: path + [$0], hole: hole, literal: literal) }
                        .joined(separator: ",") + "}"
                case "array":
                    return "[" + build(schema["items"] ?? .null, name: name, at: path + ["0"], hole: hole, literal: literal) + "]"
                case "integer", "number": return "100"
                case "boolean": return "false"
                default:
                    serial += 1
                    if schema["format"]?.string == "date" { return "\"\(today)\"" }
                    if schema["format"]?.string == "date-time" || name.hasSuffix("At") { return "\"\(iso(t.clock.now))\"" }
                    switch name {
                    case "card": return "\"\(card)\""
                    case "phone": return "\"13912345678\""
                    case "counter": return "\"C0001\""
                    default: return "\"FZ\(serial)\""
                    }
                }
            }
            /// Key paths of every integer or number in a schema (array items as "0").
            func numericPaths(_ raw: JSONValue, at path: [String], depth: Int = 0) -> [[String]] {
                let schema = validator.representative(raw)
                guard depth < 6 else { return [] }
                switch schema["type"]?.string {
                case "integer", "number": return [path]
                case "array": return numericPaths(schema["items"] ?? .null, at: path + ["0"], depth: depth + 1)
                default:
                    return (schema["properties"]?.object ?? [:]).sorted { $0.key < $1.key }
                        .flatMap { numericPaths($0.value, at: path + [$0.key], depth: depth + 1) }
                }
            }
            var numericInputs = 0
            for (template, ops) in doc["paths"]?.object ?? [:] {
                for (method, op) in ops.object ?? [:] {
                    let params = op["parameters"]?.array ?? []
                    func url(pathValue: (String, JSONValue) -> String, query: [(String, String)]) -> String {
                        var u = template
                        for p in params where p["in"]?.string == "path" {
                            let n = p["name"]!.string!
                            u = u.replacingOccurrences(of: "{\(n)}", with: pathValue(n, validator.resolve(p["schema"] ?? .null)))
                        }
                        return u + (query.isEmpty ? "" : "?" + query.map { "\($0.0)=\($0.1.formEncoded)" }.joined(separator: "&"))
                    }
                    let bodySchema = op["requestBody"]?["content"]?["application/json"]?["schema"]
                    func body(_ hole: [String] = ["-none-"], _ literal: String = "") -> String? {
                        bodySchema.map { build($0, name: "", at: [], hole: hole, literal: literal) }
                    }
                    let m = HTTPMethod(rawValue: method.uppercased())
                    // A real coupon (8.8折, so amount × per mille is reached), else ids of 1.
                    let plainPath: (String, JSONValue) -> String = { k, s in s["type"]?.string == "integer" ? "1" : k == "code" ? coupon : "FZCODE" }
                    for (i, literal) in Hostile.jsonLiterals.enumerated() {
                        let text = Hostile.numbers[i]
                        // Numeric path and query parameters.
                        for p in params where validator.resolve(p["schema"] ?? .null)["type"]?.string == "integer" {
                            let n = p["name"]!.string!
                            numericInputs += 1
                            let u = p["in"]?.string == "path"
                                ? url(pathValue: { k, s in k == n ? text.formEncoded : plainPath(k, s) }, query: [])
                                : url(pathValue: plainPath, query: [(n, text)])
                            bad.check(try await t.send(m, u, body: body()).status, "\(method) \(u)")
                        }
                        // Numeric JSON fields of the body.
                        if let bodySchema {
                            for hole in numericPaths(bodySchema, at: []) {
                                numericInputs += 1
                                let b = body(hole, literal)!
                                let r = try await t.send(m, url(pathValue: plainPath, query: []), body: b)
                                bad.check(r.status, "\(method) \(template) \(hole.joined(separator: "."))=\(literal) body \(b.prefix(200))")
                            }
                        }
                    }
                }
            }
            #expect(numericInputs >= 42, "numeric API inputs found: \(numericInputs)")
            bad.expectNone("API")
            try await t.expectAlive()
        }
    }

    @Test("CSV import: hostile numbers in every numeric cell are rejected rows, not a crash")
    func csvImport() async throws {
        try await withTestApp { t in
            let values = Hostile.numbers + Hostile.yuan
            var members = "卡号,手机号,姓名,积分\r\n"
            var purchases = "小票号,日期,时间,手机号,店柜,金额,积分\r\n"
            var counters = "店柜,名称,课,参与折扣\r\n"
            for (i, v) in values.enumerated() {
                members += ",1390000\(String(format: "%04d", i)),张\(i),\(v)\r\n"
                purchases += "IMP\(i),2026-11-01,\(v),13900000001,C0001,100.00,1\r\n"
                purchases += "IMPA\(i),2026-11-01,10:00,13900000001,C0001,\(v),\(v)\r\n"
                purchases += "IMPD\(i),\(v),10:00,13900000001,C0001,100.00,1\r\n"
                counters += "X\(i),名\(i),\(v),\(v)\r\n"
            }
            for (kind, text) in [(ImportKind.members, members), (.purchases, purchases), (.counters, counters)] {
                do {
                    let r = try await t.store.importFile(.bytes(Array(text.utf8)), ImportOptions(
                        kind: kind, encoding: .auto, mapping: ImportMapping(), dryRun: false, actor: "test", fileName: "f.csv", batchSize: 3))
                    #expect(r.rejected > 0, "\(kind): hostile cells must be rejected rows")
                } catch let e as DomainError {
                    _ = e   // a whole-file refusal is a 4xx too
                }
            }
            try await t.expectAlive()
        }
    }

    @Test("programme YAML: a hostile number at every numeric key is refused or harmless")
    func programmeYAML() async throws {
        try await withTestApp { t in
            let yaml = Programme.defaultYAML()
            let lines = yaml.components(separatedBy: "\n")
            let numeric = lines.indices.filter { lines[$0].range(of: #"^\s*(- )?[A-Za-z_]+:\s*"?-?[0-9][0-9.]*"?\s*(#.*)?$"#, options: .regularExpression) != nil }
            #expect(numeric.count > 20, "numeric programme keys: \(numeric.count)")
            let admin = try await t.console(as: "fuzzadmin", .admin)
            let card = try await t.enrolMember(phone: "13912345678")
            var applied = 0
            for i in numeric {
                for value in Hostile.numbers + ["100000000000000"] {
                    var copy = lines
                    let line = copy[i]
                    let colon = line.firstIndex(of: ":")!
                    copy[i] = String(line[...colon]) + " " + value
                    let text = copy.joined(separator: "\n")
                    guard (try? Programme.parse(yaml: text)) != nil else { continue }
                    // Accepted: it must be harmless to use.
                    applied += 1
                    _ = try await t.store.applyProgramme(yaml: text, by: "test", note: "fuzz")
                    let q = try await t.postRaw("/api/v1/quotes", "{\"card\":\"\(card)\",\"lines\":[{\"counter\":\"C0001\",\"amountFen\":99999999}]}")
                    #expect(q.status.code < 500, "quote after \(line.trimmingCharacters(in: .whitespaces)) → \(value): \(q.status)")
                    let p = try await t.purchase("Y\(i)-\(applied)", fen: 99_999_999, card: card)
                    #expect(p.status.code < 500, "purchase after \(line.trimmingCharacters(in: .whitespaces)) → \(value): \(p.status)")
                    for page in ["/console", "/console/programme", "/console/members?q=\(card)"] {
                        let r = try await admin.get(page)
                        #expect(r.status.code < 500, "\(page) after \(line.trimmingCharacters(in: .whitespaces)) → \(value): \(r.status)")
                    }
                }
            }
            _ = try await t.store.applyProgramme(yaml: yaml, by: "test", note: "back")
            try await t.expectAlive()
        }
    }
}
