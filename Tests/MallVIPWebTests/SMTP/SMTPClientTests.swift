import Foundation
@testable import MallVIPWeb
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The client against a real SMTP server (aiosmtpd, see SMTPSink). Python's e-mail parser decodes what arrived.
@Suite("SMTP client against aiosmtpd", .serialized)
struct SMTPClientTests {
    static let from = try! EmailAddress(parsing: "VIP中心 <vip@mall.example.com>")

    static func config(_ sink: SMTPSink, startTLS: Bool = false, user: String? = nil, password: String? = nil,
                       trustAny: Bool = true) -> SMTPConfiguration {
        SMTPConfiguration(host: "127.0.0.1", port: sink.port, startTLS: startTLS, username: user, password: password,
                          from: from, connectTimeoutSeconds: 5, replyTimeoutSeconds: 10, trustAnyCertificate: trustAny)
    }

    static func mail(to: String = "wang@example.com", subject: String, body: String) throws -> EmailMessage {
        EmailMessage(from: from, to: try EmailAddress(to, name: "王芳"), subject: subject, body: body,
                     messageID: EmailMessage.messageID(outboxId: 4711, domain: from.domain),
                     date: Date(timeIntervalSince1970: 1_795_000_000),
                     unsubscribeURL: "https://vip.example.com/unsubscribe?m=7&c=email&t=abc")
    }

    @Test("a UTF-8 mail arrives with decodable headers and body")
    func utf8Mail() async throws {
        let sink = try await SMTPSink.start()
        defer { sink.stop() }
        let subject = "尊敬的王女士：您有1,280积分将于2026年12月31日到期，请及时使用【尚峰百货】"
        let body = "王女士您好：\n\n感谢您一直以来的支持。祝您生活愉快！\n\n尚峰百货 VIP中心 李娜"
        let reply = try await SMTPClient(configuration: Self.config(sink))
            .send(try Self.mail(subject: subject, body: body), timeZone: TimeZone(identifier: "Asia/Shanghai")!)
        #expect(reply.code == 250)

        let got = try #require(try sink.received().first, "no mail received; sink log:\n\(sink.log)")
        #expect(got.mailFrom == "vip@mall.example.com")
        #expect(got.rcptTos == ["wang@example.com"])
        #expect(got.headers["Subject"] == subject)
        #expect(got.fromDisplayName == "VIP中心")
        #expect(got.fromAddress == "vip@mall.example.com")
        #expect(got.headers["To"] == "王芳 <wang@example.com>")
        #expect(got.headers["List-Unsubscribe"] == "<https://vip.example.com/unsubscribe?m=7&c=email&t=abc>")
        #expect(got.headers["Message-ID"] == "<mallvip.outbox.4711@mall.example.com>")
        #expect(got.headers["Date"]?.hasSuffix("+0800") == true)
        #expect(got.headers["Content-Transfer-Encoding"] == "base64")
        #expect(got.contentCharset == "utf-8")
        // The body is sent in canonical form (CRLF); Python hands the decoded text back as it came.
        #expect(Self.lf(got.body) == body)
        #expect(got.defects.isEmpty)
        // 7-bit message, lines within the RFC 5322 recommendation, base64 wrapped at 76.
        #expect(got.raw.utf8.allSatisfy { $0 < 128 })
        let lines = got.raw.components(separatedBy: "\r\n")
        #expect(lines.allSatisfy { $0.count <= 78 }, "\(lines.filter { $0.count > 78 })")
        let bodyLines = lines.drop { !$0.isEmpty }.dropFirst().filter { !$0.isEmpty }
        #expect(bodyLines.count > 1 && bodyLines.dropLast().allSatisfy { $0.count == 76 })
    }

    @Test("lines starting with a dot survive (dot-stuffing), a lone dot does not end the message")
    func dotStuffing() async throws {
        let sink = try await SMTPSink.start()
        defer { sink.stop() }
        let text = "Subject: dots\r\nFrom: vip@mall.example.com\r\nTo: a@example.com\r\n\r\n.leading dot\r\n..two dots\r\n.\r\nafter a lone dot\r\nend"
        try await SMTPClient(configuration: Self.config(sink))
            .send(from: "vip@mall.example.com", to: ["a@example.com"], data: text)
        let got = try #require(try sink.received().first)
        #expect(Self.lf(got.body) == ".leading dot\n..two dots\n.\nafter a lone dot\nend\n")
        #expect(got.raw.hasSuffix("\r\n.leading dot\r\n..two dots\r\n.\r\nafter a lone dot\r\nend\r\n"))
    }

    @Test("STARTTLS with credentials (AUTH PLAIN), trusting the self-signed test certificate",
          .enabled(if: SMTPSink.hasOpenSSL, "openssl is needed to make a test certificate"))
    func startTLSWithAuth() async throws {
        let sink = try await SMTPSink.start(.init(tls: true, user: "vip", password: "密码 pass"))
        defer { sink.stop() }
        try await SMTPClient(configuration: Self.config(sink, startTLS: true, user: "vip", password: "密码 pass"))
            .send(try Self.mail(subject: "TLS 测试", body: "加密传输"))
        let got = try #require(try sink.received().first, "sink log:\n\(sink.log)")
        #expect(got.tls && got.authenticated && got.authMechanism == "PLAIN")
        #expect(got.headers["Subject"] == "TLS 测试" && got.body.hasPrefix("加密传输"))

        // Wrong password: the server's 535, permanent.
        let wrong = await Self.failure {
            try await SMTPClient(configuration: Self.config(sink, startTLS: true, user: "vip", password: "nope"))
                .send(try Self.mail(subject: "x", body: "x"))
        }
        #expect(wrong?.kind == .reply && wrong?.code == 535 && wrong?.command == "AUTH" && wrong?.isTransient == false)
        #expect(wrong?.description.contains("nope") == false)

        // Without "trust any certificate" the self-signed certificate is refused.
        let untrusted = await Self.failure {
            try await SMTPClient(configuration: Self.config(sink, startTLS: true, user: "vip", password: "密码 pass", trustAny: false))
                .send(try Self.mail(subject: "x", body: "x"))
        }
        #expect(untrusted?.kind == .tls && untrusted?.isTransient == false, "\(String(describing: untrusted))")
        #expect(try sink.received().count == 1)
    }

    @Test("AUTH LOGIN when the server does not offer PLAIN",
          .enabled(if: SMTPSink.hasOpenSSL, "openssl is needed to make a test certificate"))
    func authLogin() async throws {
        let sink = try await SMTPSink.start(.init(tls: true, user: "vip@mall", password: "pässwörd", authExclude: ["PLAIN"]))
        defer { sink.stop() }
        try await SMTPClient(configuration: Self.config(sink, startTLS: true, user: "vip@mall", password: "pässwörd"))
            .send(try Self.mail(subject: "LOGIN", body: "登录"))
        let got = try #require(try sink.received().first, "sink log:\n\(sink.log)")
        #expect(got.tls && got.authenticated && got.authMechanism == "LOGIN")
    }

    @Test("STARTTLS required but not offered: a configuration error, nothing sent")
    func startTLSMissing() async throws {
        let sink = try await SMTPSink.start()
        defer { sink.stop() }
        let e = await Self.failure {
            try await SMTPClient(configuration: Self.config(sink, startTLS: true)).send(try Self.mail(subject: "x", body: "x"))
        }
        #expect(e?.kind == .configuration && e?.text.contains("STARTTLS") == true)
        #expect(try sink.received().isEmpty)
    }

    @Test("a rejected recipient gives the server's code and text: 5xx permanent, 4xx transient")
    func rejectedRecipient() async throws {
        let sink = try await SMTPSink.start()
        defer { sink.stop() }
        let client = SMTPClient(configuration: Self.config(sink))
        let hard = await Self.failure { try await client.send(try Self.mail(to: "reject-me@example.com", subject: "x", body: "x")) }
        #expect(hard?.kind == .reply && hard?.code == 550 && hard?.command == "RCPT TO")
        #expect(hard?.text.contains("mailbox unavailable") == true && hard?.isTransient == false)
        let soft = await Self.failure { try await client.send(try Self.mail(to: "tempfail@example.com", subject: "x", body: "x")) }
        #expect(soft?.code == 451 && soft?.isTransient == true)
        #expect(try sink.received().isEmpty)
    }

    @Test("connection refused: a clear transient error naming host and port")
    func connectionRefused() async throws {
        let port = try #require(TestNet.freePort())
        let config = SMTPConfiguration(host: "127.0.0.1", port: port, startTLS: false, from: Self.from)
        let e = await Self.failure { try await SMTPClient(configuration: config).send(try Self.mail(subject: "x", body: "x")) }
        #expect(e?.kind == .connect && e?.isTransient == true)
        #expect(e?.text.contains("127.0.0.1:\(port)") == true, "\(String(describing: e))")
    }

    @Test("a server that never greets times out", .timeLimit(.minutes(1)))
    func silentServer() async throws {
        let (fd, port) = try #require(TestNet.silentListener())
        defer { close(fd) }
        let config = SMTPConfiguration(host: "127.0.0.1", port: port, startTLS: false, from: Self.from, replyTimeoutSeconds: 1)
        let started = Date()
        let e = await Self.failure { try await SMTPClient(configuration: config).send(try Self.mail(subject: "x", body: "x")) }
        #expect(e?.kind == .timeout && e?.command == "greeting" && e?.isTransient == true, "\(String(describing: e))")
        #expect(Date().timeIntervalSince(started) < 10)
    }

    @Test("credentials are never sent without TLS")
    func noPlaintextPassword() async throws {
        let config = SMTPConfiguration(host: "127.0.0.1", port: 25, startTLS: false, username: "u", password: "p", from: Self.from)
        let e = await Self.failure { try await SMTPClient(configuration: config).send(try Self.mail(subject: "x", body: "x")) }
        #expect(e?.kind == .configuration)
    }

    /// Python hands the text back with the CRLF line ends it travelled with.
    static func lf(_ s: String) -> String { String(String.UnicodeScalarView(s.unicodeScalars.filter { $0 != "\r" })) }

    static func failure(_ body: () async throws -> Void) async -> SMTPError? {
        do {
            try await body()
            Issue.record("expected an SMTPError, the send succeeded")
            return nil
        } catch let e as SMTPError {
            return e
        } catch {
            Issue.record("expected an SMTPError, got \(error)")
            return nil
        }
    }
}
