import Foundation
import MallVIPCore
import MallVIPStore

/// Sends `wechat` outbox messages as WeChat subscription messages (issue 22c): `POST /cgi-bin/message/subscribe/send`
/// with the mall's mini-program token (`tokens.withToken`: cached, refreshed once on 40001/42001). `to` is the
/// member's mini-program openid and the template was chosen and one subscription spent when the outbox claimed the
/// message (Store+WechatSubscriptions.swift). WeChat's answer decides what the outbox does:
/// 43101 (no subscription) → the message goes by SMS; −1, 45009, 5xx, no answer → retried like SMS; 40003 (openid),
/// 47003 (data), 40037 (template) … → failed at once. Errors keep the path only: the token never reaches a log.
struct WechatSubscribeSender: MessageSender, SubscriptionRouting {
    let services: WechatServices
    let clock: @Sendable () -> Date

    init(services: WechatServices, clock: @escaping @Sendable () -> Date = { Date() }) {
        self.services = services
        self.clock = clock
    }

    /// The malls that can send: a subscribe section and a mini-program.
    var malls: [WechatMallConfig] { services.config.malls.filter { $0.subscribe != nil && $0.miniProgram != nil } }

    func handles(_ channel: MessageChannel) -> Bool { channel == .wechat }

    /// The member's mall's template; a member of no mall (or of a mall without WeChat) uses the only mall that sends
    /// subscription messages, when there is exactly one.
    func subscriptionTemplate(mallCode: String?, purpose: MessagePurpose, templateCode: String?) -> SubscriptionTemplateRef? {
        let senders = malls
        let mall = senders.first { $0.mall == mallCode } ?? (senders.count == 1 ? senders[0] : nil)
        guard let mall, let app = mall.miniProgram, let t = mall.subscribe?.template(purpose: purpose, templateCode: templateCode) else { return nil }
        return SubscriptionTemplateRef(appid: app.appid, templateId: t.templateId)
    }

    struct Refused: MessageFallbackFailure, CustomStringConvertible {
        var fallbackReason: String
        var description: String { fallbackReason }
    }

    struct Answer: Decodable { var msgid: Int64? }

    func send(_ message: OutgoingMessage) async throws -> SendReceipt {
        guard let appid = message.wechatAppid, let templateId = message.wechatTemplateId,
              let mall = services.config.mall(appid: appid), let app = mall.miniProgram, app.appid == appid,
              let subscribe = mall.subscribe, let template = subscribe.template(id: templateId) else {
            throw Refused(fallbackReason: "WeChat template no longer configured / 订阅消息模板已不在配置中")
        }
        let body = try JSONSerialization.data(withJSONObject: Self.request(message, template: template, config: subscribe, now: clock()),
                                              options: [.sortedKeys])
        do {
            let api = services.api
            let answer = try await services.tokens.withToken(app) { token in
                try await api.post("/cgi-bin/message/subscribe/send", query: [("access_token", token)], json: body, as: Answer.self)
            }
            return SendReceipt(providerId: answer.msgid.map(String.init))
        } catch let e as WechatAPIError where e.errcode == 43101 {
            throw Refused(fallbackReason: "WeChat 43101: no subscription left / 用户未订阅或次数已用完")
        }
    }

    /// The JSON body of subscribeMessage.send.
    static func request(_ m: OutgoingMessage, template: WechatSubscribeConfig.Template, config: WechatSubscribeConfig,
                        now: Date) -> [String: Any] {
        var data: [String: Any] = [:]
        for (keyword, pattern) in template.fields {
            let kind = SubscribeValueKind(keyword: keyword) ?? .thing
            data[keyword] = ["value": kind.fit(render(pattern, m, config: config, now: now))]
        }
        var body: [String: Any] = ["touser": m.to, "template_id": template.templateId, "data": data,
                                   "miniprogram_state": config.miniprogramState, "lang": config.lang]
        if let page = template.page { body["page"] = page }
        return body
    }

    static func render(_ pattern: String, _ m: OutgoingMessage, config: WechatSubscribeConfig, now: Date) -> String {
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = config.timeZone
        let c = cal.dateComponents([.year, .month, .day, .hour, .minute], from: now)
        let date = "\(c.year ?? 0)年\(c.month ?? 0)月\(c.day ?? 0)日"
        let time = date + " " + String(format: "%02d:%02d", c.hour ?? 0, c.minute ?? 0)
        let firstLine = m.body.split(separator: "\n").first.map(String.init) ?? m.body
        return pattern
            .replacingOccurrences(of: "{title}", with: m.subject ?? firstLine)
            .replacingOccurrences(of: "{body}", with: m.body)
            .replacingOccurrences(of: "{date}", with: date)
            .replacingOccurrences(of: "{time}", with: time)
            .replacingOccurrences(of: "{purpose}", with: m.purpose.label.zh)
    }
}

/// WeChat's own verdict on retrying: the outbox fails a message at once on a permanent error (40003, 47003 …).
extension WechatAPIError: MessageSendFailure {}
