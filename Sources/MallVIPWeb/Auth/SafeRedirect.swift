import Foundation
import Vapor

/// The one check for a redirect target taken from the request (`next` on the sign-in, the Referer of the language
/// switches): a same-site relative path under one of `prefixes`, or nil (the caller's default). Refused: anything
/// that is not a single leading `/` (`//evil.example`, `/\evil.example`, `https://…`), backslashes, control
/// characters (CR/LF would split the `Location` header), percent-encoded ones (`%0d%0a`, `%5c`, `%2f%2f`), and
/// anything outside the prefixes. Issue 14, finding 3.
enum SafeRedirect {
    static let console = ["/console"]

    static func path(_ candidate: String?, under prefixes: [String] = console) -> String? {
        guard let s = candidate, !s.isEmpty, s.count <= 2048 else { return nil }
        guard s.hasPrefix("/"), !s.hasPrefix("//"), !s.hasPrefix("/\\") else { return nil }
        guard !s.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F || $0 == "\\" || !$0.isASCII }) else { return nil }
        // What the browser would read after percent-decoding must pass too.
        let decoded = s.removingPercentEncoding ?? ""
        guard !decoded.isEmpty, !decoded.hasPrefix("//"),
              !decoded.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F || $0 == "\\" }) else { return nil }
        let pathPart = s.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? s
        guard prefixes.contains(where: { pathPart == $0 || pathPart.hasPrefix($0.hasSuffix("/") ? $0 : $0 + "/") }) else { return nil }
        // No dot segments that walk out of the prefix (/console/../m/…).
        guard !pathPart.split(separator: "/").contains(where: { $0 == ".." || $0 == "." }),
              !(decoded.split(separator: "?").first ?? "").split(separator: "/").contains(where: { $0 == ".." || $0 == "." }) else { return nil }
        return s
    }

    /// The path and query of a Referer, checked like `path`: the language switches go back where they came from.
    static func referer(_ req: Request, under prefixes: [String]) -> String? {
        guard let r = req.headers.first(name: .referer), let u = URLComponents(string: r) else { return nil }
        let p = u.percentEncodedPath + (u.percentEncodedQuery.map { "?" + $0 } ?? "")
        return path(p, under: prefixes)
    }
}

/// Refuses a state-changing request a page of another site made the browser send (issue 14): the `Origin` header,
/// or without it the `Referer`, must name this server as the client sees it (Host), as a trusted proxy forwards it
/// (`X-Forwarded-Host`), or as `MALLVIP_PUBLIC_URL` names it; `Sec-Fetch-Site: cross-site` is refused too. With
/// neither header (curl, scripts) the request passes: CSRF tokens still guard every console form.
enum SameOrigin {
    static func isForeign(_ req: Request) -> Bool {
        func authority(_ url: String) -> String? {
            URLComponents(string: url).flatMap { u in u.host.map { $0.lowercased() + (u.port.map { ":\($0)" } ?? "") } }
        }
        let config = req.application.appConfig
        var ours: Set<String> = []
        if let h = req.headers.first(name: .host) { ours.insert(h.lowercased()) }
        if config.trustProxy, let h = req.headers.first(name: "X-Forwarded-Host") { ours.insert(h.lowercased()) }
        if let u = config.messaging.publicURL.flatMap(authority) { ours.insert(u) }
        if req.headers.first(name: "Sec-Fetch-Site")?.lowercased() == "cross-site" { return true }
        if let origin = req.headers.first(name: .origin) {
            return origin == "null" || authority(origin).map { !ours.contains($0) } ?? true
        }
        if let referer = req.headers.first(name: .referer) {
            return authority(referer).map { !ours.contains($0) } ?? true
        }
        return false
    }

    static func check(_ req: Request) throws {
        if isForeign(req) {
            throw Abort(.forbidden, reason: req.lang.t("请求来自其他网站，已拒绝（Origin）", "Refused: the request came from another site (Origin)"))
        }
    }
}
