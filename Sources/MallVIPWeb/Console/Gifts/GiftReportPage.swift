import Foundation
import MallVIPCore
import MallVIPStore
import Plot

/// /console/gifts (docs/reports.md "Gifts"): per gift and month of issue, issued / collected / expired / open, the cost of
/// those handed over, and the average spend of members who collected against those who did not over the same window
/// (issue day through the entitlement's last day); the stock per gift and mall below. Aggregates only: no member names.
enum GiftReportPage {
    struct Model: Sendable {
        var report: GiftReport
        var programme: Programme
        var mall: Mall?
        var malls: [Mall]
        var stock: [GiftStockLine]
        var canSetStock: Bool
        var notice: String?
    }

    static func giftName(_ code: String, _ programme: Programme) -> LocalizedName {
        programme.gifts.item(code)?.name ?? LocalizedName(zh: code, en: code)
    }

    /// One line per gift and month (UTF-8 with BOM, plain yuan).
    static func csv(_ m: Model) -> String {
        var out = CSVFormat.bom + CSVFormat.line(["月份 month", "礼品代码 gift", "礼品 name", "发放资格 issued", "已领取 collected", "已过期 expired",
                                              "待领取 open", "礼品成本 cost", "领取者消费 collectors spend", "领取者人均 collectors avg",
                                              "未领取者消费 others spend", "未领取者人均 others avg"])
        for l in m.report.lines {
            out += CSVFormat.line([l.month.description, l.giftCode, giftName(l.giftCode, m.programme).zh, String(l.issued), String(l.collected),
                                   String(l.expired), String(l.open), Money.yuan(l.costFen, grouping: false),
                                   Money.yuan(l.collectorsSpendFen, grouping: false), l.collectorsAverageFen.map { Money.yuan($0, grouping: false) } ?? "",
                                   Money.yuan(l.othersSpendFen, grouping: false), l.othersAverageFen.map { Money.yuan($0, grouping: false) } ?? ""])
        }
        return out
    }

    enum View {
        static func body(_ m: Model, _ ctx: PageContext) -> Node<HTML.BodyContext> {
            let r = m.report
            var query = "?from=\(r.from)&through=\(r.through)"
            if let mall = m.mall { query += "&mall=" + (mall.code.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? mall.code) }
            return .div(
                Layout.noticeBox(m.notice),
                .form(.method(.get), .action(SiteRoute.gifts.path()), .class("inline"),
                      Layout.field(ctx.t("起始月份", "From month"), name: "from", value: r.from.description, placeholder: "2026-01"),
                      Layout.field(ctx.t("结束月份", "Through month"), name: "through", value: r.through.description, placeholder: "2026-12"),
                      .if(m.malls.count > 1, Layout.select(ctx.t("商场", "Mall"), name: "mall",
                                                          options: [("", ctx.t("全部", "All"))] + m.malls.map { ($0.code, $0.name) },
                                                          selected: m.mall?.code ?? "")),
                      .button(.type(.submit), .text(ctx.t("查看", "Show"))),
                      .text(" "), .a(.href(SiteRoute.giftsCSV.path() + query), .text(ctx.t("导出 CSV", "Export CSV")))),
                .p(.class("muted"), .text(ctx.t(
                    "按发放月份统计；消费对比为同一期间（发放日至有效期末）领取者与未领取者的人均消费。",
                    "By month of issue; spend compares members who collected with those who did not over the same window (issue day to the last valid day)."))),
                .table(.class("gift-report"),
                       .tr(.th(.text(ctx.t("月份", "Month"))), .th(.text(ctx.t("礼品", "Gift"))),
                           .th(.class("num"), .text(ctx.t("发放", "Issued"))), .th(.class("num"), .text(ctx.t("已领取", "Collected"))),
                           .th(.class("num"), .text(ctx.t("已过期", "Expired"))), .th(.class("num"), .text(ctx.t("待领取", "Open"))),
                           .th(.class("num"), .text(ctx.t("成本（元）", "Cost (yuan)"))),
                           .th(.class("num"), .text(ctx.t("领取者人均消费", "Avg spend, collected"))),
                           .th(.class("num"), .text(ctx.t("未领取者人均消费", "Avg spend, not collected")))),
                       .forEach(r.lines) { l in
                           .tr(.td(.text(l.month.description)), .td(.text(giftName(l.giftCode, m.programme).text(ctx.lang))),
                               .td(.class("num"), .text("\(l.issued)")), .td(.class("num"), .text("\(l.collected)")),
                               .td(.class("num"), .text("\(l.expired)")), .td(.class("num"), .text("\(l.open)")),
                               .td(.class("num"), .text(Money.yuan(l.costFen))),
                               .td(.class("num"), .text(l.collectorsAverageFen.map { Money.yuan($0) } ?? "—")),
                               .td(.class("num"), .text(l.othersAverageFen.map { Money.yuan($0) } ?? "—")))
                       }),
                .if(r.lines.isEmpty, .p(.class("muted"), .text(ctx.t("此期间没有礼品发放资格", "No gift entitlements in this period")))),
                .h2(.id("stock"), .text(ctx.t("礼品库存", "Gift stock"))),
                stock(m, ctx))
        }

        static func stock(_ m: Model, _ ctx: PageContext) -> Node<HTML.BodyContext> {
            let counted = m.programme.gifts.items.filter { $0.stock != nil }
            let mallName = Dictionary(m.malls.map { ($0.id, $0.name) }, uniquingKeysWith: { a, _ in a })
            let visible = m.stock.filter { mallName[$0.mallId] != nil }
            return .div(
                .if(counted.isEmpty, .p(.class("muted"), .text(ctx.t("章程未给任何礼品设置库存（不限量）", "No gift in the programme has a stock (unlimited)")))),
                .if(!visible.isEmpty, .table(.class("gift-stock"),
                    .tr(.th(.text(ctx.t("礼品", "Gift"))), .th(.text(ctx.t("商场", "Mall"))), .th(.class("num"), .text(ctx.t("剩余", "Remaining")))),
                    .forEach(visible) { s in
                        .tr(.td(.text(giftName(s.giftCode, m.programme).text(ctx.lang))), .td(.text(mallName[s.mallId] ?? "")),
                            .td(.class("num"), .text("\(s.remaining)")))
                    })),
                .if(!counted.isEmpty, .p(.class("muted"), .text(counted.map {
                    ctx.t("\($0.name.zh)：每个商场初始 \($0.stock ?? 0) 份", "\($0.name.en): \($0.stock ?? 0) per mall to start")
                }.joined(separator: " · ")))),
                .if(m.canSetStock && !counted.isEmpty && !m.malls.isEmpty,
                    .form(.method(.post), .action(SiteRoute.giftStock.path()), .class("inline"),
                          Layout.csrfField(ctx),
                          Layout.select(ctx.t("礼品", "Gift"), name: "gift", options: counted.map { ($0.code, $0.name.text(ctx.lang)) }, selected: ""),
                          Layout.select(ctx.t("商场", "Mall"), name: "mall", options: m.malls.map { (String($0.id), $0.name) }, selected: ""),
                          Layout.field(ctx.t("剩余数量", "Remaining"), name: "remaining", type: .number, required: true),
                          .button(.type(.submit), .text(ctx.t("设置库存", "Set stock"))))))
        }
    }
}
