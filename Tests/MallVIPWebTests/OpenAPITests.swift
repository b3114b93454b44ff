import Foundation
import MallVIPCore
import MallVIPStore
import Testing
import Vapor
@testable import MallVIPWeb

/// Checks a value against the subset of OpenAPI 3.0 schema the document uses: $ref, anyOf/oneOf/allOf, type,
/// nullable, required, properties (and no undocumented ones in responses), items, enum, minimum/maximum, minItems,
/// format date.
struct SchemaValidator {
    let document: JSONValue

    func resolve(_ schema: JSONValue) -> JSONValue {
        guard let ref = schema["$ref"]?.string else { return schema }
        var node = document
        for part in ref.dropFirst(2).split(separator: "/") { node = node[String(part)] ?? .null }
        return resolve(node)
    }

    /// The schema a value of this kind is built from: a `$ref` resolved, and of an anyOf/oneOf the first option
    /// (the document writes "card or phone" bodies as anyOf two whole objects).
    func representative(_ schema: JSONValue) -> JSONValue {
        let s = resolve(schema)
        if let first = (s["anyOf"] ?? s["oneOf"])?.array?.first { return representative(first) }
        return s
    }

    func validate(_ value: JSONValue, _ rawSchema: JSONValue, at path: String = "$") -> [String] {
        let schema = resolve(rawSchema)
        if let options = (schema["anyOf"] ?? schema["oneOf"])?.array {
            let results = options.map { validate(value, $0, at: path) }
            return results.contains { $0.isEmpty } ? [] : ["\(path): matches none of \(options.count) options: \(results.first ?? [])"]
        }
        if let parts = schema["allOf"]?.array { return parts.flatMap { validate(value, $0, at: path) } }
        if value == .null {
            return schema["nullable"]?.bool == true ? [] : ["\(path): null but not nullable"]
        }
        var problems: [String] = []
        if let type = schema["type"]?.string {
            let ok: Bool = switch (type, value) {
            case ("object", .object), ("array", .array), ("string", .string), ("boolean", .bool), ("integer", .int): true
            case ("number", .int), ("number", .double): true
            default: false
            }
            if !ok { return ["\(path): expected \(type), got \(value)"] }
        }
        if let options = schema["enum"]?.array, !options.contains(value) {
            problems.append("\(path): \(value) not in enum \(options)")
        }
        if case .int(let i) = value {
            if case .int(let min)? = schema["minimum"], i < min { problems.append("\(path): \(i) below minimum \(min)") }
            if case .int(let max)? = schema["maximum"], i > max { problems.append("\(path): \(i) above maximum \(max)") }
        }
        if case .string(let s) = value, schema["format"]?.string == "date", LocalDate(s) == nil {
            problems.append("\(path): \(s) is not a date")
        }
        if case .string(let s) = value, let pattern = schema["pattern"]?.string,
           s.range(of: pattern, options: .regularExpression) == nil {
            problems.append("\(path): \(s) does not match \(pattern)")
        }
        if case .array(let items) = value {
            if case .int(let min)? = schema["minItems"], items.count < min { problems.append("\(path): fewer than \(min) items") }
            if let itemSchema = schema["items"] {
                for (i, item) in items.enumerated() { problems += validate(item, itemSchema, at: "\(path)[\(i)]") }
            }
        }
        if case .object(let fields) = value {
            let properties = schema["properties"]?.object ?? [:]
            for case .string(let name) in schema["required"]?.array ?? [] where fields[name] == nil {
                problems.append("\(path): required property \(name) is missing")
            }
            for (name, v) in fields {
                if let p = properties[name] {
                    problems += validate(v, p, at: "\(path).\(name)")
                } else if !properties.isEmpty {
                    problems.append("\(path): property \(name) is not in the schema")
                }
            }
        }
        return problems
    }
}

/// GET /api/v1/openapi.json is kept true: every route is documented with its method, and real answers of every
/// endpoint match their documented schema.
@Suite("OpenAPI document") struct OpenAPITests {
    func document(_ t: TestContext) async throws -> JSONValue {
        let r = try await t.send(.GET, "/api/v1/openapi.json", authorized: false)
        #expect(r.status == .ok)
        return try JSONValue.parse(r.text)
    }

    @Test("the document parses as OpenAPI 3 and every schema reference resolves")
    func parses() async throws {
        try await withTestApp { t in
            let doc = try await document(t)
            #expect(doc["openapi"]?.string?.hasPrefix("3.") == true)
            #expect(doc["info"]?["title"]?.string?.isEmpty == false)
            let paths = try #require(doc["paths"]?.object)
            #expect(!paths.isEmpty)
            // Every $ref anywhere resolves to something.
            func refs(_ v: JSONValue) -> [String] {
                switch v {
                case .object(let o): (o["$ref"]?.string.map { [$0] } ?? []) + o.values.flatMap(refs)
                case .array(let a): a.flatMap(refs)
                default: []
                }
            }
            let validator = SchemaValidator(document: doc)
            for ref in Set(refs(doc)) {
                #expect(validator.resolve(.object(["$ref": .string(ref)])) != .null, "unresolved \(ref)")
            }
        }
    }

    @Test("every route registered under /api/v1 is in paths with its method, and nothing else is")
    func routesDocumented() async throws {
        try await withTestApp { t in
            let doc = try await document(t)
            let paths = try #require(doc["paths"]?.object)
            let routes = t.app.routes.all
                // Path parameters are written the OpenAPI way: `:code` is documented as `{code}`.
                .map { ("/" + $0.path.map { c in if case .parameter(let name) = c { "{\(name)}" } else { c.description } }
                            .joined(separator: "/"), $0.method.rawValue.lowercased()) }
                .filter { $0.0.hasPrefix("/api/v1/") }
            #expect(routes.count >= 7)
            for (path, method) in routes {
                #expect(paths[path]?[method] != nil, "\(method.uppercased()) \(path) is not documented")
            }
            let registered = Set(routes.map { "\($0.1) \($0.0)" })
            for (path, item) in paths {
                for method in (item.object ?? [:]).keys {
                    #expect(registered.contains("\(method) \(path)"), "documented \(method.uppercased()) \(path) is not a route")
                }
            }
        }
    }

    @Test("real answers of each endpoint match the documented schema for their status")
    func responsesMatchSchemas() async throws {
        try await withTestApp { t in
            let doc = try await document(t)
            let validator = SchemaValidator(document: doc)
            var checked: Set<String> = []

            func check(_ method: String, _ path: String, _ r: RawResponse, sourceLocation: SourceLocation = #_sourceLocation) throws {
                let template = path.split(separator: "?").first.map(String.init) ?? path
                let responses = doc["paths"]?[template]?[method]?["responses"]
                guard let documented = responses?[String(r.status.code)] else {
                    Issue.record("\(method.uppercased()) \(template) answered \(r.status.code), which is not documented", sourceLocation: sourceLocation)
                    return
                }
                let response = validator.resolve(documented)
                guard let schema = response["content"]?["application/json"]?["schema"] else {
                    Issue.record("\(method.uppercased()) \(template) \(r.status.code) has no JSON schema", sourceLocation: sourceLocation)
                    return
                }
                let value = try JSONValue.parse(r.text)
                let problems = validator.validate(value, schema)
                #expect(problems.isEmpty, "\(method.uppercased()) \(template) \(r.status.code): \(problems)\n\(r.text)", sourceLocation: sourceLocation)
                checked.insert("\(method) \(template) \(r.status.code)")
            }

            // Counters.
            try check("get", "/api/v1/counters", try await t.send(.GET, "/api/v1/counters"))
            try check("get", "/api/v1/counters", try await t.send(.GET, "/api/v1/counters", authorized: false))
            // Purchases: non-member, member, replay, conflict, invalid, malformed.
            try check("post", "/api/v1/purchases", try await t.purchase("NM-1", fen: 60_000, phone: "13800000001"))
            let enrolled = try await t.enrol(phone: "13800000001", receipts: ["NM-1"])
            try check("post", "/api/v1/members", enrolled)
            let card = try #require(enrolled.string("cardNo"))
            try check("post", "/api/v1/members", try await t.enrol(phone: "13800000001", receipts: ["NM-1"]))          // 409
            try check("post", "/api/v1/members", try await t.enrol(phone: "13800000002"))                              // 422
            try check("post", "/api/v1/members", try await t.postRaw("/api/v1/members", "{\"phone\":1}"))              // 400
            let member = try await t.purchase("M-1", fen: 3_940_000, card: card)   // diamond, 紫金 requested
            try check("post", "/api/v1/purchases", member)
            try check("post", "/api/v1/purchases", try await t.purchase("M-1", fen: 3_940_000, card: card))        // 200
            try check("post", "/api/v1/purchases", try await t.purchase("M-1", fen: 100, card: card))              // 409
            try check("post", "/api/v1/purchases", try await t.purchase("M-2", fen: 0, card: card))                // 422
            try check("post", "/api/v1/purchases", try await t.postRaw("/api/v1/purchases", "{"))                  // 400
            // Lookup.
            try check("get", "/api/v1/members/lookup", try await t.lookup(card: card))
            try check("get", "/api/v1/members/lookup", try await t.lookup(phone: "13999999999"))                  // 404
            try check("get", "/api/v1/members/lookup", try await t.send(.GET, "/api/v1/members/lookup"))          // 422
            // Quotes.
            try check("post", "/api/v1/quotes", try await t.postRaw("/api/v1/quotes",
                #"{"card":"\#(card)","lines":[{"counter":"C0001","amountFen":100000,"counterPromotionPermille":800}]}"#))
            try check("post", "/api/v1/quotes", try await t.postRaw("/api/v1/quotes", #"{"lines":[{"counter":"C0001","amountFen":100}]}"#))
            try check("post", "/api/v1/quotes", try await t.postRaw("/api/v1/quotes", #"{"lines":[{"counter":"C0001","amountFen":-1}]}"#))
            // Refunds: member, replay, conflict, over, non-member.
            try check("post", "/api/v1/refunds", try await t.refund("F-1", receipt: "M-1", fen: 100))
            try check("post", "/api/v1/refunds", try await t.refund("F-1", receipt: "M-1", fen: 100))
            try check("post", "/api/v1/refunds", try await t.refund("F-1", receipt: "M-1", fen: 200))
            try check("post", "/api/v1/refunds", try await t.refund("F-2", receipt: "M-1", fen: 4_000_000))
            _ = try await t.purchase("NM-2", fen: 10_000)
            try check("post", "/api/v1/refunds", try await t.refund("F-3", receipt: "NM-2", fen: 100))
            // Parking exits: member by card, replay, conflict, exit before entry, malformed.
            try check("post", "/api/v1/parking/exits", try await t.parkingExit("PK-1", card: card, minutes: 300))
            try check("post", "/api/v1/parking/exits", try await t.parkingExit("PK-1", card: card, minutes: 300))        // 200
            try check("post", "/api/v1/parking/exits", try await t.parkingExit("PK-1", card: card, minutes: 301))        // 409
            try check("post", "/api/v1/parking/exits", try await t.parkingExit("PK-2", plate: "京A00001", minutes: 30))   // non-member
            try check("post", "/api/v1/parking/exits", try await t.parkingExit("PK-3", plate: "京A00001", minutes: -30)) // 422
            try check("post", "/api/v1/parking/exits", try await t.postRaw("/api/v1/parking/exits", "{}"))               // 400
            // SMS gateway callbacks: delivery report (unknown id), reply, invalid.
            try check("post", "/api/v1/sms/status", try await t.postRaw("/api/v1/sms/status", #"{"providerId":"X-1","status":"DELIVRD"}"#))
            try check("post", "/api/v1/sms/status", try await t.postRaw("/api/v1/sms/status", #"{"providerId":"","status":"DELIVRD"}"#))  // 422
            try check("post", "/api/v1/sms/inbound", try await t.postRaw("/api/v1/sms/inbound", #"{"phone":"+8613800000001","text":"TD"}"#))
            try check("post", "/api/v1/sms/inbound", try await t.postRaw("/api/v1/sms/inbound", #"{"phone":"12","text":"TD"}"#))          // 422
            try check("post", "/api/v1/sms/inbound", try await t.postRaw("/api/v1/sms/inbound", "{}"))                                     // 400
            // The document itself.
            try check("get", "/api/v1/openapi.json", try await t.send(.GET, "/api/v1/openapi.json", authorized: false))

            // Every documented endpoint's success answer was exercised.
            for expected in ["get /api/v1/counters 200", "post /api/v1/purchases 201", "post /api/v1/purchases 200",
                             "post /api/v1/members 201", "get /api/v1/members/lookup 200", "post /api/v1/quotes 200",
                             "post /api/v1/refunds 201", "post /api/v1/refunds 200",
                             "post /api/v1/parking/exits 201", "post /api/v1/parking/exits 200", "get /api/v1/openapi.json 200",
                             "post /api/v1/sms/status 200", "post /api/v1/sms/inbound 200"] {
                #expect(checked.contains(expected), "not exercised: \(expected)")
            }
        }
    }

    @Test("the validator itself catches a wrong type, a missing required property and an undocumented one")
    func validatorSelfCheck() async throws {
        try await withTestApp { t in
            let doc = try await document(t)
            let v = SchemaValidator(document: doc)
            let schema = JSONValue.object(["$ref": .string("#/components/schemas/MemberLookup")])
            let good = try JSONValue.parse(#"{"cardNo":null,"tier":"gold","tierName":"金卡","points":1,"displayName":"张*","title":"","birthdayToday":false}"#)
            #expect(v.validate(good, schema).isEmpty)
            let wrongType = try JSONValue.parse(#"{"tier":"gold","tierName":"金卡","points":"1","displayName":"张*","title":"","birthdayToday":false}"#)
            #expect(!v.validate(wrongType, schema).isEmpty)
            let boolAsInt = try JSONValue.parse(#"{"tier":"gold","tierName":"金卡","points":1,"displayName":"张*","title":"","birthdayToday":0}"#)
            #expect(!v.validate(boolAsInt, schema).isEmpty)
            let missing = try JSONValue.parse(#"{"tier":"gold","points":1,"displayName":"张*","title":"","birthdayToday":false}"#)
            #expect(v.validate(missing, schema).contains { $0.contains("tierName") })
            let extra = try JSONValue.parse(#"{"tier":"gold","tierName":"金卡","points":1,"displayName":"张*","title":"","birthdayToday":false,"phone":"138"}"#)
            #expect(v.validate(extra, schema).contains { $0.contains("phone") })
        }
    }
}
