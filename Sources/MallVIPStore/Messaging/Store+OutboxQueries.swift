import FluentKit
import Foundation
import MallVIPCore
import SQLKit

/// One outbox row as the console and reports see it.
public struct OutboxMessage: Sendable, Equatable {
    public var id: Int64
    public var memberId: Int64
    public var memberName: String
    public var channel: MessageChannel
    public var purpose: MessagePurpose
    public var source: MessageSource
    public var sourceCode: String
    public var periodKey: String
    public var templateCode: String?
    public var subject: String?
    public var body: String
    public var toAddress: String?
    public var status: MessageStatus
    public var refuseReason: MessageRefusal?
    public var attempts: Int
    public var nextAttemptAt: Date
    public var lastError: String?
    public var providerId: String?
    public var deliveryStatus: String?
    public var costFen: Int64
    public var assignedStaffId: Int64?
    public var campaignId: Int64?
    public var createdAt: Date
    public var sentAt: Date?
}

public struct OutboxFilter: Sendable, Equatable {
    public var status: MessageStatus?
    public var channel: MessageChannel?
    /// Exact source code ("birthday", "campaign:12").
    public var sourceCode: String?
    public var memberId: Int64?
    public var campaignId: Int64?
    public var assignedStaffId: Int64?
    public init(status: MessageStatus? = nil, channel: MessageChannel? = nil, sourceCode: String? = nil, memberId: Int64? = nil,
                campaignId: Int64? = nil, assignedStaffId: Int64? = nil) {
        self.status = status
        self.channel = channel
        self.sourceCode = sourceCode
        self.memberId = memberId
        self.campaignId = campaignId
        self.assignedStaffId = assignedStaffId
    }

    var whereClause: SQLQueryString {
        var q: SQLQueryString = "1 = 1"
        if let status { q.appendLiteral(" AND o.status = "); q.appendInterpolation(bind: status.rawValue) }
        if let channel { q.appendLiteral(" AND o.channel = "); q.appendInterpolation(bind: channel.rawValue) }
        if let sourceCode { q.appendLiteral(" AND o.source_code = "); q.appendInterpolation(bind: sourceCode) }
        if let memberId { q.appendLiteral(" AND o.member_id = "); q.appendInterpolation(bind: memberId) }
        if let campaignId { q.appendLiteral(" AND o.campaign_id = "); q.appendInterpolation(bind: campaignId) }
        if let assignedStaffId { q.appendLiteral(" AND o.assigned_staff_id = "); q.appendInterpolation(bind: assignedStaffId) }
        return q
    }
}

extension Store {
    static let outboxColumns = """
        o.id, o.member_id, m.name AS member_name, o.channel, o.purpose, o.source, o.source_code, o.period_key, o.template_code,
        o.subject, o.body, o.to_address, o.status, o.refuse_reason, o.attempts, o.next_attempt_at_ms, o.last_error, o.provider_id,
        o.delivery_status, o.cost_fen, o.assigned_staff_id, o.campaign_id, o.created_at_ms, o.sent_at_ms
        """

    /// Outbox rows matching `filter`, newest first.
    public func outboxMessages(_ filter: OutboxFilter, limit: Int = 200, offset: Int = 0) async throws -> [OutboxMessage] {
        try await sql.rows("""
            SELECT \(unsafeRaw: Store.outboxColumns) FROM outbox_messages o JOIN members m ON m.id = o.member_id
            WHERE \(filter.whereClause) ORDER BY o.id DESC LIMIT \(unsafeRaw: String(limit)) OFFSET \(unsafeRaw: String(offset))
            """).map(outboxMessage)
    }

    public func outboxMessage(id: Int64) async throws -> OutboxMessage? {
        try await sql.row("""
            SELECT \(unsafeRaw: Store.outboxColumns) FROM outbox_messages o JOIN members m ON m.id = o.member_id WHERE o.id = \(bind: id)
            """).map(outboxMessage)
    }

    /// How many rows of each status match `filter`.
    public func outboxStatusCounts(_ filter: OutboxFilter) async throws -> [MessageStatus: Int] {
        var out: [MessageStatus: Int] = [:]
        for r in try await sql.rows("SELECT o.status, COUNT(*) AS n FROM outbox_messages o WHERE \(filter.whereClause) GROUP BY o.status") {
            if let s = MessageStatus(rawValue: try r.string("status")) { out[s] = try r.int("n") }
        }
        return out
    }

    func outboxMessage(_ r: any SQLRow) throws -> OutboxMessage {
        OutboxMessage(id: try r.int64("id"), memberId: try r.int64("member_id"), memberName: try r.string("member_name"),
                      channel: MessageChannel(rawValue: try r.string("channel")) ?? .sms,
                      purpose: MessagePurpose(rawValue: try r.string("purpose")) ?? .service,
                      source: MessageSource(rawValue: try r.string("source")) ?? .manual, sourceCode: try r.string("source_code"),
                      periodKey: try r.string("period_key"), templateCode: try r.optString("template_code"),
                      subject: try r.optString("subject"), body: try r.string("body"), toAddress: try r.optString("to_address"),
                      status: MessageStatus(rawValue: try r.string("status")) ?? .queued,
                      refuseReason: try r.optString("refuse_reason").flatMap(MessageRefusal.init(rawValue:)),
                      attempts: try r.int("attempts"), nextAttemptAt: dateFromMillis(try r.int64("next_attempt_at_ms")),
                      lastError: try r.optString("last_error"), providerId: try r.optString("provider_id"),
                      deliveryStatus: try r.optString("delivery_status"), costFen: try r.int64("cost_fen"),
                      assignedStaffId: try r.optInt64("assigned_staff_id"), campaignId: try r.optInt64("campaign_id"),
                      createdAt: dateFromMillis(try r.int64("created_at_ms")), sentAt: try r.optInt64("sent_at_ms").map(dateFromMillis))
    }

    /// A delivery report from the SMS gateway. The raw status is kept; a delivered report moves the message from
    /// `sent` to `delivered`. Returns false when no message has this provider id.
    @discardableResult
    public func recordDeliveryReport(providerId: String, status: String) async throws -> Bool {
        let nowMs = epochMillis(now)
        let delivered = ["DELIVERED", "DELIVRD", "SUCCESS", "OK", "0"].contains(status.uppercased())
        return try await write { tx in
            try await tx.sql.rows("""
                UPDATE outbox_messages SET delivery_status = \(bind: String(status.prefix(60))),
                  status = CASE WHEN status = 'sent' AND \(bind: delivered) THEN 'delivered' ELSE status END,
                  updated_at_ms = \(bind: nowMs)
                WHERE provider_id = \(bind: providerId) AND status IN ('sent', 'delivered') RETURNING id
                """).count > 0
        }
    }
}
