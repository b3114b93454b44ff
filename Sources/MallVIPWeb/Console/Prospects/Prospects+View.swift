import Foundation
import MallVIPCore
import MallVIPStore
import Plot

extension ProspectsPage {
    enum View {
        static func body(_ m: Model, _ ctx: PageContext) -> Node<HTML.BodyContext> {
            .div(
                Layout.noticeBox(m.notice),
                .p(.a(.href(SiteURL.prospectInvites(month: nil, counter: m.access.filter.counterId, department: m.access.filter.departmentId).path),
                      .text(ctx.t("本月邀请办卡名单", "This month's invite list"))),
                   .if(!m.access.restricted, .group(.text(" · "), .a(.href(SiteURL.conversionRanking(mall: nil, week: nil).path),
                                                                   .text(ctx.t("各课转化周排名", "Weekly conversion ranking")))))),
                ProspectsShared.noCounterWarning(m.access, ctx),
                ProspectsShared.filterForm(m.access, action: SiteURL.prospects(counter: nil, department: nil).path, month: nil,
                                           counters: m.counters, departments: m.departments, ctx),
                .if(m.prospects.isEmpty, .p(.class("muted"), .text(ctx.t("还没有登记的主顾客", "No regular customers registered yet")))),
                .if(!m.prospects.isEmpty, .table(
                    .tr(.th(.text(ctx.t("手机号", "Phone"))), .th(.text(ctx.t("姓名", "Name"))), .th(.text(ctx.t("店柜", "Counter"))),
                        .th(.text(ctx.t("课", "Department"))), .th(.text(ctx.t("登记人", "Registered by"))), .th(.text(ctx.t("登记时间", "Registered"))),
                        .th(.text(ctx.t("状态", "Status")))),
                    .forEach(m.prospects) { p in
                        .tr(.td(.text(ProspectsShared.phone(p.phone, ctx))), .td(.text(p.name ?? "—")),
                            .td(.text("\(p.counterCode) \(p.counterName)")), .td(.text(p.departmentName)),
                            .td(.text(p.registeredBy)), .td(.text(Layout.dateTime(p.registeredAt, m.programme))),
                            .td(.unwrap(p.memberId, { id in
                                .a(.href(SiteURL.member(id).path), .text(ctx.t("已办卡", "Enrolled")))
                            }, else: .text(ctx.t("未办卡", "Not yet a member")))))
                    })),
                .h2(.text(ctx.t("登记主顾客", "Register a regular customer"))),
                Layout.errorBox(m.error),
                .if(!m.access.restricted || m.access.ownCounter != nil,
                    .form(.class("card"), .method(.post), .action(SiteURL.prospects(counter: nil, department: nil).path),
                          Layout.csrfField(ctx),
                          Layout.field(ctx.t("手机号", "Phone"), name: "phone", value: m.values.phone, type: .tel, required: true),
                          Layout.field(ctx.t("姓名（可不填）", "Name (optional)"), name: "name", value: m.values.name),
                          .if(!m.access.restricted,
                              Layout.select(ctx.t("店柜", "Counter"), name: "counterId",
                                            options: [("", ctx.t("请选择", "Choose"))] + m.counters.map { (String($0.id), "\($0.code) \($0.name) · \($0.departmentName)") },
                                            selected: m.values.counterId)),
                          .button(.type(.submit), .text(ctx.t("登记", "Register")))))
            )
        }
    }
}

extension InvitesPage {
    enum View {
        static func body(_ m: Model, _ ctx: PageContext) -> Node<HTML.BodyContext> {
            .div(
                .p(.class("muted"), .text(ctx.t(
                    "本月在至少 \(m.policy.minPurchaseDays) 个不同日期消费（同一天多次只算一次），或本月消费满 \(Money.yuan(m.policy.minMonthSpendFen)) 元的登记主顾客：请邀请办卡。",
                    "Registered customers who bought on at least \(m.policy.minPurchaseDays) different days this month (several purchases on one day count once), or spent \(Money.yuan(m.policy.minMonthSpendFen)) yuan: invite them to enrol."))),
                ProspectsShared.noCounterWarning(m.access, ctx),
                ProspectsShared.filterForm(m.access, action: SiteURL.prospectInvites(month: nil, counter: nil, department: nil).path, month: m.month,
                                           counters: m.counters, departments: m.departments, ctx),
                .if(m.invites.isEmpty, .p(.class("muted"), .text(ctx.t("本月暂无需要邀请的顾客", "Nobody to invite this month yet")))),
                .if(!m.invites.isEmpty, .table(
                    .tr(.th(.text(ctx.t("手机号", "Phone"))), .th(.text(ctx.t("姓名", "Name"))), .th(.text(ctx.t("店柜", "Counter"))),
                        .th(.text(ctx.t("课", "Department"))), .th(.class("num"), .text(ctx.t("消费天数", "Purchase days"))),
                        .th(.class("num"), .text(ctx.t("本月消费（元）", "Spend this month (yuan)"))), .th(.text(ctx.t("最近消费", "Last purchase"))),
                        .th(.text(ctx.t("原因", "Why")))),
                    .forEach(m.invites) { c in
                        .tr(.class("invite"), .td(.text(ProspectsShared.phone(c.prospect.phone, ctx))), .td(.text(c.prospect.name ?? "—")),
                            .td(.text("\(c.prospect.counterCode) \(c.prospect.counterName)")), .td(.text(c.prospect.departmentName)),
                            .td(.class("num"), .text("\(c.assessment.purchaseDays)")), .td(.class("num"), .text(Money.yuan(c.assessment.spendFen))),
                            .td(.text(c.lastPurchaseDay?.description ?? "—")), .td(.text(reason(c.assessment, ctx))))
                    })),
                .p(.a(.href(SiteURL.prospects(counter: nil, department: nil).path), .text(ctx.t("返回主顾客登记", "Back to regular customers"))))
            )
        }

        static func reason(_ a: InviteAssessment, _ ctx: PageContext) -> String {
            var parts: [String] = []
            if a.byDays { parts.append(ctx.t("消费天数达标", "purchase days")) }
            if a.bySpend { parts.append(ctx.t("消费金额达标", "spend")) }
            return parts.joined(separator: ctx.t("、", ", "))
        }
    }
}

extension RankingPage {
    enum View {
        static func body(_ m: Model, _ ctx: PageContext) -> Node<HTML.BodyContext> {
            let week = m.weekStart.description
            return .div(
                Layout.noticeBox(m.notice),
                Layout.errorBox(m.error),
                .form(.class("card"), .method(.get), .action(SiteURL.conversionRanking(mall: nil, week: nil).path),
                      .if(m.malls.count > 1, Layout.select(ctx.t("商场", "Mall"), name: "mall",
                                                           options: m.malls.map { (String($0.id), $0.name) }, selected: String(m.mallId))),
                      Layout.field(ctx.t("周内任一天", "Any day of the week"), name: "week", value: week, type: .date, required: true),
                      .button(.type(.submit), .text(ctx.t("查看", "Show")))),
                .p(.text(ctx.t("统计周：\(week) 至 \(m.weekEnd)", "Week: \(week) to \(m.weekEnd)")), .text(" · "),
                   .a(.href(SiteURL.conversionRanking(mall: m.mallId, week: m.weekStart.adding(days: -7).description).path), .text(ctx.t("上一周", "Previous week"))),
                   .text(" · "),
                   .a(.href(SiteURL.conversionRanking(mall: m.mallId, week: m.weekStart.adding(days: 7).description).path), .text(ctx.t("下一周", "Next week")))),
                .table(
                    .tr(.th(.text(ctx.t("名次", "Rank"))), .th(.text(ctx.t("课", "Department"))), .th(.class("num"), .text(ctx.t("转化数", "Conversions")))),
                    .forEach(Array(m.departments.enumerated())) { i, d in
                        .tr(.td(.text("\(i + 1)")), .td(.text("\(d.code) \(d.name)")), .td(.class("num"), .text("\(d.conversions)")))
                    }),
                awardBlock(m, ctx),
                .h2(.text(ctx.t("各店柜转化", "Conversions by counter"))),
                .if(m.counters.isEmpty, .p(.class("muted"), .text(ctx.t("本周暂无转化", "No conversions this week")))),
                .if(!m.counters.isEmpty, .table(
                    .tr(.th(.text(ctx.t("店柜", "Counter"))), .th(.text(ctx.t("课", "Department"))), .th(.class("num"), .text(ctx.t("转化数", "Conversions")))),
                    .forEach(m.counters) { c in
                        .tr(.td(.text("\(c.counterCode) \(c.counterName)")), .td(.text(c.departmentName)), .td(.class("num"), .text("\(c.conversions)")))
                    })),
                .h2(.text(ctx.t("历周获奖", "Past winners"))),
                .if(m.history.isEmpty, .p(.class("muted"), .text(ctx.t("尚无记录", "None recorded yet")))),
                .if(!m.history.isEmpty, .table(
                    .tr(.th(.text(ctx.t("周", "Week"))), .th(.text(ctx.t("获奖课", "Winner"))), .th(.class("num"), .text(ctx.t("转化数", "Conversions"))),
                        .th(.text(ctx.t("奖励", "Reward"))), .th(.class("num"), .text(ctx.t("费用（元）", "Cost (yuan)"))), .th(.text(ctx.t("记录人", "Recorded by")))),
                    .forEach(m.history) { a in
                        .tr(.td(.text(a.weekStart.description)), .td(.text(a.departmentName)), .td(.class("num"), .text("\(a.conversions)")),
                            .td(.text(a.rewardText)), .td(.class("num"), .text(Money.yuan(a.rewardFen))), .td(.text(a.recordedBy)))
                    }))
            )
        }

        static func awardBlock(_ m: Model, _ ctx: PageContext) -> Node<HTML.BodyContext> {
            if let a = m.award {
                return .p(.class("notice"), .text(ctx.t("本周获奖：\(a.departmentName)（\(a.conversions) 张），奖励 \(a.rewardText)，费用 \(Money.yuan(a.rewardFen)) 元",
                                                        "Winner: \(a.departmentName) (\(a.conversions)), reward \(a.rewardText), cost \(Money.yuan(a.rewardFen)) yuan")))
            }
            guard m.weekOver else {
                return .p(.class("muted"), .text(ctx.t("本周尚未结束，结束后可记录获奖课（奖励：\(m.policy.weeklyRewardText)）",
                                                       "The week is not over; record the winner once it is (reward: \(m.policy.weeklyRewardText))")))
            }
            guard let leader = m.leader else {
                return .p(.class("muted"), .text(ctx.t("该周没有转化，无人获奖", "No conversions that week: no winner")))
            }
            return .form(.class("card"), .method(.post), .action(SiteURL.conversionAward.path),
                         Layout.csrfField(ctx),
                         .input(.type(.hidden), .name("mall"), .value(String(m.mallId))),
                         .input(.type(.hidden), .name("week"), .value(m.weekStart.description)),
                         .p(.text(ctx.t("第一名：\(leader.name)（\(leader.conversions) 张）。奖励：\(m.policy.weeklyRewardText)，\(Money.yuan(m.policy.weeklyRewardFen)) 元",
                                        "Leader: \(leader.name) (\(leader.conversions)). Reward: \(m.policy.weeklyRewardText), \(Money.yuan(m.policy.weeklyRewardFen)) yuan"))),
                         .button(.type(.submit), .text(ctx.t("记录获奖", "Record the winner"))))
        }
    }
}

/// Pieces the three conversion pages share.
enum ProspectsShared {
    /// Counter staff registered these customers themselves, so they see the number they need to invite them.
    static func phone(_ phone: String, _ ctx: PageContext) -> String {
        ctx.seesPersonalData || ctx.user?.role == .counterStaff ? phone : Identity.maskPhone(phone)
    }

    static func noCounterWarning(_ access: ProspectAccess, _ ctx: PageContext) -> Node<HTML.BodyContext> {
        .if(access.restricted && access.ownCounter == nil,
            .p(.class("error"), .text(ctx.t("您的账号尚未设置店柜，请联系管理员", "Your account has no counter yet; ask an administrator"))))
    }

    /// Counter and department filters for managers; counter staff see only their counter and get no filter.
    static func filterForm(_ access: ProspectAccess, action: String, month: String?, counters: [Counter], departments: [Department],
                           _ ctx: PageContext) -> Node<HTML.BodyContext> {
        .form(.class("card"), .method(.get), .action(action),
              .unwrap(month) { Layout.field(ctx.t("月份", "Month"), name: "month", value: $0, type: .month, required: true) },
              .if(!access.restricted, .group(
                  Layout.select(ctx.t("店柜", "Counter"), name: "counter",
                                options: [("", ctx.t("全部", "All"))] + counters.map { (String($0.id), "\($0.code) \($0.name)") },
                                selected: access.filter.counterId.map(String.init) ?? ""),
                  Layout.select(ctx.t("课", "Department"), name: "department",
                                options: [("", ctx.t("全部", "All"))] + departments.map { (String($0.id), $0.name) },
                                selected: access.filter.departmentId.map(String.init) ?? ""))),
              .if(month != nil || !access.restricted, .button(.type(.submit), .text(ctx.t("查看", "Show")))))
    }
}
