import Foundation
import MallVIPCore
import MallVIPStore
import Plot

extension MyVIPsPage {
    enum View {
        static func title(_ m: Model, _ ctx: PageContext) -> String {
            m.staffId == ctx.user?.id ? ctx.t("我的VIP", "My VIPs") : ctx.t("维护会员：\(m.staffName)", "VIPs of \(m.staffName)")
        }

        static func body(_ m: Model, _ ctx: PageContext) -> Node<HTML.BodyContext> {
            .div(
                Layout.noticeBox(m.notice),
                Layout.errorBox(m.error),
                .unwrap(m.maintainers) { list in
                    .form(.method(.get), .action(SiteURL.myVIPs(staff: nil).path), .class("inline"),
                          Layout.select(ctx.t("维护人", "Account manager"), name: "staff",
                                        options: list.map { (String($0.id), "\($0.displayName)（\($0.members)）") }, selected: String(m.staffId)),
                          .button(.type(.submit), .text(ctx.t("查看", "Show"))))
                },
                kpi(m, ctx),
                .if(m.members.isEmpty, .p(.class("muted"), .text(ctx.t("暂无分配的会员", "No members assigned")))),
                .if(!m.members.isEmpty, table(m, ctx)),
                .h2(.text(ctx.t("联系记录", "Contact log"))),
                .if(!m.members.isEmpty && (m.staffId == ctx.user?.id || ctx.user.map { StaffRole.managers.contains($0.role) } == true),
                    ContactLogView.form(action: SiteURL.myVIPsContact.path, members: m.members.map { ($0.id, "\($0.name) \($0.cardNo ?? "")") },
                                           listOf: m.staffId, ctx)),
                ContactLogView.table(m.contacts, m.programme, showMember: true, ctx)
            )
        }

        static func kpi(_ m: Model, _ ctx: PageContext) -> Node<HTML.BodyContext> {
            guard let k = m.kpi else { return .empty }
            return .p(.class("muted"), .text(ctx.t(
                "本月：\(k.members) 位会员，消费 \(k.purchases) 笔，人均 \(average(k)) 笔；消费 \(Money.yuan(k.spendFen)) 元，同比 \(change(k, ctx))；保级 \(k.keptInTier) 位；联系 \(k.contacts) 次",
                "This month: \(k.members) members, \(k.purchases) purchases, \(average(k)) per member; spend \(Money.yuan(k.spendFen)) yuan, \(change(k, ctx)) on last year; \(k.keptInTier) kept their tier; \(k.contacts) contacts")))
        }

        static func table(_ m: Model, _ ctx: PageContext) -> Node<HTML.BodyContext> {
            .table(
                .tr(.th(.text(ctx.t("会员", "Member"))), .th(.text(ctx.t("卡号", "Card"))), .th(.text(ctx.t("电话", "Phone"))),
                    .th(.text(ctx.t("等级", "Tier"))), .th(.text(ctx.t("最近消费", "Last purchase"))),
                    .th(.text(ctx.t("本月消费", "This month"))), .th(.text(ctx.t("本年消费", "This year"))),
                    .th(.text(ctx.t("生日", "Birthday"))), .th(.text(ctx.t("待办", "Open tasks"))), .th(.text(ctx.t("维护起始", "Since")))),
                .forEach(m.members) { v in
                    let tier = m.programme.effectiveTier(earned: v.earnedTier, manual: v.manualTier, manualUntil: v.manualUntil, on: m.today)
                    let birthdayThisMonth = v.birthday?.month == m.today.month
                    let open = m.openTasks[v.id] ?? 0
                    return .tr(
                        .td(.a(.href(SiteURL.member(v.id).path), .text(v.name))),
                        .td(.text(v.cardNo ?? "—")),
                        .td(.text(ctx.seesPersonalData ? v.phone : Identity.maskPhone(v.phone))),
                        .td(.text(ctx.tier(tier, m.programme))),
                        .td(.text(v.lastPurchase?.description ?? "—")),
                        .td(.class("num"), .text(Money.yuan(v.spendMonthFen))),
                        .td(.class("num"), .text(Money.yuan(v.spendYearFen))),
                        .td(.class(birthdayThisMonth ? "attention" : ""),
                            .text(v.birthday.map { String(format: "%02d-%02d", $0.month, $0.day) } ?? "—")),
                        .td(.class(open > 0 ? "attention" : ""), .text("\(open)")),
                        .td(.text(v.since?.description ?? "—")))
                })
        }

        /// "3.00"
        static func average(_ k: ManagerKPI) -> String {
            let c = k.purchasesPerMemberCents
            return "\(c / 100)." + String(format: "%02d", c % 100)
        }

        /// "+25.0%", or "—" without last year's spend.
        static func change(_ k: ManagerKPI, _ ctx: PageContext) -> String {
            guard let p = k.spendChangePermille else { return ctx.t("去年同月无消费", "no spend a year ago") }
            let sign = p > 0 ? "+" : (p < 0 ? "-" : "")
            return "\(sign)\(abs(p) / 10).\(abs(p) % 10)%"
        }
    }
}
