import Foundation
import MallVIPCore
import Plot
@testable import MallVIPWeb
import Testing

/// `.raw(…)` is the only way to put unescaped markup on a page (issue 14, finding 1). Each use must carry markup
/// our own code generates, with every piece of text in it escaped by the one function (`HTMLEscaping.escape`).
/// A new `.raw(` fails here until it is reviewed and added to the allow-list.
@Suite("Security: raw HTML is reviewed")
struct RawHTMLTests {
    static let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Sources")

    /// File → number of `.raw(` uses in it, and why they are safe.
    static let allowed: [String: Int] = [
        "MallVIPWeb/Events/EventRSVPView.swift": 1,                       // QRCode.svg
        "MallVIPWeb/Feedback/SurveyView.swift": 1,                        // constant <style>
        "MallVIPWeb/Member/SelfService/MemberReferralPage.swift": 1,      // QRCode.svg
        "MallVIPWeb/Member/SelfService/MemberCardPage.swift": 2,          // BarcodeSVG, QRCode.svg
        "MallVIPWeb/Member/SelfService/MemberCouponsPage.swift": 2,       // BarcodeSVG, QRCode.svg
        "MallVIPWeb/Console/Reports/Reports+View.swift": 7,               // SVGChart
        "MallVIPWeb/Console/Admin/ProgrammeSimulatePage.swift": 1,        // BarChartSVG
        "MallVIPWeb/Console/Coupons/CouponPage+View.swift": 1,            // BarcodeSVG
        "MallVIPWeb/Console/Targets/TargetsPage.swift": 2,                // BarChartSVG
        "MallVIPWeb/Console/Handbook/HandbookController.swift": 1,        // constant A4 print <style>
    ]

    static func swiftFiles() throws -> [(String, String)] {
        let root = sources.path + "/"
        let e = try #require(FileManager.default.enumerator(atPath: sources.path))
        return try e.compactMap { $0 as? String }.filter { $0.hasSuffix(".swift") }.sorted().map {
            ($0, try String(contentsOfFile: root + $0, encoding: .utf8))
        }
    }

    @Test("every .raw( in Sources is on the allow-list (SQL .raw excepted), and none is missing")
    func rawUses() throws {
        var found: [String: Int] = [:]
        // Only files that import Plot can build HTML nodes (MallVIPStore's `.raw(` are SQL and import reader calls).
        for (path, text) in try Self.swiftFiles() where text.contains("import Plot") {
            for line in text.components(separatedBy: "\n") {
                // SQLKit's raw SQL (`sql.raw(…)`, `db.raw(…)`) binds its values; it is not HTML.
                let html = line.replacingOccurrences(of: #"(sql|db|\.sql)\.raw\("#, with: "", options: .regularExpression)
                let n = html.components(separatedBy: ".raw(").count - 1 + html.components(separatedBy: "(html:").count - 1
                if n > 0 { found[path, default: 0] += n }
            }
        }
        #expect(found == Self.allowed, "review each new .raw( and update RawHTMLTests.allowed: \(found)")
    }

    @Test("no hand-written HTML escaping in Sources: the SVG generators use the one function")
    func oneEscaper() throws {
        for (path, text) in try Self.swiftFiles() {
            #expect(!text.contains("\"&amp;\"") && !text.contains("\"&lt;\"") && !text.contains("\"&quot;\""),
                    "\(path) escapes HTML by hand; use HTMLEscaping.escape")
        }
    }

    @Test("the QR code SVG: quiet zone, an accessible name, one square per dark module, text escaped")
    func qrSVG() throws {
        let q = try #require(QRCode("880000000013"))
        let svg = QRCode.svg("880000000013", label: "会员卡 880000000013")
        #expect(svg.contains(#"viewBox="0 0 29 29""#))
        #expect(svg.contains(#"aria-label="会员卡 880000000013""#))
        let dark = q.modules.reduce(0) { $0 + $1.filter { $0 }.count }
        #expect(svg.components(separatedBy: "h1v1h-1z").count - 1 == dark)
        #expect(QRCode.svg(String(repeating: "A", count: 214)) == "")
        let hostile = QRCode.svg(#"x"'<>&"#, label: #"a"><svg onload=alert(1)>'"#)
        #expect(hostile.contains(#"aria-label="a&quot;&gt;&lt;svg onload=alert(1)&gt;&#39;""#))
        #expect(hostile.contains(#"data-code="x&quot;&#39;&lt;&gt;&amp;""#))
    }

    @Test("the chart and barcode generators escape quotes and apostrophes too")
    func generators() throws {
        let h = #"a"b'c<d>&"#, e = "a&quot;b&#39;c&lt;d&gt;&amp;"
        #expect(BarChartSVG.progress(actual: 1, target: 2, label: h).contains(e))
        #expect(SVGChart.bars(title: h, categories: [h], series: [.init(name: h, values: [1], color: "#000")], format: { "\($0)" }).contains(e))
        let barcode = try #require(BarcodeSVG.code128(#"A"'<>&"#))
        #expect(barcode.contains("A&quot;&#39;&lt;&gt;&amp;") && !barcode.contains(#"A"'"#))
    }
}
