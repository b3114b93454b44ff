import Vapor

/// A method a known API path does not have answers 405 Method Not Allowed with an `Allow` header (RFC 9110 §15.5.6),
/// not 404: the path exists, the method does not. The methods come from the routes actually registered
/// (`app.routes.all`), read when a request finds no route, so nothing is listed by hand and a new route is covered
/// as soon as it is registered. Only under /api/: console and member pages keep their 404 page.
///
/// Inside AppErrorMiddleware, which would drop the `Allow` header of a thrown Abort; so the answer is made here,
/// with the same JSON error body (rule `http.405`).
struct MethodNotAllowedMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        do {
            return try await next.respond(to: request)
        } catch {
            return try errorResponse(error, request)
        }
    }

    /// The 405 answer for a known API path, or `error` again (also the future-based path, Middleware+EventLoop.swift).
    func errorResponse(_ error: any Error, _ request: Request) throws -> Response {
        guard error is RouteNotFound, request.url.path.hasPrefix("/api/") else { throw error }
        let allowed = Self.allowedMethods(path: request.url.path, routes: request.application.routes.all)
        guard !allowed.isEmpty else { throw error }
        let allow = allowed.joined(separator: ", ")
        let response = Response(status: .methodNotAllowed)
        response.headers.replaceOrAdd(name: .allow, value: allow)
        try response.content.encode(APIErrorBody(error: .init(
            field: nil, rule: "http.405",
            message: "\(request.method.rawValue) is not allowed on this path; allowed: \(allow)",
            messageZh: "此路径不支持 \(request.method.rawValue) 方法；支持：\(allow)")), as: .json)
        return response
    }

    /// The methods registered for a concrete path, sorted; HEAD is included wherever GET is, since Vapor answers
    /// HEAD through the GET route.
    static func allowedMethods(path: String, routes: [Route]) -> [String] {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true).map { $0.removingPercentEncoding ?? String($0) }
        var methods = Set<String>()
        for route in routes where matches(route.path, parts) {
            methods.insert(route.method.rawValue)
            if route.method == .GET { methods.insert(HTTPMethod.HEAD.rawValue) }
        }
        return methods.sorted()
    }

    static func matches(_ pattern: [PathComponent], _ parts: [String]) -> Bool {
        var i = 0
        for component in pattern {
            switch component {
            case .catchall: return i < parts.count
            case .constant(let c):
                guard i < parts.count, parts[i] == c else { return false }
            case .parameter, .anything:
                guard i < parts.count else { return false }
            }
            i += 1
        }
        return i == parts.count
    }
}
