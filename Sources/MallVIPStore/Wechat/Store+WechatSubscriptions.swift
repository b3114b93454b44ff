import FluentKit
import Foundation
import MallVIPCore
import SQLKit

/// Which WeChat template a message goes by: the app that sends it and the template id (issue 22c).
public struct SubscriptionTemplateRef: Sendable, Equatable {
    public var appid: String
    public var templateId: String
    public init(appid: String, templateId: String) {
        self.appid = appid
        self.templateId = templateId
    }
}

/// Chooses the template for an outbox message (the web layer's WeChat configuration implements it on its sender):
/// by the member's mall (its code, nil when none), the message's template code, then its purpose. nil = this message
/// has no WeChat template and goes by SMS.
public protocol SubscriptionRouting: Sendable {
    func subscriptionTemplate(mallCode: String?, purpose: MessagePurpose, templateCode: String?) -> SubscriptionTemplateRef?
}

/// The sender's answer "the member has no subscription for this template" (WeChat 43101): the subscription is set
/// to 0 and the message goes by SMS instead.
public protocol MessageFallbackFailure: Error {
    var fallbackReason: String { get }
}

/// One member's count for one template.
public struct WechatSubscription: Sendable, Equatable {
    public var appid: String
    public var templateId: String
    public var remaining: Int
    public var acceptedTotal: Int
    public var lastResult: String
}

/// What the claim decided for a `wechat` message.
enum WechatClaim {
    case send(openid: String, ref: SubscriptionTemplateRef)
    case fallback(String)
}

extension ChannelSenders {
    /// The WeChat sender's template routing, when a WeChat sender is configured.
    var subscriptionRouting: (any SubscriptionRouting)? { senders[.wechat] as? any SubscriptionRouting }
}

extension Store {
    public static let subscriptionResults: Set<String> = ["accept", "reject", "ban", "filter"]

    /// What `wx.requestSubscribeMessage` answered in the mini-program: each `accept` allows one more message of that
    /// template (+1); `reject`, `ban` and `filter` change nothing but are remembered as the last answer. Returns the
    /// member's counts for the templates named.
    @discardableResult
    public func recordSubscriptionResults(memberId: Int64, appid: String, results: [String: String]) async throws -> [WechatSubscription] {
        let nowMs = epochMillis(now)
        for (template, result) in results {
            guard Self.subscriptionResults.contains(result) else {
                throw DomainError.invalid("results.\(template)", "subscription.result", zh: "应为 accept、reject、ban 或 filter",
                                          en: "must be accept, reject, ban or filter")
            }
            guard template.range(of: "^[A-Za-z0-9_-]{1,128}$", options: .regularExpression) != nil else {
                throw DomainError.invalid("results", "subscription.templateId", zh: "模板 ID 只含字母、数字、- 和 _",
                                          en: "template ids are letters, digits, - and _ (1–128)")
            }
        }
        try await write { tx in
            for (template, result) in results.sorted(by: { $0.key < $1.key }) {
                let add = result == "accept" ? 1 : 0
                try await tx.sql.exec("""
                    INSERT INTO wechat_subscriptions (member_id, appid, template_id, remaining, accepted_total, last_result, updated_at_ms)
                    VALUES (\(bind: memberId), \(bind: appid), \(bind: template), \(bind: add), \(bind: add), \(bind: result), \(bind: nowMs))
                    ON CONFLICT (member_id, appid, template_id) DO UPDATE SET remaining = wechat_subscriptions.remaining + \(bind: add),
                      accepted_total = wechat_subscriptions.accepted_total + \(bind: add), last_result = \(bind: result),
                      updated_at_ms = \(bind: nowMs)
                    """)
            }
            try await self.audit(tx, actor: "member:\(memberId)", action: "wechat.subscribe", subject: "member:\(memberId)",
                                 detail: results.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", "))
        }
        return try await wechatSubscriptions(memberId: memberId).filter { $0.appid == appid && results[$0.templateId] != nil }
    }

    public func wechatSubscriptions(memberId: Int64) async throws -> [WechatSubscription] {
        try await sql.rows("""
            SELECT appid, template_id, remaining, accepted_total, last_result FROM wechat_subscriptions
            WHERE member_id = \(bind: memberId) ORDER BY appid, template_id
            """).map {
            WechatSubscription(appid: try $0.string("appid"), templateId: try $0.string("template_id"), remaining: try $0.int("remaining"),
                               acceptedTotal: try $0.int("accepted_total"), lastResult: try $0.string("last_result"))
        }
    }

    /// In the claim transaction, for one `wechat` message: the template (routing), the member's mini-program openid
    /// and one subscription spent (−1, only while some remain). A row that spent one on an earlier claim (a retry
    /// after a transient error) reuses it and spends nothing. Anything missing → fall back to SMS, with the reason.
    func claimWechat(_ sql: any SQLDatabase, id: Int64, memberId: Int64, purpose: MessagePurpose, templateCode: String?,
                     spent: SubscriptionTemplateRef?, routing: (any SubscriptionRouting)?, nowMs: Int64) async throws -> WechatClaim {
        func openid(_ appid: String) async throws -> String? {
            try await sql.row("""
                SELECT openid FROM wechat_identities WHERE member_id = \(bind: memberId) AND appid = \(bind: appid)
                  AND kind = \(bind: WechatAppKind.miniProgram.rawValue) ORDER BY last_seen_at_ms DESC, id DESC LIMIT 1
                """).map { try $0.string("openid") }
        }
        if let spent {
            guard let o = try await openid(spent.appid) else { return .fallback("no WeChat openid bound / 未绑定微信") }
            return .send(openid: o, ref: spent)
        }
        let mallCode = try await sql.row("""
            SELECT ml.code AS code FROM members m LEFT JOIN malls ml ON ml.id = m.enrolled_mall_id WHERE m.id = \(bind: memberId)
            """).flatMap { try $0.optString("code") }
        guard let ref = routing?.subscriptionTemplate(mallCode: mallCode, purpose: purpose, templateCode: templateCode) else {
            return .fallback("no WeChat template for this message / 无对应订阅消息模板")
        }
        guard let o = try await openid(ref.appid) else { return .fallback("no WeChat openid bound / 未绑定微信") }
        let took = try await sql.rows("""
            UPDATE wechat_subscriptions SET remaining = remaining - 1, updated_at_ms = \(bind: nowMs)
            WHERE member_id = \(bind: memberId) AND appid = \(bind: ref.appid) AND template_id = \(bind: ref.templateId) AND remaining > 0
            RETURNING id
            """).count == 1
        guard took else { return .fallback("no subscription left / 订阅次数已用完") }
        try await sql.exec("""
            UPDATE outbox_messages SET wechat_appid = \(bind: ref.appid), wechat_template_id = \(bind: ref.templateId) WHERE id = \(bind: id)
            """)
        return .send(openid: o, ref: ref)
    }

    /// A `wechat` message goes by SMS instead (in the caller's transaction): channel sms, where it was meant to go
    /// and why kept on the row.
    func fallBackToSMS(_ sql: any SQLDatabase, id: Int64, reason: String, nowMs: Int64) async throws {
        try await sql.exec("""
            UPDATE outbox_messages SET channel = 'sms', fallback_from = 'wechat', fallback_reason = \(bind: String(reason.prefix(200))),
              updated_at_ms = \(bind: nowMs)
            WHERE id = \(bind: id)
            """)
    }

    /// WeChat answered "no subscription" (43101) for a claimed message: the member's count for that template is 0 and
    /// the message goes back to the queue as SMS (the claim not counted). False when the claim was taken over.
    func markFallback(_ c: ClaimedMessage, reason: String, now: Date) async throws -> Bool {
        let nowMs = epochMillis(now)
        return try await write { tx in
            guard try await tx.sql.rows("""
                UPDATE outbox_messages SET status = 'deferred', attempts = attempts - 1, next_attempt_at_ms = \(bind: nowMs),
                  last_error = \(bind: String(reason.prefix(500))), to_address = NULL, updated_at_ms = \(bind: nowMs)
                WHERE id = \(bind: c.message.id) AND status = 'sending' AND attempts = \(bind: c.attempts) RETURNING id
                """).count == 1 else { return false }
            try await self.fallBackToSMS(tx.sql, id: c.message.id, reason: reason, nowMs: nowMs)
            if let appid = c.message.wechatAppid, let template = c.message.wechatTemplateId {
                try await tx.sql.exec("""
                    UPDATE wechat_subscriptions SET remaining = 0, last_result = '43101', updated_at_ms = \(bind: nowMs)
                    WHERE member_id = \(bind: c.message.memberId) AND appid = \(bind: appid) AND template_id = \(bind: template)
                    """)
            }
            return true
        }
    }

    /// A `wechat` message failed for good (bad openid 40003, invalid data 47003 …): WeChat did not use the
    /// subscription, so it is given back.
    func refundSubscription(_ tx: any Database, _ m: OutgoingMessage, nowMs: Int64) async throws {
        guard m.channel == .wechat, let appid = m.wechatAppid, let template = m.wechatTemplateId else { return }
        try await tx.sql.exec("""
            UPDATE wechat_subscriptions SET remaining = remaining + 1, updated_at_ms = \(bind: nowMs)
            WHERE member_id = \(bind: m.memberId) AND appid = \(bind: appid) AND template_id = \(bind: template)
            """)
        try await tx.sql.exec("UPDATE outbox_messages SET wechat_appid = NULL, wechat_template_id = NULL WHERE id = \(bind: m.id)")
    }

    /// Recovery of `wechat` messages left `sending` by a stopped worker. WeChat's send has no idempotency reference:
    /// the first call may have reached the member, so the message is not sent again (nor its subscription spent
    /// again) — it is marked failed with "outcome unknown". At most once, never twice.
    func recoverWechatLeases(_ sql: any SQLDatabase, nowMs: Int64, lease: TimeInterval) async throws -> Int {
        try await sql.rows("""
            UPDATE outbox_messages SET status = 'failed',
              last_error = 'outcome unknown: worker stopped while sending to WeChat; not resent (WeChat has no idempotency reference)',
              updated_at_ms = \(bind: nowMs)
            WHERE status = 'sending' AND channel = 'wechat' AND updated_at_ms <= \(bind: nowMs - Int64(lease * 1000)) RETURNING id
            """).count
    }
}
