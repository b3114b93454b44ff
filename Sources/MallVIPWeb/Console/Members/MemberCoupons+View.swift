import Foundation
import MallVIPCore
import MallVIPStore
import Plot

/// The member page's coupon section: the member's coupons, and for managers a form to issue one by hand.
enum MemberCouponsView {
    static func body(_ coupons: [CouponRecord], _ programme: Programme, today: LocalDate, memberId: Int64,
                     canIssue: Bool, _ ctx: PageContext) -> Node<HTML.BodyContext> {
        .div(.class("member-coupons"),
             .if(coupons.isEmpty, .p(.class("muted"), .text(ctx.t("暂无优惠券", "No coupons")))),
             .if(!coupons.isEmpty, CouponListPage.View.table(coupons, today: today, ctx, showMember: false)),
             .if(canIssue, issueForm(programme, memberId: memberId, ctx)))
    }

    static func issueForm(_ programme: Programme, memberId: Int64, _ ctx: PageContext) -> Node<HTML.BodyContext> {
        .details(
            .summary(.text(ctx.t("手工发券（将记录审计）", "Issue a coupon by hand (audited)"))),
            .form(.class("card"), .method(.post), .action(SiteURL.memberAction(memberId, .coupons).path),
                  Layout.csrfField(ctx),
                  Layout.field(ctx.t("券名称", "Name"), name: "name", required: true, placeholder: ctx.t("如：50元购物券", "e.g. 50-yuan voucher")),
                  Layout.field(ctx.t("面值（元）", "Face value (yuan)"), name: "face", placeholder: "50"),
                  Layout.field(ctx.t("或折扣（折）", "or discount (折)"), name: "discount", placeholder: "8.8"),
                  Layout.field(ctx.t("最低消费（元）", "Minimum spend (yuan)"), name: "minSpend", value: "0"),
                  Layout.field(ctx.t("有效天数", "Valid days"), name: "validDays", value: "\(programme.coupons.defaultValidDays)", type: .number),
                  Layout.field(ctx.t("适用店柜（店柜代码，逗号分隔；留空为所有参加优惠的店柜）", "Counters (codes, comma separated; empty = all taking part in discounts)"),
                               name: "counters"),
                  Layout.field(ctx.t("原因", "Reason"), name: "reason", required: true),
                  .button(.type(.submit), .text(ctx.t("发券", "Issue")))))
    }
}
