import Foundation
import MallVIPCore
import MallVIPStore
import Plot

/// The member page's "account manager and contacts" section.
enum MemberManagerView {
    static func body(_ part: MemberManagerPart, member: Member, _ programme: Programme, _ ctx: PageContext) -> Node<HTML.BodyContext> {
        let user = ctx.user
        let canAssign = user.map { StaffRole.managers.contains($0.role) } ?? false
        let canLog = user.map { u in MemberAccess.limitedTo(u).map { $0 == member.accountManagerId } ?? true } ?? false
        let currentName = member.accountManagerId.flatMap { id in part.staff.first { $0.id == id }?.displayName }
        let since = part.history.first { $0.to == nil && $0.staffId == member.accountManagerId }?.from
        return .div(
            .p(.text(currentName.map { name in
                ctx.t("维护人：\(name)" + (since.map { "（\($0) 起）" } ?? ""), "Account manager: \(name)" + (since.map { " (since \($0))" } ?? ""))
            } ?? ctx.t("未分配维护人", "No account manager"))),
            .if(canAssign, assignForm(part, member: member, ctx)),
            .if(!part.history.isEmpty, .div(.h3(.text(ctx.t("维护人变更记录", "Account manager history"))), history(part, programme, ctx))),
            // Counter staff look members up at the till; the log is for those who serve the member.
            .if(canLog, .div(
                .h3(.text(ctx.t("联系记录", "Contact log"))),
                ContactLogView.form(action: SiteURL.memberAction(member.id, .contacts).path, members: nil, ctx),
                ContactLogView.table(part.contacts, programme, showMember: false, ctx)))
        )
    }

    static func assignForm(_ part: MemberManagerPart, member: Member, _ ctx: PageContext) -> Node<HTML.BodyContext> {
        let choices = part.staff.filter { $0.eligible || $0.id == member.accountManagerId }
        return .form(.class("card"), .method(.post), .action(SiteURL.memberAction(member.id, .manager).path),
                     Layout.csrfField(ctx),
                     Layout.select(ctx.t("维护人", "Account manager"), name: "staffId",
                                   options: [("", ctx.t("（不分配）", "(none)"))] + choices.map { (String($0.id), "\($0.displayName)（\($0.members)）") },
                                   selected: member.accountManagerId.map(String.init) ?? ""),
                     Layout.field(ctx.t("原因", "Reason"), name: "reason"),
                     .button(.type(.submit), .text(member.accountManagerId == nil ? ctx.t("分配", "Assign") : ctx.t("变更维护人", "Reassign"))),
                     .p(.class("muted"), .text(ctx.t("仅列出符合任职年限的员工", "Only staff who meet the tenure rule are listed"))))
    }

    static func history(_ part: MemberManagerPart, _ programme: Programme, _ ctx: PageContext) -> Node<HTML.BodyContext> {
        .table(
            .tr(.th(.text(ctx.t("维护人", "Account manager"))), .th(.text(ctx.t("起", "From"))), .th(.text(ctx.t("止", "Until"))),
                .th(.text(ctx.t("原因", "Reason"))), .th(.text(ctx.t("经办", "By")))),
            .forEach(part.history) { h in
                .tr(.td(.text(h.staffName)), .td(.text(h.from.description)), .td(.text(h.to?.description ?? "—")),
                    .td(.text(h.reason)), .td(.text("\(h.assignedBy) \(Layout.dateTime(h.assignedAt, programme))")))
            })
    }
}
