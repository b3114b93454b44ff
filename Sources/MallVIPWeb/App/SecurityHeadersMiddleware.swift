import Vapor

/// Browser protections on every response (console, member pages, API, errors, static files): a
/// Content-Security-Policy that allows no inline script (pages load only `/console.js` from our own origin), no
/// plugins, no `<base>`, forms only to us and no framing; `nosniff`; the referrer only to our own origin; and
/// `X-Frame-Options` for browsers that predate `frame-ancestors`. Inline `style` stays allowed (pages set widths in
/// `style=` attributes; every attribute value is escaped by the renderer). A route that sets one of these headers
/// itself keeps its own value.
struct SecurityHeadersMiddleware: AsyncMiddleware {
    static let contentSecurityPolicy = [
        "default-src 'self'",
        "script-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "img-src 'self' data:",
        "style-src 'self' 'unsafe-inline'",
    ].joined(separator: "; ")

    static let headers: [(String, String)] = [
        ("Content-Security-Policy", contentSecurityPolicy),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "same-origin"),
        ("X-Frame-Options", "DENY"),
    ]

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let response = try await next.respond(to: request)
        for (name, value) in Self.headers where !response.headers.contains(name: name) {
            response.headers.replaceOrAdd(name: name, value: value)
        }
        return response
    }
}
