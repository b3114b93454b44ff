import Foundation
import MallVIPCore
import MallVIPStore
import Plot

/// Yearly targets (docs/domain.md §12.1): actual against target and the gap, group-wide, per mall and per department,
/// each with a bar (the actual) and a tick (the target); and the VIP share of every department for the year.
enum TargetsPage {
    struct Model: Sendable {
        var year: Int
        var lines: [TargetLine]
        var departments: [Department]
        var malls: [Mall]
        var departmentSales: [DepartmentSales]
        var canSet: Bool
        var notice: String?
        var error: String?
        var form: [String: String] = [:]

        /// The VIP-share target that applies to a department: its own, else its mall's, else the group's.
        func shareTarget(for d: Department) -> TargetLine? {
            let share = lines.filter { $0.stored.target.metric == .vipShare }
            return share.first { $0.stored.target.departmentId == d.id }
                ?? share.first { $0.stored.target.departmentId == nil && $0.stored.target.mallId == d.mallId }
                ?? share.first { $0.stored.target.departmentId == nil && $0.stored.target.mallId == nil }
        }
    }

    enum Query {
        static func model(_ store: Store, year: Int, canSet: Bool) async throws -> Model {
            Model(year: year, lines: try await store.targetLines(year: year), departments: try await store.departments(),
                  malls: try await store.malls(), departmentSales: try await store.departmentSales(year: year), canSet: canSet)
        }
    }

    enum View {
        static func body(_ m: Model, _ ctx: PageContext) -> Node<HTML.BodyContext> {
            .div(
                Layout.noticeBox(m.notice),
                Layout.errorBox(m.error),
                .form(.method(.get), .action(SiteURL.targets(year: nil).path), .class("inline"),
                      Layout.field(ctx.t("年度", "Year"), name: "year", value: "\(m.year)", type: .number),
                      .button(.type(.submit), .text(ctx.t("查看", "Show")))),
                .h2(.text(ctx.t("\(m.year) 年目标完成情况", "Targets for \(m.year): actual against target"))),
                targetTable(m, ctx),
                .h2(.text(ctx.t("各课 VIP业绩占比", "VIP share of sales by department"))),
                departmentTable(m, ctx),
                .if(m.canSet, form(m, ctx))
            )
        }

        static func scope(_ t: KPITarget, _ m: Model, _ ctx: PageContext) -> String {
            if let d = t.departmentId, let dept = m.departments.first(where: { $0.id == d }) { return "\(dept.code) \(dept.name)" }
            if let mall = t.mallId, let x = m.malls.first(where: { $0.id == mall }) { return "\(x.code) \(x.name)" }
            return ctx.t("全集团", "Whole group")
        }

        static func targetText(_ line: TargetLine, _ ctx: PageContext) -> String {
            let t = line.stored.target
            switch t.mode {
            case .absolute: return t.metric.format(t.value)
            case .relative:
                let change = (t.value >= 0 ? "+" : "") + KPIMetric.percent(t.value)
                let resolved = line.progress.target.map { " = " + t.metric.format($0) } ?? ctx.t("（缺上年数据）", " (no figure for last year)")
                return ctx.t("较上年 ", "last year ") + change + resolved
            }
        }

        static func gapText(_ p: TargetProgress, _ metric: KPIMetric) -> String {
            guard let gap = p.gap else { return "—" }
            let magnitude = metric == .vipShare || metric == .repurchaseRate ? KPIMetric.percent(abs(gap)).replacingOccurrences(of: "%", with: " pp")
                : metric.format(abs(gap))
            return (gap >= 0 ? "+" : "-") + magnitude
        }

        static func targetTable(_ m: Model, _ ctx: PageContext) -> Node<HTML.BodyContext> {
            guard !m.lines.isEmpty else { return .p(.class("muted"), .text(ctx.t("本年度尚未设定目标。", "No targets set for this year."))) }
            return .table(
                .tr(.th(.text(ctx.t("范围", "Scope"))), .th(.text(ctx.t("指标", "Metric"))), .th(.text(ctx.t("目标", "Target"))),
                    .th(.class("num"), .text(ctx.t("实际", "Actual"))), .th(.class("num"), .text(ctx.t("差距", "Gap"))),
                    .th(.text(ctx.t("完成度", "Progress"))), .th()),
                .forEach(m.lines) { line in
                    let t = line.stored.target, p = line.progress
                    return .tr(.class(p.met == false ? "short" : ""),
                               .td(.text(scope(t, m, ctx))), .td(.text(t.metric.label.text(ctx.lang))), .td(.text(targetText(line, ctx))),
                               .td(.class("num"), .text(line.actual.map { t.metric.format($0) } ?? "—")),
                               .td(.class("num"), .text(gapText(p, t.metric))),
                               .td(.raw(BarChartSVG.progress(actual: line.actual, target: p.target, label: t.metric.label.text(ctx.lang),
                                                             full: t.metric.unit == .permille ? 1000 : nil)),
                                   .text(" " + (p.attainmentPermille.map { KPIMetric.percent($0) } ?? ""))),
                               .td(.if(m.canSet, .form(.method(.post), .action(SiteURL.targetDelete(line.stored.id).path), .class("inline"),
                                                       Layout.csrfField(ctx), .button(.type(.submit), .class("link"), .text(ctx.t("删除", "Delete")))))))
                })
        }

        static func departmentTable(_ m: Model, _ ctx: PageContext) -> Node<HTML.BodyContext> {
            .table(
                .tr(.th(.text(ctx.t("课", "Department"))), .th(.class("num"), .text(ctx.t("销售额（元）", "Sales (yuan)"))),
                    .th(.class("num"), .text(ctx.t("VIP销售额（元）", "VIP sales (yuan)"))), .th(.class("num"), .text(ctx.t("VIP占比", "VIP share"))),
                    .th(.class("num"), .text(ctx.t("目标", "Target"))), .th(.class("num"), .text(ctx.t("差距", "Gap"))), .th()),
                .forEach(m.departments) { d in
                    let s = m.departmentSales.first { $0.departmentId == d.id }
                    let target = m.shareTarget(for: d)
                    let resolved = target?.stored.target.mode == .absolute ? target?.stored.target.value : target?.progress.target
                    let own = target?.stored.target.departmentId == d.id
                    let p = TargetProgress(target: resolved, actual: s?.vipSharePermille)
                    return .tr(.class(p.met == false ? "short" : ""),
                               .td(.text("\(d.code) \(d.name)")), .td(.class("num"), .text(Money.yuan(s?.salesFen ?? 0))),
                               .td(.class("num"), .text(Money.yuan(s?.vipSalesFen ?? 0))),
                               .td(.class("num"), .text(s?.vipSharePermille.map { KPIMetric.percent($0) } ?? "—")),
                               .td(.class("num"), .text(resolved.map { KPIMetric.percent($0) + (own ? "" : ctx.t("（整体）", " (overall)")) } ?? "—")),
                               .td(.class("num"), .text(gapText(p, .vipShare))),
                               .td(.raw(BarChartSVG.progress(actual: s?.vipSharePermille, target: resolved, label: "\(d.code) VIP", full: 1000))))
                })
        }

        static func form(_ m: Model, _ ctx: PageContext) -> Node<HTML.BodyContext> {
            let f = m.form
            return .group(
                .h2(.text(ctx.t("设定目标", "Set a target"))),
                .p(.class("muted"), .text(ctx.t("占比与比率按百分数填写（30 = 30%），金额按元，其余为整数；“较上年变化”填百分数（+20 或 -10）。同一范围同一指标再次设定会替换原目标。",
                                                "Shares and rates in percent (30 = 30%), money in yuan, the rest whole numbers; a change on last year in percent (+20 or -10). Setting the same metric and scope again replaces the target."))),
                .form(.class("card"), .method(.post), .action(SiteURL.targetsSet.path),
                      Layout.csrfField(ctx),
                      Layout.field(ctx.t("年度", "Year"), name: "year", value: f["year"] ?? "\(m.year)", type: .number, required: true),
                      Layout.select(ctx.t("商场", "Mall"), name: "mall",
                                    options: [("", ctx.t("全集团", "Whole group"))] + m.malls.map { (String($0.id), "\($0.code) \($0.name)") }, selected: f["mall"] ?? ""),
                      Layout.select(ctx.t("课（仅销售类指标）", "Department (sales figures only)"), name: "department",
                                    options: [("", ctx.t("全部", "All"))] + m.departments.map { (String($0.id), "\($0.code) \($0.name)") },
                                    selected: f["department"] ?? ""),
                      Layout.select(ctx.t("指标", "Metric"), name: "metric", options: KPIMetric.allCases.map { ($0.rawValue, $0.label.text(ctx.lang)) },
                                    selected: f["metric"] ?? KPIMetric.vipShare.rawValue),
                      Layout.select(ctx.t("方式", "Mode"), name: "mode", options: TargetMode.allCases.map { ($0.rawValue, $0.label.text(ctx.lang)) },
                                    selected: f["mode"] ?? TargetMode.absolute.rawValue),
                      Layout.field(ctx.t("目标值", "Value"), name: "value", value: f["value"] ?? "", required: true),
                      Layout.field(ctx.t("说明", "Note"), name: "note", value: f["note"] ?? ""),
                      .button(.type(.submit), .text(ctx.t("保存目标", "Save target"))))
            )
        }
    }
}
