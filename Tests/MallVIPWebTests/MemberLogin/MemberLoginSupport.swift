import Foundation
import MallVIPCore
@testable import MallVIPStore
@testable import MallVIPWeb
import SQLKit
import Testing
import Vapor

/// The member sign-in as a phone's browser does it, with the SMS caught by a fake gateway.
struct MemberLoginHarness {
    let t: TestContext
    let sms: FakeSender
    let browser: ConsoleClient

    init(_ t: TestContext, sms: FakeSender = FakeSender(channels: [.sms])) {
        self.t = t
        self.sms = sms
        self.browser = ConsoleClient(t)
        t.app.messageSenders = ChannelSenders([.sms: sms])
    }

    /// Asks for a code and waits until the gateway call the page started in the background has ended.
    @discardableResult
    func requestCode(_ phone: String) async throws -> ConsolePage {
        let page = try await browser.post("/m/login", [("phone", phone)], csrf: .none)
        try await waitForSMS(0)
        return page
    }

    @discardableResult
    func verify(_ phone: String, _ code: String) async throws -> ConsolePage {
        try await browser.post("/m/login/verify", [("phone", phone), ("code", code)], csrf: .none)
    }

    /// The web form answers before the gateway call ends (so members and others take as long): waits until
    /// `count` SMS have gone out and the last one's outbox row is settled.
    func waitForSMS(_ count: Int, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        for _ in 0..<200 {
            if sms.sent.count >= count,
               try await t.store.sql.raw("SELECT COUNT(*) AS n FROM outbox_messages WHERE source = 'login' AND last_error = 'interrupted before the gateway answered'")
                .first()!.decode(column: "n", as: Int.self) == 0 {
                return
            }
            try await Task.sleep(nanoseconds: 10_000_000)
        }
        Issue.record("expected \(count) SMS, \(sms.sent.count) went out", sourceLocation: sourceLocation)
    }

    /// The code in the last SMS to `phone` (waiting for it to go out).
    func lastCode(to phone: String, sourceLocation: SourceLocation = #_sourceLocation) async throws -> String {
        for _ in 0..<200 where sms.sent.last(where: { $0.to == phone }) == nil {
            try await Task.sleep(nanoseconds: 10_000_000)
        }
        let body = try #require(sms.sent.last { $0.to == phone }?.body, "no SMS to \(phone)", sourceLocation: sourceLocation)
        return try #require(ConsolePage.firstMatch(#"(\d{6})"#, in: body), sourceLocation: sourceLocation)
    }

    /// A wrong code for sure: the right one with its first digit changed.
    static func wrong(_ code: String) -> String {
        String((Int(code.prefix(1))! + 1) % 10) + code.dropFirst()
    }

    /// (kind, outcome) of every logged attempt for a phone, oldest first.
    func attempts(_ phone: String) async throws -> [String] {
        try await t.store.sql.raw("SELECT kind, outcome FROM member_login_attempts WHERE phone = \(bind: phone) ORDER BY id").all()
            .map { "\(try $0.decode(column: "kind", as: String.self)):\(try $0.decode(column: "outcome", as: String.self))" }
    }

    func setPolicy(_ change: (inout MemberLoginPolicy) -> Void) {
        var config = t.app.appConfig
        change(&config.memberLogin)
        t.app.storage[ConfigKey.self] = config
    }
}
