import Foundation
import MallVIPCore
import MallVIPStore
import Plot
import Vapor

/// `/console/staff-figures?p=PERIOD&mall=CODE` (issue 17, docs/domain.md §9.4, §12.3): cards opened per staff member,
/// desk and counter, and member sales and VIP share per counter beside the counter's staff, for a week, month,
/// quarter, half-year or year (`ReportPeriod` keys; default this week). Purchases carry no cashier or sales-staff id
/// (the POS API has no such field), so sales are per counter, not per person. Cut to the viewer's malls.
enum StaffFiguresPage {
    struct Model: Sendable {
        var period: ReportPeriod
        var range: DayRange
        var today: LocalDate
        var mall: Mall?
        var malls: [Mall]
        var cards: [CardsOpenedRow]
        var counters: [SalesGroup]
        var counterStaff: [String: [String]]
    }

    @Sendable static func page(req: Request) async throws -> Response {
        let ctx = PageContext(req)
        let (_, programme) = try await req.store.programme()
        let today = LocalDate.of(req.store.env.now(), in: programme.timeZone)
        let period: ReportPeriod
        if let key = (req.query["p"] as String?), !key.isEmpty {
            guard let p = ReportPeriod(key: key) else {
                throw DomainError.invalid("p", "report.period", zh: "期间格式应为 2026-W05、2026-05、2026-Q2、2026-H1 或 2026",
                                          en: "p must be a period such as 2026-W05, 2026-05, 2026-Q2, 2026-H1 or 2026")
            }
            period = p
        } else {
            period = .containing(today, kind: .week)
        }
        let range = period.through(today) ?? period.range
        let mall = try await MallAccess.reportMall(req, code: req.query["mall"])
        let scope = try await MallAccess.scope(req)
        let cardScope: MallScope? = mall.map { MallScope(mallIds: [$0.id], sinceDay: scope.sinceDay) } ?? (scope.isGroupWide ? nil : scope)
        let model = Model(period: period, range: range, today: today, mall: mall, malls: try await MallAccess.visibleMalls(req),
                          cards: try await req.store.cardsOpened(range, malls: cardScope),
                          counters: try await req.store.reportSales(ReportScope(range: range, mallId: mall?.id), by: .counter),
                          counterStaff: try await req.store.counterStaffNames(mallId: mall?.id))
        return Layout.render(ctx, title: ctx.t("员工业绩", "Staff figures"), body(model, ctx))
    }

    static func body(_ m: Model, _ ctx: PageContext) -> Node<HTML.BodyContext> {
        let lang: MallVIPCore.Language = ctx.lang == .en ? .en : .zh
        let byChannel = Dictionary(grouping: m.cards, by: \.channel).mapValues { $0.reduce(0) { $0 + $1.cards } }
        let byCounter = Dictionary(grouping: m.cards.filter { $0.counterCode != nil }, by: { $0.counterCode! }).mapValues { $0.reduce(0) { $0 + $1.cards } }
        var choices: [ReportPeriod] = []
        var p = ReportPeriod.containing(m.today, kind: .week)
        for _ in 0..<8 { choices.append(p); p = p.previous }
        for kind in [ReportPeriod.Kind.month, .quarter, .half, .year] { choices.append(.containing(m.today, kind: kind)) }
        if !choices.contains(m.period) { choices.insert(m.period, at: 0) }
        return .div(
            .form(.class("card no-print"), .method(.get), .action(SiteRoute.staffFigures.path()),
                  Layout.select(ctx.t("期间（周、月、季、半年、年）", "Period (week, month, quarter, half-year, year)"), name: "p",
                                options: choices.map { ($0.key, $0.title(lang)) }, selected: m.period.key),
                  .if(m.malls.count > 1, Layout.select(ctx.t("商场", "Mall"), name: "mall", options: [("", ctx.t("全部", "All"))] + m.malls.map { ($0.code, "\($0.code) \($0.name)") },
                                                       selected: m.mall?.code ?? "")),
                  .button(.type(.submit), .text(ctx.t("查看", "Show")))),
            .p(.a(.href(QualityURL.staffFigures(period: m.period.previous.key, mall: m.mall?.code)), .text("← " + m.period.previous.title(lang))),
               .text(" · "), .a(.href(QualityURL.staffFigures(period: m.period.next.key, mall: m.mall?.code)), .text(m.period.next.title(lang) + " →"))),
            .h2(.id("staff-period"), .text(m.period.title(lang) + (m.mall.map { " · \($0.code)" } ?? ""))),
            .p(.class("muted"), .text(ctx.t("营业日 \(m.range.from) 至 \(m.range.to)。办卡人取自办卡记录；店柜为该员工当前所在店柜。",
                                            "Business days \(m.range.from) to \(m.range.to). Who opened a card is taken from the enrolment; a counter is the staff member's counter today."))),
            .h2(.text(ctx.t("办卡数（按渠道）", "Cards opened by channel"))),
            .table(.id("cards-by-channel"),
                .tr(.th(.text(ctx.t("渠道", "Channel"))), .th(.class("num"), .text(ctx.t("办卡", "Cards")))),
                .forEach(CardsOpenedRow.Channel.allCases) { ch in
                    .tr(.attribute(named: "data-channel", value: ch.rawValue), .td(.text(ch.label.text(lang))), .td(.class("num"), .text(String(byChannel[ch] ?? 0))))
                }),
            .h2(.text(ctx.t("办卡数（按员工）", "Cards opened by staff member"))),
            .table(.id("cards-by-staff"),
                .tr(.th(.text(ctx.t("办卡人", "Opened by"))), .th(.text(ctx.t("渠道", "Channel"))), .th(.text(ctx.t("店柜", "Counter"))),
                    .th(.class("num"), .text(ctx.t("办卡", "Cards")))),
                .forEach(m.cards) { r in
                    .tr(.attribute(named: "data-by", value: r.enrolledBy), .td(.text(r.staffName.map { "\($0) (\(r.enrolledBy))" } ?? r.enrolledBy)),
                        .td(.text(r.channel.label.text(lang))), .td(.text(r.counterCode.map { "\($0) \(r.counterName ?? "")" } ?? "")),
                        .td(.class("num"), .text(String(r.cards))))
                }),
            .h2(.text(ctx.t("店柜会员销售与VIP占比", "Member sales and VIP share by counter"))),
            .p(.class("muted"), .text(ctx.t("收银数据不含收银员或导购编号，销售按店柜统计，并列出该店柜的员工。",
                                            "Till data carries no cashier or sales-staff id: sales are per counter, shown beside the counter's staff."))),
            .table(.id("counter-figures"),
                .tr(.th(.text(ctx.t("店柜", "Counter"))), .th(.text(ctx.t("员工", "Staff"))), .th(.class("num"), .text(ctx.t("销售（元）", "Sales (yuan)"))),
                    .th(.class("num"), .text(ctx.t("会员销售（元）", "Member sales (yuan)"))), .th(.class("num"), .text(ctx.t("VIP占比", "VIP share"))),
                    .th(.class("num"), .text(ctx.t("店柜员工办卡", "Cards by its staff")))),
                .forEach(m.counters) { g in
                    .tr(.attribute(named: "data-counter", value: g.key), .td(.text("\(g.key) \(g.label)")),
                        .td(.text((m.counterStaff[g.key] ?? []).joined(separator: ctx.t("、", ", ")))),
                        .td(.class("num"), .text(Money.yuan(g.sales.salesFen))), .td(.class("num"), .text(Money.yuan(g.sales.memberSalesFen))),
                        .td(.class("num vip-share"), .text(Ratio.percent(g.sales.vipSharePermille))),
                        .td(.class("num"), .text(String(byCounter[g.key] ?? 0))))
                })
        )
    }
}
