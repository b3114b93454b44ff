import Foundation
import MallVIPCore
import MallVIPStore
import Plot

extension MessagesPage {
    enum View {
        static func body(_ m: Model, _ ctx: PageContext) -> Node<HTML.BodyContext> {
            .div(
                .p(.class("muted"), .text(channels(m, ctx))),
                filterForm(m, ctx),
                .p(.text(MessageStatus.allCases.compactMap { s in m.counts[s].map { "\(MessageText.status(s, ctx)) \($0)" } }
                    .joined(separator: " · "))),
                .if(m.rows.isEmpty, .p(.class("muted"), .text(ctx.t("没有符合条件的消息", "No messages match")))),
                .if(!m.rows.isEmpty, table(m, ctx)),
                costs(m, ctx)
            )
        }

        static func channels(_ m: Model, _ ctx: PageContext) -> String {
            let on = m.configured.map { MessageText.channel($0, ctx) }
            let off = [MessageChannel.sms, .email].filter { !m.configured.contains($0) }.map { MessageText.channel($0, ctx) }
            var text = on.isEmpty ? ctx.t("未配置发送通道", "No sending channel configured")
                                  : ctx.t("发送通道：", "Sending: ") + on.joined(separator: "、")
            if !off.isEmpty { text += ctx.t("；未配置：\(off.joined(separator: "、"))（消息保持排队）", "; not configured: \(off.joined(separator: ", ")) (messages stay queued)") }
            return text + ctx.t("；电话回访由维护人完成。", "; calls are made by account managers.")
        }

        static func filterForm(_ m: Model, _ ctx: PageContext) -> Node<HTML.BodyContext> {
            .form(.method(.get), .action(SiteURL.messages(status: nil, channel: nil, source: nil, member: nil, month: nil).path), .class("card"),
                  Layout.select(ctx.t("状态", "Status"), name: "status",
                                options: [("", ctx.t("全部", "all"))] + MessageStatus.allCases.map { ($0.rawValue, MessageText.status($0, ctx)) },
                                selected: m.form.status),
                  Layout.select(ctx.t("通道", "Channel"), name: "channel",
                                options: [("", ctx.t("全部", "all"))] + MessageChannel.allCases.map { ($0.rawValue, MessageText.channel($0, ctx)) },
                                selected: m.form.channel),
                  Layout.field(ctx.t("来源", "Source"), name: "source", value: m.form.source, placeholder: "birthday / campaign:12"),
                  Layout.field(ctx.t("会员（手机、卡号或编号）", "Member (phone, card or id)"), name: "member", value: m.form.member),
                  Layout.field(ctx.t("费用月份", "Cost month"), name: "month", value: m.form.month, type: .month),
                  .button(.type(.submit), .text(ctx.t("查询", "Search"))))
        }

        static func table(_ m: Model, _ ctx: PageContext) -> Node<HTML.BodyContext> {
            .table(.class("messages"),
                .tr(.th("#"), .th(.text(ctx.t("创建", "Created"))), .th(.text(ctx.t("会员", "Member"))), .th(.text(ctx.t("通道", "Channel"))),
                    .th(.text(ctx.t("类别", "Purpose"))), .th(.text(ctx.t("来源", "Source"))), .th(.text(ctx.t("内容", "Text"))),
                    .th(.text(ctx.t("状态", "Status"))), .th(.text(ctx.t("尝试", "Attempts"))), .th(.text(ctx.t("费用", "Cost")))),
                .forEach(m.rows) { r in
                    .tr(.td(.text(String(r.id))),
                        .td(.text(Layout.dateTime(r.createdAt, m.programme))),
                        .td(.a(.href(SiteURL.member(r.memberId).path), .text(ctx.seesPersonalData ? r.memberName : Identity.maskName(r.memberName)))),
                        .td(.text(MessageText.channel(r.channel, ctx))),
                        .td(.text(MessageText.purpose(r.purpose, ctx))),
                        .td(.a(.href(SiteURL.messages(status: nil, channel: nil, source: r.sourceCode, member: nil, month: nil).path),
                               .text(r.sourceCode)), .text(" · \(r.periodKey)")),
                        .td(.class("message-text"), .text((r.subject.map { $0 + " — " } ?? "") + r.body)),
                        .td(.class("status-\(r.status.rawValue)"), .text(statusDetail(r, m.programme, ctx))),
                        .td(.text(String(r.attempts))),
                        .td(.text(Money.yuan(r.costFen))))
                })
        }

        /// Status with why: the refusal, the error and next try, the provider's report.
        static func statusDetail(_ r: OutboxMessage, _ programme: Programme, _ ctx: PageContext) -> String {
            var parts = [MessageText.status(r.status, ctx)]
            if let reason = r.refuseReason { parts.append(MessageText.reason(reason, ctx)) }
            if [.queued, .deferred].contains(r.status), r.channel != .call {
                parts.append(ctx.t("下次 ", "next ") + Layout.dateTime(r.nextAttemptAt, programme))
            }
            if let sent = r.sentAt { parts.append(Layout.dateTime(sent, programme)) }
            if let d = r.deliveryStatus { parts.append(d) }
            if let e = r.lastError { parts.append(e) }
            return parts.joined(separator: " · ")
        }

        static func costs(_ m: Model, _ ctx: PageContext) -> Node<HTML.BodyContext> {
            let c = m.costs
            func lines(_ title: String, _ rows: [MessageCostLine], key: @escaping (String) -> String) -> Node<HTML.BodyContext> {
                .div(.class("card"),
                     .h3(.text(title)),
                     .if(rows.isEmpty, .p(.class("muted"), .text(ctx.t("无", "none")))),
                     .if(!rows.isEmpty, .table(
                        .tr(.th(.text("")), .th(.text(ctx.t("条数", "Messages"))), .th(.text(ctx.t("费用（元）", "Cost (yuan)")))),
                        .forEach(rows) { l in .tr(.td(.text(key(l.key))), .td(.text(String(l.messages))), .td(.text(Money.yuan(l.costFen)))) })))
            }
            return .section(
                .h2(.text(ctx.t("消息费用 \(c.month)（合计 \(Money.yuan(c.totalFen)) 元）", "Message costs \(c.month) (total \(Money.yuan(c.totalFen)) yuan)"))),
                lines(ctx.t("按旅程/来源", "By journey or source"), c.bySource, key: { $0 }),
                lines(ctx.t("按活动", "By campaign"), c.byCampaign, key: { ctx.t("活动 #", "Campaign #") + $0 }),
                lines(ctx.t("按月", "By month"), c.byMonth, key: { $0 }))
        }
    }
}

extension CallsPage {
    enum View {
        static func body(_ m: Model, _ ctx: PageContext) -> Node<HTML.BodyContext> {
            .div(
                Layout.noticeBox(m.notice),
                Layout.errorBox(m.error),
                .p(.class("muted"), .text(m.everyone ? ctx.t("所有维护人的待回访任务（含未分配）", "Open call tasks of every account manager (unassigned included)")
                                                      : ctx.t("分配给您的待回访任务", "Call tasks assigned to you"))),
                .if(m.tasks.isEmpty, .p(.class("muted"), .text(ctx.t("暂无回访任务", "No calls to make")))),
                .if(!m.tasks.isEmpty, .table(.class("calls"),
                    .tr(.th(.text(ctx.t("会员", "Member"))), .th(.text(ctx.t("电话", "Phone"))), .th(.text(ctx.t("来源", "Source"))),
                        .th(.text(ctx.t("话术", "What to say"))), .th(.text(ctx.t("时间", "From"))), .th(.text(ctx.t("结果", "Outcome")))),
                    .forEach(m.tasks) { task in
                        .tr(.td(.a(.href(SiteURL.member(task.memberId).path), .text(task.memberName))),
                            .td(.text(task.toAddress ?? "—")),
                            .td(.text("\(task.sourceCode) · \(task.periodKey)" + (task.assignedStaffId == nil ? ctx.t("（未分配）", " (unassigned)") : ""))),
                            .td(.class("message-text"), .text(task.body)),
                            .td(.text(Layout.dateTime(task.nextAttemptAt, m.programme))),
                            .td(.form(.method(.post), .action(SiteURL.callFinish(task.id).path),
                                      Layout.csrfField(ctx),
                                      .input(.type(.text), .name("note"), .placeholder(ctx.t("备注（未接通时必填）", "Note (required if not reached)"))),
                                      .button(.type(.submit), .name("outcome"), .value("done"), .text(ctx.t("已回访", "Done"))),
                                      .button(.type(.submit), .name("outcome"), .value("failed"), .text(ctx.t("未接通", "Not reached")))))
                        )
                    }))
            )
        }
    }
}
