import Foundation
import MallVIPCore
import MallVIPStore
import Plot
import Vapor

extension StaffRole {
    /// Who corrects a member's phone and national ID at the desk (issue 17): the member-desk roles that see personal
    /// data. A planner sees the phone masked and does not change it; the override needs `managers`.
    static let correctors: Set<StaffRole> = [.admin, .manager, .desk, .accountManager]
}

/// The change history of a member's personal data (issue 17 "Corrections, audited"): one section, placed on the
/// member page by its layout (tab `changes`) and shown on its own at /console/members/:id/changes.
struct MemberChangesPart: Sendable {
    var memberId: Int64
    var rows: [MemberFieldChange] = []
    var programme: Programme

    /// Loads the history and audits the viewing (`member.changes.view`), as every view of personal data is.
    static func load(_ req: Request, memberId: Int64) async throws -> MemberChangesPart {
        let rows = try await req.store.memberFieldChanges(memberId: memberId)
        try await req.store.audit(actor: req.actor, action: "member.changes.view", subject: "member:\(memberId)", detail: "\(rows.count) rows")
        return MemberChangesPart(memberId: memberId, rows: rows, programme: try await req.store.programme().programme)
    }
}

enum MemberChangesView {
    /// The history section: the correction links for the roles that correct, then before → after, masked as the
    /// viewer's role requires (`PersonalField.shown`), with who, how and why.
    static func section(_ part: MemberChangesPart, _ ctx: PageContext) -> Node<HTML.BodyContext> {
        let corrects = ctx.user.map { StaffRole.correctors.contains($0.role) } ?? false
        return .section(.class("member-changes"), .id("changes"),
            .h2(.text(ctx.t("资料变更记录", "Changes to personal data"))),
            .if(corrects, .p(
                .a(.class("button"), .href(SiteRoute.memberPhone.path(part.memberId)), .text(ctx.t("更换手机号", "Change phone"))),
                .text(" "),
                .a(.class("button"), .href(SiteRoute.memberIDNumber.path(part.memberId)), .text(ctx.t("登记/更正身份证号", "Add or correct national ID"))))),
            part.rows.isEmpty
                ? .p(.class("muted"), .text(ctx.t("暂无变更记录", "No changes recorded yet")))
                : .table(.class("changes"),
                    .tr(.th(.text(ctx.t("时间", "When"))), .th(.text(ctx.t("字段", "Field"))), .th(.text(ctx.t("原值", "Before"))),
                        .th(.text(ctx.t("新值", "After"))), .th(.text(ctx.t("方式", "How"))), .th(.text(ctx.t("原因", "Why"))),
                        .th(.text(ctx.t("操作人", "By")))),
                    .forEach(part.rows) { c in
                        .tr(.attribute(named: "data-field", value: c.field.rawValue),
                            .td(.text(Layout.dateTime(c.at, part.programme))),
                            .td(.text(c.field.label.text(ctx.lang))),
                            .td(.class("before"), .text(c.field.shown(c.before, seesPersonalData: ctx.seesPersonalData))),
                            .td(.class("after"), .text(c.field.shown(c.after, seesPersonalData: ctx.seesPersonalData))),
                            .td(.text(c.method.label.text(ctx.lang))),
                            .td(.text(c.reason.isEmpty ? "—" : c.reason)),
                            .td(.text(c.actor)))
                    }))
    }

    /// The card replacement form: the holder is checked by the national ID number or a code sent to the phone
    /// on file (docs/domain.md §2.2). Both work without JavaScript: the code button posts its own small form.
    static func cardReplaceForm(memberId: Int64, _ ctx: PageContext) -> Node<HTML.BodyContext> {
        .div(.class("card-replace"),
             .form(.method(.post), .action(SiteRoute.memberCardReplace.path(memberId)), .class("card"),
                   Layout.csrfField(ctx),
                   .h2(.text(ctx.t("补办新卡（保留积分与记录）", "Replace card (keeps points and history)"))),
                   .p(.class("muted"), .text(ctx.t("须先核实持卡人：身份证号或发送至登记手机的验证码，二选一。",
                                                   "Check the holder first: the national ID number or the code sent to the phone on file."))),
                   Layout.field(ctx.t("持卡人身份证号", "Holder's national ID number"), name: "idNumber"),
                   Layout.field(ctx.t("或 手机验证码", "or the code sent to their phone"), name: "code", type: .text),
                   .button(.class("secondary"), .type(.submit), .text(ctx.t("核实并补办新卡", "Check and replace card")))),
             .form(.method(.post), .action(SiteRoute.memberCardReplaceCode.path(memberId)), .class("inline"),
                   Layout.csrfField(ctx),
                   .button(.class("secondary"), .type(.submit), .text(ctx.t("发送验证码到登记手机", "Send a code to the phone on file")))))
    }

    // MARK: Pages

    static func phonePage(_ m: Member, newPhone: String, codeSent: Bool, reason: String, notice: String?, error: String?,
                          canOverride: Bool, _ ctx: PageContext) -> Node<HTML.BodyContext> {
        .div(
            Layout.noticeBox(notice),
            Layout.errorBox(error),
            .p(.a(.href(SiteRoute.member.path(m.id)), .text("← " + m.name)),
               .text(" · " + ctx.t("当前手机：", "Current phone: ") + (ctx.seesPersonalData ? m.phone : Identity.maskPhone(m.phone)))),
            .form(.method(.post), .action(SiteRoute.memberPhoneCode.path(m.id)), .class("card"),
                  Layout.csrfField(ctx),
                  .h2(.text(ctx.t("1. 发送验证码到新手机号", "1. Send a code to the new number"))),
                  Layout.field(ctx.t("新手机号", "New phone"), name: "phone", value: newPhone, type: .tel, required: true),
                  .button(.type(.submit), .text(ctx.t("发送验证码", "Send code")))),
            .if(codeSent, .form(.method(.post), .action(SiteRoute.memberPhone.path(m.id)), .class("card"),
                  Layout.csrfField(ctx),
                  .h2(.text(ctx.t("2. 输入会员收到的验证码", "2. Enter the code the member received"))),
                  .input(.type(.hidden), .name("phone"), .value(newPhone)),
                  Layout.field(ctx.t("验证码", "Code"), name: "code", required: true),
                  Layout.field(ctx.t("原因（选填）", "Reason (optional)"), name: "reason", value: reason),
                  .button(.type(.submit), .text(ctx.t("确认更换", "Change phone"))))),
            .if(canOverride, .form(.method(.post), .action(SiteRoute.memberPhoneOverride.path(m.id)), .class("card"),
                  Layout.csrfField(ctx),
                  .h2(.text(ctx.t("经理特批（无法接收验证码时）", "Manager override (when no code can be received)"))),
                  Layout.field(ctx.t("新手机号", "New phone"), name: "phone", value: newPhone, type: .tel, required: true),
                  Layout.field(ctx.t("原因（必填）", "Reason (required)"), name: "reason", required: true),
                  .button(.class("secondary"), .type(.submit), .text(ctx.t("特批更换", "Override")))))
        )
    }

    static func idNumberPage(_ m: Member, reason: String, error: String?, _ ctx: PageContext) -> Node<HTML.BodyContext> {
        .div(
            Layout.errorBox(error),
            .p(.a(.href(SiteRoute.member.path(m.id)), .text("← " + m.name)),
               .text(" · " + ctx.t("已登记：", "On file: ") + (m.idMasked ?? ctx.t("无", "none")))),
            .form(.method(.post), .action(SiteRoute.memberIDNumber.path(m.id)), .class("card"),
                  Layout.csrfField(ctx),
                  .h2(.text(m.idMasked == nil ? ctx.t("登记身份证号", "Add the national ID number")
                                              : ctx.t("更正身份证号", "Correct the national ID number"))),
                  Layout.field(ctx.t("身份证号", "National ID number"), name: "idNumber", required: true),
                  Layout.field(m.idMasked == nil ? ctx.t("原因（选填）", "Reason (optional)") : ctx.t("更正原因（必填）", "Reason (required)"),
                               name: "reason", value: reason, required: m.idMasked != nil),
                  .p(.class("muted"), .text(ctx.t("一人一卡：已属于其他会员的身份证号不能登记。", "One person, one card: a number of another member is refused."))),
                  .button(.type(.submit), .text(ctx.t("保存", "Save"))))
        )
    }
}
