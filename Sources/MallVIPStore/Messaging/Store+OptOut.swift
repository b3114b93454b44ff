import FluentKit
import Foundation
import MallVIPCore
import SQLKit

extension Store {
    /// Records an opt-out and withdraws the channel's consent in one transaction, audited. Queued messages of the
    /// channel are refused by the worker when their turn comes (it re-checks consent at send time).
    public func recordOptOut(memberId: Int64, channel: MessageChannel, source: OptOutSource, detail: String,
                             actor: String) async throws {
        let nowMs = epochMillis(now)
        try await write { tx in
            try await self.recordOptOut(tx, memberId: memberId, channel: channel, source: source, detail: detail, actor: actor, nowMs: nowMs)
        }
    }

    /// The same inside a caller's transaction.
    func recordOptOut(_ tx: any Database, memberId: Int64, channel: MessageChannel, source: OptOutSource, detail: String,
                      actor: String, nowMs: Int64) async throws {
        let column = Store.consentColumn(channel)
        try await tx.sql.exec("""
            INSERT INTO message_optouts (member_id, channel, source, detail, at_ms)
            VALUES (\(bind: memberId), \(bind: channel.rawValue), \(bind: source.rawValue), \(bind: detail), \(bind: nowMs))
            """)
        try await tx.sql.exec("UPDATE members SET \(ident: column) = \(bind: false), updated_at_ms = \(bind: nowMs) WHERE id = \(bind: memberId)")
        try await audit(tx, actor: actor, action: "message.optOut", subject: "member:\(memberId)",
                        detail: "\(channel.rawValue) via \(source.rawValue): \(detail)")
    }

    static func consentColumn(_ channel: MessageChannel) -> String {
        switch channel {
        case .sms: "consent_sms"
        case .email: "consent_email"
        case .call: "consent_phone"
        // WeChat subscription messages have no consent column: the subscription to a template is the consent
        // (wechat_subscriptions), and what cannot go by WeChat goes by SMS, so SMS consent governs (setConsent
        // refuses .wechat).
        case .wechat: "consent_sms"
        }
    }

    /// An SMS reply. If its text is one of the programme's opt-out keywords (whole reply, any case, surrounding
    /// spaces and punctuation ignored) the sender's member is opted out of SMS. Returns the member opted out.
    @discardableResult
    public func recordInboundSMS(phone: String, text: String, programme: Programme) async throws -> Int64? {
        let reply = text.trimmingCharacters(in: .whitespacesAndNewlines.union(.punctuationCharacters)).uppercased()
        guard programme.messaging.optOutKeywords.contains(where: { $0.uppercased() == reply }) else { return nil }
        guard let r = try await sql.row("SELECT id FROM members WHERE phone = \(bind: phone)") else { return nil }
        let id = try r.int64("id")
        try await recordOptOut(memberId: id, channel: .sms, source: .smsKeyword, detail: "reply \(text.prefix(40))", actor: "sms:\(phone)")
        return id
    }

    /// The token of the no-login unsubscribe link: a keyed HMAC (the data key) of member and channel, URL-safe.
    public func unsubscribeToken(memberId: Int64, channel: MessageChannel) -> String {
        env.cipher.hash("unsubscribe|\(memberId)|\(channel.rawValue)")
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// "/unsubscribe?m=42&c=email&t=…" (relative; senders prefix the public base URL).
    public func unsubscribePath(memberId: Int64, channel: MessageChannel) -> String {
        "/unsubscribe?m=\(memberId)&c=\(channel.rawValue)&t=\(unsubscribeToken(memberId: memberId, channel: channel))"
    }

    /// Whether `token` is the one `unsubscribeToken` gives, compared in constant time.
    public func isValidUnsubscribeToken(_ token: String, memberId: Int64, channel: MessageChannel) -> Bool {
        let expected = Array(unsubscribeToken(memberId: memberId, channel: channel).utf8), given = Array(token.utf8)
        guard expected.count == given.count else { return false }
        return zip(expected, given).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }

    /// The no-login unsubscribe link was followed. Records the opt-out once (following the link again changes
    /// nothing). Returns the member's name for the confirmation page, or nil when the link is not genuine.
    public func unsubscribe(memberId: Int64, channel: MessageChannel, token: String) async throws -> String? {
        guard isValidUnsubscribeToken(token, memberId: memberId, channel: channel),
              let m = try await member(id: memberId) else { return nil }
        let column = Store.consentColumn(channel)
        let r = try await sql.row("""
            SELECT \(ident: column) AS consent, (SELECT COUNT(*) FROM message_optouts o WHERE o.member_id = \(bind: memberId)
              AND o.channel = \(bind: channel.rawValue)) AS n FROM members WHERE id = \(bind: memberId)
            """)
        let alreadyOut = try r.map { try !$0.bool("consent") && $0.int("n") > 0 } ?? false
        if !alreadyOut {
            try await recordOptOut(memberId: memberId, channel: channel, source: channel == .email ? .emailLink : .desk,
                                   detail: "unsubscribe link", actor: "member:\(memberId)")
        }
        return m.name
    }

    /// A member's opt-out history, newest first.
    public func optOuts(memberId: Int64) async throws -> [MessageOptOut] {
        try await sql.rows("""
            SELECT channel, source, detail, at_ms FROM message_optouts WHERE member_id = \(bind: memberId) ORDER BY at_ms DESC, id DESC
            """).map {
            MessageOptOut(channel: MessageChannel(rawValue: try $0.string("channel")) ?? .sms,
                          source: OptOutSource(rawValue: try $0.string("source")) ?? .desk,
                          detail: try $0.string("detail"), at: dateFromMillis(try $0.int64("at_ms")))
        }
    }
}

public struct MessageOptOut: Sendable, Equatable {
    public var channel: MessageChannel
    public var source: OptOutSource
    public var detail: String
    public var at: Date
}
