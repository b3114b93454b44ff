import Foundation
import MallVIPCore
import MallVIPStore
import Plot

/// 模拟 / Simulate: a draft programme (the same YAML as `programme apply`) replayed over the last months of purchases
/// beside the active one. Nothing is activated; an invalid draft lists each problem with its YAML path.
enum ProgrammeSimulatePage {
    struct Model: Sendable {
        var draft: String
        var months: Int
        var issues: [ProgrammeIssue] = []
        var result: SimulationResult?
    }

    enum View {
        static func body(_ m: Model, _ ctx: PageContext) -> Node<HTML.BodyContext> {
            .div(
                .p(.class("muted"), .text(ctx.t("把草案章程（与“启用新版本”相同的 YAML）套用到最近几个月的实际消费上重算：等级人数、升降级、积分、折扣成本、免费停车与积分负债，与现行章程并列比较。不会启用任何内容。",
                                                "Replays the last months of recorded purchases under a draft programme (the same YAML as “Apply a new version”): members per tier, upgrades and downgrades, points, discount cost, free parking and points liability, beside the active programme. Nothing is activated."))),
                .if(!m.issues.isEmpty, .div(.class("error"), .attribute(named: "role", value: "alert"),
                                            .p(.text(ctx.t("草案章程无效，未能模拟：", "The draft programme is invalid; nothing was simulated:"))),
                                            .ul(.forEach(m.issues) { i in .li(.code(.text(i.path)), .text(": " + i.message)) }))),
                .unwrap(m.result) { result(  $0, ctx) },
                .h2(.text(ctx.t("草案章程", "Draft programme"))),
                .form(.class("card"), .method(.post), .action(SiteURL.programmeSimulate.path), .enctype(.multipartData),
                      Layout.csrfField(ctx),
                      .label(.text(ctx.t("章程 YAML（粘贴）", "Programme YAML (paste)")),
                             .textarea(.name("yaml"), .class("code"), .attribute(named: "spellcheck", value: "false"), .text(m.draft))),
                      .label(.text(ctx.t("或上传 YAML 文件", "or upload a YAML file")), .input(.type(.file), .name("file"), .attribute(named: "accept", value: ".yaml,.yml,text/yaml,text/plain"))),
                      Layout.field(ctx.t("回放月数", "Months replayed"), name: "months", value: "\(m.months)", type: .number),
                      .button(.type(.submit), .text(ctx.t("模拟", "Simulate"))))
            )
        }

        static func result(_ r: SimulationResult, _ ctx: PageContext) -> Node<HTML.BodyContext> {
            let rows = r.rows
            return .group(
                .h2(.id("result"), .text(ctx.t("模拟结果 \(r.from) 至 \(r.through)", "Simulation \(r.from) to \(r.through)"))),
                .table(.id("simulation"),
                       .tr(.th(.text(ctx.t("指标", "Figure"))), .th(.class("num"), .text(ctx.t("现行章程", "Active programme"))),
                           .th(.class("num"), .text(ctx.t("草案", "Draft"))), .th(.class("num"), .text(ctx.t("差异", "Change"))),
                           .th(.class("num"), .text(ctx.t("实际记录", "Recorded")))),
                       .forEach(rows) { row in
                           .tr(.td(.text(row.label.text(ctx.lang))), .td(.class("num"), .text(row.current)), .td(.class("num"), .text(row.draft)),
                               .td(.class("num"), .text(row.change)), .td(.class("num muted"), .text(row.recorded ?? "—")))
                       }),
                .p(.class("muted"), .text(ctx.t("“实际记录”为数据库中同期的数字：现行章程的回放应与之接近（人工等级、审批升级与退货不回放）。",
                                                "“Recorded” is what the database holds for the same window: the active programme's replay should come close to it (manual tiers, approvals and refunds are not replayed)."))),
                .raw(BarChartSVG.grouped(labels: r.tiers.map { $0.name.text(ctx.lang) },
                                         series: [(ctx.t("现行", "Active"), "#1565c0", r.tiers.map { r.current.membersByTier[$0.code] ?? 0 }),
                                                  (ctx.t("草案", "Draft"), "#ef6c00", r.tiers.map { r.draft.membersByTier[$0.code] ?? 0 })],
                                         title: ctx.t("期末各等级人数", "Members per tier at the end")))
            )
        }
    }
}
