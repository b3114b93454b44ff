import Foundation
import MallVIPCore
import MallVIPStore
import Plot

/// /m/rewards: the catalogue with what this member can redeem now and, for the rest, every reason why not (the same
/// assessment the till's rewards API gives). Redeeming stays at the service desk.
enum MemberRewardsPage {
    static func body(_ items: [Redeemable], balance: Int64, _ programme: Programme, _ ctx: PageContext) -> Node<HTML.BodyContext> {
        let ready = items.filter(\.assessment.eligible)
        let notYet = items.filter { !$0.assessment.eligible }
        return .div(
            .p(.text(ctx.t("可用积分：\(balance)", "Points available: \(balance)"))),
            .p(.class("muted"), .text(ctx.t("请到服务台出示会员卡兑换", "Redeem at the service desk with your card"))),
            .if(items.isEmpty, .p(.class("muted"), .text(ctx.t("暂无可兑换的礼品", "Nothing to redeem at the moment")))),
            .if(!ready.isEmpty, .group(.h2(.text(ctx.t("现在可兑换", "You can redeem now"))), .forEach(ready) { item($0, ctx) })),
            .if(!notYet.isEmpty, .group(.h2(.text(ctx.t("暂不可兑换", "Not yet"))), .forEach(notYet) { item($0, ctx) })))
    }

    static func item(_ r: Redeemable, _ ctx: PageContext) -> Node<HTML.BodyContext> {
        let a = r.assessment
        return .div(.class(a.eligible ? "panel reward eligible" : "panel reward"),
                    .p(.strong(.text(r.item.name.text(ctx.lang))), .text(" · " + r.item.kind.label.text(ctx.lang))),
                    .p(.text(cost(r, ctx))),
                    .if(a.eligible, .p(.class("notice"), .text(ctx.t("可兑换", "You can redeem this")))),
                    .if(!a.eligible, .ul(.class("reasons"), .forEach(a.reasons) { .li(.text($0.text(ctx.lang))) })))
    }

    static func cost(_ r: Redeemable, _ ctx: PageContext) -> String {
        if let p = r.item.points { return ctx.t("\(p) 积分", "\(p) points") }
        if let cap = r.assessment.capFen {
            return ctx.t("按积分抵扣，最多可抵 \(Money.yuan(cap)) 元", "Paid with points, up to \(Money.yuan(cap)) yuan")
        }
        if let need = r.assessment.pointsRequired { return ctx.t("需 \(need) 积分", "Needs \(need) points") }
        return ctx.t("按积分抵扣", "Paid with points")
    }
}
