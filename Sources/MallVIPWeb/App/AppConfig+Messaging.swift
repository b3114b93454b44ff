import Foundation
import MallVIPStore

/// Outgoing-message settings read from the environment. E-mail is off unless `MALLVIP_SMTP_HOST` is set.
public struct MessagingConfig: Sendable, Equatable {
    public var smtp: SMTPConfiguration?
    /// Base of links in messages (unsubscribe), e.g. `https://vip.example.com`; no trailing slash.
    public var publicURL: String?
    /// Seconds between the worker's passes over the outbox in `serve` (`MALLVIP_OUTBOX_INTERVAL`).
    public var outboxInterval: TimeInterval = 15
    /// How long a message claimed for sending is left to its worker before another resends it under the same
    /// reference (`MALLVIP_OUTBOX_LEASE`): longer than the slowest gateway call, short enough that a crash delays
    /// little.
    public var outboxLease: TimeInterval = Store.sendingLeaseSeconds

    public init(smtp: SMTPConfiguration? = nil, publicURL: String? = nil) {
        self.smtp = smtp
        self.publicURL = publicURL
    }

    /// `MALLVIP_SMTP_HOST`, `MALLVIP_SMTP_PORT` (587 with STARTTLS, 25 without), `MALLVIP_SMTP_STARTTLS` (1/0,
    /// default 1), `MALLVIP_SMTP_USER`, `MALLVIP_SMTP_PASSWORD`, `MALLVIP_SMTP_FROM` ("VIP中心 <vip@example.com>"),
    /// `MALLVIP_PUBLIC_URL`. A mistake stops the start with a message naming the variable.
    public static func fromEnvironment(_ env: [String: String]) throws -> MessagingConfig {
        func value(_ key: String) -> String? {
            env[key].map { $0.trimmingCharacters(in: .whitespaces) }.flatMap { $0.isEmpty ? nil : $0 }
        }
        var config = MessagingConfig()
        func seconds(_ key: String, _ range: ClosedRange<Double>) throws -> TimeInterval? {
            guard let v = value(key) else { return nil }
            guard let s = Double(v), range.contains(s) else {
                throw StoreConfigurationError("\(key) must be a number of seconds from \(Int(range.lowerBound)) to \(Int(range.upperBound))")
            }
            return s
        }
        config.outboxInterval = try seconds("MALLVIP_OUTBOX_INTERVAL", 1...3600) ?? config.outboxInterval
        config.outboxLease = try seconds("MALLVIP_OUTBOX_LEASE", 1...86_400) ?? config.outboxLease
        if let url = value("MALLVIP_PUBLIC_URL") {
            guard let parsed = URL(string: url), ["http", "https"].contains(parsed.scheme ?? ""), parsed.host != nil,
                  !url.contains("?"), !url.contains("#") else {
                throw StoreConfigurationError("MALLVIP_PUBLIC_URL must be an http(s) URL such as https://vip.example.com")
            }
            config.publicURL = url.hasSuffix("/") ? String(url.dropLast()) : url
        }
        guard let host = value("MALLVIP_SMTP_HOST") else { return config }

        var startTLS = true
        if let v = value("MALLVIP_SMTP_STARTTLS") {
            guard v == "1" || v == "0" else { throw StoreConfigurationError("MALLVIP_SMTP_STARTTLS must be 1 or 0") }
            startTLS = v == "1"
        }
        var port: Int?
        if let v = value("MALLVIP_SMTP_PORT") {
            guard let p = Int(v), (1...65535).contains(p) else {
                throw StoreConfigurationError("MALLVIP_SMTP_PORT must be a port number from 1 to 65535")
            }
            port = p
        }
        let user = value("MALLVIP_SMTP_USER")
        let password = env["MALLVIP_SMTP_PASSWORD"].flatMap { $0.isEmpty ? nil : $0 }
        guard (user == nil) == (password == nil) else {
            throw StoreConfigurationError("MALLVIP_SMTP_USER and MALLVIP_SMTP_PASSWORD go together: set both or neither")
        }
        if user != nil, !startTLS {
            throw StoreConfigurationError("MALLVIP_SMTP_USER needs MALLVIP_SMTP_STARTTLS=1: the password is never sent in the clear")
        }
        guard let fromText = value("MALLVIP_SMTP_FROM") else {
            throw StoreConfigurationError("MALLVIP_SMTP_FROM is required with MALLVIP_SMTP_HOST, e.g. \"VIP中心 <vip@example.com>\"")
        }
        let from: EmailAddress
        do { from = try EmailAddress(parsing: fromText) } catch {
            throw StoreConfigurationError("MALLVIP_SMTP_FROM is not an address like \"VIP中心 <vip@example.com>\"")
        }
        guard config.publicURL != nil else {
            throw StoreConfigurationError("MALLVIP_PUBLIC_URL is required with MALLVIP_SMTP_HOST: every e-mail carries an unsubscribe link")
        }
        config.smtp = SMTPConfiguration(host: host, port: port, startTLS: startTLS, username: user, password: password, from: from)
        return config
    }
}
