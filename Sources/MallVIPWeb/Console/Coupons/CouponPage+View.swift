import Foundation
import MallVIPCore
import MallVIPStore
import Plot

extension CouponPage {
    enum View {
        static func title(_ m: Model, _ ctx: PageContext) -> String { "\(m.coupon.name(ctx.lang)) · \(m.coupon.code)" }

        static func body(_ m: Model, _ ctx: PageContext) -> Node<HTML.BodyContext> {
            let c = m.coupon
            let counters = c.terms.counterCodes.isEmpty
                ? ctx.t("所有参加优惠活动的店柜", "every counter taking part in discounts")
                : c.terms.counterCodes.map { code in m.counterNames[code].map { "\(code) \($0)" } ?? code }.joined(separator: "、")
            return .div(
                .div(.class("coupon coupon-\(c.displayStatus(on: m.today))"),
                     .p(.class("coupon-name"), .text(c.name(ctx.lang))),
                     .p(.class("coupon-value"), .text(CouponText.value(c, ctx))),
                     .p(.text(CouponText.minSpend(c, ctx))),
                     .table(
                        .tr(.th(.text(ctx.t("有效期", "Valid"))), .td(.text(CouponText.validity(c, ctx)))),
                        .tr(.th(.text(ctx.t("适用店柜", "Accepted at"))), .td(.text(counters))),
                        .tr(.th(.text(ctx.t("会员", "Member"))),
                            .td(.text(c.memberName.map { Identity.maskName($0) + (c.memberCard.map { " · " + $0 } ?? "") }
                                      ?? ctx.t("不记名", "bearer coupon")))),
                        .tr(.th(.text(ctx.t("状态", "Status"))), .td(.class("coupon-status"), .text(CouponText.status(c, today: m.today, ctx))))),
                     .unwrap(BarcodeSVG.code128(c.code)) { svg in .div(.class("coupon-barcode"), .raw(svg)) },
                     .p(.class("coupon-code"), .text(c.code))),
                .div(.class("no-print"),
                     .script(.src(ConsoleScript.path)),       // the print button's handler (no inline script: CSP)
                     .p(.button(.type(.button), .class("button"), .attribute(named: "data-print", value: "1"), .text(ctx.t("打印", "Print"))),
                        .unwrap(c.terms.memberId) { id in
                            .group(.text(" "), .a(.href(SiteURL.member(id).path), .text(ctx.t("返回会员", "Back to the member"))))
                        }),
                     details(m, ctx))
            )
        }

        static func details(_ m: Model, _ ctx: PageContext) -> Node<HTML.BodyContext> {
            let c = m.coupon
            var rows: [(String, String)] = [
                (ctx.t("来源", "Source"), CouponText.source(c.source, ctx) + (c.sourceRef.map { " (\($0))" } ?? "")),
                (ctx.t("发放", "Issued"), "\(Layout.dateTime(c.issuedAt, m.programme)) · \(c.issuedBy)"),
            ]
            if let at = c.usedAt {
                rows.append((ctx.t("使用", "Used"),
                             "\(Layout.dateTime(at, m.programme)) · \(m.usedMall ?? "") \(c.usedCounter ?? "") · "
                             + ctx.t("小票 ", "receipt ") + (c.usedReceiptNo ?? "")
                             + ctx.t(" · 消费 \(Money.yuan(c.usedAmountFen ?? 0)) 元，抵扣 \(Money.yuan(c.usedDiscountFen ?? 0)) 元",
                                     " · spend \(Money.yuan(c.usedAmountFen ?? 0)), discount \(Money.yuan(c.usedDiscountFen ?? 0)) yuan")))
            }
            if let at = c.voidedAt {
                rows.append((ctx.t("作废", "Voided"), "\(Layout.dateTime(at, m.programme)) · \(c.voidedBy ?? "") · \(c.voidReason ?? "")"))
            }
            return .table(.forEach(rows) { r in .tr(.th(.text(r.0)), .td(.text(r.1))) })
        }
    }
}

extension CouponListPage {
    enum View {
        static func body(_ m: Model, _ ctx: PageContext) -> Node<HTML.BodyContext> {
            .div(
                .form(.method(.get), .action(SiteURL.coupons(status: nil, query: nil).path), .class("card"),
                      .label(.text(ctx.t("券号、卡号或手机号", "Code, card or phone")),
                             .input(.type(.search), .name("q"), .value(m.query ?? ""))),
                      Layout.select(ctx.t("状态", "Status"), name: "status",
                                    options: [("", ctx.t("全部", "all"))] + CouponListPage.statuses.map { ($0, statusName($0, ctx)) },
                                    selected: m.status ?? ""),
                      .button(.type(.submit), .text(ctx.t("查询", "Search")))),
                .if(m.coupons.isEmpty, .p(.class("muted"), .text(ctx.t("没有符合条件的优惠券", "No coupons match")))),
                .if(!m.coupons.isEmpty, table(m.coupons, today: m.today, ctx, showMember: true))
            )
        }

        static func statusName(_ s: String, _ ctx: PageContext) -> String {
            switch s {
            case "issued": ctx.t("可用", "usable")
            case "used": ctx.t("已使用", "used")
            case "expired": ctx.t("已过期", "expired")
            case "void": ctx.t("已作废", "void")
            default: s
            }
        }

        /// Also the member page's list.
        static func table(_ coupons: [CouponRecord], today: LocalDate, _ ctx: PageContext, showMember: Bool) -> Node<HTML.BodyContext> {
            .table(.class("coupons"),
                .tr(.th(.text(ctx.t("券号", "Code"))), .th(.text(ctx.t("名称", "Name"))), .th(.text(ctx.t("面值/折扣", "Value"))),
                    .th(.text(ctx.t("使用条件", "Condition"))), .th(.text(ctx.t("有效期", "Valid"))),
                    .if(showMember, .th(.text(ctx.t("会员", "Member")))),
                    .th(.text(ctx.t("来源", "Source"))), .th(.text(ctx.t("状态", "Status")))),
                .forEach(coupons) { c in
                    .tr(.td(.a(.href(SiteURL.coupon(c.code).path), .text(c.code))),
                        .td(.text(c.name(ctx.lang))),
                        .td(.text(CouponText.value(c, ctx))),
                        .td(.text(CouponText.minSpend(c, ctx))),
                        .td(.text(CouponText.validity(c, ctx))),
                        .if(showMember, .td(.unwrap(c.terms.memberId, { id in
                            .a(.href(SiteURL.member(id).path), .text(c.memberName.map(Identity.maskName) ?? "#\(id)"))
                        }, else: .text(ctx.t("不记名", "bearer"))))),
                        .td(.text(CouponText.source(c.source, ctx))),
                        .td(.class("coupon-\(c.displayStatus(on: today))"),
                            .text(CouponText.status(c, today: today, ctx) + (c.usedReceiptNo.map { " · " + $0 } ?? ""))))
                })
        }
    }
}
