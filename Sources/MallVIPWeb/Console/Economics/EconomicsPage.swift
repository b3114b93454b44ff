import Foundation
import MallVIPCore
import MallVIPStore
import Plot

/// Programme economics for a year (docs/domain.md §13, §19): costs booked and from the system by kind, bucket and month,
/// the P&L (campaign uplift against control groups, margin, costs, net, ROI), and the 000 plan calculator.
enum EconomicsPage {
    struct Model: Sendable {
        var year: Int
        var pl: ProgrammePLReport
        var plan: ProgrammePlan
        var malls: [Mall]
        var canBook: Bool
        var notice: String?
        var error: String?
        var form: [String: String] = [:]
    }

    enum Query {
        static func model(_ store: Store, year: Int, plan: ProgrammePlan?, canBook: Bool) async throws -> Model {
            let (_, programme) = try await store.programme()
            let months = CostPeriod.months(of: year)
            let pl = try await store.programmePL(from: months[0], through: months[11])
            return Model(year: year, pl: pl, plan: plan ?? ProgrammePlan.seed(marginPermille: programme.messaging.marginPermille),
                         malls: try await store.malls(), canBook: canBook)
        }
    }

    /// CSV of the year's costs, booked and from the system, one line each (UTF-8 with BOM, plain yuan).
    static func csv(_ m: Model) -> String {
        var out = CSVFormat.bom + CSVFormat.line(["来源 source", "月份 period", "类别 kind", "预算科目 bucket", "数量 quantity", "单价 unit cost",
                                              "金额 amount", "说明 note", "录入人 by"])
        for c in m.pl.costs.booked {
            out += CSVFormat.line(["booked", c.period.description, c.kind.rawValue, c.bucket.rawValue, c.quantity.map(String.init) ?? "",
                                 c.unitCostFen.map { Money.yuan($0, grouping: false) } ?? "", Money.yuan(c.amountFen, grouping: false), c.note, c.createdBy])
        }
        for s in m.pl.costs.system {
            out += CSVFormat.line(["system:\(s.source.rawValue)", s.period.description, s.kind.rawValue, s.bucket.rawValue, String(s.count), "",
                                 Money.yuan(s.amountFen, grouping: false), s.source.label.zh, ""])
        }
        return out
    }

    enum View {
        static func yuan(_ fen: Int64) -> String { Money.yuan(fen) }
        static func roi(_ p: Int64?) -> String { p.map { KPIMetric.percent($0) } ?? "—" }

        static func body(_ m: Model, _ ctx: PageContext) -> Node<HTML.BodyContext> {
            let costs = m.pl.costs
            let byKind = costs.byKind, byBucket = costs.byBucket, byPeriod = costs.byPeriod
            return .div(
                Layout.noticeBox(m.notice),
                Layout.errorBox(m.error),
                .form(.method(.get), .action(SiteURL.economics(year: nil).path), .class("inline"),
                      Layout.field(ctx.t("年度", "Year"), name: "year", value: "\(m.year)", type: .number),
                      .button(.type(.submit), .text(ctx.t("查看", "Show"))),
                      .text(" "), .a(.href(SiteURL.economicsCostsCSV(year: m.year).path), .text(ctx.t("导出费用 CSV", "Export costs (CSV)")))),
                .h2(.id("pl"), .text(ctx.t("会员计划损益 \(m.year)", "Programme P&L \(m.year)"))),
                plTable(m.pl, ctx),
                .h3(.text(ctx.t("有对照组的推送活动（增量销售）", "Campaigns with a control group (incremental sales)"))),
                campaigns(m.pl, ctx),
                .h2(.id("costs"), .text(ctx.t("费用：按类别", "Costs by kind"))),
                .p(.class("muted"), .text(ctx.t("“来自系统”的费用由系统记录自动计入（短信与邮件发送、活动预算、维护人与转化奖励、积分兑换），不需再录入。",
                                                "Costs “from the system” come from its own records (messages sent, event budgets, account-manager and conversion rewards, redemptions): do not book them again."))),
                .table(
                    .tr(.th(.text(ctx.t("类别", "Kind"))), .th(.class("num"), .text(ctx.t("录入", "Booked"))),
                        .th(.class("num"), .text(ctx.t("来自系统", "From the system"))), .th(.class("num"), .text(ctx.t("合计", "Total")))),
                    .forEach(CostKind.allCases.filter { byKind[$0] != nil }) { k in
                        let t = byKind[k]!
                        return .tr(.td(.text(k.label.text(ctx.lang))), .td(.class("num"), .text(yuan(t.bookedFen))),
                                   .td(.class("num"), .text(yuan(t.systemFen))), .td(.class("num"), .text(yuan(t.totalFen))))
                    },
                    .tr(.th(.text(ctx.t("合计", "Total"))), .th(), .th(), .th(.class("num"), .text(yuan(costs.totalFen))))),
                .h3(.text(ctx.t("按预算科目", "By budget bucket"))),
                .table(
                    .tr(.th(.text(ctx.t("科目", "Bucket"))), .th(.class("num"), .text(ctx.t("录入", "Booked"))),
                        .th(.class("num"), .text(ctx.t("来自系统", "From the system"))), .th(.class("num"), .text(ctx.t("合计", "Total")))),
                    .forEach(BudgetBucket.allCases.filter { byBucket[$0] != nil }) { b in
                        let t = byBucket[b]!
                        return .tr(.td(.text(b.label.text(ctx.lang))), .td(.class("num"), .text(yuan(t.bookedFen))),
                                   .td(.class("num"), .text(yuan(t.systemFen))), .td(.class("num"), .text(yuan(t.totalFen))))
                    }),
                .h3(.text(ctx.t("按月份", "By month"))),
                .table(
                    .tr(.th(.text(ctx.t("月份", "Month"))), .th(.class("num"), .text(ctx.t("录入", "Booked"))),
                        .th(.class("num"), .text(ctx.t("来自系统", "From the system"))), .th(.class("num"), .text(ctx.t("合计", "Total")))),
                    .forEach(costs.periods) { p in
                        let t = byPeriod[p] ?? CostReport.Total()
                        return .tr(.td(.text(p.description)), .td(.class("num"), .text(yuan(t.bookedFen))),
                                   .td(.class("num"), .text(yuan(t.systemFen))), .td(.class("num"), .text(yuan(t.totalFen))))
                    }),
                .h3(.text(ctx.t("来自系统的费用明细", "Costs from the system"))),
                .table(
                    .tr(.th(.text(ctx.t("月份", "Month"))), .th(.text(ctx.t("来源", "Source"))), .th(.text(ctx.t("类别", "Kind"))),
                        .th(.class("num"), .text(ctx.t("笔数", "Count"))), .th(.class("num"), .text(ctx.t("金额（元）", "Amount (yuan)")))),
                    .forEach(costs.system) { s in
                        .tr(.td(.text(s.period.description)), .td(.text(s.source.label.text(ctx.lang) + ctx.t("（来自系统）", " (from the system)"))),
                            .td(.text(s.kind.label.text(ctx.lang))), .td(.class("num"), .text("\(s.count)")), .td(.class("num"), .text(yuan(s.amountFen))))
                    }),
                .h3(.text(ctx.t("录入的费用", "Booked costs"))),
                .table(
                    .tr(.th(.text(ctx.t("月份", "Month"))), .th(.text(ctx.t("类别", "Kind"))), .th(.text(ctx.t("科目", "Bucket"))),
                        .th(.text(ctx.t("数量 × 单价", "Quantity × unit"))), .th(.class("num"), .text(ctx.t("金额（元）", "Amount (yuan)"))),
                        .th(.text(ctx.t("说明", "Note"))), .th(.text(ctx.t("录入人", "By"))), .th()),
                    .forEach(costs.booked) { c in
                        .tr(.td(.text(c.period.description)), .td(.text(c.kind.label.text(ctx.lang))), .td(.text(c.bucket.label.text(ctx.lang))),
                            .td(.text(units(c))), .td(.class("num"), .text(yuan(c.amountFen))), .td(.text(c.note)), .td(.text(c.createdBy)),
                            .td(.if(m.canBook, .form(.method(.post), .action(SiteURL.economicsCostDelete(c.id).path), .class("inline"),
                                                     Layout.csrfField(ctx), .button(.type(.submit), .class("link"), .text(ctx.t("删除", "Delete")))))))
                    }),
                .if(m.canBook, bookForm(m, ctx)),
                .h2(.id("plan"), .text(ctx.t("计划测算（000 方案）", "Plan calculator (the 000 plan)"))),
                planSection(m, ctx)
            )
        }

        static func units(_ c: BookedCost) -> String {
            guard let q = c.quantity, let u = c.unitCostFen else { return "—" }
            return "\(q) × \(Money.yuan(u))"
        }

        static func plTable(_ r: ProgrammePLReport, _ ctx: PageContext) -> Node<HTML.BodyContext> {
            let pl = r.pl
            let other: ROIBasis = r.basis == .margin ? .revenue : .margin
            return .table(
                .tr(.td(.text(ctx.t("增量销售（对照组测得）", "Incremental sales (against control groups)"))), .td(.class("num"), .text(yuan(pl.incrementalRevenueFen)))),
                .tr(.td(.text(ctx.t("毛利率", "Margin"))), .td(.class("num"), .text(KPIMetric.percent(Int64(pl.marginPermille))))),
                .tr(.td(.text(ctx.t("增量毛利", "Incremental margin"))), .td(.class("num"), .text(yuan(pl.incrementalMarginFen)))),
                .tr(.td(.text(ctx.t("费用合计", "Costs"))), .td(.class("num"), .text(yuan(pl.costFen)))),
                .tr(.th(.text(ctx.t("净收益 · ", "Net · ") + r.basis.label.text(ctx.lang))), .th(.class("num"), .id("pl-net"), .text(yuan(pl.netFen(r.basis))))),
                .tr(.th(.text("ROI · " + r.basis.label.text(ctx.lang))), .th(.class("num"), .id("pl-roi"), .text(roi(pl.roiPermille(r.basis))))),
                .tr(.td(.class("muted"), .text(ctx.t("对照：", "For comparison: ") + other.label.text(ctx.lang))),
                    .td(.class("num muted"), .text(yuan(pl.netFen(other)) + " · ROI " + roi(pl.roiPermille(other))))))
        }

        static func campaigns(_ r: ProgrammePLReport, _ ctx: PageContext) -> Node<HTML.BodyContext> {
            guard !r.campaigns.isEmpty else { return .p(.class("muted"), .text(ctx.t("本期没有带对照组的推送。", "No campaign with a control group in this period."))) }
            return .table(
                .tr(.th(.text(ctx.t("推送", "Campaign"))), .th(.text(ctx.t("发送日", "Sent"))), .th(.class("num"), .text(ctx.t("实验组", "Treated"))),
                    .th(.class("num"), .text(ctx.t("对照组", "Holdout"))), .th(.class("num"), .text(ctx.t("增量销售（元）", "Incremental sales (yuan)"))),
                    .th(.text(ctx.t("显著", "Significant")))),
                .forEach(r.campaigns) { c in
                    .tr(.td(.a(.href(SiteURL.campaign(c.id).path), .text(c.name))), .td(.text(c.sentOn.description)),
                        .td(.class("num"), .text("\(c.treated)")), .td(.class("num"), .text("\(c.holdout)")),
                        .td(.class("num"), .text(c.incrementalSpendFen.map(yuan) ?? "—")),
                        .td(.text(c.significant.map { $0 ? ctx.t("是", "yes") : ctx.t("否", "no") } ?? "—")))
                })
        }

        static func bookForm(_ m: Model, _ ctx: PageContext) -> Node<HTML.BodyContext> {
            let f = m.form
            let month = f["period"] ?? String(format: "%04d-%02d", m.year, 1)
            return .group(
                .h3(.text(ctx.t("录入费用", "Book a cost"))),
                .form(.class("card"), .method(.post), .action(SiteURL.economicsCosts.path),
                      Layout.csrfField(ctx),
                      .input(.type(.hidden), .name("year"), .value("\(m.year)")),
                      Layout.select(ctx.t("类别", "Kind"), name: "kind", options: CostKind.allCases.map { ($0.rawValue, $0.label.text(ctx.lang)) },
                                    selected: f["kind"] ?? CostKind.sms.rawValue),
                      Layout.select(ctx.t("预算科目", "Budget bucket"), name: "bucket",
                                    options: [("", ctx.t("按类别默认", "The kind's default"))] + BudgetBucket.allCases.map { ($0.rawValue, $0.label.text(ctx.lang)) },
                                    selected: f["bucket"] ?? ""),
                      Layout.field(ctx.t("月份（YYYY-MM）", "Month (YYYY-MM)"), name: "period", value: month, required: true),
                      Layout.field(ctx.t("数量（可写 2000×12）", "Quantity (2000×12 allowed)"), name: "quantity", value: f["quantity"] ?? ""),
                      Layout.field(ctx.t("单价（元）", "Unit cost (yuan)"), name: "unitCost", value: f["unitCost"] ?? ""),
                      Layout.field(ctx.t("金额（元，有数量与单价时自动计算）", "Amount (yuan; computed from quantity × unit cost when given)"), name: "amount",
                                   value: f["amount"] ?? ""),
                      Layout.select(ctx.t("商场", "Mall"), name: "mall", options: [("", ctx.t("全集团", "Whole group"))] + m.malls.map { (String($0.id), "\($0.code) \($0.name)") },
                                    selected: f["mall"] ?? ""),
                      Layout.field(ctx.t("说明", "Note"), name: "note", value: f["note"] ?? ""),
                      .button(.type(.submit), .text(ctx.t("录入", "Book"))))
            )
        }

        static func planSection(_ m: Model, _ ctx: PageContext) -> Node<HTML.BodyContext> {
            let p = m.plan, pl = p.pl
            let costs = p.costs + Array(repeating: ProgrammePlan.CostLine(label: "", amountFen: 0), count: max(0, 4 - p.costs.count))
            return .group(
                .p(.class("muted"), .text(ctx.t("计划新增VIP人数 × 每人增量消费 − 计划费用。000 方案原式从销售额中直接减去费用：200 × 900 − 80,000 − 5,000 − 3,000 = 92,000（原文误写为 97,000）；按毛利计算时先乘毛利率（§19）。",
                                                "Planned new VIPs × extra spend per VIP − planned costs. The 000 plan subtracts the costs from the sales themselves: 200 × 900 − 80,000 − 5,000 − 3,000 = 92,000 (the source wrote 97,000); on margin the sales are first multiplied by the margin (§19)."))),
                .form(.class("card"), .method(.get), .action(SiteURL.economics(year: nil).path + "#plan"),
                      .input(.type(.hidden), .name("year"), .value("\(m.year)")),
                      Layout.field(ctx.t("计划新增VIP人数", "Planned new VIPs"), name: "planVIPs", value: "\(p.newVIPs)", type: .number),
                      Layout.field(ctx.t("每人增量消费（元）", "Extra spend per VIP (yuan)"), name: "planUplift", value: Money.yuan(p.upliftPerVIPFen, grouping: false)),
                      .forEach(Array(costs.enumerated())) { i, c in
                          .group(Layout.field(ctx.t("费用项 \(i + 1)", "Cost \(i + 1)"), name: "planCostLabel\(i)", value: c.label),
                                 Layout.field(ctx.t("金额（元）", "Amount (yuan)"), name: "planCost\(i)",
                                              value: c.amountFen == 0 && c.label.isEmpty ? "" : Money.yuan(c.amountFen, grouping: false)))
                      },
                      .button(.type(.submit), .text(ctx.t("测算", "Calculate")))),
                .table(
                    .tr(.td(.text(ctx.t("增量销售", "Incremental sales"))), .td(.class("num"), .id("plan-revenue"), .text(yuan(pl.incrementalRevenueFen)))),
                    .tr(.td(.text(ctx.t("计划费用", "Planned costs"))), .td(.class("num"), .text(yuan(pl.costFen)))),
                    .forEach(ROIBasis.allCases) { b in
                        .tr(.th(.text(b.label.text(ctx.lang) + (b == m.pl.basis ? ctx.t("（章程设定）", " (the programme's)") : ""))),
                            .th(.class("num"), .id("plan-net-\(b.rawValue)"), .text(yuan(pl.netFen(b)) + " · ROI " + roi(pl.roiPermille(b)))))
                    })
            )
        }
    }
}
