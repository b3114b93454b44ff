import Foundation
import MallVIPCore
import MallVIPStore
import Plot

extension ManagerRankingPage {
    enum View {
        static func body(_ m: Model, _ ctx: PageContext) -> Node<HTML.BodyContext> {
            let key = String(m.month.description.prefix(7))
            let canRecord = ctx.user.map { StaffRole.managers.contains($0.role) } ?? false
            return .div(
                Layout.noticeBox(m.notice),
                Layout.errorBox(m.error),
                .form(.method(.get), .action(SiteURL.managerRanking(month: nil).path), .class("inline"),
                      .label(.text(ctx.t("月份", "Month")), .input(.type(.month), .name("month"), .value(key))),
                      .button(.type(.submit), .text(ctx.t("查看", "Show")))),
                .p(.class("muted"), .text(ctx.t("按维护会员的人均消费笔数排名（全额退货不计）；同比为同一批会员去年同月的消费",
                                                "Ranked by purchases per maintained member (full refunds do not count); change compares the same members' spend a year earlier"))),
                .if(m.ranked.isEmpty, .p(.class("muted"), .text(ctx.t("该月没有维护会员", "No maintained members in this month")))),
                .if(!m.ranked.isEmpty, table(m, ctx)),
                winner(m, key: key, canRecord: canRecord, ctx),
                .h2(.text(ctx.t("\(m.month.year) 年获奖记录", "Awards in \(m.month.year)"))),
                .if(m.awardsThisYear.isEmpty, .p(.class("muted"), .text(ctx.t("尚无记录", "None recorded yet")))),
                .if(!m.awardsThisYear.isEmpty, .table(
                    .tr(.th(.text(ctx.t("月份", "Month"))), .th(.text(ctx.t("获奖者", "Winner"))), .th(.text(ctx.t("笔数/会员", "Purchases/members"))),
                        .th(.text(ctx.t("奖品", "Reward"))), .th(.text(ctx.t("费用（元）", "Cost (yuan)"))), .th(.text(ctx.t("记录", "Recorded")))),
                    .forEach(m.awardsThisYear) { a in
                        .tr(.td(.text(a.month)), .td(.text(a.staffName)), .td(.text("\(a.purchases)/\(a.members)")), .td(.text(a.rewardText)),
                            .td(.class("num"), .text(Money.yuan(a.rewardFen))),
                            .td(.text("\(a.recordedBy) \(Layout.dateTime(a.recordedAt, m.programme))")))
                    },
                    .tr(.td(.text(ctx.t("合计", "Total"))), .td(), .td(), .td(), .td(.class("num"), .text(Money.yuan(m.yearCostFen))), .td())))
            )
        }

        static func table(_ m: Model, _ ctx: PageContext) -> Node<HTML.BodyContext> {
            .table(
                .tr(.th(.text("#")), .th(.text(ctx.t("维护人", "Account manager"))), .th(.text(ctx.t("会员", "Members"))),
                    .th(.text(ctx.t("消费笔数", "Purchases"))), .th(.text(ctx.t("人均笔数", "Per member"))),
                    .th(.text(ctx.t("消费（元）", "Spend (yuan)"))), .th(.text(ctx.t("去年同月（元）", "Same month last year"))),
                    .th(.text(ctx.t("同比", "Change"))), .th(.text(ctx.t("保级", "Kept tier"))), .th(.text(ctx.t("联系次数", "Contacts")))),
                .forEach(Array(m.ranked.enumerated())) { i, k in
                    .tr(.class(k.staffId == (m.award?.staffId ?? m.leader?.staffId) ? "winner" : ""),
                        .td(.text("\(i + 1)")),
                        .td(.a(.href(SiteURL.myVIPs(staff: k.staffId).path), .text(k.name))),
                        .td(.class("num"), .text("\(k.members)")),
                        .td(.class("num"), .text("\(k.purchases)")),
                        .td(.class("num"), .text(MyVIPsPage.View.average(k))),
                        .td(.class("num"), .text(Money.yuan(k.spendFen))),
                        .td(.class("num"), .text(Money.yuan(k.spendLastYearFen))),
                        .td(.class("num"), .text(MyVIPsPage.View.change(k, ctx))),
                        .td(.class("num"), .text("\(k.keptInTier)/\(k.members)")),
                        .td(.class("num"), .text("\(k.contacts)")))
                })
        }

        static func winner(_ m: Model, key: String, canRecord: Bool, _ ctx: PageContext) -> Node<HTML.BodyContext> {
            if let a = m.award {
                return .p(.class("notice"), .text(ctx.t(
                    "\(key) 获奖者：\(a.staffName)（\(a.purchases) 笔 / \(a.members) 位会员），奖品 \(a.rewardText)，费用 \(Money.yuan(a.rewardFen)) 元已入账",
                    "Winner of \(key): \(a.staffName) (\(a.purchases) purchases / \(a.members) members), reward \(a.rewardText), cost \(Money.yuan(a.rewardFen)) yuan booked")))
            }
            guard let leader = m.leader else { return .empty }
            if !m.monthOver {
                return .p(.class("muted"), .text(ctx.t("目前领先：\(leader.name)；月底后评选", "Leading so far: \(leader.name); the winner is recorded after the month ends")))
            }
            return .div(
                .p(.text(ctx.t("\(key) 人均消费最高：\(leader.name)，奖品 \(m.policy.rewardText)（\(Money.yuan(m.policy.monthlyRewardFen)) 元）",
                               "Best average in \(key): \(leader.name); reward \(m.policy.rewardText) (\(Money.yuan(m.policy.monthlyRewardFen)) yuan)"))),
                .if(canRecord, .form(.method(.post), .action(SiteURL.managerAward.path),
                                     Layout.csrfField(ctx),
                                     .input(.type(.hidden), .name("month"), .value(key)),
                                     .button(.type(.submit), .text(ctx.t("记录获奖并入账奖品费用", "Record the winner and book the reward"))))))
        }
    }
}
