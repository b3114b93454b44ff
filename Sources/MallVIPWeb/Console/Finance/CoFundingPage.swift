import Foundation
import MallVIPCore
import MallVIPStore
import Plot
import Vapor

/// Finance: tenant co-funding statements (issue 20, docs/finance.md "Tenant co-funding"). One month, one line per
/// counter of the user's malls: points issued at the counter, their cost, the counter's funding, the gifts it
/// supplied, the net amount. Printable (the menu and form hide on paper) and one CSV per month.
enum CoFundingPage {
    struct Model: Sendable {
        var statement: CoFundingStatement
        var today: LocalDate
    }

    /// "YYYY-MM" within 2000–2099 (the years a statement can concern), else nil.
    static func parseMonth(_ text: String) -> (year: Int, month: Int)? {
        guard let ym = SettlementPage.parseMonth(text.trimmingCharacters(in: .whitespaces)), (2000...2099).contains(ym.year) else { return nil }
        return ym
    }

    enum Query {
        /// `month` nil or empty: the previous month (the one a statement is usually drawn up for).
        static func model(_ req: Request, month text: String?) async throws -> Model {
            let store = req.store
            let (_, programme) = try await store.programme()
            let today = LocalDate.of(store.env.now(), in: programme.timeZone)
            let ym: (year: Int, month: Int)
            if let text, !text.isEmpty {
                guard let parsed = parseMonth(text) else {
                    throw DomainError.invalid("month", "month.format", zh: "月份格式须为 YYYY-MM（2000–2099 年）",
                                              en: "month must be YYYY-MM, years 2000 to 2099")
                }
                ym = parsed
            } else {
                let previous = LocalDate(year: today.year, month: today.month, day: 1).adding(months: -1)
                ym = (previous.year, previous.month)
            }
            let statement = try await store.coFundingStatement(year: ym.year, month: ym.month, scope: try await MallAccess.scope(req))
            return Model(statement: statement, today: today)
        }
    }

    static func yuan(_ fen: Int64) -> String { Money.yuan(fen).replacingOccurrences(of: ",", with: "") }
    static func permille(_ p: Int) -> String { "\(p)‰" }

    enum View {
        static func body(_ m: Model, _ ctx: PageContext) -> Node<HTML.BodyContext> {
            let s = m.statement
            let t = s.total
            let prev = LocalDate(year: s.year, month: s.month, day: 1).adding(months: -1)
            let next = LocalDate(year: s.year, month: s.month, day: 1).adding(months: 1)
            func label(_ d: LocalDate) -> String { "\(d.year)-" + (d.month < 10 ? "0\(d.month)" : "\(d.month)") }
            return .div(
                .div(.class("no-print"),
                     .form(.method(.get), .action(SiteURL.financeCoFunding(month: nil).path), .class("inline"),
                           Layout.field(ctx.t("月份", "Month"), name: "month", value: s.label),
                           .button(.type(.submit), .text(ctx.t("查看", "Show")))),
                     .p(.a(.href(SiteURL.financeCoFunding(month: label(prev)).path), .text("← " + label(prev))), .text(" · "),
                        .a(.href(SiteURL.financeCoFunding(month: label(next)).path), .text(label(next) + " →")), .text(" · "),
                        .a(.class("csv"), .id("co-funding-csv"), .href(SiteURL.financeCoFundingCSV(month: s.label).path), .text("CSV")), .text(" · "),
                        .button(.type(.button), .class("button"), .attribute(named: "data-print", value: "1"), .text(ctx.t("打印", "Print"))))),
                .p(.class("muted"), .text(ctx.t(
                    "\(s.label) · 每1000分价值 \(Money.yuan(s.fenPerThousandPoints)) 元 · 默认分摊比例 \(permille(s.defaultSharePermille)) · 净额为正：店柜应付商场；为负：商场应付店柜",
                    "\(s.label) · 1,000 points are worth \(Money.yuan(s.fenPerThousandPoints)) yuan · default share \(permille(s.defaultSharePermille)) · net positive: the counter pays the mall; negative: the mall pays the counter"))),
                .if(!s.unknownCounterCodes.isEmpty || !s.unknownPartnerCodes.isEmpty,
                    .p(.class("error"), .id("co-funding-unknown"), .text(ctx.t(
                        "会员章程 coFunding 中有不存在的代码：" + (s.unknownCounterCodes + s.unknownPartnerCodes).joined(separator: "、"),
                        "The programme's coFunding names codes that do not exist: " + (s.unknownCounterCodes + s.unknownPartnerCodes).joined(separator: ", "))))),
                .table(.class("report-table"), .id("co-funding"),
                    .thead(.tr(.th(.text(ctx.t("商场", "Mall"))), .th(.text(ctx.t("店柜", "Counter"))), .th(.text(ctx.t("品牌", "Brand"))),
                               .th(.class("num"), .text(ctx.t("分摊比例", "Share"))),
                               .th(.class("num"), .text(ctx.t("发放积分", "Points earned"))), .th(.class("num"), .text(ctx.t("退货扣回", "Reversed"))),
                               .th(.class("num"), .text(ctx.t("净发放积分", "Points issued"))), .th(.class("num"), .text(ctx.t("积分成本（元）", "Cost (yuan)"))),
                               .th(.class("num"), .text(ctx.t("店柜分摊（元）", "Funding (yuan)"))), .th(.class("num"), .text(ctx.t("供应兑换笔数", "Redemptions supplied"))),
                               .th(.class("num"), .text(ctx.t("供应礼品成本（元）", "Supplied (yuan)"))), .th(.class("num"), .text(ctx.t("净额（元）", "Net (yuan)"))))),
                    .tbody(
                        .forEach(s.lines) { l in
                            let f = l.figures
                            return .tr(.attribute(named: "data-counter", value: l.counter?.code ?? ""),
                                .td(.text(l.counter?.mallCode ?? "—")),
                                .td(.text(l.counter.map { "\($0.code) \($0.name)" } ?? ctx.t("（无店柜明细）", "(no counter lines)"))),
                                .td(.text(l.counter?.brand ?? "")),
                                .td(.class("num"), .text(permille(f.sharePermille) + (l.overridden ? " *" : ""))),
                                .td(.class("num"), .text("\(f.pointsEarned)")), .td(.class("num"), .text("\(f.pointsReversed)")),
                                .td(.class("num"), .text("\(f.pointsIssued)")), .td(.class("num"), .text(Money.yuan(f.costFen))),
                                .td(.class("num"), .text(Money.yuan(f.fundingFen))), .td(.class("num"), .text("\(f.redemptions)")),
                                .td(.class("num"), .text(Money.yuan(f.suppliedFen))), .td(.class("num"), .b(.text(Money.yuan(f.netFen)))))
                        },
                        .tr(.id("co-funding-total"), .th(.text(ctx.t("合计", "Total"))), .td(), .td(), .td(),
                            .th(.class("num"), .text("\(t.pointsEarned)")), .th(.class("num"), .text("\(t.pointsReversed)")),
                            .th(.class("num"), .text("\(t.pointsIssued)")), .th(.class("num"), .text(Money.yuan(t.costFen))),
                            .th(.class("num"), .text(Money.yuan(t.fundingFen))), .th(.class("num"), .text("\(t.redemptions)")),
                            .th(.class("num"), .text(Money.yuan(t.suppliedFen))), .th(.class("num"), .text(Money.yuan(t.netFen)))))),
                .if(s.lines.isEmpty, .p(.class("muted"), .text(ctx.t("本月没有店柜发放积分或供应兑换礼品。", "No counter issued points or supplied a redemption this month.")))),
                .p(.class("muted"), .text(ctx.t(
                    "* 会员章程 coFunding.counters 中单独设定的比例。积分按小票各店柜可积分金额分摊，退货扣回按各店柜退货金额分摊；成本 = 积分 × 每1000分价值 ÷ 1000，分摊 = 成本 × 比例，均取整到分。",
                    "* share set for this counter in the programme's coFunding.counters. A receipt's points are split over its counters by the amount that earns points, a refund's by the amount refunded there; cost = points × value per 1,000 ÷ 1,000, funding = cost × share, each rounded to the fen once.")))
            )
        }
    }

    /// One row per counter, through `CSVFormat` (a counter named "=HYPERLINK(…)" stays text). Amounts in yuan with
    /// two decimals and no grouping; shares in per mille.
    static func csv(_ m: Model) -> String {
        let s = m.statement
        var out = CSVFormat.bom + CSVFormat.line(["month", "mall", "counter", "counterName", "brand", "sharePermille", "pointsEarned",
                                                  "pointsReversed", "pointsIssued", "costYuan", "fundingYuan", "redemptions",
                                                  "suppliedYuan", "netYuan"])
        for l in s.lines {
            let f = l.figures
            out += CSVFormat.line([s.label, l.counter?.mallCode ?? "", l.counter?.code ?? "", l.counter?.name ?? "", l.counter?.brand ?? "",
                                   String(f.sharePermille), String(f.pointsEarned), String(f.pointsReversed), String(f.pointsIssued),
                                   yuan(f.costFen), yuan(f.fundingFen), String(f.redemptions), yuan(f.suppliedFen), yuan(f.netFen)])
        }
        return out
    }
}

/// `/console/finance/co-funding?month=YYYY-MM` and its CSV: managers and admins, as the other finance pages
/// (no separate finance role, /work/notes 20-coord); a manager limited to some malls sees their counters only.
enum CoFundingController {
    static func register(_ routes: any RoutesBuilder) throws {
        let managers = routes.grouped(StaffAuthMiddleware(roles: StaffRole.managers))
        managers.get(.financeCoFunding, use: show)
        managers.get(.financeCoFundingCSV, use: csv)
    }

    @Sendable static func show(req: Request) async throws -> Response {
        let ctx = PageContext(req)
        let model = try await CoFundingPage.Query.model(req, month: req.query["month"])
        return Layout.render(ctx, title: ctx.t("店柜积分分摊结算", "Tenant co-funding") + " · " + model.statement.label,
                             CoFundingPage.View.body(model, ctx))
    }

    @Sendable static func csv(req: Request) async throws -> Response {
        let model = try await CoFundingPage.Query.model(req, month: req.query["month"])
        try await req.store.audit(actor: req.actor, action: "finance.coFundingExport", subject: model.statement.label)
        return Response(status: .ok, headers: CSVText.headers(filename: "co-funding-\(model.statement.label).csv"),
                        body: .init(string: CoFundingPage.csv(model)))
    }
}
