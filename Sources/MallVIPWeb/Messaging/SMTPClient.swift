import Foundation
import Logging
import NIOCore
import NIOPosix
import NIOSSL

/// A small SMTP submission client (RFC 5321, 3207 STARTTLS, 4954 AUTH PLAIN/LOGIN) on SwiftNIO: one connection
/// per message, which is all an outbox worker needs and keeps failure handling simple.
public struct SMTPClient: Sendable {
    public var configuration: SMTPConfiguration
    let group: any EventLoopGroup
    let logger: Logger

    public init(configuration: SMTPConfiguration, eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
                logger: Logger = Logger(label: "mallvip.smtp")) {
        self.configuration = configuration
        self.group = eventLoopGroup
        self.logger = logger
    }

    /// Sends one message; returns the server's reply to the end of DATA (it usually names the queue id).
    @discardableResult
    public func send(_ message: EmailMessage, timeZone: TimeZone = .current) async throws -> SMTPReply {
        try await send(from: message.from.address, to: [message.to.address], data: message.rendered(timeZone: timeZone))
    }

    /// Sends `data` (headers, blank line, body) as is, apart from CRLF line ends and dot-stuffing.
    @discardableResult
    public func send(from sender: String, to recipients: [String], data: String) async throws -> SMTPReply {
        for address in [sender] + recipients where !EmailAddress.isValid(address) {
            throw SMTPError(.invalidMessage, text: "not a usable e-mail address: \(address.prefix(80))")
        }
        guard !recipients.isEmpty else { throw SMTPError(.invalidMessage, text: "no recipient") }
        if configuration.username != nil, !configuration.startTLS {
            throw SMTPError(.configuration, text: "credentials are set but STARTTLS is off: refusing to send the password in the clear")
        }
        let channel = try await connect()
        do {
            return try await channel.executeThenClose { inbound, outbound in
                var session = SMTPSession(configuration: configuration, channel: channel.channel,
                                          replies: inbound.makeAsyncIterator(), outbound: outbound)
                return try await session.run(from: sender, to: recipients, data: data)
            }
        } catch let error as SMTPError {
            logger.debug("smtp: \(error)")
            throw error
        } catch {
            throw Self.classify(error)
        }
    }

    private func connect() async throws -> NIOAsyncChannel<SMTPReply, ByteBuffer> {
        let timeout = configuration.replyTimeoutSeconds
        do {
            return try await ClientBootstrap(group: group)
                .connectTimeout(.seconds(configuration.connectTimeoutSeconds))
                .connect(host: configuration.host, port: configuration.port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        let sync = channel.pipeline.syncOperations
                        try sync.addHandler(ByteToMessageHandler(SMTPReplyDecoder()))
                        try sync.addHandler(IdleStateHandler(readTimeout: .seconds(timeout)))
                        try sync.addHandler(SMTPReadTimeoutHandler(seconds: timeout))
                        return try NIOAsyncChannel<SMTPReply, ByteBuffer>(wrappingChannelSynchronously: channel)
                    }
                }
        } catch {
            throw SMTPError(.connect, text: "cannot connect to \(configuration.host):\(configuration.port): \(error)")
        }
    }

    /// Errors from below SMTP (TLS, sockets) in the outbox's terms.
    static func classify(_ error: any Error) -> SMTPError {
        switch error {
        case let e as SMTPError: return e
        case is NIOSSLError, is NIOSSLExtraError, is BoringSSLError:
            return SMTPError(.tls, command: "STARTTLS", text: "TLS failed: \(error)")
        default:
            return SMTPError(.connectionClosed, text: "connection lost: \(error)")
        }
    }
}

/// One conversation, from the greeting to QUIT.
struct SMTPSession {
    let configuration: SMTPConfiguration
    let channel: any Channel
    var replies: NIOAsyncChannelInboundStream<SMTPReply>.AsyncIterator
    let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    var tlsActive = false

    mutating func run(from sender: String, to recipients: [String], data: String) async throws -> SMTPReply {
        let greeting = try await read(after: "greeting")
        guard greeting.code == 220 else { throw SMTPError.reply(greeting, after: "greeting") }
        var extensions = try await hello()
        if configuration.startTLS {
            guard extensions["STARTTLS"] != nil else {
                throw SMTPError(.configuration, command: "EHLO",
                                text: "\(configuration.host) does not offer STARTTLS, which the configuration requires")
            }
            try await command("STARTTLS", expecting: [220])
            try await upgradeToTLS()
            extensions = try await hello()
        }
        if let user = configuration.username {
            try await authenticate(user: user, password: configuration.password ?? "", mechanisms: extensions["AUTH"] ?? [])
        }
        let eightBit = data.utf8.contains { $0 > 127 } && extensions["8BITMIME"] != nil
        try await command("MAIL FROM:<\(sender)>\(eightBit ? " BODY=8BITMIME" : "")", label: "MAIL FROM", expecting: [250])
        for recipient in recipients {
            try await command("RCPT TO:<\(recipient)>", label: "RCPT TO", expecting: [250, 251])
        }
        try await command("DATA", expecting: [354])
        try await write(ByteBuffer(bytes: Self.dataBlock(data)), step: "DATA")
        let accepted = try await read(after: "DATA")
        guard accepted.code == 250 else { throw SMTPError.reply(accepted, after: "DATA") }
        // The mail is accepted; a QUIT that goes wrong changes nothing.
        _ = try? await command("QUIT", expecting: [221])
        return accepted
    }

    /// EHLO, or HELO for an old server when nothing needs extensions. Returns the extensions by upper-case keyword.
    mutating func hello() async throws -> [String: [String]] {
        try await write("EHLO \(configuration.heloName)", step: "EHLO")
        let reply = try await read(after: "EHLO")
        if reply.code == 250 {
            var extensions: [String: [String]] = [:]
            for line in reply.lines.dropFirst() {
                let words = line.uppercased().split(separator: " ").map(String.init)
                if let keyword = words.first { extensions[keyword] = Array(words.dropFirst()) }
            }
            return extensions
        }
        guard (500...504).contains(reply.code), !configuration.startTLS, configuration.username == nil else {
            throw SMTPError.reply(reply, after: "EHLO")
        }
        try await command("HELO \(configuration.heloName)", expecting: [250])
        return [:]
    }

    mutating func upgradeToTLS() async throws {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.minimumTLSVersion = .tlsv12
        if configuration.trustAnyCertificate { tls.certificateVerification = .none }
        let context: NIOSSLContext
        do { context = try NIOSSLContext(configuration: tls) } catch {
            throw SMTPError(.tls, command: "STARTTLS", text: "TLS setup failed: \(error)")
        }
        // SNI takes a name, never an IP literal.
        let host = configuration.host
        let serverName = (try? SocketAddress(ipAddress: host, port: 0)) == nil ? host : nil
        let channel = self.channel
        do {
            try await channel.eventLoop.submit {
                try channel.pipeline.syncOperations.addHandler(
                    NIOSSLClientHandler(context: context, serverHostname: serverName), position: .first)
            }.get()
        } catch {
            throw SMTPError(.tls, command: "STARTTLS", text: "TLS setup failed: \(error)")
        }
        tlsActive = true
    }

    mutating func authenticate(user: String, password: String, mechanisms: [String]) async throws {
        guard tlsActive else {
            throw SMTPError(.configuration, command: "AUTH", text: "refusing to send credentials without TLS")
        }
        func b64(_ s: String) -> String { Data(s.utf8).base64EncodedString() }
        if mechanisms.contains("PLAIN") {
            try await command("AUTH PLAIN \(b64("\0\(user)\0\(password)"))", label: "AUTH", expecting: [235])
        } else if mechanisms.contains("LOGIN") {
            try await command("AUTH LOGIN", label: "AUTH", expecting: [334])
            try await command(b64(user), label: "AUTH", expecting: [334])
            try await command(b64(password), label: "AUTH", expecting: [235])
        } else {
            let offered = mechanisms.isEmpty ? "no AUTH" : "AUTH \(mechanisms.joined(separator: " "))"
            throw SMTPError(.configuration, command: "AUTH",
                            text: "credentials are set but \(configuration.host) offers \(offered) (need PLAIN or LOGIN)")
        }
    }

    /// Sends a command line and checks the reply code. `label` names the step in errors (never the line itself:
    /// it may carry credentials).
    @discardableResult
    mutating func command(_ line: String, label: String? = nil, expecting codes: Set<Int>) async throws -> SMTPReply {
        let step = label ?? line
        try await write(line, step: step)
        let reply = try await read(after: step)
        guard codes.contains(reply.code) else { throw SMTPError.reply(reply, after: step) }
        return reply
    }

    mutating func write(_ line: String, step: String) async throws {
        try await write(ByteBuffer(string: line + "\r\n"), step: step)
    }

    mutating func write(_ bytes: ByteBuffer, step: String) async throws {
        do {
            try await outbound.write(bytes)
        } catch {
            // The channel closed under us; the reason (a failed TLS handshake, say) waits on the inbound side.
            _ = try await read(after: step)
            var e = SMTPClient.classify(error)
            if e.command == nil { e.command = step }
            throw e
        }
    }

    mutating func read(after step: String) async throws -> SMTPReply {
        do {
            guard let reply = try await replies.next() else {
                throw SMTPError(.connectionClosed, command: step, text: "the server closed the connection")
            }
            return reply
        } catch {
            var e = SMTPClient.classify(error)
            if e.command == nil { e.command = step }
            throw e
        }
    }

    /// The DATA section: CRLF line ends, a leading "." doubled (RFC 5321 §4.5.2), then the lone "." line.
    static func dataBlock(_ text: String) -> [UInt8] {
        let cr = UInt8(ascii: "\r"), lf = UInt8(ascii: "\n"), dot = UInt8(ascii: ".")
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count + text.utf8.count / 32 + 8)
        var lineStart = true
        var pendingCR = false
        for byte in text.utf8 {
            if pendingCR {
                // CR LF, or a bare CR that we complete to CR LF.
                out.append(cr); out.append(lf)
                pendingCR = false
                lineStart = true
                if byte == lf { continue }
            }
            switch byte {
            case cr:
                pendingCR = true
            case lf:
                out.append(cr); out.append(lf)
                lineStart = true
            default:
                if lineStart, byte == dot { out.append(dot) }
                out.append(byte)
                lineStart = false
            }
        }
        if pendingCR || !lineStart { out.append(cr); out.append(lf) }
        out += [dot, cr, lf]
        return out
    }
}
