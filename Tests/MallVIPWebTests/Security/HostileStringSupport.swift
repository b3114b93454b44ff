import Foundation
import MallVIPCore
import Plot
@testable import MallVIPStore
@testable import MallVIPWeb
import Testing
import Vapor
import VaporTesting

/// Hostile text for the escaping suite (issue 14, finding 1). Every value starts with a probe: a unique tag and
/// then markup. A page that shows the value must show the probe escaped (`HTMLEscaping.escape(probe)`, proving
/// the value reached the page) and never raw (case-insensitive: some fields upper-case their input).
enum HostileText {
    static let svg = #""><svg onload=alert(1)>"#
    static let script = #"'><script>alert(1)</script>"#
    /// Raw sequences that must never appear in an HTML answer, whoever wrote them.
    static let markers = ["<svg onload=alert(1)>", "<script>alert(1)</script>", #""><svg onload"#, #"'><script>"#]

    /// Candidate values for a field, most hostile first; a field that rejects one with a 4xx gets the next. The
    /// last is short and plain but still carries `< > " ' &`.
    static func candidates(tag: String) -> [(probe: String, value: String)] {
        let full = tag + svg + script + " javascript:alert(1) \r\nline2 😀 \u{202E}rtl\u{202C} &amp; <b>&</b>"
        let long = full + String(repeating: "长", count: max(0, 2_000 - full.count))
        return [
            (tag + svg, long),                              // 2,000 characters
            (tag + svg, full),                              // quotes, brackets, script, javascript:, CR/LF, emoji, RTL
            (tag + svg, tag + svg + script),
            (tag + svg, tag + svg),
            (tag + "<\"'&>", tag + "<\"'&>"),               // 9 characters
        ]
    }

    /// Raw hostile text in an HTML body: every marker, and each probe given.
    static func unescaped(in body: String, probes: [String] = []) -> [String] {
        (markers + probes).filter { body.range(of: $0, options: .caseInsensitive) != nil }
    }

    /// The probe up to its first space, escaped (a tag list splits at spaces; `TAG"><svg` is what matters).
    static func shows(_ body: String, escaped probe: String) -> Bool {
        let head = probe.split(separator: " ", maxSplits: 1).first.map(String.init) ?? probe
        return body.range(of: HTMLEscaping.escape(head), options: .caseInsensitive) != nil
    }
}

/// One `<form>` as a browser would submit it untouched: hidden fields, text values, the selected option, checked
/// boxes, textarea content.
struct HostileForm {
    var action: String
    var method: String
    var fields: [(String, String)]
    /// Each select's option values, for entries that need a real choice (`{option:NAME}`).
    var options: [String: [String]] = [:]

    static func decode(_ s: String) -> String {
        s.replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&#39;", with: "'")
            .replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&amp;", with: "&")
    }

    static func matches(_ pattern: String, in text: String) -> [[String]] {
        guard let re = try? NSRegularExpression(pattern: pattern, options: [.dotMatchesLineSeparators, .caseInsensitive]) else { return [] }
        let ns = text as NSString
        return re.matches(in: text, range: NSRange(location: 0, length: ns.length)).map { m in
            (1..<max(m.numberOfRanges, 1)).map { i in m.range(at: i).location == NSNotFound ? "" : ns.substring(with: m.range(at: i)) }
        }
    }

    static func attributes(_ tag: String) -> [String: String] {
        var out: [String: String] = [:]
        for m in matches(#"([a-zA-Z_:-]+)(?:="([^"]*)")?"#, in: tag) { out[m[0].lowercased()] = decode(m[1]) }
        return out
    }

    static func all(in html: String) -> [HostileForm] {
        matches(#"<form([^>]*)>(.*?)</form>"#, in: html).map { m in
            let attrs = attributes(m[0]), body = m[1]
            var fields: [(String, String)] = [], optionValues: [String: [String]] = [:]
            for i in matches(#"<input([^>]*)>"#, in: body) {
                let a = attributes(i[0])
                guard let name = a["name"], !name.isEmpty else { continue }
                let type = a["type"] ?? "text"
                if type == "checkbox" || type == "radio" { if a["checked"] == nil { continue } }
                if type == "submit" || type == "file" { continue }
                fields.append((name, a["value"] ?? (type == "checkbox" ? "on" : "")))
            }
            for s in matches(#"<select([^>]*)>(.*?)</select>"#, in: body) {
                guard let name = attributes(s[0])["name"] else { continue }
                let options = matches(#"<option([^>]*?)/?>"#, in: s[1]).map { attributes($0[0]) }
                optionValues[name] = options.compactMap { $0["value"] }.filter { !$0.isEmpty }
                if let chosen = options.first(where: { $0["selected"] != nil }) ?? options.first { fields.append((name, chosen["value"] ?? "")) }
            }
            for ta in matches(#"<textarea([^>]*)>(.*?)</textarea>"#, in: body) {
                if let name = attributes(ta[0])["name"] { fields.append((name, decode(ta[1]))) }
            }
            return HostileForm(action: attrs["action"] ?? "", method: (attrs["method"] ?? "get").lowercased(), fields: fields,
                               options: optionValues)
        }
    }

    mutating func set(_ name: String, _ value: String) {
        if let i = fields.firstIndex(where: { $0.0 == name }) { fields[i].1 = value } else { fields.append((name, value)) }
    }
}

/// Walks the console (or member site) like a browser: every same-site link from the seeds, breadth first, a few
/// pages per page shape, and checks every HTML answer for raw hostile text and for server errors.
struct HostileCrawl {
    var pages: [String: String] = [:]     // path → body (HTML answers only)
    var problems: [String] = []

    static func shape(_ path: String) -> String {
        path.replacingOccurrences(of: #"\d+"#, with: "N", options: .regularExpression)
    }

    static func crawl(_ client: ConsoleClient, who: String, seeds: [String], prefixes: [String], probes: [String],
                      limit: Int = 500, perShape: Int = 3) async throws -> HostileCrawl {
        var out = HostileCrawl()
        var queue = seeds, seen = Set<String>(), shapes: [String: Int] = [:]
        let skip = [".csv", ".json", "/logout", "/export", "/unsubscribe"]
        while !queue.isEmpty, out.pages.count < limit {
            let path = queue.removeFirst()
            guard !seen.contains(path), !skip.contains(where: { path.contains($0) }) else { continue }
            seen.insert(path)
            let shape = Self.shape(path.split(separator: "?").first.map(String.init) ?? path)
            if !seeds.contains(path) {
                guard shapes[shape, default: 0] < perShape else { continue }
            }
            shapes[shape, default: 0] += 1
            let page = try await client.get(path)
            if page.status.code >= 500 { out.problems.append("\(who) GET \(path) → \(page.status.code)") }
            guard page.body.contains("<html") else { continue }
            out.pages[path] = page.body
            for raw in HostileText.unescaped(in: page.body, probes: probes) {
                out.problems.append("\(who) GET \(path): unescaped \(raw.debugDescription)")
            }
            for m in HostileForm.matches(##"href="([^"#]*)"##, in: page.body) {
                let href = HostileForm.decode(m[0])
                if prefixes.contains(where: { href.hasPrefix($0) }), !seen.contains(href) { queue.append(href) }
            }
        }
        return out
    }
}
