import Foundation
import MallVIPCore
import MallVIPStore
import Vapor

extension Application {
    /// The senders of this deployment, built on first use from the configuration (SMS gateway through
    /// `app.client`, SMTP); tests put fakes here.
    public var messageSenders: ChannelSenders {
        get {
            if let s = storage[MessageSendersKey.self] { return s }
            let s = makeMessageSenders()
            storage[MessageSendersKey.self] = s
            return s
        }
        set { storage[MessageSendersKey.self] = newValue }
    }

    func makeMessageSenders() -> ChannelSenders {
        var senders: [MessageChannel: any MessageSender] = [:]
        if let sms = appConfig.sms { senders[.sms] = SMSGatewaySender(configuration: sms, client: client) }
        if let smtp = appConfig.messaging.smtp {
            senders[.email] = SMTPSender(client: SMTPClient(configuration: smtp), publicURL: appConfig.messaging.publicURL)
        }
        // WeChat subscription messages (issue 22c) when some mall has a mini-program and a subscribe section.
        if let wechat, wechat.config.malls.contains(where: { $0.subscribe != nil && $0.miniProgram != nil }) {
            senders[.wechat] = WechatSubscribeSender(services: wechat)
        }
        return ChannelSenders(senders)
    }

    /// One line for the start banner: which channels go out and which wait.
    public var messagingChannelsLine: String {
        let on = messageSenders.channels.map(\.rawValue)
        let off = [MessageChannel.sms, .email].filter { !messageSenders.handles($0) }
            .map { "\($0.rawValue) (\($0 == .sms ? "MALLVIP_SMS_URL" : "MALLVIP_SMTP_HOST"))" }
        var line = "Messages: " + (on.isEmpty ? "" : "sending " + on.joined(separator: ", ") + "; ")
        if !off.isEmpty { line += "\(off.joined(separator: ", ")) not configured: messages stay queued; " }
        return line + "calls go to account managers' call lists"
    }

    /// Seconds between `serve`'s passes over the outbox.
    public var outboxInterval: TimeInterval { appConfig.messaging.outboxInterval }

    /// Delivers everything due now, pass after pass while passes come back full.
    @discardableResult
    public func deliverDueMessages(limit: Int = 100) async throws -> DeliverySummary {
        var total = DeliverySummary()
        while true {
            let s = try await store.deliverDue(limit: limit, sender: messageSenders, lease: appConfig.messaging.outboxLease)
            total.add(s)
            let handled = s.sent + s.retrying + s.failed + s.refused
            if handled < limit || Task.isCancelled { return total }
        }
    }
}

struct MessageSendersKey: StorageKey { typealias Value = ChannelSenders }

extension DeliverySummary {
    public mutating func add(_ o: DeliverySummary) {
        sent += o.sent
        retrying += o.retrying
        failed += o.failed
        refused += o.refused
        quietDeferred += o.quietDeferred
        recovered += o.recovered
        notConfigured += o.notConfigured
        fellBack += o.fellBack
    }

    public var line: String {
        "messages: \(sent) sent, \(retrying) to retry, \(failed) failed, \(refused) refused, \(quietDeferred) deferred for quiet hours"
            + (recovered > 0 ? ", \(recovered) recovered after a stopped worker" : "")
            + (notConfigured > 0 ? ", \(notConfigured) waiting for an unconfigured channel" : "")
            + (fellBack > 0 ? ", \(fellBack) WeChat messages going by SMS instead" : "")
    }
}
