import MallVIPCore
import Plot

extension MemberPage.View {
    /// Whether the member's tier discount applies today (issue 18: a tier's discount may apply only during mall
    /// events, 尚峰), in one line under the tier; nothing when the tier gives no discount.
    static func discountToday(_ m: MemberPage.Model, _ ctx: PageContext) -> Node<HTML.BodyContext> {
        guard let d = m.programme.discountToday(tier: m.effectiveTier, on: m.today) else { return .empty }
        return .p(.id("discount-today"), .class(d.applies ? "discount applies" : "discount not-today"),
                  .text(ctx.t("会员折扣：", "Member discount: ") + d.text.text(ctx.lang)))
    }
}
