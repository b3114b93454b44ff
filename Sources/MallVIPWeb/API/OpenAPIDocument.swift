import Foundation
import MallVIPCore
import OpenAPIKit30
import Vapor

/// The OpenAPI 3.0 description of the POS API, built from typed OpenAPIKit values. The limits it states are the
/// server's own constants (`APIContract`, `NumericLimits`), so a bound changed in code changes here too.
/// OpenAPITests walks every /api/v1 route against `paths` and validates real answers against these schemas;
/// `scripts/schemathesis` generates requests from it and checks the server keeps every promise.
enum OpenAPIDocument {
    static func serve(req: Request) async throws -> Response {
        var headers = HTTPHeaders()
        headers.contentType = .json
        return Response(status: .ok, headers: headers, body: .init(string: json))
    }

    /// Encoded once: the document does not change while the server runs.
    static let json: String = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        // The document is built from constants; failing to encode it is a programming error caught by the tests.
        guard let data = try? encoder.encode(document), let text = String(data: data, encoding: .utf8) else { return "{}" }
        return text
    }()

    static var document: OpenAPI.Document {
        OpenAPI.Document(
            openAPIVersion: .v3_0_3,
            info: .init(title: "MallVIP POS API", description: """
                Member lookup, enrolment, quotes, purchases, refunds, coupons, rewards, parking, partner merchants and \
                SMS callbacks for cashier and partner systems. Amounts are integer fen. Writes are idempotent on \
                receiptNo / refundNo / idempotencyKey. Errors are JSON naming the field and the rule; a method a path \
                does not have answers 405 with an Allow header.
                """, version: "1.0.0"),
            servers: [.init(urlTemplate: URLTemplate(rawValue: "/")!)],
            paths: OpenAPIPaths.all,
            components: .init(schemas: OpenAPISchemas.all, responses: ["Error": errorResponse("Error naming the field and the rule")],
                              securitySchemes: ["apiKey": .http(scheme: "bearer", description:
                                "An API key from `mallvip apikey create` (partner keys: `--partner CODE`), sent as Authorization: Bearer <key>")]),
            security: [[.component(named: "apiKey"): []]])
    }

    static func errorResponse(_ description: String) -> OpenAPI.Response {
        .init(description: description, content: [.json: .init(schema: .reference(.component(named: "Error")))])
    }
}

/// The bounds the API enforces, in one place for the handlers and the document.
enum APIContract {
    /// Receipt, refund and counter references on purchases, refunds and coupon use (`Validate.reference`): 1–64
    /// printable ASCII characters, no space and no `|` (the fingerprint's separator).
    static let referencePattern = "^[!-{}~]+$"
    static let referenceMaxLength = 64
    /// One line of a purchase, refund, quote or coupon use (`Validate.amount`): 1 fen to 100,000,000 yuan.
    static let maxLineFen: Int64 = 10_000_000_000
    static let maxPurchaseLines = 500
    /// 11-digit mainland mobile number (`Identity.isValidPhone`).
    static let phonePattern = "^1[3-9][0-9]{9}$"
    /// Card numbers are digits with a Luhn check digit (`CardNumber.isValid`); the check digit is not expressible here.
    static let cardPattern = "^[0-9]{2,32}$"
    static let maxIdempotencyKey = 64
    /// Text the server trims with `.whitespaces` and then requires non-empty: a character other than space or tab.
    /// (The server also trims the other Unicode spaces, U+3000 and the like; the pattern states the ASCII part,
    /// because schemathesis cannot draw from a negated class with non-ASCII escapes.)
    static let notBlank = "[^ \\t]"
    /// The same for `.whitespacesAndNewlines`: also not only line breaks.
    static let notBlankLines = "[^ \\t\\n\\u000B\\f\\r]"
}

// MARK: - Building blocks

extension JSONSchema {
    static func ref(_ name: String, required: Bool = true) -> JSONSchema { .reference(.component(named: name), required: required) }

    static func fen(required: Bool = true, nullable: Bool? = nil, min: Int? = nil, max: Int64? = nil, _ description: String? = nil) -> JSONSchema {
        .integer(format: .int64, required: required, nullable: nullable, description: description,
                 maximum: max.map { (Int($0), exclusive: false) }, minimum: min.map { ($0, exclusive: false) })
    }

    static func int64(required: Bool = true, nullable: Bool? = nil, _ description: String? = nil) -> JSONSchema {
        .integer(format: .int64, required: required, nullable: nullable, description: description)
    }

    static func text(required: Bool = true, nullable: Bool? = nil, _ description: String? = nil) -> JSONSchema {
        .string(required: required, nullable: nullable, description: description)
    }

    static func date(required: Bool = true, nullable: Bool? = nil, _ description: String? = nil) -> JSONSchema {
        .string(format: .date, required: required, nullable: nullable, description: description)
    }

    static func dateTime(required: Bool = true, _ description: String? = nil) -> JSONSchema {
        .string(format: .dateTime, required: required, description: description)
    }

    static func reference(required: Bool = true, _ description: String? = nil) -> JSONSchema {
        .string(required: required, description: description, minLength: 1, maxLength: APIContract.referenceMaxLength,
                pattern: APIContract.referencePattern)
    }

    static func idempotencyKey(_ description: String) -> JSONSchema {
        .string(description: description, minLength: 1, maxLength: APIContract.maxIdempotencyKey, pattern: APIContract.notBlank)
    }

    /// `emptyMeansAbsent`: the handler reads "" as not given (purchases, coupon use, redemptions, partner visits).
    static func card(required: Bool = false, emptyMeansAbsent: Bool = false,
                     _ description: String = "card number: digits ending in a Luhn check digit") -> JSONSchema {
        .string(required: required, description: emptyMeansAbsent ? description + "; empty = not given" : description,
                pattern: emptyMeansAbsent ? "^(\(APIContract.cardPattern.dropFirst().dropLast()))?$" : APIContract.cardPattern)
    }

    static func phone(required: Bool = false, emptyMeansAbsent: Bool = false, _ description: String = "11-digit mobile number") -> JSONSchema {
        .string(required: required, description: emptyMeansAbsent ? description + "; empty = not given" : description,
                pattern: emptyMeansAbsent ? "^(\(APIContract.phonePattern.dropFirst().dropLast()))?$" : APIContract.phonePattern)
    }

    static func lineFen(_ description: String? = nil) -> JSONSchema {
        .fen(min: 1, max: APIContract.maxLineFen, description)
    }

    /// A body that must name a member by card or phone (either or both; the card wins): anyOf the object with card
    /// required and the same object with phone required. (Spelled as two whole objects rather than allOf + anyOf,
    /// which schemathesis' coverage phase cannot draw from.)
    static func cardOrPhone(_ properties: OrderedDictionary<String, JSONSchema>, description: String? = nil) -> JSONSchema {
        either(properties, "card", .card(required: true), "phone", .phone(required: true), description: description)
    }

    /// anyOf: the object with `first` required, or with `second` required.
    static func either(_ properties: OrderedDictionary<String, JSONSchema>, _ first: String, _ firstSchema: JSONSchema,
                       _ second: String, _ secondSchema: JSONSchema, description: String? = nil) -> JSONSchema {
        var a = properties, b = properties
        a[first] = firstSchema
        b[second] = secondSchema
        return .any(of: [.object(properties: a), .object(properties: b)], core: .init(description: description))
    }
}

extension OpenAPI.Response.Map {
    /// The error answers of an operation, all with the Error body.
    static func errors(_ codes: [Int]) -> OpenAPI.Response.Map {
        var map = OpenAPI.Response.Map()
        for code in codes { map[OpenAPI.Response.StatusCode(integerLiteral: code)] = .reference(.component(named: "Error")) }
        return map
    }

    /// These answers, then those of `other` not already here.
    func adding(_ other: OpenAPI.Response.Map) -> OpenAPI.Response.Map {
        var map = self
        for (code, response) in other where map[code] == nil { map[code] = response }
        return map
    }
}

extension OpenAPI.Response {
    static func json(_ description: String, _ schema: JSONSchema) -> Either<JSONReference<OpenAPI.Response>, OpenAPI.Response> {
        .response(.init(description: description, content: [.json: .init(schema: schema)]))
    }
}

extension OpenAPI.Parameter {
    static func query(_ name: String, _ schema: JSONSchema, required: Bool = false, _ description: String? = nil) -> OpenAPI.Parameter.Array.Element {
        .parameter(.init(name: name, context: .query(required: required), schema: schema, description: description))
    }

    static func path(_ name: String, _ schema: JSONSchema) -> OpenAPI.Parameter.Array.Element {
        .parameter(.init(name: name, context: .path, schema: schema))
    }

    /// `?card=…` or `?phone=…` (at least one): one exploded form object, so the rule "give card or phone" is in the
    /// schema rather than only in prose.
    static var memberKey: OpenAPI.Parameter.Array.Element {
        .parameter(.init(name: "member", context: .query(required: true),
                         schema: .init(.object(description: "card or phone (at least one; card wins)", minProperties: 1,
                                               properties: ["card": .card(), "phone": .phone()],
                                               additionalProperties: .a(false)),
                                       style: .form, explode: true),
                         description: "the member: ?card=… or ?phone=…"))
    }
}

extension OpenAPI.Request {
    static func json(_ schema: JSONSchema) -> OpenAPI.Request {
        .init(content: [.json: .init(schema: schema)], required: true)
    }
}
