import Foundation
import MallVIPCore
import MallVIPStore
import Plot

/// The contact log (who, when, what) and its entry form, on the member page and on "My VIPs".
enum ContactLogView {
    static func table(_ contacts: [MemberContact], _ programme: Programme, showMember: Bool, _ ctx: PageContext) -> Node<HTML.BodyContext> {
        guard !contacts.isEmpty else { return .p(.class("muted"), .text(ctx.t("还没有联系记录", "No contacts logged yet"))) }
        return .table(.class("contacts"),
            .tr(.th(.text(ctx.t("时间", "When"))),
                .if(showMember, .th(.text(ctx.t("会员", "Member")))),
                .th(.text(ctx.t("经办人", "Who"))), .th(.text(ctx.t("方式", "How"))), .th(.text(ctx.t("内容", "What")))),
            .forEach(contacts) { c in
                .tr(.td(.text(Layout.dateTime(c.at, programme))),
                    .if(showMember, .td(.a(.href(SiteURL.member(c.memberId).path), .text(c.memberName)))),
                    .td(.text(c.staffName)), .td(.text(c.kind.label.text(ctx.lang))), .td(.text(c.note)))
            })
    }

    /// `members` adds a member choice (My VIPs); without it the form is for one member (the member page).
    /// `listOf`: the maintainer whose list the form is on, to return to it.
    static func form(action: String, members: [(Int64, String)]?, listOf: Int64? = nil, _ ctx: PageContext) -> Node<HTML.BodyContext> {
        .form(.class("card"), .method(.post), .action(action),
              Layout.csrfField(ctx),
              .unwrap(listOf) { .input(.type(.hidden), .name("staff"), .value(String($0))) },
              .unwrap(members) { list in
                  Layout.select(ctx.t("会员", "Member"), name: "memberId", options: list.map { (String($0.0), $0.1) }, selected: "")
              },
              Layout.select(ctx.t("方式", "How"), name: "kind",
                            options: ContactKind.allCases.map { ($0.rawValue, $0.label.text(ctx.lang)) }, selected: ContactKind.call.rawValue),
              Layout.field(ctx.t("内容（如：送生日蛋糕、邀请到店）", "What (e.g. birthday cake delivered, invited to the store)"),
                           name: "note", required: true),
              .button(.type(.submit), .text(ctx.t("记录联系", "Log contact"))))
    }
}
