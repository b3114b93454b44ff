import Foundation
import MallVIPCore
import MallVIPStore
import Plot
import Vapor

/// Finance: the points liability (outstanding points × their redemption value) and the points about to lapse.
enum PointsFinancePage {
    /// Rows shown of the expiring list; the count and total cover all of it.
    static let listLimit = 200

    struct Model: Sendable {
        var today: LocalDate
        var days: Int
        var liability: PointsLiability
        var lots: Int
        var lotPoints: Int64
        /// The largest lots, most points first.
        var shown: [ExpiringPoints]
        var names: [Int64: String]
    }

    enum Query {
        static func model(_ store: Store, days: Int) async throws -> Model {
            let (_, programme) = try await store.programme()
            let today = LocalDate.of(store.env.now(), in: programme.timeZone)
            let expiring = try await store.pointsExpiring(withinDays: days, on: today)
            let shown = Array(expiring.sorted { $0.points != $1.points ? $0.points > $1.points : $0.memberId < $1.memberId }.prefix(listLimit))
            return Model(today: today, days: days, liability: try await store.pointsLiability(on: today), lots: expiring.count,
                         lotPoints: expiring.reduce(0) { $0 + $1.points }, shown: shown,
                         names: try await store.memberNames(shown.map(\.memberId)))
        }
    }

    enum View {
        static func body(_ m: Model, _ ctx: PageContext) -> Node<HTML.BodyContext> {
            let l = m.liability
            return .div(
                .p(.class("muted"), .text(ctx.t("营业日 \(m.today) · 积分价值 每1000分 \(Money.yuan(l.fenPerThousandPoints)) 元",
                                                 "Business day \(m.today) · 1,000 points are worth \(Money.yuan(l.fenPerThousandPoints)) yuan"))),
                .div(.class("grid"),
                     Dashboard.View.stat(ctx.t("未使用积分", "Outstanding points"), "\(l.outstandingPoints)"),
                     Dashboard.View.stat(ctx.t("积分负债（元）", "Liability (yuan)"), Money.yuan(l.valueFen)),
                     Dashboard.View.stat(ctx.t("持有积分会员", "Members holding points"), "\(l.members)"),
                     Dashboard.View.stat(ctx.t("年底前到期积分", "Lapsing by \(l.yearEnd)"), "\(l.expiringThisYear)"),
                     Dashboard.View.stat(ctx.t("年底前到期价值（元）", "Lapsing value (yuan)"), Money.yuan(l.expiringThisYearValueFen))),
                .h2(.text(ctx.t("\(m.days) 天内到期的积分", "Points lapsing within \(m.days) days"))),
                .form(.method(.get), .action(SiteURL.financePoints(days: nil).path), .class("inline"),
                      Layout.field(ctx.t("天数", "Days"), name: "days", value: "\(m.days)", type: .number),
                      .button(.type(.submit), .text(ctx.t("查询", "Show")))),
                .p(.text(ctx.t("共 \(m.lots) 笔，\(m.lotPoints) 积分", "\(m.lots) lots, \(m.lotPoints) points")
                         + (m.lots > listLimit ? ctx.t("（按积分显示前 \(listLimit) 笔）", " (largest \(listLimit) shown)") : ""))),
                .table(
                    .tr(.th(.text(ctx.t("会员", "Member"))), .th(.text(ctx.t("积分年度", "Earned in"))),
                        .th(.text(ctx.t("到期日", "Expires"))), .th(.class("num"), .text(ctx.t("积分", "Points")))),
                    .forEach(m.shown) { e in
                        .tr(.td(.a(.href(SiteURL.member(e.memberId).path), .text(m.names[e.memberId] ?? "#\(e.memberId)"))),
                            .td(.text("\(e.earnYear)")), .td(.text(e.expiresOn.description)), .td(.class("num"), .text("\(e.points)")))
                    })
            )
        }
    }
}

enum PointsFinanceController {
    static func register(_ routes: any RoutesBuilder) throws {
        routes.grouped(StaffAuthMiddleware(roles: StaffRole.managers)).get(.financePoints, use: show)
    }

    @Sendable static func show(req: Request) async throws -> Response {
        let ctx = PageContext(req)
        let text: String? = req.query["days"]
        guard let days = text.map({ Int($0.trimmingCharacters(in: .whitespaces)) }) ?? 90, (0...3660).contains(days) else {
            throw DomainError.invalid("days", "days.range", zh: "天数须为0到3660之间的整数", en: "days must be a whole number from 0 to 3660")
        }
        let model = try await PointsFinancePage.Query.model(req.store, days: days)
        return Layout.render(ctx, title: ctx.t("积分负债与到期", "Points liability and expiry"), PointsFinancePage.View.body(model, ctx))
    }
}
