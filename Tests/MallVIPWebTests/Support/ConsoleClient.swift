import Foundation
import MallVIPCore
import MallVIPStore
@testable import MallVIPWeb
import Testing
import Vapor
import VaporTesting
import SQLKit

/// One console page as a browser gets it.
struct ConsolePage: Sendable {
    var status: HTTPStatus
    var body: String
    var location: String?
    /// Every response header (Set-Cookie, Retry-After … in the security tests).
    var headers: HTTPHeaders = [:]

    /// The `_csrf` hidden input of the page's forms.
    var csrf: String? { ConsolePage.firstMatch(#"name="_csrf" value="([0-9a-f]+)""#, in: body) }

    /// Member page links on a search result: `/console/members/42` → 42.
    var memberIDs: [Int64] {
        ConsolePage.matches(#"href="/console/members/(\d+)""#, in: body).compactMap { Int64($0) }
    }

    func contains(_ text: String) -> Bool { body.contains(text) }

    static func firstMatch(_ pattern: String, in text: String) -> String? { matches(pattern, in: text).first }

    static func matches(_ pattern: String, in text: String) -> [String] {
        guard let re = try? NSRegularExpression(pattern: pattern) else { return [] }
        let ns = text as NSString
        return re.matches(in: text, range: NSRange(location: 0, length: ns.length)).compactMap {
            $0.numberOfRanges > 1 ? ns.substring(with: $0.range(at: 1)) : nil
        }
    }
}

/// A browser for the console in tests: keeps cookies, sends `Accept: text/html`, and posts forms with the CSRF
/// token read from the last page it saw.
final class ConsoleClient {
    enum CSRF { case fromLastPage, none, value(String) }

    let t: TestContext
    /// Over a real socket (a started server) instead of in memory: large bodies then arrive in pieces, as from a
    /// browser.
    let overHTTP: Bool
    private(set) var cookies: [String: String] = [:]
    private(set) var lastCSRF: String?
    /// Headers sent with every request (Origin, X-Forwarded-For … in the security tests).
    var extraHeaders: [(String, String)] = []

    init(_ t: TestContext, overHTTP: Bool = false) {
        self.t = t
        self.overHTTP = overHTTP
    }

    var sessionCookie: String? { cookies[StaffAuth.cookieName] }

    @discardableResult
    func get(_ path: String) async throws -> ConsolePage {
        try await send(.GET, path, body: nil)
    }

    /// Posts a form; the CSRF token of the last page is added unless `csrf` says otherwise.
    @discardableResult
    func post(_ path: String, _ form: [(String, String)], csrf: CSRF = .fromLastPage) async throws -> ConsolePage {
        var fields = form
        switch csrf {
        case .fromLastPage: if let token = lastCSRF { fields.append(("_csrf", token)) }
        case .none: break
        case .value(let v): fields.append(("_csrf", v))
        }
        return try await send(.POST, path, body: ConsoleClient.encode(fields))
    }

    /// GETs the page a redirect points at.
    func follow(_ page: ConsolePage) async throws -> ConsolePage {
        guard let location = page.location else {
            Issue.record("expected a redirect, got \(page.status)")
            return page
        }
        return try await get(location)
    }

    /// Signs in by the login form; returns the answer (a 303 to the console when it worked).
    @discardableResult
    func login(_ username: String, _ password: String = ConsoleClient.password) async throws -> ConsolePage {
        try await post("/login", [("username", username), ("password", password)], csrf: .none)
    }

    /// Signs in and opens the dashboard (which carries the CSRF token for the forms).
    @discardableResult
    func signIn(_ username: String, _ password: String = ConsoleClient.password) async throws -> ConsolePage {
        let page = try await login(username, password)
        #expect(page.status == .seeOther, "sign-in as \(username) failed: \(page.status)")
        return try await get("/console")
    }

    private func send(_ method: HTTPMethod, _ path: String, body: String?) async throws -> ConsolePage {
        var headers: HTTPHeaders = ["Accept": "text/html,application/xhtml+xml"]
        if !cookies.isEmpty {
            headers.add(name: .cookie, value: cookies.map { "\($0.key)=\($0.value)" }.sorted().joined(separator: "; "))
        }
        if body != nil { headers.add(name: .contentType, value: "application/x-www-form-urlencoded") }
        for (name, value) in extraHeaders { headers.replaceOrAdd(name: name, value: value) }
        let status: HTTPStatus, resHeaders: HTTPHeaders, resBody: String
        if overHTTP {
            let res = try await sendOverHTTP(method, path, headers: headers, body: body)
            (status, resHeaders, resBody) = (res.status, res.headers, res.body.map { String(buffer: $0) } ?? "")
        } else {
            let res = try await t.app.testing().sendRequest(method, path, headers: headers, body: body.map { ByteBuffer(string: $0) })
            (status, resHeaders, resBody) = (res.status, res.headers, res.body.string)
        }
        for header in resHeaders[.setCookie] {
            let pair = header.split(separator: ";", maxSplits: 1)[0]
            guard let eq = pair.firstIndex(of: "=") else { continue }
            let name = String(pair[..<eq]).trimmingCharacters(in: .whitespaces)
            let value = String(pair[pair.index(after: eq)...])
            if value.isEmpty || header.lowercased().contains("max-age=0") { cookies[name] = nil } else { cookies[name] = value }
        }
        let page = ConsolePage(status: status, body: resBody, location: resHeaders.first(name: .location), headers: resHeaders)
        if let token = page.csrf { lastCSRF = token }
        return page
    }

    private var port: Int?

    /// Starts the app's HTTP server on a free port (once) and sends through the app's HTTP client, redirects
    /// not followed (the client is a browser that looks at each answer).
    private func sendOverHTTP(_ method: HTTPMethod, _ path: String, headers: HTTPHeaders, body: String?) async throws -> ClientResponse {
        if port == nil {
            t.app.http.client.configuration.redirectConfiguration = .disallow
            try await t.app.server.start(address: .hostname("127.0.0.1", port: 0))
            port = t.app.http.server.shared.localAddress?.port
        }
        return try await t.app.client.send(method, headers: headers, to: URI(string: "http://127.0.0.1:\(port!)\(path)")) { req in
            if let body { req.body = ByteBuffer(string: body) }
        }
    }

    /// Stops the server `overHTTP` started.
    func close() async {
        if port != nil { await t.app.server.shutdown() }
        port = nil
    }

    static func encode(_ fields: [(String, String)]) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._*")
        return fields.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")" }.joined(separator: "&")
    }

    static let password = "correct-horse-7"
}

extension TestContext {
    /// A console user with `ConsoleClient.password` (a cheap bcrypt cost: the hash still goes through
    /// `Bcrypt.verify` at sign-in, only faster).
    @discardableResult
    func makeStaff(_ username: String, _ role: StaffRole, password: String = ConsoleClient.password) async throws -> Int64 {
        try await store.createStaff(username: username, displayName: username.capitalized, role: role,
                                    passwordHash: try Bcrypt.hash(password, cost: 6), actor: "test")
    }

    /// A browser signed in as a new user of `role`.
    func console(as username: String, _ role: StaffRole) async throws -> ConsoleClient {
        try await makeStaff(username, role)
        let client = ConsoleClient(self)
        try await client.signIn(username)
        return client
    }
}

extension TestContext {
    /// Rows of the audit log with this action (and actor and subject when given).
    func auditCount(_ action: String, actor: String? = nil, subject: String? = nil) async throws -> Int {
        let rows = try await store.sql.raw("SELECT actor, subject FROM audit_log WHERE action = \(bind: action)").all()
        return try rows.filter { row in
            try (actor == nil || row.decode(column: "actor", as: String.self) == actor)
                && (subject == nil || row.decode(column: "subject", as: String.self) == subject)
        }.count
    }
}
