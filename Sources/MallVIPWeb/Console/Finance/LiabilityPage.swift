import Foundation
import MallVIPCore
import MallVIPStore
import Plot
import Vapor

/// Finance: the points liability roll-forward (issue 20, docs/finance.md). One month: per mall (the user's malls) and
/// for the group (group-wide users), points and their value, and the revenue deferred to them; the months of the
/// roll-forward with their state (closed / open). Printable (the menu and form hide on paper); the CSV holds every
/// month through the one shown.
enum LiabilityPage {
    struct Model: Sendable {
        var month: FinanceMonth
        var rollForward: PointsRollForward
        /// The rows shown: the user's malls, and the group's when group-wide.
        var rows: [LiabilityRow]
        var names: [Int64: String]
        var groupWide: Bool

        func visible(_ rows: [LiabilityRow]) -> [LiabilityRow] { rows }
    }

    enum Query {
        static func month(_ text: String?, _ store: Store) async throws -> FinanceMonth {
            let trimmed = text?.trimmingCharacters(in: .whitespaces) ?? ""
            if trimmed.isEmpty {
                let (_, programme) = try await store.programme()
                return FinanceMonth(LocalDate.of(store.env.now(), in: programme.timeZone))
            }
            guard let m = FinanceMonth(trimmed), (2000...2999).contains(m.year) else {
                throw DomainError.invalid("month", "finance.month.format", zh: "月份格式应为 YYYY-MM（2000–2999 年）",
                                          en: "month must be YYYY-MM, years 2000–2999")
            }
            return m
        }

        static func model(_ req: Request) async throws -> Model {
            let month = try await month(req.query["month"], req.store)
            let scope = try await MallAccess.scope(req)
            let rf = try await req.store.pointsRollForward(through: month)
            let names = Dictionary(uniqueKeysWithValues: try await req.store.malls().map { ($0.id, $0.name) })
            return Model(month: month, rollForward: rf, rows: filter(rf.rows(month), scope), names: names, groupWide: scope.isGroupWide)
        }

        /// A mall's rows for users of that mall; the group's and "no mall" for group-wide users only.
        static func filter(_ rows: [LiabilityRow], _ scope: MallScope) -> [LiabilityRow] {
            rows.filter { r in scope.isGroupWide || (!r.isGroup && r.mallId > 0 && scope.contains(mall: r.mallId)) }
        }
    }

    static func csv(_ m: Model, scope: MallScope) -> String {
        let rows = m.rollForward.order.flatMap { Query.filter(m.rollForward.rows($0), scope) }
        return LiabilityCSV.render(rows, mallName: { FinanceMallName.name($0, m.names) }, closed: { m.rollForward.closed[$0] != nil })
    }

    enum View {
        static func num(_ v: Int64) -> Node<HTML.TableRowContext> { .td(.class("num"), .text(String(v))) }
        static func fen(_ v: Int64) -> Node<HTML.TableRowContext> { .td(.class("num"), .text(Money.yuan(v))) }

        static func table(_ id: String, _ caption: String, _ heads: [String], _ m: Model, _ ctx: PageContext,
                          _ cells: @escaping (LiabilityRow) -> [Node<HTML.TableRowContext>]) -> Node<HTML.BodyContext> {
            .div(.h2(.text(caption)),
                 .table(.class("report-table"), .id(id),
                        .thead(.tr(.th(.text(ctx.t("商场", "Mall"))), .forEach(heads) { .th(.class("num"), .text($0)) })),
                        .tbody(.forEach(m.rows) { r in
                            .tr(.attribute(named: "data-mall", value: String(r.mallId)), .class(r.isGroup ? "total" : ""),
                                .td(.text(FinanceMallName.name(r.mallId, m.names))), .group(cells(r)))
                        })))
        }

        static func header(_ m: Model, _ ctx: PageContext) -> Node<HTML.BodyContext> {
            let prev = m.month.previous.description, next = m.month.next.description
            return .div(.class("no-print"),
                 .form(.method(.get), .action(SiteURL.financeLiability(month: nil).path), .class("inline"),
                       Layout.field(ctx.t("月份", "Month"), name: "month", value: m.month.description),
                       .button(.type(.submit), .text(ctx.t("查看", "Show")))),
                 .p(.a(.href(SiteURL.financeLiability(month: prev).path), .text("← " + prev)), .text(" · "),
                    .a(.href(SiteURL.financeLiability(month: next).path), .text(next + " →")), .text(" · "),
                    .a(.class("csv"), .id("liability-csv"), .href(SiteURL.financeLiabilityCSV(month: m.month.description).path), .text("CSV")), .text(" · "),
                    .button(.type(.button), .class("button"), .attribute(named: "data-print", value: "1"), .text(ctx.t("打印", "Print")))))
        }

        static func state(_ m: Model, _ ctx: PageContext) -> String {
            let rf = m.rollForward
            let p = rf.parameters
            let rate = m.rows.first?.ratePermille ?? p.fixedPermille
            let fromHistory = m.rows.first?.rateFromHistory ?? false
            var text: String
            if let c = rf.closed[m.month] {
                text = ctx.t("\(m.month) 已结账（\(c.by)），数字不再改变", "\(m.month) is closed (by \(c.by)); its figures never change")
            } else {
                text = ctx.t("\(m.month) 未结账：数字随账目变化", "\(m.month) is open: figures follow the ledger")
            }
            let source = fromHistory ? ctx.t("按历史估计", "estimated from history") : ctx.t("固定", "fixed")
            text += " · " + ctx.t("每1000分价值 \(Money.yuan(p.fenPerThousandPoints)) 元", "1,000 points are worth \(Money.yuan(p.fenPerThousandPoints)) yuan")
            text += " · " + ctx.t("预计兑换率 \(rate)‰（\(source)）", "expected redemption \(rate)‰ (\(source))")
            text += " · " + ctx.t(p.rounding.label.zh, p.rounding.label.en)
            if let n = rf.nextToClose { text += ctx.t(" · 下一个结账月份 \(n)", " · next month to close: \(n)") }
            return text
        }

        static func tables(_ m: Model, _ ctx: PageContext) -> Node<HTML.BodyContext> {
            let points = table("liability-points", ctx.t("积分变动（分）", "Points"),
                  [ctx.t("期初", "Opening"), ctx.t("发放", "Issued"), ctx.t("兑换", "Redeemed"), ctx.t("退货冲回", "Voided"),
                   ctx.t("过期", "Expired"), ctx.t("调整", "Adjusted"), ctx.t("期末", "Closing")], m, ctx) { r in
                [num(r.openingPoints), num(r.issuedPoints), num(r.redeemedPoints), num(r.voidedPoints), num(r.expiredPoints),
                 num(r.adjustedPoints), num(r.closingPoints)]
            }
            let value = table("liability-value", ctx.t("积分价值（元）", "Value of the points (yuan)"),
                  [ctx.t("期初", "Opening"), ctx.t("重估", "Revaluation"), ctx.t("发放", "Issued"), ctx.t("兑换", "Redeemed"),
                   ctx.t("退货冲回", "Voided"), ctx.t("过期", "Expired"), ctx.t("调整", "Adjusted"), ctx.t("期末", "Closing")], m, ctx) { r in
                [fen(r.openingValueFen), fen(r.revaluationFen), fen(r.issuedValueFen), fen(r.redeemedValueFen), fen(r.voidedValueFen),
                 fen(r.expiredValueFen), fen(r.adjustedValueFen), fen(r.closingValueFen)]
            }
            let revenue = table("liability-revenue", ctx.t("递延收入（元）", "Deferred revenue (yuan)"),
                  [ctx.t("积分销售额", "Sales earning points"), ctx.t("积分单独售价", "Points SSP"), ctx.t("分摊至积分", "Allocated"),
                   ctx.t("商品收入", "Goods revenue"), ctx.t("期初", "Opening"), ctx.t("兑换确认", "Recognised"),
                   ctx.t("失效确认", "Breakage"), ctx.t("期末", "Closing"), ctx.t("预计兑换积分", "Expected points")], m, ctx) { r in
                [fen(r.salesFen), fen(r.sspFen), fen(r.allocatedFen), fen(r.goodsRevenueFen), fen(r.deferredOpeningFen),
                 fen(r.recognisedFen), fen(r.breakageFen), fen(r.deferredClosingFen), num(r.expectedPoints)]
            }
            return .div(points, value, revenue)
        }

        static func monthRow(_ month: FinanceMonth, _ m: Model, _ ctx: PageContext) -> Node<HTML.TableContext> {
            let rf = m.rollForward
            let shown: [LiabilityRow]
            if m.groupWide { shown = rf.group(month).map { [$0] } ?? [] } else {
                let mine = Set(m.rows.map(\.mallId))
                shown = rf.rows(month).filter { mine.contains($0.mallId) }
            }
            let state = rf.closed[month] != nil ? ctx.t("已结账", "closed") : ctx.t("未结账", "open")
            return .tr(.td(.a(.href(SiteURL.financeLiability(month: month.description).path), .text(month.description))),
                       .td(.text(state)),
                       num(shown.reduce(0) { $0 + $1.closingPoints }), fen(shown.reduce(0) { $0 + $1.deferredClosingFen }))
        }

        static func months(_ m: Model, _ ctx: PageContext) -> Node<HTML.BodyContext> {
            .table(.class("report-table"), .id("liability-months"),
                   .thead(.tr(.th(.text(ctx.t("月份", "Month"))), .th(.text(ctx.t("状态", "State"))),
                              .th(.class("num"), .text(ctx.t("期末积分", "Closing points"))),
                              .th(.class("num"), .text(ctx.t("递延收入期末（元）", "Deferred closing (yuan)"))))),
                   .tbody(.forEach(m.rollForward.order.reversed()) { monthRow($0, m, ctx) }))
        }

        static func body(_ m: Model, _ ctx: PageContext) -> Node<HTML.BodyContext> {
            let empty: Node<HTML.BodyContext> = .p(.class("muted"), .text(ctx.t("本月没有积分变动。", "No points movements in this month.")))
            return .div(
                header(m, ctx),
                .p(.id("liability-state"), .class("muted"), .text(state(m, ctx))),
                m.rows.isEmpty ? empty : tables(m, ctx),
                .h2(.text(ctx.t("各月", "Months"))),
                months(m, ctx),
                .p(.class("muted"), .text(ctx.t(
                    "公式见 docs/finance.md：分摊 = 销售额 × 单独售价 ÷（销售额 + 单独售价）；累计确认 = 累计分摊 × 累计兑换 ÷ 预计兑换；结账：mallvip finance close --month YYYY-MM。",
                    "Formulas in docs/finance.md: allocated = sales × SSP ÷ (sales + SSP); recognised to date = allocated to date × redeemed to date ÷ expected; close a month with mallvip finance close --month YYYY-MM.")))
            )
        }
    }
}

/// `/console/finance/liability?month=YYYY-MM` and its CSV: managers and admins, like the other finance pages (there is
/// no separate finance role, docs/finance.md); a manager limited to some malls sees their malls' rows only.
enum LiabilityController {
    static func register(_ routes: any RoutesBuilder) throws {
        let managers = routes.grouped(StaffAuthMiddleware(roles: StaffRole.managers))
        managers.get(.financeLiability, use: show)
        managers.get(.financeLiabilityCSV, use: csv)
    }

    @Sendable static func show(req: Request) async throws -> Response {
        let ctx = PageContext(req)
        let model = try await LiabilityPage.Query.model(req)
        return Layout.render(ctx, title: ctx.t("积分负债滚动表", "Points liability roll-forward") + " · " + model.month.description,
                             LiabilityPage.View.body(model, ctx))
    }

    @Sendable static func csv(req: Request) async throws -> Response {
        let model = try await LiabilityPage.Query.model(req)
        let scope = try await MallAccess.scope(req)
        try await req.store.audit(actor: req.actor, action: "finance.liabilityExport", subject: model.month.description)
        return Response(status: .ok, headers: CSVText.headers(filename: "points-liability-\(model.month).csv"),
                        body: .init(string: LiabilityPage.csv(model, scope: scope)))
    }
}
