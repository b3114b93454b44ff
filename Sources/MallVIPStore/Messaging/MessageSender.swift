import Foundation
import MallVIPCore

/// One message handed to a sender. `id` is the outbox id: senders pass it to the gateway as the idempotency
/// reference (SMS body `{id}`, e-mail Message-ID), so a resend after a crash mid-call is recognised by the provider.
public struct OutgoingMessage: Sendable, Equatable {
    public var id: Int64
    public var memberId: Int64
    public var channel: MessageChannel
    public var purpose: MessagePurpose
    public var to: String
    public var subject: String?
    public var body: String
    /// E-mail: path of the one-click unsubscribe page ("/unsubscribe?m=…&c=email&t=…"); the sender prefixes its
    /// public base URL and adds it to the message (link and List-Unsubscribe header).
    public var unsubscribePath: String?
    /// WeChat subscription messages: the app and template the claim spent a subscription of (`to` is the openid).
    public var wechatAppid: String? = nil
    public var wechatTemplateId: String? = nil

    public init(id: Int64, memberId: Int64, channel: MessageChannel, purpose: MessagePurpose, to: String, subject: String?,
                body: String, unsubscribePath: String? = nil) {
        self.id = id
        self.memberId = memberId
        self.channel = channel
        self.purpose = purpose
        self.to = to
        self.subject = subject
        self.body = body
        self.unsubscribePath = unsubscribePath
    }
}

public struct SendReceipt: Sendable, Equatable {
    /// The provider's message id (SMS gateway answer), used to match delivery reports.
    public var providerId: String?
    public init(providerId: String?) { self.providerId = providerId }
}

/// Delivers messages of the channels it handles. Throwing means "not delivered, retry later"; throwing
/// `CancellationError` means the worker is stopping: the message is left `sending` and is retried after the lease.
public protocol MessageSender: Sendable {
    func handles(_ channel: MessageChannel) -> Bool
    func send(_ message: OutgoingMessage) async throws -> SendReceipt
}

/// The senders configured for this deployment, one per channel (SMS gateway, SMTP). Call tasks have none: staff
/// deliver them by phone.
public struct ChannelSenders: MessageSender {
    public var senders: [MessageChannel: any MessageSender]
    public init(_ senders: [MessageChannel: any MessageSender] = [:]) { self.senders = senders }

    public var channels: [MessageChannel] { MessageChannel.allCases.filter { senders[$0] != nil } }
    public func handles(_ channel: MessageChannel) -> Bool { senders[channel]?.handles(channel) ?? false }
    public func send(_ message: OutgoingMessage) async throws -> SendReceipt {
        guard let s = senders[message.channel] else { throw OutboxError.channelNotConfigured }
        return try await s.send(message)
    }
}

public enum OutboxError: Error, CustomStringConvertible {
    case channelNotConfigured
    public var description: String { "channel not configured" }
}
