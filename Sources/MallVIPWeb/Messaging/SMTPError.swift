import Foundation

/// Why a mail was not handed over. The outbox retries `isTransient` errors with backoff and marks the others failed,
/// so the classification follows RFC 5321: 4xx replies and network trouble may clear up, 5xx replies and
/// configuration mistakes will not.
public struct SMTPError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        /// TCP connection could not be made (refused, unreachable, DNS, connect timeout).
        case connect
        /// No reply within the configured time.
        case timeout
        /// The server closed the connection before the conversation ended.
        case connectionClosed
        /// The server answered with a 4xx or 5xx reply (see `code`).
        case reply
        /// The TLS upgrade failed (handshake, certificate).
        case tls
        /// The server spoke something that is not SMTP.
        case protocolViolation
        /// What we are configured to do is impossible with this server (no STARTTLS, no AUTH mechanism we know).
        case configuration
        /// The message itself cannot be sent (bad address, header injection attempt).
        case invalidMessage
    }

    public var kind: Kind
    /// The SMTP reply code, for `.reply`.
    public var code: Int?
    /// The step that failed: "greeting", "EHLO", "STARTTLS", "AUTH", "MAIL FROM", "RCPT TO", "DATA", "message".
    public var command: String?
    /// What the server said (all lines of a multi-line reply, joined), or our own explanation.
    public var text: String

    public init(_ kind: Kind, code: Int? = nil, command: String? = nil, text: String) {
        self.kind = kind
        self.code = code
        self.command = command
        self.text = text
    }

    static func reply(_ reply: SMTPReply, after command: String) -> SMTPError {
        SMTPError(.reply, code: reply.code, command: command, text: reply.text)
    }

    /// Worth trying again later.
    public var isTransient: Bool {
        switch kind {
        case .reply: return (400..<500).contains(code ?? 0)
        case .connect, .timeout, .connectionClosed, .protocolViolation: return true
        case .tls, .configuration, .invalidMessage: return false
        }
    }

    public var description: String {
        var s = "SMTP"
        if let code { s += " \(code)" }
        if let command { s += " after \(command)" }
        s += ": \(text) (\(isTransient ? "transient" : "permanent"))"
        return s
    }
}
