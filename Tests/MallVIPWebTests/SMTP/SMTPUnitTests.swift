import Foundation
@testable import MallVIPWeb
import Testing

@Suite("SMTP pieces without a server")
struct SMTPUnitTests {
    @Test("DATA block: CRLF line ends, leading dots doubled, terminator")
    func dataBlock() {
        let block = String(decoding: SMTPSession.dataBlock(".a\nb\r\n..c\r.\nend"), as: UTF8.self)
        #expect(block == "..a\r\nb\r\n...c\r\n..\r\nend\r\n.\r\n")
        #expect(String(decoding: SMTPSession.dataBlock(""), as: UTF8.self) == ".\r\n")
        #expect(String(decoding: SMTPSession.dataBlock("x\r\n"), as: UTF8.self) == "x\r\n.\r\n")
    }

    @Test("multi-line replies are joined; a changed code or garbage is a protocol error")
    func replies() throws {
        var d = SMTPReplyDecoder()
        #expect(try d.accept("250-sink.test") == nil)
        #expect(try d.accept("250-STARTTLS") == nil)
        #expect(try d.accept("250 HELP") == SMTPReply(code: 250, lines: ["sink.test", "STARTTLS", "HELP"]))
        #expect(try d.accept("354") == SMTPReply(code: 354, lines: [""]))
        _ = try d.accept("250-a")
        #expect(throws: SMTPError.self) { try d.accept("251 b") }
        var e = SMTPReplyDecoder()
        #expect(throws: SMTPError.self) { try e.accept("hello") }
        #expect(throws: SMTPError.self) { try e.accept("25x ok") }
    }

    @Test("encoded words never split a character and stay within 75 characters")
    func encodedWords() throws {
        let subject = "尊敬的王女士：您有1,280积分将于2026年12月31日到期，请及时使用【尚峰百货】"
        let encoded = MIMEHeader.text(subject)
        let words = encoded.components(separatedBy: "\r\n ")
        #expect(words.count > 1)
        var decoded = ""
        for w in words {
            #expect(w.count <= 75 && w.hasPrefix("=?UTF-8?B?") && w.hasSuffix("?="))
            let data = try #require(Data(base64Encoded: String(w.dropFirst(10).dropLast(2))))
            decoded += try #require(String(data: data, encoding: .utf8))
        }
        #expect(decoded == subject)
        #expect(MIMEHeader.text("Hello") == "Hello")
        #expect(MIMEHeader.text("a\r\nBcc: x@y.com") == "a Bcc: x@y.com")
        #expect(MIMEHeader.phrase("Zhang, San") == "\"Zhang, San\"")
    }

    @Test("addresses: display names parsed, injection refused")
    func addresses() throws {
        let a = try EmailAddress(parsing: "VIP中心 <vip@example.com>")
        #expect(a.name == "VIP中心" && a.address == "vip@example.com" && a.domain == "example.com")
        let q = try EmailAddress(parsing: "\"Mall \\\"VIP\\\"\" <v@mall.cn>")
        #expect(q.name == "Mall \"VIP\"" && q.address == "v@mall.cn")
        #expect(try EmailAddress(parsing: "v@mall.cn").name == nil)
        for bad in ["a@b.com>\r\nRCPT TO:<x@y.com", "no-at-sign", "a b@c.com", "a@nodot", "王@例子.中国"] {
            #expect(throws: SMTPError.self) { try EmailAddress(bad) }
        }
    }

    @Test("errors: 4xx and network trouble are transient, 5xx and configuration are not")
    func transience() {
        #expect(SMTPError(.reply, code: 451, command: "RCPT TO", text: "later").isTransient)
        #expect(!SMTPError(.reply, code: 550, command: "RCPT TO", text: "no").isTransient)
        #expect(SMTPError(.connect, text: "refused").isTransient)
        #expect(SMTPError(.timeout, text: "slow").isTransient)
        #expect(!SMTPError(.tls, text: "cert").isTransient)
        #expect(!SMTPError(.configuration, text: "no STARTTLS").isTransient)
        #expect(SMTPError(.reply, code: 550, command: "RCPT TO", text: "5.1.1 unknown").description
                == "SMTP 550 after RCPT TO: 5.1.1 unknown (permanent)")
    }

    @Test("configuration from the environment")
    func environment() throws {
        #expect(try MessagingConfig.fromEnvironment([:]) == MessagingConfig())
        let base = ["MALLVIP_SMTP_HOST": "smtp.example.com", "MALLVIP_SMTP_FROM": "VIP中心 <vip@example.com>",
                    "MALLVIP_PUBLIC_URL": "https://vip.example.com/"]
        let c = try MessagingConfig.fromEnvironment(base)
        let smtp = try #require(c.smtp)
        #expect(smtp.port == 587 && smtp.startTLS && smtp.username == nil && smtp.from.name == "VIP中心")
        #expect(c.publicURL == "https://vip.example.com")
        #expect(try MessagingConfig.fromEnvironment(base.merging(["MALLVIP_SMTP_STARTTLS": "0"]) { $1 }).smtp?.port == 25)
        let withUser = try MessagingConfig.fromEnvironment(base.merging(
            ["MALLVIP_SMTP_USER": "vip", "MALLVIP_SMTP_PASSWORD": "s3cret", "MALLVIP_SMTP_PORT": "2525"]) { $1 })
        #expect(withUser.smtp?.port == 2525 && withUser.smtp?.password == "s3cret")
        #expect(withUser.smtp?.description.contains("s3cret") == false)
        let bad: [[String: String]] = [
            ["MALLVIP_SMTP_STARTTLS": "yes"], ["MALLVIP_SMTP_PORT": "70000"], ["MALLVIP_SMTP_USER": "vip"],
            ["MALLVIP_SMTP_FROM": "VIP中心"], ["MALLVIP_PUBLIC_URL": "vip.example.com"],
            ["MALLVIP_SMTP_STARTTLS": "0", "MALLVIP_SMTP_USER": "vip", "MALLVIP_SMTP_PASSWORD": "x"],
        ]
        for change in bad {
            #expect(throws: (any Error).self, "\(change)") { try MessagingConfig.fromEnvironment(base.merging(change) { $1 }) }
        }
        #expect(throws: (any Error).self) { try MessagingConfig.fromEnvironment(["MALLVIP_SMTP_HOST": "h", "MALLVIP_SMTP_FROM": "v@x.com"]) }
    }
}
