import Foundation
import MallVIPCore
import MallVIPStore
import Plot

extension JourneysPage {
    enum View {
        static func body(_ m: Model, _ ctx: PageContext) -> Node<HTML.BodyContext> {
            .div(
                Layout.noticeBox(m.notice),
                Layout.errorBox(m.error),
                .p(.a(.href(SiteURL.templates.path), .text(ctx.t("消息模板", "Message templates"))), .text(" · "),
                   .a(.href(SiteURL.holidays.path), .text(ctx.t("节日日历", "Holiday calendar")))),
                .p(.class("muted"), .text(ctx.t(
                    "每天自动运行一次（serve 定时，或 mallvip jobs run）。同一会员同一周期只发一次；对照组会员只记录、不发送。",
                    "Run once a day (serve's scheduler, or mallvip jobs run). Each member gets each send once per period; control-group members are recorded, not contacted."))),
                .table(
                    .tr(.th(.text(ctx.t("旅程", "Journey"))), .th(.text(ctx.t("开关", "On/off"))), .th(.text(ctx.t("渠道", "Channel"))),
                        .th(.text(ctx.t("模板", "Template"))), .th(.class("num"), .text(ctx.t("对照组", "Holdout"))),
                        .th(.text(ctx.t("规则", "Rule"))), .th(.text(ctx.t("上次运行", "Last run"))), .th()),
                    .forEach(m.journeys) { j in
                        .tr(.td(.text(j.name.text(ctx.lang)), .br(), .span(.class("muted"), .text(j.purpose.label.text(ctx.lang)))),
                            .td(.form(.method(.post), .action(SiteURL.journeyToggle(j.code).path), .class("inline"),
                                      Layout.csrfField(ctx),
                                      .input(.type(.hidden), .name("enabled"), .value(j.enabled ? "0" : "1")),
                                      .span(.class(j.enabled ? "on" : "off"), .text(j.enabled ? ctx.t("已开启", "On") : ctx.t("已关闭", "Off"))),
                                      .text(" "),
                                      .button(.type(.submit), .text(j.enabled ? ctx.t("关闭", "Switch off") : ctx.t("开启", "Switch on"))))),
                            .td(.text(j.channel.label.text(ctx.lang))),
                            .td(.a(.href(SiteURL.template(j.templateCode).path), .text(m.templates[j.templateCode]?.name ?? j.templateCode))),
                            .td(.class("num"), .text(PercentText.format(j.holdoutPermille))),
                            .td(.text(JourneysPage.paramsText(j, ctx))),
                            .td(.text(m.lastRuns[j.kind].map { "\($0.day) · \($0.summary)" } ?? "—")),
                            .td(.a(.href(SiteURL.journey(j.code).path), .text(ctx.t("设置", "Settings")))))
                    })
            )
        }
    }
}

extension JourneyForm {
    enum View {
        static func title(_ m: Model, _ ctx: PageContext) -> String { ctx.t("旅程设置", "Journey") + " · " + m.journey.name.text(ctx.lang) }

        static func body(_ m: Model, _ ctx: PageContext) -> Node<HTML.BodyContext> {
            let v = m.values, kind = m.journey.kind
            let templates = m.templates.filter { $0.purpose == kind.purpose || kind.purpose == .service }
            return .div(
                .if(!m.errors.isEmpty, .div(.class("error"), .attribute(named: "role", value: "alert"),
                                            .p(.text(ctx.t("未保存：", "Not saved:"))), .ul(.forEach(m.errors) { .li(.text($0)) }))),
                .p(.class("muted"), .text(ctx.t("类别：", "Purpose: ") + kind.purpose.label.text(ctx.lang))),
                .form(.class("card"), .method(.post), .action(SiteURL.journey(m.journey.code).path),
                      Layout.csrfField(ctx),
                      Layout.checkbox(ctx.t("开启", "Switched on"), name: "enabled", checked: v.enabled),
                      Layout.select(ctx.t("渠道", "Channel"), name: "channel",
                                    options: MessageChannel.allCases.map { ($0.rawValue, $0.label.text(ctx.lang)) }, selected: v.channel.rawValue),
                      Layout.select(ctx.t("模板", "Template"), name: "templateCode",
                                    options: templates.map { ($0.code, "\($0.name)（\($0.code)）") }, selected: v.templateCode),
                      Layout.field(ctx.t("对照组比例（不发送、用于衡量效果）", "Holdout (not contacted; measures the effect)"), name: "holdout",
                                   value: v.holdout, placeholder: "10%"),
                      .if(kind == .birthday, Layout.select(ctx.t("生日祝福时间", "When"), name: "mode",
                                                           options: [("daysBefore", ctx.t("生日前 N 天", "N days before")),
                                                                     ("month", ctx.t("生日当月", "In the birthday month"))],
                                                           selected: v.mode.isEmpty ? "daysBefore" : v.mode)),
                      .if([.birthday, .missYou, .pointsExpiring, .couponExpiring, .tierAtRisk].contains(kind),
                          Layout.field(daysLabel(kind, ctx), name: "days", value: v.days, type: .number)),
                      .if([.welcome, .missYou, .tierUpgrade].contains(kind),
                          Layout.field(ctx.t("补发天数（服务停机时最多晚几天补发）", "Catch-up days (how late a missed send may still go out)"),
                                       name: "catchUpDays", value: v.catchUpDays, type: .number, placeholder: "\(JourneyParams.defaultCatchUpDays)")),
                      .if(kind == .season, .label(.text(ctx.t("换季日期，每行一个：MM-DD 模板代码", "Season dates, one a line: MM-DD template")),
                                                  .textarea(.name("dates"), .attribute(named: "rows", value: "5"), .text(v.dates)))),
                      .if(m.journey.mayCarryCoupon || m.journey.coupon != nil,
                          v.coupon.inputs(ctx, id: "journey-coupon", heading: ("附加礼券（可选：每次发送处理组每人一张，对照组不发；模板须含 {couponCode}）",
                                          "Attached coupon (optional: one per treated member and send, none for the holdout; the template must carry {couponCode})"))),
                      .button(.type(.submit), .text(ctx.t("保存", "Save"))), .text(" "),
                      .a(.href(SiteURL.journeys.path), .text(ctx.t("返回旅程", "Back to journeys")))),
                .unwrap(m.lastRun) { r in .p(.class("muted"), .text(ctx.t("上次运行：", "Last run: ") + "\(r.day) · \(r.summary)")) },
                .unwrap(m.coupons) { k in
                    .group(.h2(.text(ctx.t("礼券效果", "Coupon report"))), CampaignPage.View.couponReport(k, ctx))
                }
            )
        }

        static func daysLabel(_ kind: JourneyKind, _ ctx: PageContext) -> String {
            switch kind {
            case .birthday: ctx.t("生日前天数（N）", "Days before the birthday (N)")
            case .missYou: ctx.t("未消费天数", "Days without a purchase")
            case .pointsExpiring, .couponExpiring: ctx.t("到期前天数", "Days before expiry")
            case .tierAtRisk: ctx.t("复核前天数", "Days before the review")
            default: ctx.t("天数", "Days")
            }
        }
    }
}

extension HolidaysPage {
    enum View {
        static func body(_ m: Model, _ ctx: PageContext) -> Node<HTML.BodyContext> {
            .div(
                Layout.noticeBox(m.notice),
                Layout.errorBox(m.error),
                .p(.class("muted"), .text(ctx.t("节日问候旅程在启用的节日当天发送；农历节日每年日期不同，请每年补充。",
                                                "The holiday journey greets on each active holiday; lunar holidays move, so add each year's dates."))),
                .form(.class("card"), .method(.post), .action(SiteURL.holidayNew.path),
                      Layout.csrfField(ctx),
                      Layout.field(ctx.t("节日", "Holiday"), name: "name", required: true, placeholder: "春节"),
                      Layout.field(ctx.t("日期", "Date"), name: "day", type: .date, required: true),
                      Layout.checkbox(ctx.t("启用", "Active"), name: "active", checked: true),
                      .button(.type(.submit), .text(ctx.t("添加", "Add")))),
                .table(
                    .tr(.th(.text(ctx.t("日期", "Date"))), .th(.text(ctx.t("节日", "Holiday"))), .th(.text(ctx.t("启用", "Active"))), .th(), .th()),
                    .forEach(m.holidays) { h in
                        .tr(.td(.input(.type(.date), .name("day"), .value(h.day.description), .attribute(named: "form", value: "h\(h.id)"))),
                            .td(.input(.type(.text), .name("name"), .value(h.name), .attribute(named: "form", value: "h\(h.id)"))),
                            .td(.input(.type(.checkbox), .name("active"), .value("1"), .checked(h.active), .attribute(named: "form", value: "h\(h.id)"))),
                            .td(.form(.id("h\(h.id)"), .method(.post), .action(SiteURL.holiday(h.id).path), .class("inline"),
                                      Layout.csrfField(ctx), .button(.type(.submit), .text(ctx.t("保存", "Save"))))),
                            .td(.form(.method(.post), .action(SiteURL.holidayDelete(h.id).path), .class("inline"),
                                      Layout.csrfField(ctx), .button(.type(.submit), .text(ctx.t("删除", "Delete"))))))
                    })
            )
        }
    }
}
