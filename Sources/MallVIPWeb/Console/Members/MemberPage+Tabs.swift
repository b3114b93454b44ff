import Foundation
import MallVIPCore
import MallVIPStore
import Plot

/// The member page's tabs (issue 17 "A console a clerk finds their way in"). Plain links (`?tab=`), so they work
/// without JavaScript; the action forms sit in `<details>` dialogs below, which open without JavaScript too.
enum MemberTab: String, Sendable, CaseIterable {
    /// One timeline of everything the member did and was sent, newest first, paged (`?before=`).
    case timeline
    /// The change history of personal data (engineer 17A's section; loading it is audited, so only on this tab).
    case changes

    init(query: String?) { self = query.flatMap(MemberTab.init(rawValue:)) ?? .timeline }

    func label(_ ctx: PageContext) -> String {
        switch self {
        case .timeline: ctx.t("时间线", "Timeline")
        case .changes: ctx.t("资料变更记录", "Changes")
        }
    }

    /// The link to this tab (the timeline's first page).
    func path(_ memberId: Int64) -> String {
        SiteURL.member(memberId).path + (self == .timeline ? "" : "?tab=\(rawValue)")
    }
}

extension MemberPage {
    /// The timeline's sources this user may read: the contact log only as the member page's contact section shows it
    /// (MemberManagerView: everyone but counter staff and other account managers than the member's own).
    static func timelineKinds(_ user: StaffUser, member: Member) -> Set<TimelineEntry.Kind> {
        var kinds = Set(TimelineEntry.Kind.allCases)
        if let limited = MemberAccess.limitedTo(user), limited != member.accountManagerId { kinds.remove(.contact) }
        return kinds
    }
}

extension MemberPage.View {
    static func tabs(_ m: MemberPage.Model, _ ctx: PageContext) -> Node<HTML.BodyContext> {
        .nav(.class("tabs"), .attribute(named: "aria-label", value: ctx.t("会员页标签", "Member page tabs")),
             .forEach(MemberTab.allCases) { tab in
                 .a(.href(tab.path(m.member.id)), .if(tab == m.tab, .attribute(named: "aria-current", value: "page")),
                    .text(tab.label(ctx)))
             })
    }

    static func tabBody(_ m: MemberPage.Model, _ ctx: PageContext) -> Node<HTML.BodyContext> {
        switch m.tab {
        case .timeline: timeline(m, ctx)
        case .changes: m.changes.map { MemberChangesView.section($0, ctx) } ?? .empty
        }
    }

    /// A closed dialog: a summary line that opens its content without JavaScript.
    static func dialog(_ title: String, id: String, open: Bool = false, _ content: Node<HTML.BodyContext>) -> Node<HTML.BodyContext> {
        .element(named: "details", nodes: [
            .class("dialog"), .id(id), .if(open, .attribute(named: "open", value: "open")),
            .element(named: "summary", nodes: [.text(title)]),
            content,
        ])
    }

    // MARK: Figures beside the timeline

    static func glance(_ m: MemberPage.Model, _ ctx: PageContext) -> Node<HTML.BodyContext> {
        guard let g = m.glance else { return .empty }
        let segment = g.segmentIndex.map { m.programme.reports.segments[$0].name.text(ctx.lang) } ?? ctx.t("其他", "Other")
        // Lottery eligibility: engineer 17D's Core rule (balance ends in the programme's digit, default 8).
        let lottery = m.programme.isLotteryEligible(balance: m.member.pointsBalance)
        return .div(.class("grid glance"),
                    Dashboard.View.stat(ctx.t("客户分层", "Segment"), segment),
                    Dashboard.View.stat("RFM", "\(g.rfm.r)-\(g.rfm.f)-\(g.rfm.m) · \(g.rfmClass.label.text(ctx.lang))"),
                    Dashboard.View.stat(ctx.t("ABC 分类", "ABC class"), g.abc.rawValue),
                    Dashboard.View.stat(ctx.t("近12个月消费频次", "Purchases, last 12 months"),
                                        ctx.t("\(g.purchases) 笔 · \(g.purchaseDays) 天 · \(Money.yuan(g.spendFen)) 元",
                                              "\(g.purchases) on \(g.purchaseDays) days · \(Money.yuan(g.spendFen)) yuan")),
                    Dashboard.View.stat(ctx.t("流失预警", "Churn risk"),
                                        g.churnRisk ? ctx.t("是（\(m.programme.churn.inactiveMonths)个月未消费）", "yes (no purchase for \(m.programme.churn.inactiveMonths) months)")
                                                    : ctx.t("否", "no")),
                    Dashboard.View.stat(ctx.t("抽奖资格", "Lottery"), lottery ? ctx.t("有（积分尾数 \(m.programme.redemption.lotteryDigit)）", "yes (balance ends in \(m.programme.redemption.lotteryDigit))")
                                                                          : ctx.t("无", "no")))
    }

    // MARK: Timeline

    static func timeline(_ m: MemberPage.Model, _ ctx: PageContext) -> Node<HTML.BodyContext> {
        .section(.class("timeline"), .id("timeline"),
                 .h2(.text(ctx.t("时间线", "Timeline"))),
                 m.timeline.entries.isEmpty
                    ? .p(.class("muted"), .text(ctx.t("暂无记录", "Nothing yet")))
                    : .table(.class("timeline"),
                             .tr(.th(.text(ctx.t("时间", "When"))), .th(.text(ctx.t("类别", "Kind"))), .th(.text(ctx.t("内容", "What"))),
                                 .th(.text(ctx.t("状态", "State")))),
                             .forEach(m.timeline.entries) { e in
                                 .tr(.attribute(named: "data-kind", value: e.kind.rawValue),
                                     .td(.text(Layout.dateTime(Date(timeIntervalSince1970: Double(e.atMs) / 1000), m.programme))),
                                     .td(.text(kindLabel(e.kind, ctx))),
                                     .td(.text(what(e, m, ctx))),
                                     .td(.text(state(e, ctx))))
                             }),
                 .unwrap(m.timeline.next) { next in
                     .p(.a(.class("button secondary"), .attribute(named: "rel", value: "next"),
                           .href(SiteURL.member(m.member.id).path + "?before=\(next)#timeline"), .text(ctx.t("更早的记录", "Older entries"))))
                 })
    }

    static func kindLabel(_ k: TimelineEntry.Kind, _ ctx: PageContext) -> String {
        switch k {
        case .purchase: ctx.t("消费", "Purchase")
        case .points: ctx.t("积分", "Points")
        case .tier: ctx.t("等级", "Tier")
        case .coupon: ctx.t("优惠券", "Coupon")
        case .redemption: ctx.t("兑换", "Redemption")
        case .event: ctx.t("活动", "Event")
        case .survey: ctx.t("问卷", "Survey")
        case .complaint: ctx.t("投诉", "Complaint")
        case .message: ctx.t("消息", "Message")
        case .contact: ctx.t("维护联系", "AM contact")
        }
    }

    static func what(_ e: TimelineEntry, _ m: MemberPage.Model, _ ctx: PageContext) -> String {
        switch e.kind {
        case .purchase:
            let refunded = (e.amount2 ?? 0) > 0 ? ctx.t("，退货 \(Money.yuan(e.amount2 ?? 0)) 元", ", refunded \(Money.yuan(e.amount2 ?? 0))") : ""
            return ctx.t("小票 \(e.text) · \(e.text2 ?? "") · \(Money.yuan(e.amount ?? 0)) 元\(refunded) · 积分 \(e.points ?? 0)",
                         "receipt \(e.text) · \(e.text2 ?? "") · \(Money.yuan(e.amount ?? 0)) yuan\(refunded) · \(e.points ?? 0) points")
        case .points:
            let p = e.points ?? 0
            return "\(kindName(e.text, ctx)) \(p > 0 ? "+" : "")\(p) → \(e.amount ?? 0)" + ((e.text2 ?? "").isEmpty ? "" : " · \(e.text2!)")
        case .tier:
            return "\(ctx.tier(e.text, m.programme)) → \(ctx.tier(e.text2, m.programme))"
        case .coupon, .redemption:
            let name = ctx.lang == .en ? (e.text2 ?? e.text) : e.text
            if e.kind == .redemption { return name + ctx.t(" · \(e.points ?? 0) 积分", " · \(e.points ?? 0) points") }
            return name + (e.amount.map { ctx.t(" · 面值 \(Money.yuan($0)) 元", " · face \(Money.yuan($0)) yuan") } ?? "")
        case .event:
            return e.text
        case .survey:
            let reason = ["event": ctx.t("活动", "event"), "complaint": ctx.t("投诉回访", "complaint"), "quarterly": ctx.t("季度", "quarterly")][e.text] ?? e.text
            return ctx.t("\(reason)问卷 · NPS \(e.points.map(String.init) ?? "—") · 满意度 \(e.amount.map(String.init) ?? "—")",
                         "\(reason) survey · NPS \(e.points.map(String.init) ?? "—") · CSAT \(e.amount.map(String.init) ?? "—")")
                + ((e.text2 ?? "").isEmpty ? "" : " · \(e.text2!)")
        case .complaint:
            let channel = FeedbackChannel(rawValue: e.text2 ?? "")?.label.text(ctx.lang) ?? (e.text2 ?? "")
            return "\(e.text) · \(channel)"
        case .message:
            return "\(e.text.uppercased()) · \(e.text2 ?? "")"
        case .contact:
            return "\(e.text) · \(e.text2 ?? "")" + (e.state.map { " · \($0)" } ?? "")
        }
    }

    static func state(_ e: TimelineEntry, _ ctx: PageContext) -> String {
        switch e.kind {
        case .complaint:
            switch e.state {
            case "open": return ctx.t("待处理", "open")
            case "responded": return ctx.t("已响应", "responded")
            case "resolved": return ctx.t("已结案", "resolved")
            default: return e.state ?? ""
            }
        case .event:
            switch e.state {
            case "invited": return ctx.t("已邀请", "invited")
            case "accepted": return ctx.t("已报名", "accepted")
            case "declined": return ctx.t("已谢绝", "declined")
            case "waitlisted": return ctx.t("候补", "waitlisted")
            case "attended": return ctx.t("已出席", "attended")
            default: return e.state ?? ""
            }
        case .message:
            let bought = e.flag.map { $0 ? ctx.t("之后已消费", "bought afterwards") : ctx.t("之后未消费", "no purchase afterwards") }
            return [e.state, bought].compactMap { $0 }.joined(separator: " · ")
        case .contact:
            return ""
        case .tier:
            switch e.state {
            case "enrol": return ctx.t("入会", "enrolment")
            case "upgrade": return ctx.t("升级", "upgrade")
            case "refund": return ctx.t("退货调整", "after a refund")
            case "review": return ctx.t("复审", "review")
            case "manual": return ctx.t("人工设定", "set by hand")
            case "manualEnd": return ctx.t("人工等级结束", "manual tier ended")
            case "approval": return ctx.t("审批升级", "approved")
            default: return e.state ?? ""
            }
        case .coupon:
            switch e.state {
            case "issued": return ctx.t("未使用", "issued")
            case "used": return ctx.t("已使用", "used")
            case "void": return ctx.t("已作废", "void")
            default: return e.state ?? ""
            }
        case .redemption:
            return e.state == "void" ? ctx.t("已作废", "void") : ctx.t("已兑换", "done")
        default:
            return e.state ?? ""
        }
    }
}
