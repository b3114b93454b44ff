import Foundation
import MallVIPCore
import MallVIPStore
@testable import MallVIPWeb
import SQLKit
import Testing

@Suite("Reports: pages, CSV and charts") struct ReportsPageTests {
    static func tile(_ id: String, in body: String) -> String? {
        ConsolePage.firstMatch(#"id="\#(id)"><span class="muted">[^<]*</span><b>([^<]*)</b>"#, in: body)
    }

    @Test("on the demo the report pack shows the Chengdu calibration: VIP share, active ratio, spend per active card")
    func calibration() async throws {
        try await withTestApp { t in
            let f = try await t.store.generateDemo(DemoPlan(seed: 7, scale: 0.02), staffPasswordHash: "locked")
            #expect(abs(f.vipShare - 0.262) < 0.01 && abs(Double(f.activeCards) / Double(f.members) - 0.818) < 0.03)
            let c = try await t.console(as: "boss", .manager)
            let page = try await c.get("/console/reports")
            #expect(page.status == .ok)
            // The default period is the twelve months ending yesterday: the demo's year.
            #expect(page.contains("近12个月（截至 \(f.lastDay)）"))
            #expect(Self.tile("vip-share", in: page.body) == Ratio.percent(Ratio.permille(f.memberSalesFen, f.salesFen)))
            #expect(Self.tile("active-ratio", in: page.body) == Ratio.percent(Ratio.permille(Int64(f.activeCards), Int64(f.members))))
            #expect(Self.tile("spend-per-card", in: page.body) == Money.yuan(f.averageSpendPerActiveCardFen))
            #expect(Self.tile("new-cards", in: page.body) == String(f.newMembers))
            // Charts drawn on the server, no script.
            for kind in ["chart-lines", "chart-bars", "chart-heatmap"] { #expect(page.contains(kind), "\(kind)") }
            #expect(!page.contains("<script"))
            // Departments: 四课 has the highest VIP share.
            for d in f.departments { #expect(page.contains(d.name)) }
            #expect(try await t.auditCount("report.top.view", actor: "staff:boss") == 1)

            // A month and a year render too; the CSV of a table is UTF-8 with a BOM, CRLF, Chinese headers.
            for p in ["2026-10", "2026", "2026-Q3", "2026-H1"] {
                let other = try await c.get("/console/reports?p=\(p)")
                #expect(other.status == .ok && other.contains("chart-heatmap"), "\(p)")
            }
            let csv = try await c.get("/console/reports/departments.csv?p=2026")
            #expect(csv.status == .ok)
            #expect(csv.body.hasPrefix("\u{FEFF}课,销售额（元）,会员销售额（元）,VIP业绩占比"))
            #expect(csv.body.contains("\r\n") && csv.body.contains("四课"))
            let top = try await c.get("/console/reports/top.csv?p=2026")
            #expect(top.status == .ok && top.body.hasPrefix("\u{FEFF}排名,卡号,姓名"))
            #expect(try await t.auditCount("export.reportTop", actor: "staff:boss") == 1)
            #expect(try await c.get("/console/reports/nothing.csv").status == .notFound)
            #expect(try await c.get("/console/reports?p=2026-13").status == .unprocessableEntity)
        }
    }

    @Test("planners see the top list masked and unaudited; the desk may not open reports")
    func roles() async throws {
        try await withTestApp { t in
            _ = try await t.store.generateDemo(DemoPlan(seed: 3, scale: 0.01), staffPasswordHash: "locked")
            let top = try await t.store.sql.raw("""
                SELECT m.name FROM members m JOIN purchases p ON p.member_id = m.id GROUP BY m.id, m.name ORDER BY SUM(p.total_fen) DESC LIMIT 1
                """).first()!.decode(column: "name", as: String.self)
            let planner = try await t.console(as: "plan", .planner)
            let page = try await planner.get("/console/reports?p=2026")
            #expect(page.status == .ok)
            #expect(!page.contains(top) && page.contains(Identity.maskName(top)))
            #expect(try await t.auditCount("report.top.view") == 0)
            let desk = try await t.console(as: "front", .desk)
            #expect(try await desk.get("/console/reports").status == .forbidden)
        }
    }

    @Test("SVG charts: fixed size, escaped text, one shape per value")
    func charts() {
        let bars = SVGChart.bars(title: "A<B & \"C\"", categories: ["一课", "二<课"], series: [
            .init(name: "本期", values: [10, 20], color: "#000"), .init(name: "去年", values: [5, nil], color: "#111"),
        ], format: { String(format: "%.0f", $0) })
        #expect(bars.hasPrefix("<svg") && bars.hasSuffix("</svg>"))
        #expect(bars.contains(#"width="680" height="260""#))
        #expect(bars.contains("A&lt;B &amp; &quot;C&quot;") && bars.contains("二&lt;课") && !bars.contains("二<课"))
        #expect(bars.components(separatedBy: #"class="bar""#).count - 1 == 3)
        let lines = SVGChart.lines(title: "t", labels: ["1", "2", "3"], series: [.init(name: "s", values: [1, nil, 3], color: "#000")], format: { "\($0)" })
        #expect(lines.components(separatedBy: "<circle").count - 1 == 2)
        let heat = SVGChart.heatMap(title: "h", rowTitle: "R", columnTitle: "F", rows: ["R2", "R1"], columns: ["F1", "F2"],
                                    values: [[0, 4], [2, 1]], texts: [["0", "4"], ["2", "1"]])
        #expect(heat.components(separatedBy: #"class="cell""#).count - 1 == 4)
        #expect(heat.contains("#6b1d3a"), "the largest value takes the full colour")
        #expect(SVGChart.niceMax(0) == 1 && SVGChart.niceMax(730) == 1000 && SVGChart.niceMax(26.2) == 50)
    }
}
