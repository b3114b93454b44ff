import Foundation
import MallVIPCore
import MallVIPStore
import Plot

extension PartnersPage {
    enum View {
        static func body(_ m: Model, _ ctx: PageContext) -> Node<HTML.BodyContext> {
            .div(
                Layout.noticeBox(m.notice),
                .p(.a(.class("button"), .href(SiteURL.partnerNew.path), .text(ctx.t("新增联盟商家", "New partner"))),
                   .text(" "),
                   .a(.href(SiteURL.partnerSettlement(month: nil).path), .text(ctx.t("月度结算", "Monthly settlement")))),
                .p(.class("muted"), .text(ctx.t("各等级会员在联盟商家享受的折扣；带 * 的为该商家单独设定，其余按会员章程。",
                                                "What each tier pays at each partner; * marks the partner's own rate, the rest follow the programme."))),
                .if(m.partners.isEmpty, .p(.class("muted"), .text(ctx.t("还没有联盟商家", "No partners yet")))),
                .if(!m.partners.isEmpty, .table(
                    .tr(.th(.text(ctx.t("代码", "Code"))), .th(.text(ctx.t("名称", "Name"))), .th(.text(ctx.t("类别", "Category"))),
                        .th(.text(ctx.t("联系方式", "Contact"))),
                        .forEach(m.programme.tiers) { t in .th(.text(t.name.text(ctx.lang))) },
                        .th(.text(ctx.t("状态", "Status"))), .th()),
                    .forEach(m.partners) { p in
                        .tr(.td(.text(p.code)), .td(.text(p.name)), .td(.text(p.category)), .td(.text(p.contact)),
                            .forEach(m.programme.tiers) { t in
                                .td(.class("discount"), .text(Zhe.format(p.discountPermille(tier: t.code, programme: m.programme))
                                                               + (p.overrides[t.code] != nil ? " *" : "")))
                            },
                            .td(.text(p.active ? ctx.t("合作中", "active") : ctx.t("已停用", "inactive"))),
                            .td(.a(.href(SiteURL.partner(p.id).path), .text(ctx.t("编辑", "Edit")))))
                    }))
            )
        }
    }
}

extension PartnerForm {
    enum View {
        static func title(_ m: Model, _ ctx: PageContext) -> String {
            m.id == nil ? ctx.t("新增联盟商家", "New partner") : ctx.t("编辑联盟商家", "Edit partner") + " · " + m.values.code
        }

        static func body(_ m: Model, _ ctx: PageContext) -> Node<HTML.BodyContext> {
            let v = m.values
            let action = m.id.map { SiteURL.partner($0).path } ?? SiteURL.partnerNew.path
            return .div(
                Layout.errorBox(m.error),
                .form(.class("card"), .method(.post), .action(action),
                      Layout.csrfField(ctx),
                      Layout.field(ctx.t("商家代码", "Code"), name: "code", value: v.code, required: true, placeholder: "HOTEL1"),
                      Layout.field(ctx.t("商家名称", "Name"), name: "name", value: v.name, required: true),
                      Layout.field(ctx.t("类别（酒店、KTV、超市…）", "Category (hotel, KTV, supermarket…)"), name: "category", value: v.category),
                      Layout.field(ctx.t("联系人及电话", "Contact"), name: "contact", value: v.contact),
                      .h2(.text(ctx.t("各等级折扣（折，留空按会员章程）", "Discount by tier (折; blank follows the programme)"))),
                      .forEach(m.programme.tiers) { t in
                          Layout.field(ctx.t("\(t.name.zh)（章程：\(Zhe.format(t.benefits.partnerDiscountPermille))）",
                                             "\(t.name.en) (programme: \(Zhe.format(t.benefits.partnerDiscountPermille)))"),
                                       name: "discount_\(t.code)", value: v.discounts[t.code] ?? "",
                                       placeholder: String(format: "%g", Double(t.benefits.partnerDiscountPermille) / 100))
                      },
                      Layout.checkbox(ctx.t("合作中（取消勾选即停用，其 API 密钥随即失效）", "Active (untick to deactivate; its API keys stop working)"),
                                      name: "active", checked: v.active),
                      .button(.type(.submit), .text(ctx.t("保存", "Save"))),
                      .text(" "),
                      .a(.href(SiteURL.partners.path), .text(ctx.t("返回联盟商家", "Back to partners"))))
            )
        }
    }
}

extension PartnerSettlementPage {
    enum View {
        static func body(_ m: Model, _ ctx: PageContext) -> Node<HTML.BodyContext> {
            .div(
                .form(.class("card"), .method(.get), .action(SiteURL.partnerSettlement(month: nil).path),
                      Layout.field(ctx.t("月份", "Month"), name: "month", value: m.month, type: .month, required: true),
                      .button(.type(.submit), .text(ctx.t("查看", "Show")))),
                .table(
                    .tr(.th(.text(ctx.t("代码", "Code"))), .th(.text(ctx.t("商家", "Partner"))),
                        .th(.class("num"), .text(ctx.t("到店次数", "Visits"))), .th(.class("num"), .text(ctx.t("会员数", "Members"))),
                        .th(.class("num"), .text(ctx.t("消费金额（元）", "Amount (yuan)"))), .th(.class("num"), .text(ctx.t("折让金额（元）", "Discount (yuan)")))),
                    .forEach(m.lines) { l in
                        .tr(.td(.text(l.code)), .td(.text(l.name)), .td(.class("num"), .text("\(l.visits)")), .td(.class("num"), .text("\(l.members)")),
                            .td(.class("num"), .text(Money.yuan(l.amountFen))), .td(.class("num"), .text(Money.yuan(l.discountFen))))
                    },
                    .tr(.class("total"), .th(.text(ctx.t("合计", "Total"))), .th(.text(m.month)), .th(.class("num"), .text("\(m.totalVisits)")), .th(),
                        .th(.class("num"), .text(Money.yuan(m.totalAmountFen))), .th(.class("num"), .text(Money.yuan(m.totalDiscountFen))))),
                .p(.a(.href(SiteURL.partners.path), .text(ctx.t("返回联盟商家", "Back to partners"))))
            )
        }
    }
}
