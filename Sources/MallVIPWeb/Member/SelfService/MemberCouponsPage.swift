import Foundation
import MallVIPCore
import MallVIPStore
import Plot

/// /m/coupons: the member's coupons, usable ones first; each opens to its code as Code 128 and QR for the till.
enum MemberCouponsPage {
    static func list(_ coupons: [CouponRecord], today: LocalDate, _ ctx: PageContext) -> Node<HTML.BodyContext> {
        let usable = coupons.filter { isUsable($0, today) }
        let other = coupons.filter { !isUsable($0, today) }
        return .div(
            .if(coupons.isEmpty, .p(.class("muted"), .text(ctx.t("暂无优惠券", "You have no coupons")))),
            .if(!usable.isEmpty, .group(.h2(.text(ctx.t("可用", "Ready to use"))), .forEach(usable) { item($0, today, ctx) })),
            .if(!other.isEmpty, .group(.h2(.text(ctx.t("已使用、已过期或未生效", "Used, expired or not yet valid"))),
                                      .forEach(other) { item($0, today, ctx) })))
    }

    static func isUsable(_ c: CouponRecord, _ today: LocalDate) -> Bool {
        c.displayStatus(on: today) == "issued" && c.terms.validFrom <= today
    }

    static func item(_ c: CouponRecord, _ today: LocalDate, _ ctx: PageContext) -> Node<HTML.BodyContext> {
        .div(.class("panel coupon coupon-\(c.displayStatus(on: today))"),
             .p(.strong(.text(c.name(ctx.lang))), .text(" · " + CouponText.value(c, ctx))),
             .p(.class("muted"), .text(CouponText.minSpend(c, ctx) + " · " + CouponText.validity(c, ctx))),
             .p(.a(.href(MemberURL.coupon(c.code).path), .class("code"), .text(c.code)),
                .text(" · " + CouponText.status(c, today: today, ctx))))
    }

    static func detail(_ c: CouponRecord, today: LocalDate, _ ctx: PageContext) -> Node<HTML.BodyContext> {
        .div(
            .section(.class("panel coupon"),
                     .p(.text(CouponText.value(c, ctx))),
                     .p(.class("muted"), .text(CouponText.minSpend(c, ctx))),
                     .p(.text(CouponText.validity(c, ctx))),
                     .p(.strong(.class("coupon-\(c.displayStatus(on: today))"), .text(CouponText.status(c, today: today, ctx)))),
                     .if(isUsable(c, today), .div(.class("coupon-scan"),
                        .p(.class("muted"), .text(ctx.t("结账时出示给收银员扫码", "Show this to the cashier to scan"))),
                        .div(.class("barcode"), .raw(BarcodeSVG.code128(c.code) ?? "")),
                        .div(.class("qr"), .raw(QRCode.svg(c.code, pixelsPerModule: 6, label: ctx.t("优惠券二维码 \(c.code)", "Coupon QR code \(c.code)")))))),
                     .p(.class("code coupon-code"), .text(c.code))),
            .p(.a(.class("button secondary"), .href(MemberURL.coupons.path), .text(ctx.t("返回优惠券", "Back to coupons")))))
    }
}
