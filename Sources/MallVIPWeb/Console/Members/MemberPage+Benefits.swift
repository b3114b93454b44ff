import Foundation
import MallVIPCore
import MallVIPStore
import Plot

/// The member page's benefits: what the tier brings, points about to lapse, bound plates and car park exits.
extension MemberPage {
    struct BenefitsPart: Sendable {
        /// Days ahead the page warns of lapsing points.
        static let expiryWarningDays = 90
        var expiring: [ExpiringPoints] = []
        var plates: [ParkingPlate] = []
        var exits: [ParkingExitOutcome] = []

        static func load(_ store: Store, memberId: Int64, today: LocalDate) async throws -> BenefitsPart {
            BenefitsPart(expiring: try await store.pointsExpiring(withinDays: expiryWarningDays, on: today, memberId: memberId),
                         plates: try await store.plates(memberId: memberId),
                         exits: try await store.parkingExits(memberId: memberId, limit: 10))
        }
    }
}

extension MemberPage.View {
    /// "120 积分将于 2026-12-31 到期"
    static func expiryNotice(_ m: MemberPage.Model, _ ctx: PageContext) -> Node<HTML.BodyContext> {
        .if(!m.benefits.expiring.isEmpty,
            .p(.class("notice expiry"), .text(m.benefits.expiring.map {
                ctx.t("\($0.points) 积分将于 \($0.expiresOn) 到期", "\($0.points) points expire on \($0.expiresOn)")
            }.joined(separator: ctx.t("；", "; ")))))
    }

    static func tierBenefits(_ m: MemberPage.Model, _ ctx: PageContext) -> Node<HTML.BodyContext> {
        guard let tier = m.programme.tier(m.effectiveTier) else { return .empty }
        let b = tier.benefits
        func zhe(_ permille: Int) -> String {
            permille >= 1000 ? ctx.t("无", "none") : ctx.t(Zhe.format(permille), "pays \(Double(permille) / 10)%")
        }
        let rows: [(String, String)] = [
            (ctx.t("会员折扣", "Member discount"), zhe(tier.discountPermille)),
            (ctx.t("联盟商家折扣", "Partner merchant discount"), zhe(b.partnerDiscountPermille)),
            (ctx.t("免费停车", "Free parking"), ctx.t("\(b.freeParkingHours) 小时", "\(b.freeParkingHours) h")),
            (ctx.t("贵宾室", "VIP lounge"), b.lounge ? ctx.t("可使用", "yes") : ctx.t("不可使用", "no")),
            (ctx.t("季度礼品", "Quarterly gift"), b.quarterlyGift?.text(ctx.lang) ?? "—"),
            (ctx.t("生日礼品", "Birthday gift"), b.birthdayGift?.text(ctx.lang) ?? "—"),
        ]
        return .table(.class("benefits"), .forEach(rows) { row in .tr(.th(.text(row.0)), .td(.text(row.1))) })
    }

    static func parking(_ m: MemberPage.Model, canEdit: Bool, _ ctx: PageContext) -> Node<HTML.BodyContext> {
        let id = m.member.id
        return .div(
            .table(.class("plates"),
                   .tr(.th(.text(ctx.t("车牌", "Plate"))), .th(.text(ctx.t("绑定时间", "Bound"))), .th(.text(ctx.t("操作人", "By"))), .th()),
                   .forEach(m.benefits.plates) { p in
                       .tr(.td(.text(p.plate)), .td(.text(Layout.dateTime(p.boundAt, m.programme))), .td(.text(p.boundBy)),
                           .td(.if(canEdit, .form(.method(.post), .action(SiteURL.memberAction(id, .plateUnbind).path), .class("inline"),
                                                  Layout.csrfField(ctx), .input(.type(.hidden), .name("plate"), .value(p.plate)),
                                                  .button(.class("secondary"), .type(.submit), .text(ctx.t("解绑", "Unbind")))))))
                   }),
            .if(m.benefits.plates.isEmpty, .p(.class("muted"), .text(ctx.t("未绑定车牌", "No plate bound")))),
            .if(canEdit,
                .form(.class("inline"), .method(.post), .action(SiteURL.memberAction(id, .plateBind).path),
                      Layout.csrfField(ctx),
                      Layout.field(ctx.t("绑定车牌", "Bind a plate"), name: "plate", required: true, placeholder: "粤B12345"),
                      .button(.type(.submit), .text(ctx.t("绑定", "Bind"))))),
            .if(!m.benefits.exits.isEmpty,
                .table(.class("parking-exits"),
                       .tr(.th(.text(ctx.t("日期", "Day"))), .th(.text(ctx.t("车牌", "Plate"))), .th(.class("num"), .text(ctx.t("停车（分钟）", "Stay (min)"))),
                           .th(.class("num"), .text(ctx.t("免费（分钟）", "Free (min)"))), .th(.class("num"), .text(ctx.t("收费（元）", "Paid (yuan)")))),
                       .forEach(m.benefits.exits) { e in
                           .tr(.td(.text(e.businessDate)), .td(.text(e.plate ?? "—")), .td(.class("num"), .text("\(e.charge.stayMinutes)")),
                               .td(.class("num"), .text("\(e.charge.freeMinutes)")), .td(.class("num"), .text(Money.yuan(e.charge.amountFen))))
                       }))
        )
    }
}
