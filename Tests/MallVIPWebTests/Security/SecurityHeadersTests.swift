import Foundation
import MallVIPCore
@testable import MallVIPStore
@testable import MallVIPWeb
import Testing
import Vapor
import VaporTesting

/// Browser protections (issue 14, "browser protections"): the headers on every kind of answer, and pages that
/// need no inline script so the Content-Security-Policy can forbid it.
@Suite("Security: browser protection headers")
struct SecurityHeadersTests {
    static let expected = [
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
        "X-Frame-Options": "DENY",
    ]

    static func check(_ headers: HTTPHeaders, _ what: String) {
        for (name, value) in expected { #expect(headers.first(name: name) == value, "\(what): \(name)") }
        let csp = headers.first(name: "Content-Security-Policy") ?? ""
        for directive in ["default-src 'self'", "script-src 'self'", "object-src 'none'", "base-uri 'none'",
                          "form-action 'self'", "frame-ancestors 'none'"] {
            #expect(csp.contains(directive), "\(what): CSP lacks \(directive): \(csp)")
        }
        #expect(!csp.contains("unsafe-eval") && !(csp.components(separatedBy: "script-src").last ?? "")
            .components(separatedBy: ";").first!.contains("unsafe-inline"), "\(what): \(csp)")
    }

    @Test("every kind of answer carries CSP, nosniff, Referrer-Policy and X-Frame-Options")
    func headers() async throws {
        try await withTestApp { t in
            let key = t.auth
            let cases: [(HTTPMethod, String, HTTPHeaders)] = [
                (.GET, "/login", [:]), (.GET, "/console", [:]), (.GET, "/console.css", [:]), (.GET, "/console.js", [:]),
                (.GET, "/m/login", [:]), (.GET, "/m/member.css", [:]), (.GET, "/no-such-page", [:]),
                (.GET, "/api/v1/members/lookup?card=1", [:]), (.GET, "/api/v1/members/lookup?card=1", key),
                (.POST, "/api/v1/purchases", key), (.GET, "/health", [:]),
            ]
            for (method, path, headers) in cases {
                let res = try await t.app.testing().sendRequest(method, path, headers: headers)
                Self.check(res.headers, "\(method) \(path) (\(res.status.code))")
            }
            _ = try await t.console(as: "hdr", .admin)
            let js = try await t.app.testing().sendRequest(.GET, "/console.js")
            #expect(js.status == .ok && js.headers.first(name: .contentType)?.hasPrefix("text/javascript") == true)
            #expect(js.body.string.contains("window.print()"))
        }
    }

    @Test("console pages have no inline script, no on…= handlers and no javascript: links; the coupon page prints through /console.js")
    func noInlineScript() async throws {
        try await withTestApp { t in
            let card = try await t.enrolMember(phone: "13912345678")
            let memberId = try await t.memberId(card: card)
            let admin = try await t.console(as: "csp", .admin)
            let code = try await t.issueCoupon(member: memberId).code
            let crawl = try await HostileCrawl.crawl(admin, who: "admin", seeds: ["/console", "/console/coupons/\(code)",
                                                     "/console/members/\(memberId)"], prefixes: ["/console"], probes: [], limit: 300)
            #expect(crawl.problems.isEmpty, "\(crawl.problems)")
            #expect(crawl.pages.count > 30)
            for (path, body) in crawl.pages {
                #expect(HostileForm.matches(#"<script(?![^>]*\bsrc=)[^>]*>"#, in: body).isEmpty, "\(path): inline <script>")
                #expect(HostileForm.matches(#"<[a-z]+[^>]*\son[a-z]+="#, in: body).isEmpty, "\(path): on…= handler")
                #expect(!body.contains("javascript:"), "\(path): javascript: URL")
            }
            let coupon = try #require(crawl.pages["/console/coupons/\(code)"])
            #expect(coupon.contains("data-print") && coupon.contains(#"<script src="/console.js"></script>"#))
        }
    }
}
