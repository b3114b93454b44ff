import Foundation
import MallVIPCore
import MallVIPStore
import Plot

/// The member's latest messages and opt-outs on the member page, so the desk can answer "why did I (not) get a
/// message?" without the outbox; the full history is the outbox filtered to the member, for the roles that see it.
struct MemberMessagesPart: Sendable {
    static let shown = 10
    var messages: [OutboxMessage] = []
    var optOuts: [MessageOptOut] = []
    /// Consent given back after an opt-out (the member pages record both directions).
    var consentGrants: [ConsentChange] = []

    static func load(_ store: Store, memberId: Int64) async throws -> MemberMessagesPart {
        var filter = OutboxFilter()
        filter.memberId = memberId
        return MemberMessagesPart(messages: try await store.outboxMessages(filter, limit: shown),
                                  optOuts: try await store.optOuts(memberId: memberId),
                                  consentGrants: try await store.consentChanges(memberId: memberId).filter(\.granted))
    }
}

enum MemberMessagesView {
    static func body(_ part: MemberMessagesPart, _ programme: Programme, memberId: Int64, _ ctx: PageContext) -> Node<HTML.BodyContext> {
        let seesOutbox = ctx.user.map { StaffRole.organisation.contains($0.role) } ?? false
        return .div(
            .if(part.messages.isEmpty, .p(.class("muted"), .text(ctx.t("暂无消息", "No messages")))),
            .if(!part.messages.isEmpty, .table(.class("messages"),
                .tr(.th(.text(ctx.t("时间", "Created"))), .th(.text(ctx.t("渠道", "Channel"))), .th(.text(ctx.t("来源", "Source"))),
                    .th(.text(ctx.t("内容", "Text"))), .th(.text(ctx.t("状态", "Status")))),
                .forEach(part.messages) { r in
                    .tr(.td(.text(Layout.dateTime(r.createdAt, programme))),
                        .td(.text(MessageText.channel(r.channel, ctx))),
                        .td(.text("\(r.sourceCode) · \(r.periodKey)")),
                        .td(.class("message-text"), .text(r.body)),
                        .td(.class("status-\(r.status.rawValue)"), .text(MessagesPage.View.statusDetail(r, programme, ctx))))
                })),
            .if(seesOutbox && part.messages.count >= MemberMessagesPart.shown,
                .p(.a(.href(SiteURL.messages(status: nil, channel: nil, source: nil, member: String(memberId), month: nil).path),
                      .text(ctx.t("全部消息 →", "All messages →"))))),
            .if(!part.optOuts.isEmpty, .group(
                .h3(.text(ctx.t("退订记录", "Opt-outs"))),
                .table(
                    .tr(.th(.text(ctx.t("时间", "When"))), .th(.text(ctx.t("渠道", "Channel"))), .th(.text(ctx.t("方式", "How"))),
                        .th(.text(ctx.t("说明", "Detail")))),
                    .forEach(part.optOuts) { o in
                        .tr(.td(.text(Layout.dateTime(o.at, programme))), .td(.text(MessageText.channel(o.channel, ctx))),
                            .td(.text(optOutSource(o.source, ctx))), .td(.text(o.detail)))
                    }))),
            .if(!part.consentGrants.isEmpty, .group(
                .h3(.text(ctx.t("重新同意记录", "Consent given back"))),
                .table(.forEach(part.consentGrants) { c in
                    .tr(.td(.text(Layout.dateTime(c.at, programme))), .td(.text(MessageText.channel(c.channel, ctx))),
                        .td(.text(OptOutSource(rawValue: c.source).map { optOutSource($0, ctx) } ?? c.source)))
                })))
        )
    }

    static func optOutSource(_ s: OptOutSource, _ ctx: PageContext) -> String {
        switch s {
        case .smsKeyword: ctx.t("短信回复退订", "SMS reply")
        case .emailLink: ctx.t("邮件退订链接", "e-mail link")
        case .desk: ctx.t("服务台", "desk")
        case .member: ctx.t("会员本人（会员网页）", "the member (member pages)")
        }
    }
}
