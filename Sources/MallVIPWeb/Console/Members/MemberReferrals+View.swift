import Foundation
import MallVIPCore
import MallVIPStore
import Plot

/// The member page's referral section: the member's code to hand out, who referred them, and whom they referred
/// with each referral's state and reward.
enum MemberReferralsView {
    static func body(_ r: ReferralSummary, _ programme: Programme, memberId: Int64, _ ctx: PageContext) -> Node<HTML.BodyContext> {
        .div(.class("referrals"),
             .p(.text(ctx.t("推荐码：", "Referral code: ")), .strong(.class("referral-code"), .text(r.code ?? "—"))),
             .p(.text(ctx.t("推荐人：", "Referred by: ")),
                .unwrap(r.referredBy, { by in
                    .group(.a(.href(SiteURL.member(by.referrerId).path), .text(by.referrerName)),
                           .text(" · " + by.status.label.text(ctx.lang)))
                }, else: .text(ctx.t("无", "nobody")))),
             .if(r.referred.isEmpty, .p(.class("muted"), .text(ctx.t("尚未推荐新会员", "Has not referred anyone yet")))),
             .if(!r.referred.isEmpty, .table(
                .tr(.th(.text(ctx.t("被推荐会员", "Member referred"))), .th(.text(ctx.t("入会", "Enrolled"))),
                    .th(.text(ctx.t("状态", "Status"))), .th(.text(ctx.t("首次消费", "Qualifying purchase"))),
                    .th(.text(ctx.t("奖励", "Reward"))), .th(.text(ctx.t("说明", "Note")))),
                .forEach(r.referred) { x in
                    .tr(.td(.a(.href(SiteURL.member(x.refereeId).path), .text(x.refereeName))),
                        .td(.text(Layout.dateTime(x.createdAt, programme))),
                        .td(.class("referral-\(x.status.rawValue)"), .text(x.status.label.text(ctx.lang))),
                        .td(.text(x.receiptNo ?? "—")),
                        .td(.text(reward(x, ctx))),
                        .td(.text(x.note)))
                })))
    }

    static func reward(_ x: Referral, _ ctx: PageContext) -> String {
        guard x.status == .rewarded || x.status == .reversed else { return "—" }
        var parts: [String] = []
        if x.rewardPoints > 0 { parts.append(ctx.t("\(x.rewardPoints) 积分", "\(x.rewardPoints) points")) }
        if let c = x.rewardCouponCode { parts.append(ctx.t("券 \(c)", "coupon \(c)")) }
        if let g = x.rewardGift { parts.append(ctx.t("礼品：\(g)", "gift: \(g)")) }
        return parts.isEmpty ? "—" : parts.joined(separator: " · ")
    }
}
