import Foundation
import MallVIPCore
import MallVIPStore
import Plot

extension Reports {
    enum View {
        static func body(_ m: Model, _ ctx: PageContext) -> Node<HTML.BodyContext> {
            let t = ctx.t
            let a = m.members
            return .div(.class("report"),
                picker(m, ctx),
                .h2(.class("report-title"), .text(m.period.title(ctx.lang == .en ? .en : .zh) + (m.mall.map { " · \($0.code) \($0.name)" } ?? ""))),
                .p(.class("muted"), .text(t("营业日 \(m.range.from) 至 \(m.range.to)（\(m.range.days) 天）；去年同期 \(m.lastYear.from) 至 \(m.lastYear.to)。",
                                           "Business days \(m.range.from) to \(m.range.to) (\(m.range.days) days); last year \(m.lastYear.from) to \(m.lastYear.to).")
                                         + (m.mall == nil ? "" : t(" 销售按商场；会员数按办卡商场。", " Sales by mall; member counts by the mall of enrolment.")))),
                .unwrap(m.source) { ReadSourceView.line($0, zone: m.programme.timeZone, ctx) },
                .div(.class("grid report-tiles"),
                     tile(t("VIP业绩占比", "VIP share of sales"), pct(m.total.vipSharePermille), t("去年 ", "last year ") + pct(m.totalLY.vipSharePermille), id: "vip-share"),
                     tile(t("活跃率（有消费卡 / 会员）", "Active ratio (active cards / members)"), pct(a.activePermille),
                          "\(a.active) / \(a.total)", id: "active-ratio"),
                     tile(t("单卡平均消费（元）", "Spend per active card (yuan)"), yuan(a.spendPerActiveFen),
                          t("去年 ", "last year ") + yuan(m.membersLY.spendPerActiveFen), id: "spend-per-card"),
                     tile(t("新办卡", "New cards"), String(a.new), t("日均 ", "a day ") + hundredths(a.newPerDayHundredths), id: "new-cards"),
                     tile(t("复购率", "Repurchase rate"), pct(m.reports.repurchase.basis == .days ? a.repeatPermille : a.retainedPermille),
                          t("去年 ", "last year ") + pct(m.reports.repurchase.basis == .days ? m.membersLY.repeatPermille : m.membersLY.retainedPermille),
                          id: "repurchase"),
                     tile(t("流失率", "Churn rate"), pct(m.churn.ratePermille), t("目标 < ", "target < ") + pct(m.churn.targetPermille), id: "churn")),
                section(m, ctx, "summary"),
                .section(.class("report-section"),
                         .h2(.text(t("VIP业绩占比走势", "VIP share over time"))),
                         .raw(shareTrend(m, ctx)), .raw(salesTrend(m, ctx))),
                section(m, ctx, "trend"),
                .section(.class("report-section page-break"), .h2(.text(t("各课VIP业绩占比", "VIP share by department"))), .raw(groupShare(m.departments, m.departmentsLY, ctx))),
                section(m, ctx, "departments"),
                section(m, ctx, "floors"),
                section(m, ctx, "counters"),
                .section(.class("report-section page-break"), .h2(.text(t("等级", "Tiers"))), .raw(tierBars(m, ctx)), .raw(migration(m, ctx))),
                section(m, ctx, "tiers"),
                section(m, ctx, "migration"),
                .section(.class("report-section page-break"), .h2(.text(t("RFM 热力图（最近消费 × 消费次数）", "RFM heat map (recency × frequency)"))),
                         .p(.class("muted"), .text(t("按百分位分为 \(m.reports.rfmGrades) 档：5 为最近、最频繁；格中为人数。",
                                                     "\(m.reports.rfmGrades) grades by percent rank: 5 is the most recent, most frequent; cells count members."))),
                         .raw(rfmHeatMap(m, ctx))),
                section(m, ctx, "rfm"),
                section(m, ctx, "abc"),
                section(m, ctx, "segments"),
                .section(.class("report-section"), .h2(.text(t("价格带", "Price bands"))), .raw(bandBars(m, ctx))),
                section(m, ctx, "bands"),
                section(m, ctx, "demographics"),
                section(m, ctx, "points"),
                .section(.class("report-section page-break"),
                         .p(.text(t("上期前 \(m.reports.topN) 名中：保持 \(m.top.stayed) 人，跌出 \(m.top.dropped) 人（其中本期无消费 \(m.top.droppedInactive) 人）。",
                                    "Of last period's top \(m.reports.topN): \(m.top.stayed) stayed, \(m.top.dropped) dropped out (\(m.top.droppedInactive) of them bought nothing now).")))),
                section(m, ctx, "top")
            )
        }

        static func picker(_ m: Model, _ ctx: PageContext) -> Node<HTML.BodyContext> {
            let t = ctx.t
            let lang: MallVIPCore.Language = ctx.lang == .en ? .en : .zh
            let choices = Reports.Query.choices(today: m.today)
            let options = (choices.contains(m.period) ? choices : [m.period] + choices).map { ($0.key, $0.title(lang)) }
            return .div(.class("no-print"),
                .form(.class("card report-picker"), .method(.get), .action(SiteURL.reports(period: nil, mall: nil).path),
                      Layout.select(t("期间（周报、月报、季报、半年报、年报）", "Period (week, month, quarter, half-year, year)"), name: "p", options: options, selected: m.period.key),
                      .if(m.malls.count > 1, Layout.select(t("商场", "Mall"), name: "mall", options: [("", t("全部商场", "All malls"))] + m.malls.map { ($0.code, "\($0.code) \($0.name)") },
                                                           selected: m.mall?.code ?? "")),
                      .button(.type(.submit), .text(t("查看", "Show")))),
                .p(.a(.href(SiteURL.reports(period: m.period.previous.key, mall: m.mall?.code).path), .text("← " + m.period.previous.title(lang))),
                   .text(" · "),
                   .a(.href(SiteURL.reports(period: m.period.lastYear.key, mall: m.mall?.code).path), .text(t("去年同期", "Same period last year"))),
                   .text(" · "),
                   .a(.href(SiteURL.reports(period: m.period.next.key, mall: m.mall?.code).path), .text(m.period.next.title(lang) + " →")),
                   .text(t(" · 打印或另存为 PDF：浏览器菜单“打印”（Ctrl+P）", " · Print or save as PDF from the browser (Ctrl+P)"))))
        }

        static func tile(_ label: String, _ value: String, _ note: String, id: String) -> Node<HTML.BodyContext> {
            .div(.class("stat"), .id(id), .span(.class("muted"), .text(label)), .b(.text(value)), .span(.class("muted"), .text(note)))
        }

        /// A table of the pack with its CSV link.
        static func section(_ m: Model, _ ctx: PageContext, _ name: String) -> Node<HTML.BodyContext> {
            guard let table = Reports.table(name, m, ctx) else { return .empty }
            return .section(.class("report-section"), .id("table-\(name)"),
                .h2(.text(table.title), .text(" "),
                    .a(.class("csv no-print"), .href(SiteURL.reportCSV(table: name, period: m.period.key, mall: m.mall?.code).path), .text("CSV"))),
                .table(.class("report-table"),
                       .thead(.tr(.forEach(Array(table.header.enumerated())) { e in .th(.class(e.offset >= table.firstNumeric ? "num" : ""), .text(e.element)) })),
                       .tbody(.forEach(table.rows) { row in
                           .tr(.forEach(Array(row.enumerated())) { e in .td(.class(e.offset >= table.firstNumeric ? "num" : ""), .text(e.element)) })
                       })))
        }

        static func permilleValue(_ p: Int?) -> Double? { p.map { Double($0) / 10 } }
        static func pctAxis(_ v: Double) -> String { String(format: "%.0f%%", v) }
        static func yuanAxis(_ v: Double) -> String { v >= 10_000 ? String(format: "%.0f万", v / 10_000) : String(format: "%.0f", v) }

        static func shareTrend(_ m: Model, _ ctx: PageContext) -> String {
            let ly = Dictionary(m.trendLY.map { (Reports.shiftKey($0.key, years: 1), $0.sales) }, uniquingKeysWith: +)
            let labels = m.trend.map { m.trendByMonth ? $0.key : String($0.key.suffix(5)) }
            return SVGChart.lines(title: ctx.t("VIP业绩占比（%）", "VIP share (%)"), labels: labels, series: [
                .init(name: ctx.t("本期", "This period"), values: m.trend.map { permilleValue($0.sales.vipSharePermille) }, color: SVGChart.palette[0]),
                .init(name: ctx.t("去年同期", "Last year"), values: m.trend.map { permilleValue(ly[$0.key]?.vipSharePermille) }, color: SVGChart.palette[1]),
            ], format: pctAxis)
        }

        static func salesTrend(_ m: Model, _ ctx: PageContext) -> String {
            SVGChart.bars(title: ctx.t("销售额与会员销售额（元）", "Sales and member sales (yuan)"),
                          categories: m.trend.map { m.trendByMonth ? $0.key : String($0.key.suffix(2)) }, series: [
                .init(name: ctx.t("销售额", "Sales"), values: m.trend.map { Double($0.sales.salesFen) / 100 }, color: SVGChart.palette[2]),
                .init(name: ctx.t("会员销售额", "Member sales"), values: m.trend.map { Double($0.sales.memberSalesFen) / 100 }, color: SVGChart.palette[0]),
            ], format: yuanAxis)
        }

        static func groupShare(_ now: [SalesGroup], _ before: [SalesGroup], _ ctx: PageContext) -> String {
            let ly = Dictionary(before.map { ($0.key, $0.sales) }, uniquingKeysWith: +)
            return SVGChart.bars(title: ctx.t("VIP业绩占比（%）", "VIP share (%)"), categories: now.map(\.label), series: [
                .init(name: ctx.t("本期", "This period"), values: now.map { permilleValue($0.sales.vipSharePermille) }, color: SVGChart.palette[0]),
                .init(name: ctx.t("去年同期", "Last year"), values: now.map { permilleValue(ly[$0.key]?.vipSharePermille) }, color: SVGChart.palette[1]),
            ], format: pctAxis)
        }

        static func tierBars(_ m: Model, _ ctx: PageContext) -> String {
            let codes = Reports.tierCodes(m)
            return SVGChart.bars(title: ctx.t("各等级人数", "Members by tier"), categories: codes.map { ctx.tier($0, m.programme) }, series: [
                .init(name: ctx.t("期初", "Start"), values: codes.map { Double(m.tiers.start[$0] ?? 0) }, color: SVGChart.palette[1]),
                .init(name: ctx.t("期末", "End"), values: codes.map { Double(m.tiers.end[$0] ?? 0) }, color: SVGChart.palette[0]),
            ], format: { String(format: "%.0f", $0) })
        }

        static func migration(_ m: Model, _ ctx: PageContext) -> String {
            let codes = Reports.tierCodes(m)
            let from = [""] + codes
            let values = from.map { f in codes.map { Double(m.tiers.matrix[f]?[$0] ?? 0) } }
            return SVGChart.heatMap(title: ctx.t("等级迁移矩阵", "Tier migration matrix"), rowTitle: ctx.t("期初", "Start"), columnTitle: ctx.t("期末", "End"),
                                    rows: from.map { $0.isEmpty ? ctx.t("新会员", "New") : ctx.tier($0, m.programme) },
                                    columns: codes.map { ctx.tier($0, m.programme) }, values: values,
                                    texts: values.map { $0.map { String(Int($0)) } }, cell: 58)
        }

        static func rfmHeatMap(_ m: Model, _ ctx: PageContext) -> String {
            let g = m.reports.rfmGrades
            var counts = Array(repeating: Array(repeating: 0.0, count: g), count: g)
            for c in m.rfm where (1...g).contains(c.r) && (1...g).contains(c.f) { counts[g - c.r][c.f - 1] += Double(c.members) }
            return SVGChart.heatMap(title: ctx.t("RFM 热力图", "RFM heat map"), rowTitle: "R", columnTitle: "F",
                                    rows: (1...g).reversed().map { "R\($0)" }, columns: (1...g).map { "F\($0)" }, values: counts,
                                    texts: counts.map { $0.map { String(Int($0)) } })
        }

        static func bandBars(_ m: Model, _ ctx: PageContext) -> String {
            SVGChart.bars(title: ctx.t("各价格带销售额（元）", "Sales by price band (yuan)"),
                          categories: m.bands.map { Reports.bandLabel($0.bandFen, m.reports, ctx) }, series: [
                .init(name: ctx.t("销售额", "Sales"), values: m.bands.map { Double($0.salesFen) / 100 }, color: SVGChart.palette[2]),
                .init(name: ctx.t("会员销售额", "Member sales"), values: m.bands.map { Double($0.memberSalesFen) / 100 }, color: SVGChart.palette[0]),
            ], format: yuanAxis)
        }
    }
}
