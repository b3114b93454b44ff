import Foundation
import MallVIPCore
import MallVIPStore
import Plot
import Vapor

enum ComplaintsView {
    static func page(_ ctx: PageContext, rows: [Complaint], programme: Programme, nowMs: Int64, notice: String?,
                     error: String?, status: HTTPResponseStatus) -> Response {
        Layout.render(ctx, title: ctx.t("投诉与服务请求", "Complaints and requests"), status: status, .div(
            Layout.noticeBox(notice), Layout.errorBox(error),
            newForm(ctx),
            .h2(.text(ctx.t("记录", "Cases"))),
            .p(.forEach([("全部", "All", nil), ("待响应", "Open", "open"), ("处理中", "Responded", "responded"), ("已结案", "Resolved", "resolved")] as [(String, String, String?)]) { f in
                .a(.class("button"), .href(SiteURL.complaints(status: f.2).path), .text(ctx.t(f.0, f.1)))
            }),
            .table(.class("complaints"),
                   .thead(.tr(.forEach([("编号", "#"), ("登记时间", "Opened"), ("渠道", "Channel"), ("类别", "Category"),
                                        ("专柜", "Counter"), ("负责人", "Owner"), ("状态", "Status"),
                                        ("首次响应", "First response"), ("解决", "Resolution"), ("操作", "Action")]) { h in
                       .th(.text(ctx.t(h.0, h.1)))
                   })),
                   .tbody(.forEach(rows) { c in row(ctx, c, programme, nowMs) }))
        ))
    }

    static func newForm(_ ctx: PageContext) -> Node<HTML.BodyContext> {
        .form(.method(.post), .action(SiteURL.complaints(status: nil).path), .class("card"),
              Layout.csrfField(ctx),
              .h2(.text(ctx.t("登记", "Record"))),
              Layout.select(ctx.t("类型", "Kind"), name: "kind",
                            options: [("complaint", ctx.t("投诉", "Complaint")), ("request", ctx.t("服务请求", "Service request"))],
                            selected: "complaint"),
              Layout.select(ctx.t("渠道", "Channel"), name: "channel",
                            options: FeedbackChannel.allCases.map { ($0.rawValue, $0.label.text(ctx.lang)) },
                            selected: "desk"),
              Layout.field(ctx.t("会员卡号或手机号（选填）", "Card number or phone (optional)"), name: "member"),
              Layout.field(ctx.t("类别", "Category"), name: "category", required: true,
                           placeholder: ctx.t("如：商品质量、服务态度、停车", "e.g. product quality, service, parking")),
              Layout.field(ctx.t("涉及专柜编号（选填）", "Counter code (optional)"), name: "counter"),
              Layout.field(ctx.t("负责人（默认本人）", "Owner (default: you)"), name: "owner"),
              .label(.text(ctx.t("内容", "Description")), .textarea(.name("description"), .required(true))),
              .button(.type(.submit), .text(ctx.t("登记", "Record"))))
    }

    /// `dueMs`: when the step is due (opened + the channel's target); shown while the step is not done (issue 17: the
    /// desk sees when a member's complaint from /m/ falls due, like any other).
    static func sla(_ ctx: PageContext, _ met: Bool?, _ at: Int64?, dueMs: Int64, _ programme: Programme) -> Node<HTML.TableRowContext> {
        let when = at.map { Layout.dateTime(dateFromMillis($0), programme) }
            ?? ctx.t("截止 ", "due ") + Layout.dateTime(dateFromMillis(dueMs), programme)
        let mark: String = switch met {
        case .some(true): ctx.t("达标", "on time")
        case .some(false): ctx.t("超时", "late")
        case .none: ctx.t("进行中", "in time")
        }
        return .td(.class(met == false ? "late" : ""), .text("\(when) · \(mark)"))
    }

    static func row(_ ctx: PageContext, _ c: Complaint, _ programme: Programme, _ nowMs: Int64) -> Node<HTML.TableContext> {
        let target = programme.feedback.target(c.channel)
        let statusText: String = switch c.status {
        case .open: ctx.t("待响应", "Open")
        case .responded: ctx.t("处理中", "Responded")
        case .resolved: ctx.t("已结案", "Resolved") + (c.outcomeTold ? ctx.t("（已告知会员）", " (member told)") : "")
        }
        return .tr(.id("complaint-\(c.id)"),
            .td(.text("#\(c.id) " + (c.kind == .complaint ? ctx.t("投诉", "complaint") : ctx.t("请求", "request")))),
            .td(.text(Layout.dateTime(dateFromMillis(c.createdAtMs), programme))),
            .td(.text(c.channel.label.text(ctx.lang))),
            .td(.text(c.category), .br(), .small(.text(c.description))),
            .td(.text(c.counterName ?? "—")),
            .td(.text(c.owner)),
            .td(.text(statusText), .unwrap(c.outcome) { .group(.br(), .small(.text($0))) }),
            sla(ctx, target.firstResponseMet(openedMs: c.createdAtMs, respondedMs: c.firstResponseAtMs, nowMs: nowMs), c.firstResponseAtMs,
                dueMs: c.createdAtMs + Int64(target.firstResponseMinutes) * 60_000, programme),
            sla(ctx, target.resolutionMet(openedMs: c.createdAtMs, resolvedMs: c.resolvedAtMs, nowMs: nowMs), c.resolvedAtMs,
                dueMs: c.createdAtMs + Int64(target.resolutionHours) * 3_600_000, programme),
            .td(.if(c.status == .open,
                    .form(.method(.post), .action(SiteURL.complaintAction(c.id, .respond).path), .class("inline"),
                          Layout.csrfField(ctx), .button(.type(.submit), .text(ctx.t("已首次响应", "Responded"))))),
                .if(c.status != .resolved,
                    .form(.method(.post), .action(SiteURL.complaintAction(c.id, .resolve).path),
                          Layout.csrfField(ctx),
                          Layout.field(ctx.t("处理结果", "Outcome"), name: "outcome", required: true),
                          Layout.checkbox(ctx.t("已告知会员", "Member told"), name: "told", checked: true),
                          .button(.type(.submit), .text(ctx.t("结案", "Close"))))))
        )
    }
}
