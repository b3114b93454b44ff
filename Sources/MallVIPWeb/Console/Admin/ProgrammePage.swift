import Foundation
import MallVIPCore
import MallVIPStore
import Plot

/// The loyalty programme: the active YAML, the version history, and (admins and managers) a form to validate and
/// activate a new version. An invalid document lists each problem with its YAML path and activates nothing.
enum ProgrammePage {
    struct Model: Sendable {
        var history: [ProgrammeVersionInfo]
        var active: Programme
        /// The version whose YAML is shown (the active one unless `?version=` picks another).
        var shown: ProgrammeVersionInfo?
        /// Whether `?version=` asked for the version shown.
        var versionRequested = false
        var canApply: Bool
        /// The YAML in the apply form: the active version's, or what was posted when it was refused.
        var draft: String
        var note = ""
        var issues: [ProgrammeIssue] = []
        var notice: String?
    }

    enum Query {
        static func model(_ store: Store, version: Int?, canApply: Bool, notice: String?) async throws -> Model {
            let history = try await store.programmeHistory()
            let (_, active) = try await store.programme()
            let shown = version.flatMap { v in history.first { $0.version == v } } ?? history.first
            return Model(history: history, active: active, shown: shown, versionRequested: version != nil, canApply: canApply,
                         draft: history.first?.yaml ?? "", notice: notice)
        }
    }

    enum View {
        static func body(_ m: Model, _ ctx: PageContext) -> Node<HTML.BodyContext> {
            let current = m.history.first
            return .div(
                Layout.noticeBox(m.notice),
                .if(!m.issues.isEmpty, issuesBox(m.issues, ctx)),
                .unwrap(current) { c in
                    .p(.class("muted"), .text(ctx.t("当前版本 v\(c.version)，\(Layout.dateTime(c.activatedAt, m.active)) 由 \(c.activatedBy) 启用",
                                                    "Active version v\(c.version), activated \(Layout.dateTime(c.activatedAt, m.active)) by \(c.activatedBy)")
                                             + (c.note.isEmpty ? "" : " · " + c.note)))
                },
                .p(.a(.href(SiteURL.programmeSimulate.path), .text(ctx.t("模拟 / Simulate：用草案章程重算最近12个月", "模拟 / Simulate: replay the last 12 months under a draft")))),
                .h2(.text(ctx.t("会员等级", "Tiers"))),
                tiers(m.active, ctx),
                .h2(.text(ctx.t("版本历史", "Version history"))),
                .table(
                    .tr(.th(.text(ctx.t("版本", "Version"))), .th(.text(ctx.t("启用时间", "Activated"))), .th(.text(ctx.t("操作人", "By"))),
                        .th(.text(ctx.t("说明", "Note"))), .th()),
                    .forEach(m.history) { h in
                        .tr(.td(.text("v\(h.version)" + (h.version == current?.version ? ctx.t("（当前）", " (active)") : ""))),
                            .td(.text(Layout.dateTime(h.activatedAt, m.active))), .td(.text(h.activatedBy)), .td(.text(h.note)),
                            .td(.a(.href(SiteURL.programmeVersion(h.version).path), .text(ctx.t("查看", "View")))))
                    }),
                .unwrap(m.shown) { s in
                    // Folded for those who have the same text in the apply form below, unless a version was asked for.
                    .details(.open(!m.canApply || m.versionRequested),
                             .summary(.h2(.class("inline"), .text(ctx.t("v\(s.version) 章程 YAML", "v\(s.version) programme YAML")))),
                             .pre(.id("programme-yaml"), .text(s.yaml)))
                },
                .if(m.canApply, applyForm(m, ctx))
            )
        }

        static func issuesBox(_ issues: [ProgrammeIssue], _ ctx: PageContext) -> Node<HTML.BodyContext> {
            .div(.class("error"), .attribute(named: "role", value: "alert"),
                 .p(.text(ctx.t("章程无效，未启用新版本：", "The programme is invalid; no new version was activated:"))),
                 .ul(.forEach(issues) { i in .li(.code(.text(i.path)), .text(": " + i.message)) }))
        }

        static func tiers(_ p: Programme, _ ctx: PageContext) -> Node<HTML.BodyContext> {
            .table(
                .tr(.th(.text(ctx.t("代码", "Code"))), .th(.text(ctx.t("名称", "Name"))), .th(.text(ctx.t("折扣", "Discount"))),
                    .th(.text(ctx.t("升级条件", "Upgrade")))),
                .forEach(p.tiers) { t in
                    .tr(.td(.text(t.code)), .td(.text(t.name.text(ctx.lang))), .td(.text(discount(t.discountPermille, ctx))),
                        .td(.text(upgrade(t.upgrade, ctx))))
                })
        }

        /// 880 → "8.8折" / "12% off"; 1000 → "—".
        static func discount(_ permille: Int, _ ctx: PageContext) -> String {
            guard permille < 1000 else { return "—" }
            let rest = permille % 100
            let zhe = "\(permille / 100)" + (rest == 0 ? "" : rest % 10 == 0 ? ".\(rest / 10)" : "." + String(format: "%02d", rest))
            let off = 1000 - permille
            let offText = "\(off / 10)" + (off % 10 == 0 ? "" : ".\(off % 10)")
            return ctx.t("\(zhe)折", "\(offText)% off")
        }

        static func upgrade(_ rule: UpgradeRule?, _ ctx: PageContext) -> String {
            guard let rule else { return ctx.t("入会或人工设定", "entry tier or set by hand") }
            let parts = rule.thresholds.map {
                ctx.t("\($0.months)个月消费 ≥ \(Money.yuan($0.minSpendFen, decimals: false)) 元",
                      "\($0.months)-month spend ≥ \(Money.yuan($0.minSpendFen, decimals: false)) yuan")
            }
            let joined = parts.joined(separator: rule.match == .any ? ctx.t(" 或 ", " or ") : ctx.t(" 且 ", " and "))
            return joined + (rule.requiresApproval ? ctx.t("，经理审批", "; manager approval") : "")
        }

        static func applyForm(_ m: Model, _ ctx: PageContext) -> Node<HTML.BodyContext> {
            .group(
                .h2(.text(ctx.t("启用新版本", "Apply a new version"))),
                .form(.class("card"), .method(.post), .action(SiteURL.programme.path),
                      Layout.csrfField(ctx),
                      .label(.text(ctx.t("章程 YAML", "Programme YAML")),
                             .textarea(.name("yaml"), .class("code"), .required(true), .attribute(named: "spellcheck", value: "false"),
                                       .text(m.draft))),
                      Layout.field(ctx.t("变更说明", "What changed"), name: "note", value: m.note, required: true),
                      .p(.class("muted"), .text(ctx.t("提交后先校验，全部通过才启用为新版本；旧版本保留在历史中。",
                                                     "The document is validated first and activated only when it is valid; earlier versions stay in the history."))),
                      .button(.type(.submit), .text(ctx.t("校验并启用", "Validate and activate"))))
            )
        }
    }
}
