import Foundation

/// A plain-text e-mail as the outbox sends it: UTF-8 text, base64 transfer encoding, so the message itself is
/// 7-bit ASCII and passes any relay unchanged.
public struct EmailMessage: Sendable, Equatable {
    public var from: EmailAddress
    public var to: EmailAddress
    public var subject: String
    public var body: String
    /// Without angle brackets, e.g. `mallvip.outbox.42@example.com`.
    public var messageID: String
    public var date: Date
    /// RFC 2369 `List-Unsubscribe`: mail clients offer a one-click way out.
    public var unsubscribeURL: String?

    public init(from: EmailAddress, to: EmailAddress, subject: String, body: String, messageID: String,
                date: Date, unsubscribeURL: String? = nil) {
        self.from = from
        self.to = to
        self.subject = subject
        self.body = body
        self.messageID = messageID
        self.date = date
        self.unsubscribeURL = unsubscribeURL
    }

    /// The same outbox row always gets the same id, so a retry after a crash (the mail went out, the `sent` mark
    /// did not) can be recognised as a duplicate by the receiving side.
    public static func messageID(outboxId: Int64, domain: String) -> String {
        "mallvip.outbox.\(outboxId)@\(domain)"
    }

    /// The message as sent after DATA (CRLF line ends, before dot-stuffing).
    public func rendered(timeZone: TimeZone = .current) throws -> String {
        guard EmailAddress.isValid(messageID) else {
            throw SMTPError(.invalidMessage, text: "unusable Message-ID: \(messageID.prefix(80))")
        }
        var headers = [
            "Date: \(MIMEHeader.date(date, timeZone: timeZone))",
            "From: \(from.headerValue)",
            "To: \(to.headerValue)",
            "Subject: \(MIMEHeader.text(subject))",
            "Message-ID: <\(messageID)>",
            "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=UTF-8",
            "Content-Transfer-Encoding: base64",
        ]
        if let unsubscribeURL {
            // The URL goes between angle brackets on one header line; anything that could break out is refused.
            guard unsubscribeURL.utf8.allSatisfy({ (33...126).contains($0) && $0 != UInt8(ascii: "<") && $0 != UInt8(ascii: ">") }),
                  unsubscribeURL.hasPrefix("https://") || unsubscribeURL.hasPrefix("http://") else {
                throw SMTPError(.invalidMessage, text: "unusable unsubscribe URL: \(unsubscribeURL.prefix(80))")
            }
            headers.append("List-Unsubscribe: <\(unsubscribeURL)>")
        }
        return headers.joined(separator: "\r\n") + "\r\n\r\n" + MIMEHeader.base64Body(body) + "\r\n"
    }
}
