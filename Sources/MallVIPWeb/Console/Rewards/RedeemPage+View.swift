import Foundation
import MallVIPCore
import MallVIPStore
import Plot

extension RedeemPage {
    enum View {
        static func title(_ m: Model, _ ctx: PageContext) -> String {
            ctx.t("积分兑换", "Redeem points") + " · " + m.member.name
        }

        static func body(_ m: Model, _ ctx: PageContext) -> Node<HTML.BodyContext> {
            .div(
                Layout.noticeBox(m.notice),
                .unwrap(m.couponCode) { code in
                    .p(.class("notice"), .text(ctx.t("已发券 \(code)：", "Coupon \(code) issued: ")),
                       .a(.href(SiteURL.coupon(code).path), .text(ctx.t("查看 / 打印券", "show / print the coupon"))))
                },
                Layout.errorBox(m.error),
                .p(.a(.href(SiteURL.member(m.member.id).path), .text(ctx.t("← 返回会员资料", "← Back to the member")))),
                .div(.class("grid"),
                     Dashboard.View.stat(ctx.t("积分余额", "Points"), "\(m.member.pointsBalance)"),
                     Dashboard.View.stat(ctx.t("等级", "Tier"), ctx.tier(m.tier, m.programme)),
                     Dashboard.View.stat(ctx.t("卡号", "Card"), m.member.cardNo ?? "—")),
                .if(m.programme.redemption.mode == .milestone,
                    .p(.class("muted"), .text(ctx.t("本章程为达标兑换：达到所需积分即可兑换，不扣积分。",
                                                    "Milestone mode: reaching the points is enough; nothing is deducted.")))),
                .h2(.text(ctx.t("现在可兑换", "Available now"))),
                .if(m.available.isEmpty, .p(.class("muted"), .text(ctx.t("暂无可兑换的商品", "Nothing can be redeemed right now")))),
                .if(!m.available.isEmpty, availableTable(m, ctx)),
                .h2(.text(ctx.t("暂不可兑换", "Not available now"))),
                .if(m.unavailable.isEmpty, .p(.class("muted"), .text(ctx.t("无", "None")))),
                .if(!m.unavailable.isEmpty, unavailableTable(m, ctx)),
                .h2(.text(ctx.t("兑换记录", "Redemptions"))),
                history(m, ctx)
            )
        }

        static func price(_ r: Redeemable, _ m: Model, _ ctx: PageContext) -> String {
            if let p = r.item.points { return ctx.t("\(p) 分", "\(p) points") }
            guard let code = r.item.ladderCode, let ladder = m.programme.redemption.ladder(code) else { return "—" }
            if let listed = r.item.listPriceFen, let need = ladder.pointsFor(listPriceFen: listed) {
                return ctx.t("\(need) 分（\(ladder.name.zh)）", "\(need) points (\(ladder.name.en))")
            }
            return ctx.t("\(ladder.minPoints) 分起（\(ladder.name.zh)）", "from \(ladder.minPoints) points (\(ladder.name.en))")
        }

        static func details(_ r: Redeemable, _ ctx: PageContext) -> String {
            var parts: [String] = [r.item.kind.label.text(ctx.lang)]
            if let c = r.item.coupon {
                parts.append(CouponValue(faceFen: c.faceFen, discountPermille: c.discountPermille).label(ctx.lang))
                if c.minSpendFen > 0 { parts.append(ctx.t("满 \(Money.yuan(c.minSpendFen)) 元可用", "min. spend \(Money.yuan(c.minSpendFen))")) }
                if let to = c.validTo { parts.append(ctx.t("有效至 \(to)", "valid to \(to)")) }
            }
            if let l = r.item.listPriceFen { parts.append(ctx.t("标价 \(Money.yuan(l)) 元", "list price \(Money.yuan(l))")) }
            if let cap = r.assessment.capFen, r.item.listPriceFen == nil {
                parts.append(ctx.t("可选标价不超过 \(Money.yuan(cap)) 元的商品", "any item listed at up to \(Money.yuan(cap))"))
            }
            if let s = r.item.stock { parts.append(ctx.t("库存 \(s)", "stock \(s)")) }
            return parts.joined(separator: " · ")
        }

        static func availableTable(_ m: Model, _ ctx: PageContext) -> Node<HTML.BodyContext> {
            .table(
                .tr(.th(.text(ctx.t("商品", "Item"))), .th(.text(ctx.t("所需积分", "Points"))), .th(.text(ctx.t("说明", "Details"))), .th()),
                .forEach(m.available) { r in
                    .tr(.td(.text("\(r.item.name.text(ctx.lang)) (\(r.item.code))")), .td(.text(price(r, m, ctx))), .td(.text(details(r, ctx))),
                        .td(.form(.method(.post), .action(SiteURL.memberRedeem(m.member.id).path), .class("inline"),
                                  Layout.csrfField(ctx),
                                  .input(.type(.hidden), .name("idempotencyKey"), .value(UUID().uuidString)),
                                  .input(.type(.hidden), .name("item"), .value(r.item.code)),
                                  .if(r.item.ladderCode != nil && r.item.listPriceFen == nil,
                                      .label(.text(ctx.t("所选商品标价（元）", "Chosen item's list price (yuan)")),
                                             .input(.type(.text), .name("listPrice"), .required(true), .placeholder("199.00")))),
                                  .button(.type(.submit), .text(ctx.t("兑换", "Redeem"))))))
                })
        }

        static func unavailableTable(_ m: Model, _ ctx: PageContext) -> Node<HTML.BodyContext> {
            .table(
                .tr(.th(.text(ctx.t("商品", "Item"))), .th(.text(ctx.t("所需积分", "Points"))), .th(.text(ctx.t("不能兑换的原因", "Why not")))),
                .forEach(m.unavailable) { r in
                    .tr(.td(.text("\(r.item.name.text(ctx.lang)) (\(r.item.code))")), .td(.text(price(r, m, ctx))),
                        .td(.ul(.class("reasons"), .forEach(r.assessment.reasons) { reason in
                            .li(.attribute(named: "data-rule", value: reason.rule), .text(reason.text(ctx.lang)))
                        })))
                })
        }

        static func history(_ m: Model, _ ctx: PageContext) -> Node<HTML.BodyContext> {
            .table(
                .tr(.th(.text(ctx.t("时间", "When"))), .th(.text(ctx.t("商品", "Item"))), .th(.class("num"), .text(ctx.t("积分", "Points"))),
                    .th(.class("num"), .text(ctx.t("标价（元）", "List price"))), .th(.text(ctx.t("券", "Coupon"))),
                    .th(.text(ctx.t("状态", "Status"))), .th()),
                .forEach(m.history) { r in
                    .tr(.td(.text(Layout.dateTime(r.at, m.programme))), .td(.text("\(r.itemName.text(ctx.lang)) (\(r.itemCode))")),
                        .td(.class("num"), .text("-\(r.points)")), .td(.class("num"), .text(r.listPriceFen.map { Money.yuan($0) } ?? "")),
                        .td(.unwrap(r.couponCode) { code in .a(.href(SiteURL.coupon(code).path), .text(code)) }),
                        .td(.text(r.status == "done" ? ctx.t("已兑换", "done")
                                                     : ctx.t("已作废：", "void: ") + (r.voidReason ?? "") + " (\(r.voidedBy ?? ""))")),
                        .td(.if(r.status == "done",
                                .form(.method(.post), .action(SiteURL.redemptionVoid(member: m.member.id, redemption: r.id).path), .class("inline"),
                                      Layout.csrfField(ctx),
                                      .input(.type(.text), .name("reason"), .required(true), .placeholder(ctx.t("作废原因", "Reason"))),
                                      .text(" "),
                                      .button(.class("secondary"), .type(.submit), .text(ctx.t("作废", "Void")))))))
                })
        }
    }
}
