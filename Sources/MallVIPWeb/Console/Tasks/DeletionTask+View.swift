import Foundation
import MallVIPCore
import MallVIPStore
import Plot

extension TasksPage.View {
    /// A deletion request closes only with a manager's decision: approval erases the member's personal data.
    static func deletionForm(_ r: TasksPage.Row, _ ctx: PageContext) -> Node<HTML.BodyContext> {
        guard let role = ctx.user?.role, StaffRole.managers.contains(role) else {
            return .span(.class("muted"), .text(ctx.t("待经理审批", "Awaiting a manager")))
        }
        return .form(.method(.post), .action(SiteURL.taskDeletion(r.id).path), Layout.csrfField(ctx),
            .p(.class("muted"), .text(ctx.t("批准后将清除该会员的姓名、手机号、邮箱、地址、证件号、生日、偏好、标签和车牌，会员卡关闭；消费记录和金额保留用于报表。",
                                            "Approving erases name, phone, e-mail, address, ID number, birthday, preferences, tags and plates and closes the card; purchases and totals stay for reporting."))),
            .input(.type(.text), .name("note"), .placeholder(ctx.t("备注（驳回时必填）", "Note (required to reject)"))),
            .button(.type(.submit), .name("decision"), .value("approve"), .text(ctx.t("批准注销", "Approve deletion"))),
            .button(.type(.submit), .class("secondary"), .name("decision"), .value("reject"), .text(ctx.t("驳回", "Reject"))))
    }
}
