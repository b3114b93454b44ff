import Foundation
import MallVIPCore
import MallVIPStore
import Plot

extension TasksPage {
    enum View {
        static func body(_ m: Model, _ ctx: PageContext) -> Node<HTML.BodyContext> {
            .div(
                Layout.noticeBox(m.notice),
                Layout.errorBox(m.error),
                .p(.class("muted"), .text(m.supervisor ? ctx.t("团队的全部任务，可按人员、类型、状态筛选；逾期任务标红。",
                                                                "The whole team's tasks, by person, kind and status; overdue ones in red.")
                                                        : ctx.t("分配给您（及您所在岗位）的任务；逾期任务标红。",
                                                                "Tasks assigned to you (and your role's team); overdue ones in red."))),
                filterForm(m, ctx),
                .if(m.rows.isEmpty, .p(.class("muted"), .text(ctx.t("没有符合条件的任务", "No tasks match")))),
                .if(!m.rows.isEmpty, table(m, ctx))
            )
        }

        static func kindLabel(_ r: Row, _ ctx: PageContext) -> String {
            r.kind.map { $0.label.text(ctx.lang) } ?? ctx.t("回访（消息）", "Call (message)")
        }

        static func filterForm(_ m: Model, _ ctx: PageContext) -> Node<HTML.BodyContext> {
            let kinds = [("", ctx.t("全部", "all"))] + ServiceTaskKind.allCases.map { ($0.rawValue, $0.label.text(ctx.lang)) }
                + [("call", ctx.t("回访（消息）", "Call (message)"))]
            let statuses = [("open", ServiceTaskStatus.open.label.text(ctx.lang)), ("closed", ctx.t("已处理", "Closed")), ("all", ctx.t("全部", "all"))]
                + ServiceTaskStatus.allCases.dropFirst().map { ($0.rawValue, $0.label.text(ctx.lang)) }
            return .form(.method(.get), .action(SiteURL.tasks(staff: nil, kind: nil, status: nil).path), .class("card"),
                .if(m.supervisor, Layout.select(ctx.t("人员", "Person"), name: "staff",
                    options: [("", ctx.t("全部", "everyone"))] + m.staff.map { (String($0.id), "\($0.displayName)（\($0.role.label.text(ctx.lang))）") },
                    selected: m.form.staff)),
                Layout.select(ctx.t("类型", "Kind"), name: "kind", options: kinds, selected: m.form.kind),
                Layout.select(ctx.t("状态", "Status"), name: "status", options: statuses, selected: m.form.status),
                .button(.type(.submit), .text(ctx.t("查询", "Search"))))
        }

        static func table(_ m: Model, _ ctx: PageContext) -> Node<HTML.BodyContext> {
            .table(.class("tasks"),
                .tr(.th(.text(ctx.t("类型", "Kind"))), .th(.text(ctx.t("任务", "Task"))), .th(.text(ctx.t("会员", "Member"))),
                    .th(.text(ctx.t("负责人", "Assignee"))), .th(.text(ctx.t("到期", "Due"))), .th(.text(ctx.t("状态", "Status"))),
                    .th(.text(ctx.t("结果", "Outcome")))),
                .forEach(m.rows) { r in
                    .tr(.class(r.overdue(m.today) ? "overdue" : "task-\(r.status.rawValue)"),
                        .td(.text(kindLabel(r, ctx))),
                        .td(.strong(.text(r.title)), .br(), .span(.class("muted message-text"), .text(r.detail)),
                            .if(r.kind == .lapse, .div(.a(.href(SiteURL.taskLapseCSV(r.id).path), .text(ctx.t("导出清单 CSV", "Export list (CSV)")))))),
                        .td(.unwrap(r.memberId) { id in .a(.href(SiteURL.member(id).path), .text(r.memberName ?? "#\(id)")) }),
                        .td(.text(r.assignee ?? r.teamRole.map { ctx.t("团队：", "Team: ") + $0.label.text(ctx.lang) } ?? ctx.t("未分配", "Unassigned"))),
                        .td(.class("due"), .text(r.due.description + (r.overdue(m.today) ? ctx.t("（逾期）", " (overdue)") : ""))),
                        .td(.text(r.status.label.text(ctx.lang))),
                        .td(r.canClose ? closeForm(r, ctx) : .text(r.outcomeNote)))
                })
        }

        static func closeForm(_ r: Row, _ ctx: PageContext) -> Node<HTML.BodyContext> {
            if r.kind == .deletion { return deletionForm(r, ctx) }
            if r.isCall {
                return .form(.method(.post), .action(SiteURL.callFinish(r.id).path), Layout.csrfField(ctx),
                    .input(.type(.text), .name("note"), .placeholder(ctx.t("备注（未接通时必填）", "Note (required if not reached)"))),
                    .button(.type(.submit), .name("outcome"), .value("done"), .text(ctx.t("已回访", "Done"))),
                    .button(.type(.submit), .class("secondary"), .name("outcome"), .value("failed"), .text(ctx.t("未接通", "Not reached"))))
            }
            return .form(.method(.post), .action(SiteURL.taskClose(r.id).path), Layout.csrfField(ctx),
                .input(.type(.text), .name("note"), .placeholder(ctx.t("备注（未联系上或拒绝时必填）", "Note (required unless done)"))),
                .button(.type(.submit), .name("outcome"), .value("done"), .text(ctx.t("完成", "Done"))),
                .button(.type(.submit), .class("secondary"), .name("outcome"), .value("unreachable"), .text(ctx.t("未联系上", "Not reachable"))),
                .button(.type(.submit), .class("secondary"), .name("outcome"), .value("declined"), .text(ctx.t("拒绝", "Declined"))))
        }
    }
}
