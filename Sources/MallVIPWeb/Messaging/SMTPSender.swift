import Foundation
import Logging
import MallVIPCore
import MallVIPStore

extension SMTPError: MessageSendFailure {}

/// The outbox's e-mail channel: one message per SMTP connection, Message-ID derived from the outbox id.
public struct SMTPSender: MessageSender {
    public let client: SMTPClient
    /// Prefix of `OutgoingMessage.unsubscribePath` (MALLVIP_PUBLIC_URL).
    public let publicURL: String?
    /// Zone of the Date header (the mall's).
    public let timeZone: TimeZone
    let now: @Sendable () -> Date

    public init(client: SMTPClient, publicURL: String?, timeZone: TimeZone = .current,
                now: @escaping @Sendable () -> Date = { Date() }) {
        self.client = client
        self.publicURL = publicURL.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }
        self.timeZone = timeZone
        self.now = now
    }

    public func handles(_ channel: MessageChannel) -> Bool { channel == .email }

    public func send(_ message: OutgoingMessage) async throws -> SendReceipt {
        let mail = try email(for: message)
        try await client.send(mail, timeZone: timeZone)
        // Our own Message-ID: the one reference both sides know (bounces quote it); relays' queue ids vary.
        return SendReceipt(providerId: mail.messageID)
    }

    /// The e-mail for an outbox message: the unsubscribe link both in the List-Unsubscribe header and under the text.
    public func email(for message: OutgoingMessage) throws -> EmailMessage {
        guard message.channel == .email else {
            throw SMTPError(.invalidMessage, text: "the SMTP sender sends e-mail, not \(message.channel.rawValue)")
        }
        let from = client.configuration.from
        var unsubscribe: String?
        if let path = message.unsubscribePath {
            guard let publicURL else {
                throw SMTPError(.configuration, text: "MALLVIP_PUBLIC_URL is not set: cannot build the unsubscribe link")
            }
            unsubscribe = publicURL + (path.hasPrefix("/") ? path : "/" + path)
        }
        var body = message.body
        if let unsubscribe {
            body += "\n\n——\n如不想再收到此类邮件，请点击退订 / Unsubscribe: \(unsubscribe)\n"
        }
        return EmailMessage(from: from, to: try EmailAddress(message.to), subject: message.subject ?? "",
                            body: body, messageID: EmailMessage.messageID(outboxId: message.id, domain: from.domain),
                            date: now(), unsubscribeURL: unsubscribe)
    }
}
