import Foundation
import Vapor

/// The OpenAPI 3.0 document of the mini-program API (issue 22a), separate from the POS one (/api/v1/openapi.json):
/// other callers, other auth (a member's session token, not an API key). Kept as JSON text so that a part adding a
/// route adds its entry beside the others; MiniProgramAPITests decodes it with OpenAPIKit, validates it and checks
/// every registered /api/m/v1 route appears in it.
enum MiniProgramOpenAPI {
    static func serve(req: Request) async throws -> Response {
        var headers = HTTPHeaders()
        headers.contentType = .json
        return Response(status: .ok, headers: headers, body: .init(string: json))
    }

    static let json: String = MiniProgramOpenAPIText.document
}
