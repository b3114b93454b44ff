import Foundation
import MallVIPCore
import OpenAPIKit30
import Testing
import Vapor
import VaporTesting
@testable import MallVIPWeb

/// The API keeps the promises of its OpenAPI document: a method a path does not have is 405 with `Allow`, the typed
/// document and the registered routes are the same set, and the limits the document states are the server's.
@Suite("API contract: 405 with Allow, document = routes, stated limits")
struct APIContractTests {
    func raw(_ t: TestContext, _ method: HTTPMethod, _ path: String, body: String? = nil) async throws -> TestingHTTPResponse {
        var headers = t.auth
        if body != nil { headers.replaceOrAdd(name: .contentType, value: "application/json") }
        return try await t.app.testing().sendRequest(method, path, headers: headers, body: body.map { ByteBuffer(string: $0) })
    }

    @Test("an undeclared method on an API path is 405 with Allow listing the path's methods and a JSON error")
    func methodNotAllowed() async throws {
        try await withTestApp { t in
            for (method, path, allow) in [(HTTPMethod.POST, "/api/v1/counters", "GET, HEAD"),
                                          (.TRACE, "/api/v1/counters", "GET, HEAD"),
                                          (.GET, "/api/v1/purchases", "POST"),
                                          (.DELETE, "/api/v1/refunds", "POST"),
                                          (.PUT, "/api/v1/coupons/ANYCODE", "GET, HEAD"),
                                          (.GET, "/api/v1/coupons/ANYCODE/redeem", "POST"),
                                          (.PATCH, "/api/v1/redemptions/12/void", "POST"),
                                          (.POST, "/api/v1/openapi.json", "GET, HEAD")] {
                let r = try await raw(t, method, path)
                #expect(r.status == .methodNotAllowed, "\(method) \(path): \(r.status)")
                #expect(r.headers.first(name: .allow) == allow, "\(method) \(path): Allow \(r.headers.first(name: .allow) ?? "none")")
                let body = try JSONValue.parse(r.body.string)
                #expect(body["error"]?["rule"]?.string == "http.405", "\(method) \(path): \(r.body.string)")
                #expect(r.headers.contentType == .json)
            }
        }
    }

    @Test("a path nobody registered stays 404, a declared method still works, and console pages keep their 404")
    func unknownPathsStay404() async throws {
        try await withTestApp { t in
            let unknown = try await raw(t, .GET, "/api/v1/nothing-here"), longer = try await raw(t, .POST, "/api/v1/counters/extra")
            #expect(unknown.status == .notFound)
            #expect(longer.status == .notFound)
            #expect(unknown.headers.first(name: .allow) == nil)
            let get = try await raw(t, .GET, "/api/v1/counters"), head = try await raw(t, .HEAD, "/api/v1/counters")
            #expect(get.status == .ok)
            // Vapor answers HEAD through the GET route, which is why Allow lists HEAD beside GET.
            #expect(head.status == .ok)
            let console = try await raw(t, .DELETE, "/console/no-such-page")
            #expect(console.status == .notFound)
        }
    }

    @Test("path matching: constants, parameters, catch-all, and nothing for an unknown path")
    func allowedMethodsMatching() {
        let routes: [Route] = [
            Route(method: .GET, path: ["api", "v1", "coupons", ":code"], responder: EmptyResponder(), requestType: Request.self, responseType: Response.self),
            Route(method: .POST, path: ["api", "v1", "coupons", ":code", "redeem"], responder: EmptyResponder(), requestType: Request.self, responseType: Response.self),
            Route(method: .GET, path: ["files", "**"], responder: EmptyResponder(), requestType: Request.self, responseType: Response.self),
        ]
        #expect(MethodNotAllowedMiddleware.allowedMethods(path: "/api/v1/coupons/X1", routes: routes) == ["GET", "HEAD"])
        #expect(MethodNotAllowedMiddleware.allowedMethods(path: "/api/v1/coupons/X1/redeem", routes: routes) == ["POST"])
        #expect(MethodNotAllowedMiddleware.allowedMethods(path: "/api/v1/coupons", routes: routes).isEmpty)
        #expect(MethodNotAllowedMiddleware.allowedMethods(path: "/files/a/b", routes: routes) == ["GET", "HEAD"])
        #expect(MethodNotAllowedMiddleware.allowedMethods(path: "/files", routes: routes).isEmpty)
    }

    @Test("each documented path and method of the typed document is a registered route, and each /api/v1 route is documented")
    func typedDocumentEqualsRoutes() async throws {
        try await withTestApp { t in
            let document = OpenAPIDocument.document
            var documented: Set<String> = []
            for (path, item) in document.paths {
                guard let item = item.b else { Issue.record("\(path.rawValue) is a reference"); continue }
                for endpoint in item.endpoints {
                    documented.insert("\(endpoint.method.rawValue.uppercased()) /\(path.components.joined(separator: "/"))")
                }
            }
            let registered = Set(t.app.routes.all
                .map { route in "\(route.method.rawValue) /" + route.path.map { c in
                    if case .parameter(let name) = c { "{\(name)}" } else { c.description } }.joined(separator: "/") }
                .filter { $0.split(separator: " ")[1].hasPrefix("/api/v1/") })
            #expect(documented.count >= 16)
            #expect(documented.subtracting(registered).isEmpty, "documented, not registered: \(documented.subtracting(registered).sorted())")
            #expect(registered.subtracting(documented).isEmpty, "registered, not documented: \(registered.subtracting(documented).sorted())")
            // The served JSON is this document.
            let served = try await raw(t, .GET, "/api/v1/openapi.json")
            let decoded = try JSONDecoder().decode(OpenAPI.Document.self, from: Data(served.body.string.utf8))
            #expect(decoded.paths.count == document.paths.count)
            #expect(decoded.components.schemas.count == document.components.schemas.count)
        }
    }

    @Test("the document states the server's limits: card-or-phone, reference format, line amounts, 405 not documented as a route")
    func documentStatesLimits() async throws {
        let json = try JSONValue.parse(OpenAPIDocument.json)
        let schemas = try #require(json["components"]?["schemas"])
        // A purchase line: 1 fen to the line maximum, a printable counter reference.
        let line = try #require(schemas["PurchaseLine"]?["properties"])
        #expect(line["amountFen"]?["minimum"] == .int(1))
        #expect(line["amountFen"]?["maximum"] == .int(APIContract.maxLineFen))
        #expect(line["counter"]?["pattern"]?.string == APIContract.referencePattern)
        #expect(line["counter"]?["maxLength"] == .int(64))
        // Look-ups say "card or phone" in the schema: one required form object with at least one property.
        let lookup = try #require(json["paths"]?["/api/v1/members/lookup"]?["get"]?["parameters"]?.array?.first)
        #expect(lookup["required"]?.bool == true)
        #expect(lookup["schema"]?["minProperties"] == .int(1))
        // form style, exploded (the defaults for a query parameter): ?card=…&phone=…
        #expect(lookup["style"] == nil || lookup["style"]?.string == "form")
        #expect(lookup["explode"] == nil || lookup["explode"]?.bool == true)
        #expect(lookup["schema"]?["properties"]?["card"]?["pattern"]?.string == APIContract.cardPattern)
        #expect(lookup["schema"]?["properties"]?["phone"]?["pattern"]?.string == APIContract.phonePattern)
        // Bodies naming a member: anyOf the body with card required, the body with phone required.
        for name in ["RedemptionRequest", "PartnerVisitRequest"] {
            let options = try #require(schemas[name]?["anyOf"]?.array, "\(name)")
            #expect(options.count == 2)
            #expect(options.first?["required"]?.array?.contains(.string("card")) == true, "\(name)")
            #expect(options.last?["required"]?.array?.contains(.string("phone")) == true, "\(name)")
            #expect(options.last?["required"]?.array?.contains(.string("card")) == false, "\(name)")
        }
        let parking = try #require(schemas["ParkingExitRequest"]?["anyOf"]?.array)
        #expect(parking.last?["required"]?.array?.contains(.string("plate")) == true)
        // The reference pattern is the server's rule: what it accepts, the server accepts; what it refuses, the server refuses.
        for ok in ["R-1", "A~}{!", String(repeating: "9", count: 64)] {
            #expect(ok.range(of: APIContract.referencePattern, options: .regularExpression) != nil, "\(ok)")
        }
        for bad in ["a b", "a|b", "收据", "a\u{01}b", "a\u{7F}"] {
            #expect(bad.range(of: APIContract.referencePattern, options: .regularExpression) == nil, "\(bad)")
        }
    }

    @Test("the server refuses exactly past the stated limits (quote lines, references with control characters)")
    func serverEnforcesStatedLimits() async throws {
        try await withTestApp { t in
            let max = APIContract.maxLineFen
            let atMax = try await t.postRaw("/api/v1/quotes", #"{"lines":[{"counter":"C0001","amountFen":\#(max)}]}"#)
            #expect(atMax.status == .ok, "\(atMax.text)")
            let over = try await t.postRaw("/api/v1/quotes", #"{"lines":[{"counter":"C0001","amountFen":\#(max + 1)}]}"#)
            #expect(over.status == .unprocessableEntity)
            #expect(over.errorField == "lines[0].amountFen")
            #expect(over.errorRule == "amount.max")
            let control = try await t.postRaw("/api/v1/purchases", t.purchaseJSON("R\\u0001X", lines: [Line(100)]))
            #expect(control.status == .unprocessableEntity)
            #expect(control.errorField == "receiptNo")
            #expect(control.errorRule == "reference.format")
        }
    }
}

private struct EmptyResponder: Responder {
    func respond(to request: Request) -> EventLoopFuture<Response> { request.eventLoop.makeSucceededFuture(Response()) }
}
