import Foundation
import MallVIPCore
import MallVIPStore
import Plot

enum EventsAdminView {
    struct Model: Sendable {
        var event: Event
        /// Every invitation of the event: the counts and places are the whole event's.
        var invitations: [EventInvitation]
        var programme: Programme
        var mayPlan: Bool
        var notice: String?
        var error: String?
        /// The invitations listed by name; nil = all. An account manager's are only their own members' (issue 14).
        var listed: [EventInvitation]? = nil
    }

    static func when(_ ms: Int64, _ p: Programme) -> String { Layout.dateTime(dateFromMillis(ms), p) }

    static func list(_ events: [Event], _ p: Programme, mayPlan: Bool, _ ctx: PageContext) -> Node<HTML.BodyContext> {
        .div(
            .if(mayPlan, .p(.a(.class("button"), .href(SiteURL.eventNew.path), .text(ctx.t("新建活动", "New event"))))),
            .if(events.isEmpty, .p(.class("muted"), .text(ctx.t("暂无活动", "No events yet")))),
            .if(!events.isEmpty, .table(
                .tr(.th(.text(ctx.t("活动", "Event"))), .th(.text(ctx.t("类型", "Type"))), .th(.text(ctx.t("时间", "When"))),
                    .th(.text(ctx.t("名额", "Capacity"))), .th(.text(ctx.t("状态", "Status")))),
                .forEach(events) { e in
                    .tr(.td(.a(.href(SiteURL.event(e.id).path), .text(e.title))), .td(.text(e.type.label.text(ctx.lang))),
                        .td(.text(when(e.startsAtMs, p))), .td(.text(String(e.capacity))), .td(.text(e.status.label.text(ctx.lang))))
                })))
    }

    static func form(event: Event?, values: EventsAdminController.EventForm?, segments: [Segment], programme p: Programme,
                     error: String?, _ ctx: PageContext) -> Node<HTML.BodyContext> {
        let tz = p.timeZone
        func t(_ ms: Int64?) -> String { ms.map { CampaignForm.localText(dateFromMillis($0), tz) } ?? "" }
        let type = values?.type ?? event?.type.rawValue ?? EventType.launch.rawValue
        let tiers = values?.tiers ?? event?.audienceTiers ?? []
        let segment = values?.segmentId ?? event?.audienceSegmentId.map(String.init) ?? ""
        func field(_ name: String, _ zh: String, _ en: String, _ value: String, _ inputType: HTMLInputType = .text) -> Node<HTML.FormContext> {
            Layout.field(ctx.t(zh, en), name: name, value: value, type: inputType)
        }
        let typeSelect = Layout.select(ctx.t("类型", "Type"), name: "type",
                                       options: EventType.allCases.map { ($0.rawValue, $0.label.text(ctx.lang)) }, selected: type)
        let segmentSelect = Layout.select(ctx.t("目标客群", "Segment"), name: "segmentId",
                                          options: [("", ctx.t("（不限）", "(none)"))] + segments.map { (String($0.id), $0.name) },
                                          selected: segment)
        let tierBoxes: Node<HTML.FormContext> = .group(p.tiers.map { tier in
            .label(.class("check"), .input(.type(.checkbox), .name("tiers[]"), .value(tier.code), .checked(tiers.contains(tier.code))),
                   .text(ctx.t("等级：", "Tier: ") + tier.name.text(ctx.lang)))
        })
        let title = values?.title ?? event?.title ?? "", place = values?.place ?? event?.place ?? ""
        let starts = values?.startsAt ?? t(event?.startsAtMs), ends = values?.endsAt ?? t(event?.endsAtMs)
        let deadline = values?.rsvpDeadline ?? t(event?.rsvpDeadlineMs)
        let capacity = values?.capacity ?? event.map { String($0.capacity) } ?? ""
        let budget = values?.budget ?? event.map { Money.yuan($0.budgetFen) } ?? ""
        let action = event.map { SiteURL.eventEdit($0.id).path } ?? SiteURL.events.path
        return .div(
            .unwrap(error) { .p(.class("error"), .attribute(named: "role", value: "alert"), .text($0)) },
            .form(.method(.post), .action(action),
                  Layout.csrfField(ctx),
                  typeSelect,
                  field("title", "名称", "Title", title),
                  field("startsAt", "开始", "Starts", starts, .datetimeLocal),
                  field("endsAt", "结束", "Ends", ends, .datetimeLocal),
                  field("place", "地点", "Place", place),
                  field("capacity", "名额", "Capacity", capacity, .number),
                  field("budget", "预算（元）", "Budget (yuan)", budget),
                  field("rsvpDeadline", "报名截止", "Reply by", deadline, .datetimeLocal),
                  segmentSelect,
                  tierBoxes,
                  .button(.type(.submit), .text(ctx.t("保存", "Save")))))
    }

    static func page(_ m: Model, _ ctx: PageContext) -> Node<HTML.BodyContext> {
        let e = m.event, p = m.programme
        let counts = Dictionary(grouping: m.invitations, by: \.status).mapValues(\.count)
        let taken = (counts[.accepted] ?? 0) + (counts[.attended] ?? 0)
        func post(_ action: String, _ label: String, _ fields: [(String, String)] = []) -> Node<HTML.BodyContext> {
            .form(.method(.post), .action(action), .class("inline"), Layout.csrfField(ctx),
                  .forEach(fields) { .input(.type(.hidden), .name($0.0), .value($0.1)) },
                  .button(.type(.submit), .text(label)))
        }
        return .div(
            .unwrap(m.notice) { .p(.class("notice"), .attribute(named: "role", value: "status"), .text($0)) },
            .unwrap(m.error) { .p(.class("error"), .attribute(named: "role", value: "alert"), .text($0)) },
            .dl(.dt(.text(ctx.t("类型", "Type"))), .dd(.text(e.type.label.text(ctx.lang))),
                .dt(.text(ctx.t("时间", "When"))), .dd(.text(when(e.startsAtMs, p) + " – " + when(e.endsAtMs, p))),
                .dt(.text(ctx.t("地点", "Place"))), .dd(.text(e.place)),
                .dt(.text(ctx.t("名额", "Capacity"))), .dd(.id("places"), .text("\(taken) / \(e.capacity)")),
                .dt(.text(ctx.t("预算", "Budget"))), .dd(.text(Money.yuan(e.budgetFen))),
                .dt(.text(ctx.t("报名截止", "Reply by"))), .dd(.text(when(e.rsvpDeadlineMs, p))),
                .dt(.text(ctx.t("状态", "Status"))), .dd(.text(e.status.label.text(ctx.lang)))),
            .p(.a(.href(SiteURL.eventCheckIn(e.id).path), .text(ctx.t("签到", "Check-in"))), .text(" · "),
               .a(.href(SiteURL.eventReport(e.id).path), .text(ctx.t("活动报告", "Report")))),
            .if(m.mayPlan, .div(.class("actions"),
                .a(.class("button"), .href(SiteURL.eventEdit(e.id).path), .text(ctx.t("编辑", "Edit"))),
                .if(e.status == .draft || e.status == .open, post(SiteURL.eventInvite(e.id).path, ctx.t("向目标客群发送邀请", "Invite the audience"))),
                .if(e.status == .open, post(SiteURL.eventStatus(e.id).path, ctx.t("结束报名", "Close"), [("status", "closed")])),
                .if(e.status != .cancelled, post(SiteURL.eventStatus(e.id).path, ctx.t("取消活动", "Cancel event"), [("status", "cancelled")])))),
            .h2(.text(ctx.t("代会员回复", "Answer for a member"))),
            .form(.method(.post), .action(SiteURL.eventRSVP(e.id).path), Layout.csrfField(ctx),
                  .label(.text(ctx.t("卡号或手机号", "Card or phone")), .input(.type(.text), .name("q"))),
                  .label(.class("inline"), .input(.type(.radio), .name("accept"), .value("1"), .checked(true)), .text(ctx.t("出席", "Coming"))),
                  .label(.class("inline"), .input(.type(.radio), .name("accept"), .value("0")), .text(ctx.t("不出席", "Not coming"))),
                  .button(.type(.submit), .text(ctx.t("记录", "Record")))),
            .h2(.text(ctx.t("邀请名单", "Invitations"))),
            .p(.text(InvitationStatus.allCases.map { "\($0.label.text(ctx.lang)) \(counts[$0] ?? 0)" }.joined(separator: " · "))),
            .table(.tr(.th(.text(ctx.t("会员", "Member"))), .th(.text(ctx.t("状态", "Status"))), .th(.text(ctx.t("回复方式", "Channel"))),
                       .th(.text(ctx.t("回复时间", "Answered")))),
                   .forEach(m.listed ?? m.invitations) { i in
                       .tr(.td(.text(i.memberName ?? ctx.t("非会员", "Non-member"))),
                           .td(.class("inv-\(i.status.rawValue)"), .text(i.status.label.text(ctx.lang))),
                           .td(.text(i.rsvpChannel?.rawValue ?? "")), .td(.text(i.rsvpAtMs.map { when($0, p) } ?? "")))
                   }))
    }
}
