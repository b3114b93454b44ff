import Foundation
import MallVIPCore
import MallVIPStore
import Plot
import Vapor

/// The console frame: navigation by role, language switch, sign-out. Pages pass their own body.
enum Layout {
    static func render(_ ctx: PageContext, title: String, status: HTTPResponseStatus = .ok,
                       _ body: Node<HTML.BodyContext>) -> Response {
        let html = HTML(
            .attribute(named: "lang", value: ctx.lang == .en ? "en" : "zh-CN"),
            .head(
                .meta(.charset(.utf8)),
                .meta(.name("viewport"), .content("width=device-width, initial-scale=1")),
                .title("\(title) · MallVIP"),
                .link(.rel(.stylesheet), .href(SiteURL.stylesheet.path))
            ),
            .body(
                header(ctx),
                .main(.h1(.text(title)), body)
            )
        )
        var headers = HTTPHeaders()
        headers.contentType = .html
        headers.add(name: .cacheControl, value: "no-store")
        return Response(status: status, headers: headers, body: .init(string: html.render()))
    }

    static func header(_ ctx: PageContext) -> Node<HTML.BodyContext> {
        .header(
            .a(.class("brand"), .href(SiteURL.dashboard.path), .text("MallVIP")),
            .unwrap(ctx.user) { user in
                .group(
                    ConsoleMenu.nav(user.role, ctx),   // grouped by task (Layout+Menu, issue 17)
                    .div(.class("who"),
                         .span(.text("\(user.displayName) · \(user.role.label.text(ctx.lang))")),
                         .a(.href(SiteURL.password.path), .text(ctx.t("修改密码", "Change password"))),
                         .form(.method(.post), .action(SiteURL.language.path), .class("inline"),
                               csrfField(ctx),
                               .input(.type(.hidden), .name("lang"), .value(ctx.lang == .en ? "zh" : "en")),
                               .button(.type(.submit), .text(ctx.lang == .en ? "中文" : "English"))),
                         .form(.method(.post), .action(SiteURL.logout.path), .class("inline"),
                               csrfField(ctx),
                               .button(.type(.submit), .text(ctx.t("退出", "Sign out")))))
                )
            }
        )
    }

    static func navigation(_ role: StaffRole) -> [((String, String), String)] {
        var items: [((String, String), String)] = [(("首页", "Home"), SiteURL.dashboard.path)]
        if StaffRole.memberDesk.contains(role) || role == .counterStaff {
            items.append((("会员", "Members"), SiteURL.members(query: nil).path))
        }
        if StaffRole.memberDesk.contains(role) { items.append((("办卡", "Enrol"), SiteURL.enrol.path)) }
        if StaffRole.memberDesk.contains(role) { items.append((("优惠券", "Coupons"), SiteURL.coupons(status: nil, query: nil).path)) }
        if StaffRole.handbookDesk.contains(role) { items.append((("会员手册", "Handbook"), HandbookURL.tier(nil))) }   // issue 18
        if StaffRole.photoReview.contains(role) { items.append((("小票审核", "Receipt photos"), SiteRoute.photos.path())) }   // issue 19
        if StaffRole.channelReviewers.contains(role) { items.append((("渠道积分", "Points by channel"), SiteRoute.channels.path())) }   // issue 19
        if StaffRole.managers.contains(role) { items.append((("升级审批", "Tier approvals"), SiteURL.tierRequests.path)) }
        if StaffRole.managers.contains(role) { items.append((("积分负债", "Points liability"), SiteURL.financePoints(days: nil).path)) }
        if StaffRole.managers.contains(role) { items.append((("店柜积分分摊", "Tenant co-funding"), SiteURL.financeCoFunding(month: nil).path)) }
        if StaffRole.managers.contains(role) { items.append((("积分负债滚动表", "Liability roll-forward"), SiteURL.financeLiability(month: nil).path)) }
        if StaffRole.organisation.contains(role) { items.append((("兑换礼品", "Rewards"), SiteURL.rewards.path)) }
        if StaffRole.organisation.contains(role) {
            items.append((("店柜", "Counters"), SiteURL.counters.path))
            items.append((("课与商场", "Departments"), SiteURL.departments.path))
            items.append((("会员章程", "Programme"), SiteURL.programme.path))
            items.append((("联盟商家", "Partners"), SiteURL.partners.path))
            items.append((("模板", "Templates"), SiteURL.templates.path))
            items.append((("旅程", "Journeys"), SiteURL.journeys.path))
            items.append((("活动推送", "Campaigns"), SiteURL.campaigns.path))
        }
        if StaffRole.segmentReaders.contains(role) { items.append((("会员分群", "Segments"), SiteURL.segments.path)) }
        if StaffRole.exporters.contains(role) { items.append((("数据导出", "Exports"), SiteURL.exports.path)) }
        if StaffRole.organisation.contains(role) {
            items.append((("消息", "Messages"), SiteURL.messages(status: nil, channel: nil, source: nil, member: nil, month: nil).path))
        }
        if StaffRole.callLists.contains(role) { items.append((("回访", "Calls"), SiteURL.calls.path)) }
        if StaffRole.maintainerRoles.contains(role) { items.append((("我的VIP", "My VIPs"), SiteURL.myVIPs(staff: nil).path)) }
        if StaffRole.managers.contains(role) { items.append((("维护人", "Account managers"), SiteURL.accountManagers.path)) }
        if StaffRole.rankingReaders.contains(role) { items.append((("维护人排名", "AM ranking"), SiteURL.managerRanking(month: nil).path)) }
        if StaffRole.taskLists.contains(role) { items.append((("任务", "Tasks"), SiteURL.tasks(staff: nil, kind: nil, status: nil).path)) }
        if StaffRole.memberDesk.contains(role) { items.append((("会员活动", "Events"), SiteURL.events.path)) }
        if StaffRole.memberDesk.contains(role) { items.append((("投诉", "Complaints"), SiteURL.complaints(status: nil).path)) }
        if StaffRole.organisation.contains(role) { items.append((("反馈季报", "Feedback"), SiteURL.feedbackReport(quarter: nil).path)) }
        if StaffRole.churnReaders.contains(role) { items.append((("流失预警", "Churn"), SiteURL.churn.path)) }
        if StaffRole.organisation.contains(role) {
            items.append((("经济效益", "Economics"), SiteURL.economics(year: nil).path))
            items.append((("年度目标", "Targets"), SiteURL.targets(year: nil).path))
        }
        if StaffRole.reportReaders.contains(role) { items.append((("报表", "Reports"), SiteURL.reports(period: nil, mall: nil).path)) }
        if StaffRole.reportReaders.contains(role) { items.append((("会员礼品", "Gifts"), SiteRoute.gifts.path())) }   // issue 18
        if StaffRole.qualityReaders.contains(role) { items.append((("资料完整度", "Data quality"), QualityURL.page())) }   // issue 17 (17D)
        if StaffRole.reportReaders.contains(role) { items.append((("员工业绩", "Staff figures"), QualityURL.staffFigures(period: nil, mall: nil))) }
        if StaffRole.prospectDesk.contains(role) { items.append((("主顾客", "Regular customers"), SiteURL.prospects(counter: nil, department: nil).path)) }
        if StaffRole.admins.contains(role) {
            items.append((("员工", "Staff"), SiteURL.staff.path))
            items.append((("API 密钥", "API keys"), SiteURL.apiKeys.path))
            items.append((("数据导入", "Import"), ImportsPage.path))
            items.append((("Webhook 推送", "Webhooks"), WebhookURL.list(status: nil, subscription: nil).path))
        }
        if StaffRole.managers.contains(role) { items.append((("微信支付商圈", "WeChat Pay"), SiteRoute.wechatPay.path())) }   // issue 19
        if StaffRole.managers.contains(role) { items.append((("微信同步队列", "WeChat Pay sync"), SiteRoute.wechatPaySync.path())) }   // issue 19
        return items
    }

    static func csrfField(_ ctx: PageContext) -> Node<HTML.FormContext> {
        .input(.type(.hidden), .name("_csrf"), .value(ctx.csrf))
    }

    /// A labelled form field.
    static func field(_ label: String, name: String, value: String = "", type: HTMLInputType = .text,
                      required: Bool = false, placeholder: String = "") -> Node<HTML.FormContext> {
        .label(.text(label),
               .input(.type(type), .name(name), .value(value), .required(required), .placeholder(placeholder)))
    }

    /// A labelled `<select>`; `options` are (value, label) pairs.
    static func select(_ label: String, name: String, options: [(String, String)], selected: String) -> Node<HTML.FormContext> {
        .label(.text(label),
               .select(.attribute(named: "name", value: name),
                       .forEach(options) { o in .option(.value(o.0), .label(o.1), .isSelected(o.0 == selected)) }))
    }

    static func checkbox(_ label: String, name: String, checked: Bool) -> Node<HTML.FormContext> {
        .label(.class("check"), .input(.type(.checkbox), .name(name), .value("1"), .checked(checked)),
               .text(label))
    }

    static func errorBox(_ message: String?) -> Node<HTML.BodyContext> {
        .unwrap(message) { .p(.class("error"), .attribute(named: "role", value: "alert"), .text($0)) }
    }

    static func noticeBox(_ message: String?) -> Node<HTML.BodyContext> {
        .unwrap(message) { .p(.class("notice"), .text($0)) }
    }

    static func dateTime(_ date: Date, _ programme: Programme) -> String {
        let tz = programme.timeZone
        let d = LocalDate.of(date, in: tz)
        let secs = Int(date.timeIntervalSince1970) + tz.secondsFromGMT(for: date)
        let sod = ((secs % 86_400) + 86_400) % 86_400
        return "\(d) " + String(format: "%02d:%02d", sod / 3600, sod / 60 % 60)
    }
}

/// Error page for console requests.
enum ConsoleErrorPage {
    static func response(status: HTTPResponseStatus, detail: APIErrorBody.Detail, request: Request) -> Response {
        let ctx = PageContext(request)
        let message = ctx.lang == .en ? detail.message : detail.messageZh
        return Layout.render(ctx, title: "\(status.code)", status: status,
                             .div(.p(.class("error"), .text(message)), .p(.a(.href(SiteURL.dashboard.path), .text(ctx.t("返回首页", "Back to home"))))))
    }
}
