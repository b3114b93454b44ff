import FluentKit
import Foundation
import MallVIPCore
import SQLKit

/// One message to decide: who, through which channel, why, and the rendered text.
public struct OutboxDraft: Sendable {
    public var memberId: Int64
    public var channel: MessageChannel
    public var purpose: MessagePurpose
    public var source: MessageSource
    /// Journey code ("birthday"), "campaign:<id>" or "manual:<staff>".
    public var sourceCode: String
    /// Makes a send unique: "2026-11" (birthday month), "lapse:20260801", "2026-11-25".
    public var periodKey: String
    /// E-mail only.
    public var subject: String?
    /// Already rendered.
    public var body: String
    /// Drawn into the control group: recorded with status holdout, never sent.
    public var holdout: Bool
    /// Scheduled sends go out no earlier than this.
    public var notBefore: Date?
    /// Call tasks: whose call list (defaults to the member's account manager).
    public var assignedStaffId: Int64?
    public var campaignId: Int64?
    public var templateCode: String?

    public init(memberId: Int64, channel: MessageChannel, purpose: MessagePurpose, source: MessageSource, sourceCode: String,
                periodKey: String, subject: String? = nil, body: String, holdout: Bool = false, notBefore: Date? = nil,
                assignedStaffId: Int64? = nil, campaignId: Int64? = nil, templateCode: String? = nil) {
        self.memberId = memberId
        self.channel = channel
        self.purpose = purpose
        self.source = source
        self.sourceCode = sourceCode
        self.periodKey = periodKey
        self.subject = subject
        self.body = body
        self.holdout = holdout
        self.notBefore = notBefore
        self.assignedStaffId = assignedStaffId
        self.campaignId = campaignId
        self.templateCode = templateCode
    }

    /// member|source|sourceCode|periodKey|channel: the same send is never decided twice.
    public var dedupeKey: String { "\(memberId)|\(source.rawValue)|\(sourceCode)|\(periodKey)|\(channel.rawValue)" }
}

public struct EnqueueResult: Sendable, Equatable {
    public var queued: Int
    public var refused: Int
    public var holdout: Int
    public var duplicates: Int
    public init(queued: Int = 0, refused: Int = 0, holdout: Int = 0, duplicates: Int = 0) {
        self.queued = queued
        self.refused = refused
        self.holdout = holdout
        self.duplicates = duplicates
    }
}

/// What enqueue needs to know about a member to decide a draft.
struct OutboxRecipient: Sendable {
    var id: Int64
    var active: Bool
    var phone: String?
    var email: String?
    var consent: [MessageChannel: Bool]
    var accountManagerId: Int64?
    var optedOut: Set<MessageChannel>

    func address(_ channel: MessageChannel) -> String? {
        if channel == .wechat { return nil }
        let a = channel == .email ? email : phone
        guard let a, !a.trimmingCharacters(in: .whitespaces).isEmpty else { return nil }
        return a
    }

    /// The first rule (other than the weekly cap) that forbids contacting the member on this channel.
    func refusal(_ channel: MessageChannel) -> MessageRefusal? {
        if !active { return .memberInactive }
        // WeChat: the consent is a subscription to the template and the address a bound openid, both checked when
        // the message is claimed (no subscription left or no openid → SMS, Store+WechatSubscriptions.swift).
        if channel == .wechat { return nil }
        if consent[channel] != true { return optedOut.contains(channel) ? .optedOut : .noConsent }
        if address(channel) == nil { return .noAddress }
        return nil
    }
}

extension Store {
    static let weekMillis: Int64 = 7 * 86_400_000
    /// Statuses that count toward the weekly marketing cap: sent, or on its way.
    static let cappedStatuses = ["queued", "deferred", "sending", "sent", "delivered"]

    /// Decides and records each draft exactly once: dedupe key = member|source|sourceCode|periodKey|channel (UNIQUE;
    /// a duplicate is skipped, not an error). Consent for the channel (and not opted out), an address for it, and for
    /// marketing the weekly cap are checked here; a refused draft is stored with status `refused` and the reason.
    /// Holdout drafts are stored with status `holdout` (they count for the control group and never go out); the
    /// holdout is taken among members who could have been contacted, so a draft that would be refused is refused.
    public func enqueue(_ drafts: [OutboxDraft], programme: Programme) async throws -> EnqueueResult {
        if drafts.isEmpty { return EnqueueResult() }
        let nowMs = epochMillis(now)
        let cap = programme.messaging.weeklyMarketingCap
        let memberIds = Array(Set(drafts.map(\.memberId))).sorted()
        let marketingIds = Array(Set(drafts.filter { $0.purpose == .marketing && !$0.holdout }.map(\.memberId))).sorted()
        return try await write { tx in
            let sql = tx.sql
            var recipients: [Int64: OutboxRecipient] = [:]
            for chunk in memberIds.chunked(500) {
                for r in try await self.outboxRecipients(sql, Array(chunk)) { recipients[r.id] = r }
            }
            var sentThisWeek: [Int64: Int] = [:]
            if cap > 0 {
                for chunk in marketingIds.chunked(500) {
                    for r in try await sql.rows("""
                        SELECT member_id, COUNT(*) AS n FROM outbox_messages
                        WHERE member_id IN \(list: Array(chunk)) AND purpose = 'marketing'
                          AND status IN \(list: Store.cappedStatuses) AND created_at_ms > \(bind: nowMs - Store.weekMillis)
                        GROUP BY member_id
                        """) {
                        sentThisWeek[try r.int64("member_id")] = try r.int("n")
                    }
                }
            }
            var result = EnqueueResult()
            for d in drafts {
                guard let m = recipients[d.memberId] else {
                    throw DomainError(.notFound, field: "memberId", rule: "member.exists", zh: "会员不存在", en: "member \(d.memberId) not found")
                }
                var refusal = m.refusal(d.channel)
                if refusal == nil, d.purpose == .marketing, !d.holdout, cap > 0, sentThisWeek[d.memberId, default: 0] >= cap {
                    refusal = .weeklyCap
                }
                let status: MessageStatus = refusal != nil ? .refused : (d.holdout ? .holdout : .queued)
                let staff = d.channel == .call ? (d.assignedStaffId ?? m.accountManagerId) : d.assignedStaffId
                let due = max(nowMs, d.notBefore.map(epochMillis) ?? nowMs)
                let inserted = try await sql.row("""
                    INSERT INTO outbox_messages (member_id, channel, purpose, source, source_code, period_key, dedupe_key,
                      template_code, subject, body, to_address, status, refuse_reason, attempts, next_attempt_at_ms, cost_fen,
                      assigned_staff_id, campaign_id, created_at_ms, updated_at_ms)
                    VALUES (\(bind: d.memberId), \(bind: d.channel.rawValue), \(bind: d.purpose.rawValue), \(bind: d.source.rawValue),
                      \(bind: d.sourceCode), \(bind: d.periodKey), \(bind: d.dedupeKey), \(bind: d.templateCode), \(bind: d.subject),
                      \(bind: d.body), \(bind: m.address(d.channel)), \(bind: status.rawValue), \(bind: refusal?.rawValue), 0,
                      \(bind: due), 0, \(bind: staff), \(bind: d.campaignId), \(bind: nowMs), \(bind: nowMs))
                    ON CONFLICT (dedupe_key) DO NOTHING RETURNING id
                    """)
                guard inserted != nil else { result.duplicates += 1; continue }
                switch status {
                case .refused: result.refused += 1
                case .holdout: result.holdout += 1
                default:
                    result.queued += 1
                    if d.purpose == .marketing { sentThisWeek[d.memberId, default: 0] += 1 }
                }
            }
            return result
        }
    }

    /// Members with consent flags and opt-out history; on PostgreSQL locked so that two batches for one member
    /// count the weekly cap one after the other.
    func outboxRecipients(_ sql: any SQLDatabase, _ ids: [Int64], lock locking: Bool = true) async throws -> [OutboxRecipient] {
        guard !ids.isEmpty else { return [] }
        let lock = locking ? sql.storeDialect.forUpdate : ""
        var out: [Int64: OutboxRecipient] = [:]
        for r in try await sql.rows("""
            SELECT id, status, phone, email, consent_sms, consent_email, consent_phone, account_manager_id
            FROM members WHERE id IN \(list: ids) ORDER BY id\(unsafeRaw: lock)
            """) {
            let id = try r.int64("id")
            out[id] = OutboxRecipient(id: id, active: try r.string("status") == "active", phone: try r.optString("phone"),
                                      email: try r.optString("email"),
                                      consent: [.sms: try r.bool("consent_sms"), .email: try r.bool("consent_email"),
                                                .call: try r.bool("consent_phone")],
                                      accountManagerId: try r.optInt64("account_manager_id"), optedOut: [])
        }
        for r in try await sql.rows("SELECT DISTINCT member_id, channel FROM message_optouts WHERE member_id IN \(list: ids)") {
            if let c = MessageChannel(rawValue: try r.string("channel")) { out[try r.int64("member_id")]?.optedOut.insert(c) }
        }
        return Array(out.values)
    }
}
