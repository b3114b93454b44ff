import Foundation
import MallVIPCore
import MallVIPStore
import Plot

/// The member page's gifts (issue 18, docs/workflows.md "Gifts at the desk"): open entitlements at the top, where the
/// desk sees them at lookup, each with a hand-over form (where it was handed over; who and when are recorded); the
/// whole record (collected with who, when, where; expired) in a dialog.
extension MemberPage.View {
    static func giftName(_ g: GiftEntitlement, _ m: MemberPage.Model, _ ctx: PageContext) -> String {
        m.programme.gifts.item(g.giftCode)?.name.text(ctx.lang) ?? g.giftCode
    }

    static func giftsToCollect(_ m: MemberPage.Model, canEdit: Bool, _ ctx: PageContext) -> Node<HTML.BodyContext> {
        let open = m.gifts.filter { $0.status == .open && $0.validUntil >= m.today }
        guard !open.isEmpty else { return .empty }
        return .section(.id("gifts"), .class("panel gifts"),
            .h2(.text(ctx.t("待领取礼品", "Gifts to collect"))),
            .table(.class("gifts"),
                   .tr(.th(.text(ctx.t("礼品", "Gift"))), .th(.text(ctx.t("领取地点", "Collected at"))),
                       .th(.text(ctx.t("有效期至", "Valid until"))), .th()),
                   .forEach(open) { g in
                       .tr(.td(.text(giftName(g, m, ctx))), .td(.text(m.programme.gifts.item(g.giftCode)?.collectAt ?? "")),
                           .td(.text(g.validUntil.description)),
                           .td(.if(canEdit, .form(.method(.post), .action(SiteRoute.memberGiftHandOver.path(m.member.id, g.id)), .class("inline"),
                                                  Layout.csrfField(ctx),
                                                  .input(.type(.text), .name("where"), .value(ctx.t("服务台", "Service desk")),
                                                         .attribute(named: "aria-label", value: ctx.t("发放地点", "Where handed over")),
                                                         .attribute(named: "maxlength", value: "80")),
                                                  .button(.type(.submit), .class("gift-hand-over"), .text(ctx.t("发放", "Hand over")))))))
                   }))
    }

    static func giftRecord(_ m: MemberPage.Model, _ ctx: PageContext) -> Node<HTML.BodyContext> {
        .div(
            .if(m.gifts.isEmpty, .p(.class("muted"), .text(ctx.t("暂无礼品记录", "No gifts yet")))),
            .if(!m.gifts.isEmpty, .table(.class("gift-record"),
                .tr(.th(.text(ctx.t("礼品", "Gift"))), .th(.text(ctx.t("期间", "Period"))), .th(.text(ctx.t("发放日", "Issued"))),
                    .th(.text(ctx.t("状态", "Status"))), .th(.text(ctx.t("领取", "Handed over")))),
                .forEach(m.gifts) { g in
                    let handed = g.handedOverAt.map { "\(Layout.dateTime($0, m.programme)) · \(g.handedOverBy ?? "") · \(g.handedOverWhere ?? "")" }
                    return .tr(.td(.text(giftName(g, m, ctx))), .td(.text(g.periodKey)), .td(.text(g.issuedOn.description)),
                               .td(.text(g.status.label.text(ctx.lang))),
                               .td(.text(handed ?? (g.status == .open ? ctx.t("有效期至 \(g.validUntil)", "valid until \(g.validUntil)") : "—"))))
                })))
    }
}
