import Foundation
import MallVIPCore
import MallVIPStore
import Plot

/// /m/points and /m/purchases: the member's ledger and purchases, a page at a time, and one purchase in full.
enum MemberHistoryView {
    static func points(_ page: HistoryPage<LedgerEntry>, _ programme: Programme, _ ctx: PageContext) -> Node<HTML.BodyContext> {
        .div(
            tabs(current: .points(page: nil), ctx),
            .if(page.items.isEmpty, .p(.class("muted"), .text(ctx.t("暂无积分记录", "No points yet")))),
            .if(!page.items.isEmpty, .table(.class("ledger"),
                .tr(.th(.text(ctx.t("时间", "When"))), .th(.text(ctx.t("类型", "Kind"))),
                    .th(.class("num"), .text(ctx.t("积分", "Points"))), .th(.class("num"), .text(ctx.t("余额", "Balance")))),
                .forEach(page.items) { e in
                    .tr(.td(.text(Layout.dateTime(e.at, programme))),
                        .td(.text(MemberPage.View.kindName(e.kind, ctx))),
                        .td(.class("num"), .text(e.points > 0 ? "+\(e.points)" : "\(e.points)")),
                        .td(.class("num"), .text("\(e.balanceAfter)")))
                })),
            pager(page, ctx) { .points(page: $0) })
    }

    static func purchases(_ page: HistoryPage<PurchaseSummary>, _ programme: Programme, _ ctx: PageContext) -> Node<HTML.BodyContext> {
        .div(
            tabs(current: .purchases(page: nil), ctx),
            .if(page.items.isEmpty, .p(.class("muted"), .text(ctx.t("暂无消费记录", "No purchases yet")))),
            .if(!page.items.isEmpty, .table(.class("purchases"),
                .tr(.th(.text(ctx.t("时间", "When"))), .th(.text(ctx.t("小票号", "Receipt"))),
                    .th(.class("num"), .text(ctx.t("金额（元）", "Amount (yuan)"))), .th(.class("num"), .text(ctx.t("积分", "Points")))),
                .forEach(page.items) { p in
                    .tr(.td(.text(Layout.dateTime(p.occurredAt, programme))),
                        .td(.a(.href(MemberURL.purchase(p.id).path), .text(p.receiptNo))),
                        .td(.class("num"), .text(Money.yuan(p.totalFen - p.refundedFen))
                            , .if(p.refundedFen > 0, .small(.class("muted"), .text(ctx.t(" 含退货 \(Money.yuan(p.refundedFen))", " after \(Money.yuan(p.refundedFen)) refunded"))))),
                        .td(.class("num"), .text("\(p.pointsEarned - p.pointsReversed)")))
                })),
            pager(page, ctx) { .purchases(page: $0) })
    }

    static func purchase(_ d: PurchaseDetail, _ programme: Programme, _ ctx: PageContext) -> Node<HTML.BodyContext> {
        let s = d.summary
        return .div(
            .section(.class("panel"),
                     .p(.text("\(d.mallName) · \(Layout.dateTime(s.occurredAt, programme))")),
                     .p(.text(ctx.t("金额 \(Money.yuan(s.totalFen)) 元", "Amount \(Money.yuan(s.totalFen)) yuan")
                              + (s.refundedFen > 0 ? ctx.t("，已退 \(Money.yuan(s.refundedFen)) 元", ", \(Money.yuan(s.refundedFen)) refunded") : ""))),
                     .p(.text(ctx.t("积分 \(s.pointsEarned - s.pointsReversed)", "Points \(s.pointsEarned - s.pointsReversed)")))),
            .table(
                .tr(.th(.text(ctx.t("专柜", "Counter"))), .th(.class("num"), .text(ctx.t("金额（元）", "Amount (yuan)")))),
                .forEach(d.lines) { l in
                    .tr(.td(.text(l.brand.isEmpty || l.brand == l.counterName ? l.counterName : "\(l.counterName) · \(l.brand)"),
                            .if(!l.earnsPoints, .small(.class("muted"), .text(ctx.t("（不积分）", " (no points)"))))),
                        .td(.class("num"), .text(Money.yuan(l.amountFen)),
                            .if(l.refundedFen > 0, .small(.class("muted"), .text(ctx.t(" 退 \(Money.yuan(l.refundedFen))", " −\(Money.yuan(l.refundedFen)) refunded"))))))
                }),
            .if(!d.ledger.isEmpty, .group(
                .h2(.text(ctx.t("积分变动", "Points"))),
                .ul(.forEach(d.ledger) { e in
                    .li(.text("\(Layout.dateTime(e.at, programme)) \(MemberPage.View.kindName(e.kind, ctx)) \(e.points > 0 ? "+" : "")\(e.points)"))
                }))),
            .p(.a(.class("button secondary"), .href(MemberURL.purchases(page: nil).path), .text(ctx.t("返回消费记录", "Back to purchases")))))
    }

    static func tabs(current: MemberURL, _ ctx: PageContext) -> Node<HTML.BodyContext> {
        let items: [(String, MemberURL)] = [(ctx.t("积分明细", "Points"), .points(page: nil)), (ctx.t("消费记录", "Purchases"), .purchases(page: nil))]
        return .p(.forEach(items) { item in
            item.1.path == current.path
                ? .strong(.attribute(named: "aria-current", value: "page"), .text(item.0 + " "))
                : .a(.class("button secondary"), .href(item.1.path), .text(item.0))
        })
    }

    static func pager<T>(_ page: HistoryPage<T>, _ ctx: PageContext, _ url: @escaping (Int) -> MemberURL) -> Node<HTML.BodyContext> {
        .if(page.page > 1 || page.hasMore, .nav(.class("pager"), .attribute(named: "aria-label", value: ctx.t("翻页", "Pages")),
            .if(page.page > 1, .a(.class("button secondary"), .attribute(named: "rel", value: "prev"), .href(url(page.page - 1).path),
                                  .text(ctx.t("上一页", "Previous")))),
            .span(.class("muted"), .text(ctx.t("第 \(page.page) 页", "Page \(page.page)"))),
            .if(page.hasMore, .a(.class("button secondary"), .attribute(named: "rel", value: "next"), .href(url(page.page + 1).path),
                                 .text(ctx.t("下一页", "Next"))))))
    }
}
