import Foundation
import MallVIPCore
@testable import MallVIPStore
@testable import MallVIPWeb
import Testing
import Vapor
import VaporTesting

/// Numbers an attacker types (issue 14, finding 2). An Int64 overflow trap inside an in-process test kills the test
/// process, so any of these reaching unchecked arithmetic fails the suite loudly.
enum Hostile {
    static let numbers = ["9223372036854775807", "-9223372036854775808", "-1", "123456789012345678901234567890",
                          "1e99", "NaN", "0x10"]
    /// The same as JSON literals: numbers stay numbers where JSON allows it, the rest become strings.
    static let jsonLiterals = ["9223372036854775807", "-9223372036854775808", "-1", "123456789012345678901234567890",
                               "1e99", "\"NaN\"", "\"0x10\""]
    /// Yuan amounts that overflow Int64 fen only after × 100, or sit just past the domain limit.
    static let yuan = ["92233720368547758.07", "99999999999999999999.99", "10000000000.01"]
}

/// One `<form>` of a page: its action, method and fields with the values the page filled in.
struct HTMLForm: Sendable {
    var action: String
    var method: String
    var fields: [(String, String)]
    /// Shape for de-duplication: the action with its numbers replaced, and the field names.
    var shape: String { HTMLScan.shape(action) + "|" + fields.map(\.0).sorted().joined(separator: ",") }
}

/// Just enough HTML reading to walk the console like a browser: links, forms and their fields.
enum HTMLScan {
    static func decode(_ s: String) -> String {
        s.replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&#39;", with: "'")
            .replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&amp;", with: "&")
    }

    static func attributes(_ tag: String) -> [String: String] {
        var out: [String: String] = [:]
        for m in matches(#"([a-zA-Z_:-]+)(?:="([^"]*)")?"#, in: tag) {
            out[m[0].lowercased()] = m.count > 1 ? decode(m[1]) : ""
        }
        return out
    }

    static func matches(_ pattern: String, in text: String) -> [[String]] {
        guard let re = try? NSRegularExpression(pattern: pattern, options: [.dotMatchesLineSeparators]) else { return [] }
        let ns = text as NSString
        return re.matches(in: text, range: NSRange(location: 0, length: ns.length)).map { m in
            (1..<max(m.numberOfRanges, 1)).map { i in
                m.range(at: i).location == NSNotFound ? "" : ns.substring(with: m.range(at: i))
            }
        }
    }

    /// Same-site links under `prefix`, fragments dropped.
    static func links(_ html: String, prefix: String) -> [String] {
        matches(#"href="([^"]*)""#, in: html).compactMap { m in
            let href = decode(m[0]).split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
            return href.hasPrefix(prefix) ? href : nil
        }
    }

    static func forms(_ html: String, page: String) -> [HTMLForm] {
        matches(#"<form\b([^>]*)>(.*?)</form>"#, in: html).map { m in
            let a = attributes(m[0])
            var fields: [(String, String)] = []
            for tag in matches(#"<(input|textarea|button)\b([^>]*)>"#, in: m[1]) {
                let attrs = attributes(tag[1])
                guard let name = attrs["name"], !name.isEmpty else { continue }
                let type = attrs["type"] ?? (tag[0] == "button" ? "submit" : "text")
                if (type == "checkbox" || type == "radio") && attrs["checked"] == nil { continue }
                if tag[0] == "button" || type == "submit" {
                    if fields.contains(where: { $0.0 == name }) { continue }
                }
                fields.append((name, attrs["value"] ?? ""))
            }
            for sel in matches(#"<select\b([^>]*)>(.*?)</select>"#, in: m[1]) {
                guard let name = attributes(sel[0])["name"] else { continue }
                let options = matches(#"<option\b([^>]*)>"#, in: sel[1]).map { attributes($0[0]) }
                let chosen = options.first { $0["selected"] != nil } ?? options.first(where: { ($0["value"] ?? "") != "" }) ?? options.first
                fields.append((name, chosen?["value"] ?? ""))
            }
            return HTMLForm(action: (a["action"].map { $0.isEmpty ? page : $0 }) ?? page, method: (a["method"] ?? "get").lowercased(),
                            fields: fields)
        }
    }

    static func shape(_ path: String) -> String {
        path.replacingOccurrences(of: #"\d+"#, with: "N", options: .regularExpression)
    }
}

extension String {
    /// Percent-encoded for a query string or a form body.
    var formEncoded: String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._*")
        return addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
    }
}

/// Collects the answers that are not allowed: a 5xx for any input.
final class FiveHundreds: @unchecked Sendable {
    private(set) var failures: [String] = []
    private(set) var requests = 0

    func check(_ status: HTTPStatus, _ what: String) {
        requests += 1
        if status.code >= 500 { failures.append("\(status.code) \(what)") }
    }

    func expectNone(_ label: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let list = failures.prefix(40).joined(separator: "\n")
        #expect(failures.isEmpty, "\(label): \(failures.count) of \(requests) requests answered 5xx:\n\(list)", sourceLocation: sourceLocation)
    }
}

extension TestContext {
    /// The server is alive and still does its job: /healthz answers and a normal purchase posts.
    func expectAlive(sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let health = try await send(.GET, "/healthz", authorized: false)
        #expect(health.status == .ok, sourceLocation: sourceLocation)
        let receipt = "ALIVE-\(UUID().uuidString.prefix(8))"
        let r = try await purchase(receipt, fen: 12_300)
        #expect(r.status == .created, "a normal purchase after the hostile ones: \(r.status) \(r.text.prefix(200))",
                sourceLocation: sourceLocation)
    }

    /// A small demo mall (members, purchases, counters, campaigns …), so pages show their forms and rows.
    func seedDemo() async throws {
        _ = try await store.generateDemo(DemoPlan(seed: 7, scale: 0.01), staffPasswordHash: "locked")
    }

    /// A raw request as a signed-in member of /m/.
    func memberSend(_ method: HTTPMethod, _ path: String, token: String, form: [(String, String)]? = nil) async throws -> RawResponse {
        var headers: HTTPHeaders = ["Cookie": "\(MemberAuth.cookieName)=\(token)", "Accept": "text/html"]
        if form != nil { headers.add(name: .contentType, value: "application/x-www-form-urlencoded") }
        let body = form.map { ByteBuffer(string: $0.map { "\($0.0.formEncoded)=\($0.1.formEncoded)" }.joined(separator: "&")) }
        let res = try await app.testing().sendRequest(method, path, headers: headers, body: body)
        return RawResponse(status: res.status, text: res.body.string)
    }
}
