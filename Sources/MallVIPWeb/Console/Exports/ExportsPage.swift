import Foundation
import MallVIPCore
import MallVIPStore
import Plot

/// The exports page: what can be downloaded, for which period, and who downloaded what lately.
enum ExportsPage {
    struct Model {
        var today: LocalDate
        var unmasked: Bool
        var recent: [ExportRecord]
        var programme: Programme
        var error: String?
    }

    enum View {
        static func body(_ m: Model, _ ctx: PageContext) -> Node<HTML.BodyContext> {
            let monthStart = LocalDate(year: m.today.year, month: m.today.month, day: 1)
            func periodForm(_ title: String, _ path: String) -> Node<HTML.BodyContext> {
                .form(.class("card"), .method(.get), .action(path),
                      .h2(.text(title)),
                      Layout.field(ctx.t("从", "From"), name: "from", value: monthStart.description, type: .date),
                      Layout.field(ctx.t("至", "To"), name: "to", value: m.today.description, type: .date),
                      .button(.type(.submit), .text(ctx.t("下载 CSV", "Download CSV"))))
            }
            return .div(
                Layout.errorBox(m.error),
                .p(.class("muted"), .text(m.unmasked
                    ? ctx.t("CSV 为 UTF-8（带 BOM），Excel 可直接打开。导出含完整个人信息，每次导出都记入审计日志。",
                            "CSV in UTF-8 with a BOM, which Excel opens directly. Exports hold full personal data; each is audited.")
                    : ctx.t("CSV 为 UTF-8（带 BOM），Excel 可直接打开。姓名和手机号已打码，每次导出都记入审计日志。",
                            "CSV in UTF-8 with a BOM, which Excel opens directly. Names and phones are masked; each export is audited."))),
                .div(.class("card"),
                     .h2(.text(ctx.t("会员", "Members"))),
                     .p(.a(.class("button"), .href(SiteURL.exportMembers.path), .text(ctx.t("下载全部会员 CSV", "Download all members (CSV)"))))),
                periodForm(ctx.t("消费记录（按营业日）", "Purchases (by business day)"), SiteURL.exportPurchases.path),
                periodForm(ctx.t("积分明细", "Points ledger"), SiteURL.exportLedger.path),
                .h2(.text(ctx.t("最近的导出", "Recent exports"))),
                .if(m.recent.isEmpty, .p(.class("muted"), .text(ctx.t("暂无", "None yet")))),
                .if(!m.recent.isEmpty, .table(
                    .tr(.th(.text(ctx.t("时间", "When"))), .th(.text(ctx.t("操作人", "Who"))), .th(.text(ctx.t("内容", "What"))),
                        .th(.text(ctx.t("说明", "Detail")))),
                    .forEach(m.recent) { r in
                        .tr(.td(.text(Layout.dateTime(r.at, m.programme))), .td(.text(r.actor)), .td(.text("\(r.action) · \(r.subject)")),
                            .td(.text(r.detail)))
                    }))
            )
        }
    }
}
