import Foundation
import MallVIPCore
import MallVIPStore
@testable import MallVIPWeb
import NIOConcurrencyHelpers
import SQLKit
import Testing

extension TestContext {
    /// An enrolled member with the consents and e-mail given (enrolment through the API, consents set directly).
    func messagingMember(phone: String, sms: Bool = true, email: String? = nil, emailConsent: Bool = false,
                         call: Bool = false, manager: Int64? = nil) async throws -> Int64 {
        let card = try await enrolMember(phone: phone)
        let id = try await memberId(card: card)
        try await store.sql.raw("""
            UPDATE members SET consent_sms = \(bind: sms), consent_email = \(bind: emailConsent), consent_phone = \(bind: call),
              email = \(bind: email), account_manager_id = \(bind: manager) WHERE id = \(bind: id)
            """).run()
        return id
    }

    func draft(_ memberId: Int64, _ channel: MessageChannel = .sms, purpose: MessagePurpose = .care, code: String = "birthday",
               period: String = "2026-11", source: MessageSource = .journey, holdout: Bool = false, campaignId: Int64? = nil,
               notBefore: Date? = nil) -> OutboxDraft {
        OutboxDraft(memberId: memberId, channel: channel, purpose: purpose, source: source, sourceCode: code, periodKey: period,
                    subject: channel == .email ? "生日快乐" : nil, body: "亲爱的会员，生日快乐！【尚峰百货】VIP中心",
                    holdout: holdout, notBefore: notBefore, campaignId: campaignId)
    }

    func enqueue(_ drafts: [OutboxDraft]) async throws -> EnqueueResult {
        try await store.enqueue(drafts, programme: try await store.programme().1)
    }

    /// status, refuse_reason, attempts of every outbox row, by id.
    func outboxRows() async throws -> [OutboxMessage] {
        try await store.outboxMessages(OutboxFilter(), limit: 1000).reversed()
    }
}

/// A sender that records what it was asked to send; optionally fails or "crashes" after recording.
final class FakeSender: MessageSender, Sendable {
    enum Mode: Sendable { case ok, fail, crashAfterRecording }
    private let state = NIOLockedValueBox<(sent: [OutgoingMessage], mode: Mode, delayMs: UInt64)>(([], .ok, 0))
    let channels: Set<MessageChannel>

    init(channels: Set<MessageChannel> = [.sms, .email], mode: Mode = .ok, delayMs: UInt64 = 0) {
        self.channels = channels
        state.withLockedValue { $0.mode = mode; $0.delayMs = delayMs }
    }

    var sent: [OutgoingMessage] { state.withLockedValue { $0.sent } }
    func setMode(_ m: Mode) { state.withLockedValue { $0.mode = m } }

    func handles(_ channel: MessageChannel) -> Bool { channels.contains(channel) }

    func send(_ message: OutgoingMessage) async throws -> SendReceipt {
        let delay = state.withLockedValue { $0.delayMs }
        if delay > 0 { try await Task.sleep(nanoseconds: delay * 1_000_000) }
        let mode = state.withLockedValue { s -> Mode in
            if s.mode != .fail { s.sent.append(message) }
            return s.mode
        }
        switch mode {
        case .ok: return SendReceipt(providerId: "P-\(message.id)")
        case .fail: throw FakeSenderError.gatewayDown
        case .crashAfterRecording: throw FakeSenderError.crashed
        }
    }
}

enum FakeSenderError: Error { case gatewayDown, crashed }
