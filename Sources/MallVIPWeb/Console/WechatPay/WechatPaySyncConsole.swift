import Foundation
import MallVIPCore
import MallVIPStore
import Plot
import Vapor

extension SiteRoute {
    /// The WeChat Pay sync queue (issue 19, 19b): what was told to WeChat Pay, what waits, what is dead (managers).
    static let wechatPaySync = SiteRoute("/console/wechat-pay/sync")
    static let wechatPaySyncRetry = SiteRoute("/console/wechat-pay/sync/:id/retry")
}

/// `/console/wechat-pay/sync`: the outbound queue — points/notify of WeChat Pay purchases, refund reversals and
/// parking status — with its state (pending, sending, sent, dead), attempts, next try and last error; `?state=dead`
/// filters. A dead row has a "retry" button: it goes back to the queue with its kept body.
enum WechatPaySyncConsoleController {
    static func register(_ routes: any RoutesBuilder) throws {
        let managers = routes.grouped(StaffAuthMiddleware(roles: StaffRole.managers))
        managers.get(.wechatPaySync, use: page)
        managers.post(.wechatPaySyncRetry, use: retry)
    }

    @Sendable static func page(req: Request) async throws -> Response {
        let ctx = PageContext(req)
        let raw = req.query[String.self, at: "state"].map(Forms.trimmed) ?? ""
        guard raw.isEmpty || WechatPaySyncState(rawValue: raw) != nil else {
            let e = DomainError.invalid("state", "wechatPaySync.state", zh: "state 须为 pending、sending、sent 或 dead",
                                        en: "state must be pending, sending, sent or dead")
            return Layout.render(ctx, title: ctx.t("微信同步队列", "WeChat Pay sync queue"), status: Forms.status(e),
                                 .div(Layout.errorBox(Forms.message(e, ctx))))
        }
        let state = WechatPaySyncState(rawValue: raw)
        let rows = try await req.store.wechatPaySyncRows(state: state, limit: 200)
        let counts = try await req.store.wechatPaySyncCounts()
        let notice = try await Notices.take(req)
        return Layout.render(ctx, title: ctx.t("微信同步队列", "WeChat Pay sync queue"),
                             body(rows: rows, counts: counts, state: state, enabled: req.application.wechatPayEnabled, notice: notice, ctx))
    }

    @Sendable static func retry(req: Request) async throws -> Response {
        let ctx = PageContext(req)
        guard let id = req.parameters.get("id", as: Int64.self) else { throw Abort(.notFound) }
        let done = try await req.store.retryWechatPaySync(id: id, actor: req.actor)
        let text = done ? ctx.t("已重新排队 #\(id)", "#\(id) queued again") : ctx.t("#\(id) 不是失败状态，未改变", "#\(id) is not dead; nothing changed")
        return req.redirect(to: try await Forms.withNotice(req, SiteRoute.wechatPaySync.path(), text))
    }

    static func kindText(_ k: WechatPaySyncKind, _ ctx: PageContext) -> String {
        switch k {
        case .points: ctx.t("积分同步", "Points")
        case .refund: ctx.t("退款扣回", "Refund reversal")
        case .parkingIn: ctx.t("停车入场", "Parking in")
        case .parkingOut: ctx.t("停车离场", "Parking out")
        }
    }

    static func stateText(_ s: WechatPaySyncState, _ ctx: PageContext) -> String {
        switch s {
        case .pending: ctx.t("待发送", "pending")
        case .sending: ctx.t("发送中", "sending")
        case .sent: ctx.t("已同步", "sent")
        case .dead: ctx.t("失败", "dead")
        }
    }

    static func body(rows: [WechatPaySyncRow], counts: [WechatPaySyncState: Int], state: WechatPaySyncState?, enabled: Bool,
                     notice: String?, _ ctx: PageContext) -> Node<HTML.BodyContext> {
        let tz = TimeZone(identifier: "Asia/Shanghai")!
        func time(_ d: Date?) -> String {
            guard let d else { return "—" }
            let f = DateFormatter()
            f.timeZone = tz
            f.dateFormat = "yyyy-MM-dd HH:mm:ss"
            return f.string(from: d)
        }
        return .div(
            Layout.noticeBox(notice),
            .p(.class("muted"), .text(enabled
                ? ctx.t("积分、退款扣回与停车状态按队列同步到微信支付；失败会按退避重试，超过次数后标为失败，可在此重试。",
                        "Points, refund reversals and parking status go to WeChat Pay through this queue; failures are retried with backoff, then marked dead and can be retried here.")
                : ctx.t("未配置微信支付（MALLVIP_WECHATPAY_CONFIG 未设置）：队列不发送。", "WeChat Pay is not configured (MALLVIP_WECHATPAY_CONFIG unset): nothing is sent."))),
            .p(.forEach([nil] + WechatPaySyncState.allCases.map(Optional.some)) { s in
                let label = s.map { "\(stateText($0, ctx)) \(counts[$0] ?? 0)" } ?? ctx.t("全部", "All")
                let href = SiteRoute.wechatPaySync.path() + (s.map { "?state=\($0.rawValue)" } ?? "")
                return .group(s == state ? .strong(.text(label)) : .a(.href(href), .text(label)), .text(" · "))
            }),
            .table(.tr(.th(.text("#")), .th(.text(ctx.t("商场", "Mall"))), .th(.text(ctx.t("类型", "Kind"))), .th(.text(ctx.t("对象", "Subject"))),
                       .th(.text(ctx.t("状态", "State"))), .th(.text(ctx.t("次数", "Attempts"))), .th(.text(ctx.t("下次尝试", "Next try"))),
                       .th(.text(ctx.t("最后错误", "Last error"))), .th(.text(ctx.t("创建", "Created"))), .th(.text(ctx.t("同步时间", "Sent"))), .th()),
                   .forEach(rows) { r in
                       .tr(.td(.text(String(r.id))), .td(.text(r.mall)), .td(.text(kindText(r.kind, ctx))),
                           .td(.text("\(r.kind == .refund ? "refund" : r.kind == .points ? "purchase" : "parking") \(r.subjectId)")),
                           .td(.class("state-\(r.state.rawValue)"), .text(stateText(r.state, ctx))), .td(.text(String(r.attempts))),
                           .td(.text(r.state == .pending ? time(r.nextAttemptAt) : "—")),
                           .td(.text(r.lastError ?? (r.lastHTTPStatus.map { "HTTP \($0)" } ?? ""))),
                           .td(.text(time(r.createdAt))), .td(.text(time(r.sentAt))),
                           .td(.if(r.state == .dead,
                                   .form(.method(.post), .action(SiteRoute.wechatPaySyncRetry.path(r.id)), .class("inline"), Layout.csrfField(ctx),
                                         .button(.class("secondary"), .type(.submit), .text(ctx.t("重试", "Retry")))))))
                   }),
            .if(rows.isEmpty, .p(.class("muted"), .text(ctx.t("队列为空。", "The queue is empty."))))
        )
    }
}
