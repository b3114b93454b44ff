import Foundation
import MallVIPCore
import MallVIPStore
@testable import MallVIPWeb
import Testing

/// The outbox delivering e-mail through SMTPSender to a real SMTP server, on the test database (SQLite or PG).
@Suite("SMTP sender with the outbox", .serialized)
struct SMTPSenderTests {
    static func sender(_ sink: SMTPSink, now: @escaping @Sendable () -> Date) throws -> SMTPSender {
        let config = SMTPConfiguration(host: "127.0.0.1", port: sink.port, startTLS: false,
                                       from: try EmailAddress(parsing: "尚峰百货 VIP中心 <vip@mall.example.com>"),
                                       replyTimeoutSeconds: 10)
        return SMTPSender(client: SMTPClient(configuration: config), publicURL: "https://vip.example.com/",
                          timeZone: TimeZone(identifier: "Asia/Shanghai")!, now: now)
    }

    @Test("a queued e-mail is delivered once, with the unsubscribe link, and marked sent with its Message-ID")
    func delivers() async throws {
        let sink = try await SMTPSink.start()
        defer { sink.stop() }
        try await withTestApp { t in
            let id = try await t.messagingMember(phone: "13800000001", email: "wang@example.com", emailConsent: true)
            let r = try await t.enqueue([t.draft(id, .email)])
            #expect(r.queued == 1)
            let clock = t.clock
            let sender = try Self.sender(sink, now: { clock.now })
            let summary = try await t.store.deliverDue(sender: sender)
            #expect(summary.sent == 1)
            #expect(try await t.store.deliverDue(sender: sender).sent == 0)

            let row = try #require(try await t.outboxRows().first)
            #expect(row.status == .sent && row.providerId == "mallvip.outbox.\(row.id)@mall.example.com")
            let mails = try sink.received()
            #expect(mails.count == 1)
            let mail = try #require(mails.first, "sink log:\n\(sink.log)")
            let link = "https://vip.example.com" + t.store.unsubscribePath(memberId: id, channel: .email)
            #expect(mail.rcptTos == ["wang@example.com"] && mail.mailFrom == "vip@mall.example.com")
            #expect(mail.headers["Subject"] == "生日快乐")
            #expect(mail.fromDisplayName == "尚峰百货 VIP中心")
            #expect(mail.headers["Message-ID"] == "<\(row.providerId!)>")
            #expect(mail.headers["List-Unsubscribe"] == "<\(link)>")
            #expect(mail.headers["Date"] == "Wed, 25 Nov 2026 10:00:00 +0800")
            let body = SMTPClientTests.lf(mail.body)
            #expect(body.hasPrefix("亲爱的会员，生日快乐！【尚峰百货】VIP中心"))
            #expect(body.contains("退订") && body.contains(link))
            #expect(mail.defects.isEmpty)
        }
    }

    @Test("a recipient the server refuses: the row keeps the SMTP code and text, nothing is marked sent")
    func refusedRecipient() async throws {
        let sink = try await SMTPSink.start()
        defer { sink.stop() }
        try await withTestApp { t in
            let id = try await t.messagingMember(phone: "13800000002", email: "reject-me@example.com", emailConsent: true)
            _ = try await t.enqueue([t.draft(id, .email)])
            let clock = t.clock
            let summary = try await t.store.deliverDue(sender: try Self.sender(sink, now: { clock.now }))
            #expect(summary.sent == 0)
            let row = try #require(try await t.outboxRows().first)
            #expect(row.status == .failed || row.status == .deferred)
            #expect(row.lastError?.contains("550") == true && row.lastError?.contains("RCPT TO") == true,
                    "\(row.lastError ?? "nil")")
            #expect(try sink.received().isEmpty)
        }
    }
}
