import Foundation
import MallVIPCore
import MallVIPStore
import Plot

/// /m/referral: the member's code to pass on (text and QR) and the friends referred, with each reward. Friends are
/// shown by masked name only.
enum MemberReferralPage {
    static func body(_ r: ReferralSummary, _ programme: Programme, _ ctx: PageContext) -> Node<HTML.BodyContext> {
        .div(
            .section(.class("panel"),
                     .h2(.text(ctx.t("我的推荐码", "My referral code"))),
                     .unwrap(r.code, { code in
                         .group(.p(.class("code referral-code"), .text(code)),
                                .p(.class("muted"), .text(ctx.t("好友入会时向服务台出示此码", "Your friend shows this code at the desk when joining"))),
                                .div(.class("qr"), .raw(QRCode.svg(code, pixelsPerModule: 6, label: ctx.t("推荐码二维码 \(code)", "Referral QR code \(code)")))))
                     }, else: .p(.class("muted"), .text(ctx.t("暂无推荐码，请到服务台咨询", "No referral code yet; please ask at the desk"))))),
            .h2(.text(ctx.t("我推荐的好友", "Friends I referred"))),
            .if(r.referred.isEmpty, .p(.class("muted"), .text(ctx.t("还没有推荐好友", "You have not referred anyone yet")))),
            .if(!r.referred.isEmpty, .table(
                .tr(.th(.text(ctx.t("好友", "Friend"))), .th(.text(ctx.t("状态", "Status"))), .th(.text(ctx.t("奖励", "Reward")))),
                .forEach(r.referred) { x in
                    .tr(.td(.text(Identity.maskName(x.refereeName)), .br(), .small(.class("muted"), .text(Layout.dateTime(x.createdAt, programme)))),
                        .td(.class("referral-\(x.status.rawValue)"), .text(x.status.label.text(ctx.lang))),
                        .td(.text(MemberReferralsView.reward(x, ctx))))
                })))
    }
}
