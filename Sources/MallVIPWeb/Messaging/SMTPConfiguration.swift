import Foundation

/// Where and how mail is handed over. Built from the environment by `MessagingConfig.fromEnvironment`.
public struct SMTPConfiguration: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: Int
    /// Upgrade the connection with STARTTLS before anything else is said (and refuse to go on without it).
    public var startTLS: Bool
    public var username: String?
    public var password: String?
    /// The envelope sender and the From header.
    public var from: EmailAddress
    /// The name we give in EHLO; defaults to the sender's domain.
    public var heloName: String
    public var connectTimeoutSeconds: Int64
    /// Longest wait for any one reply (RFC 5321 suggests minutes; a relay that slow is better retried later).
    public var replyTimeoutSeconds: Int64
    /// Tests and local development only: accept any server certificate. Not reachable from the environment.
    public var trustAnyCertificate: Bool

    public init(host: String, port: Int? = nil, startTLS: Bool = true, username: String? = nil, password: String? = nil,
                from: EmailAddress, heloName: String? = nil, connectTimeoutSeconds: Int64 = 10,
                replyTimeoutSeconds: Int64 = 60, trustAnyCertificate: Bool = false) {
        self.host = host
        self.port = port ?? Self.defaultPort(startTLS: startTLS)
        self.startTLS = startTLS
        self.username = username
        self.password = password
        self.from = from
        self.heloName = heloName ?? from.domain
        self.connectTimeoutSeconds = connectTimeoutSeconds
        self.replyTimeoutSeconds = replyTimeoutSeconds
        self.trustAnyCertificate = trustAnyCertificate
    }

    /// Submission port when the connection is upgraded, plain SMTP otherwise.
    public static func defaultPort(startTLS: Bool) -> Int { startTLS ? 587 : 25 }

    /// Never shows the password (the configuration ends up in logs).
    public var description: String {
        "smtp://\(username.map { "\($0)@" } ?? "")\(host):\(port) starttls=\(startTLS) from=\(from)"
    }
}
