import Foundation
import MallVIPCore
import MallVIPStore
import Plot

extension WebhooksPage {
    enum View {
        static func status(_ s: WebhookDeliveryStatus, _ ctx: PageContext) -> String {
            switch s {
            case .pending: ctx.t("等待发送", "pending")
            case .sending: ctx.t("发送中", "sending")
            case .delivered: ctx.t("已送达", "delivered")
            case .failed: ctx.t("失败", "failed")
            case .cancelled: ctx.t("已取消", "cancelled")
            }
        }

        static func event(_ name: String, _ ctx: PageContext) -> String {
            guard let e = WebhookEvent(rawValue: name) else { return name }
            return "\(ctx.t(e.label.zh, e.label.en)) (\(e.rawValue))"
        }

        static func body(_ m: Model, _ ctx: PageContext) -> Node<HTML.BodyContext> {
            .div(
                Layout.noticeBox(m.notice),
                .unwrap(m.newSecret) { s in
                    .div(.class("notice"), .id("new-secret"),
                         .p(.text(ctx.t("已创建订阅 #\(s.id)。请立即复制签名密钥，它只显示这一次：",
                                        "Subscription #\(s.id) created. Copy the signing secret now: it is shown only this once:"))),
                         .p(.code(.class("secret"), .text(s.secret))))
                },
                .p(.class("muted"), .text(ctx.t(
                    "每个事件以 JSON POST 到订阅地址，带 X-MallVIP-Signature（HMAC-SHA256，密钥为签名密钥，内容为「时间戳.正文」）；失败按倍增间隔重试。",
                    "Each event is POSTed as JSON to the subscription's URL with X-MallVIP-Signature (HMAC-SHA256 of \"timestamp.body\" with the signing secret); failures are retried with doubling backoff."))),
                .h2(.text(ctx.t("订阅", "Subscriptions"))),
                .if(m.subscriptions.isEmpty, .p(.class("muted"), .text(ctx.t("还没有订阅", "No subscriptions yet")))),
                .if(!m.subscriptions.isEmpty, subscriptions(m, ctx)),
                .h2(.text(ctx.t("新建订阅", "New subscription"))),
                Layout.errorBox(m.error),
                .form(.class("card"), .method(.post), .action(WebhookURL.list(status: nil, subscription: nil).path),
                      Layout.csrfField(ctx),
                      Layout.field(ctx.t("接收地址（http:// 或 https://）", "URL (http:// or https://)"), name: "url", value: m.url,
                                   type: .url, required: true, placeholder: "https://crm.example.com/hooks/mallvip"),
                      Layout.field(ctx.t("说明", "Description"), name: "description", value: m.description),
                      .forEach(WebhookEvent.allCases) { e in
                          Layout.checkbox("\(ctx.t(e.label.zh, e.label.en)) (\(e.rawValue))", name: "event_\(e.rawValue)",
                                          checked: m.events.contains(e))
                      },
                      .button(.type(.submit), .text(ctx.t("创建", "Create")))),
                .h2(.id("deliveries"), .text(ctx.t("推送记录", "Deliveries"))),
                filter(m, ctx),
                .if(m.deliveries.isEmpty, .p(.class("muted"), .text(ctx.t("没有符合条件的推送", "No deliveries match")))),
                .if(!m.deliveries.isEmpty, deliveries(m, ctx))
            )
        }

        static func subscriptions(_ m: Model, _ ctx: PageContext) -> Node<HTML.BodyContext> {
            .table(.class("webhooks"),
                .tr(.th("#"), .th(.text(ctx.t("接收地址", "URL"))), .th(.text(ctx.t("事件", "Events"))),
                    .th(.text(ctx.t("推送", "Deliveries"))), .th(.text(ctx.t("状态", "Status"))), .th()),
                .forEach(m.subscriptions) { s in
                    .tr(.td(.text(String(s.id))),
                        .td(.code(.text(s.url)), .unwrap(s.description.isEmpty ? nil : s.description) { .div(.class("muted"), .text($0)) }),
                        .td(.text(s.events.map(\.rawValue).joined(separator: ", "))),
                        .td(.a(.href(WebhookURL.list(status: nil, subscription: s.id).path + "#deliveries"),
                               .text(WebhookDeliveryStatus.allCases.compactMap { st in s.counts[st].map { "\(status(st, ctx)) \($0)" } }
                                   .joined(separator: " · ").nonEmpty ?? "—"))),
                        .td(.text(s.active ? ctx.t("有效", "active") : ctx.t("已停用", "deactivated"))),
                        .td(.if(s.active, .group(
                            .form(.method(.post), .action(WebhookURL.replaySince(s.id).path), .class("inline"),
                                  Layout.csrfField(ctx),
                                  .input(.type(.date), .name("since"), .required(true),
                                         .attribute(named: "aria-label", value: ctx.t("重发起始日", "Replay since"))),
                                  .button(.class("secondary"), .type(.submit), .text(ctx.t("重发此日起", "Replay since")))),
                            .form(.method(.post), .action(WebhookURL.deactivate(s.id).path), .class("inline"),
                                  Layout.csrfField(ctx),
                                  .button(.class("secondary"), .type(.submit), .text(ctx.t("停用", "Deactivate"))))))))
                })
        }

        static func filter(_ m: Model, _ ctx: PageContext) -> Node<HTML.BodyContext> {
            .form(.method(.get), .action(WebhookURL.list(status: nil, subscription: nil).path), .class("card"),
                  Layout.select(ctx.t("状态", "Status"), name: "status",
                                options: [("", ctx.t("全部", "all"))] + WebhookDeliveryStatus.allCases.map { ($0.rawValue, status($0, ctx)) },
                                selected: m.status),
                  Layout.select(ctx.t("订阅", "Subscription"), name: "subscription",
                                options: [("", ctx.t("全部", "all"))] + m.subscriptions.map { (String($0.id), "#\($0.id) \($0.url)") },
                                selected: m.subscription.map(String.init) ?? ""),
                  .button(.type(.submit), .text(ctx.t("查询", "Search"))))
        }

        static func deliveries(_ m: Model, _ ctx: PageContext) -> Node<HTML.BodyContext> {
            .table(.class("webhook-deliveries"),
                .tr(.th("#"), .th(.text(ctx.t("事件时间", "Occurred"))), .th(.text(ctx.t("事件", "Event"))), .th(.text(ctx.t("订阅", "Subscription"))),
                    .th(.text(ctx.t("状态", "Status"))), .th(.text(ctx.t("尝试", "Attempts"))), .th(.text(ctx.t("最近结果", "Last result"))), .th()),
                .forEach(m.deliveries) { d in
                    .tr(.td(.a(.href(WebhookURL.delivery(d.id).path), .text(String(d.id)))),
                        .td(.text(Layout.dateTime(d.occurredAt, m.programme))),
                        .td(.text(event(d.event, ctx))),
                        .td(.text("#\(d.subscriptionId)")),
                        .td(.class("status-\(d.status.rawValue)"), .text(status(d.status, ctx)
                            + (d.status == .pending && d.attempts > 0 ? ctx.t("（\(Layout.dateTime(d.nextAttemptAt, m.programme)) 重试）",
                                                                                " (retry \(Layout.dateTime(d.nextAttemptAt, m.programme)))") : ""))),
                        .td(.text(String(d.attempts))),
                        .td(.text(d.lastError ?? d.lastHTTPStatus.map { "HTTP \($0)" } ?? "")),
                        .td(replayButton(d, ctx)))
                })
        }

        static func replayButton(_ d: WebhookDeliveryInfo, _ ctx: PageContext) -> Node<HTML.BodyContext> {
            .if([.delivered, .failed, .cancelled].contains(d.status),
                .form(.method(.post), .action(WebhookURL.replayDelivery(d.id).path), .class("inline"),
                      Layout.csrfField(ctx),
                      .button(.class("secondary"), .type(.submit), .text(ctx.t("重发", "Replay")))))
        }

        static func delivery(_ m: DeliveryModel, _ ctx: PageContext) -> Node<HTML.BodyContext> {
            let d = m.delivery
            return .div(
                Layout.noticeBox(m.notice),
                .p(.a(.href(WebhookURL.list(status: nil, subscription: d.subscriptionId).path), .text(ctx.t("← 推送记录", "← Deliveries")))),
                .dl(.dt(.text(ctx.t("事件", "Event"))), .dd(.text(event(d.event, ctx))),
                    .dt(.text(ctx.t("推送编号（X-MallVIP-Delivery）", "Delivery id (X-MallVIP-Delivery)"))), .dd(.code(.text(d.eventId))),
                    .dt(.text(ctx.t("订阅", "Subscription"))), .dd(.text("#\(d.subscriptionId) " + (m.subscription?.url ?? ""))),
                    .dt(.text(ctx.t("事件时间", "Occurred"))), .dd(.text(Layout.dateTime(d.occurredAt, m.programme))),
                    .dt(.text(ctx.t("状态", "Status"))), .dd(.text(status(d.status, ctx))),
                    .dt(.text(ctx.t("重发次数", "Replays"))), .dd(.text(String(d.replays)))),
                replayButton(d, ctx),
                .h2(.text(ctx.t("尝试记录", "Attempts"))),
                .if(m.attempts.isEmpty, .p(.class("muted"), .text(ctx.t("尚未尝试", "Not attempted yet")))),
                .if(!m.attempts.isEmpty, .table(.class("webhook-attempts"),
                    .tr(.th(.text(ctx.t("次", "#"))), .th(.text(ctx.t("时间", "At"))), .th(.text(ctx.t("HTTP 状态", "HTTP status"))),
                        .th(.text(ctx.t("错误", "Error"))), .th(.text(ctx.t("耗时", "Duration")))),
                    .forEach(m.attempts) { a in
                        .tr(.td(.text(String(a.attempt))), .td(.text(Layout.dateTime(a.at, m.programme))),
                            .td(.text(a.httpStatus.map(String.init) ?? "—")), .td(.text(a.error ?? "")),
                            .td(.text("\(a.durationMs) ms")))
                    })),
                .h2(.text(ctx.t("正文", "Body"))),
                .pre(.code(.text(d.body ?? ctx.t("（首次发送时生成）", "(built at the first attempt)"))))
            )
        }
    }
}

private extension String {
    var nonEmpty: String? { isEmpty ? nil : self }
}
