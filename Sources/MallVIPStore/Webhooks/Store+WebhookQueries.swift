import FluentKit
import Foundation
import MallVIPCore
import SQLKit

public struct WebhookDeliveryInfo: Sendable, Equatable {
    public var id: Int64
    public var subscriptionId: Int64
    public var eventId: String
    public var event: String
    public var subjectTable: String
    public var subjectId: Int64
    public var memberId: Int64?
    public var occurredAt: Date
    public var status: WebhookDeliveryStatus
    public var attempts: Int
    public var nextAttemptAt: Date
    public var lastHTTPStatus: Int?
    public var lastError: String?
    public var deliveredAt: Date?
    public var replays: Int
    public var body: String?
}

public struct WebhookAttemptInfo: Sendable, Equatable {
    public var attempt: Int
    public var at: Date
    public var httpStatus: Int?
    public var error: String?
    public var durationMs: Int64
}

extension Store {
    /// The newest deliveries first, optionally of one status and one subscription.
    public func webhookDeliveries(status: WebhookDeliveryStatus? = nil, subscriptionId: Int64? = nil,
                                  limit: Int = 100) async throws -> [WebhookDeliveryInfo] {
        var conditions: [SQLQueryString] = []
        if let status { conditions.append("status = \(bind: status.rawValue)") }
        if let subscriptionId { conditions.append("subscription_id = \(bind: subscriptionId)") }
        var q: SQLQueryString = """
            SELECT id, subscription_id, event_id, event_type, subject_table, subject_id, member_id, occurred_at_ms, status,
              attempts, next_attempt_at_ms, last_http_status, last_error, delivered_at_ms, replays, body_json
            FROM webhook_deliveries
            """
        for (i, c) in conditions.enumerated() { q = q + (i == 0 ? " WHERE " : " AND ") + c }
        q = q + " ORDER BY id DESC LIMIT \(unsafeRaw: String(max(1, min(limit, 10_000))))"
        return try await sql.rows(q).map(Self.deliveryInfo)
    }

    public func webhookDelivery(id: Int64) async throws -> WebhookDeliveryInfo? {
        try await sql.row("""
            SELECT id, subscription_id, event_id, event_type, subject_table, subject_id, member_id, occurred_at_ms, status,
              attempts, next_attempt_at_ms, last_http_status, last_error, delivered_at_ms, replays, body_json
            FROM webhook_deliveries WHERE id = \(bind: id)
            """).map(Self.deliveryInfo)
    }

    /// The delivery log: every attempt, oldest first.
    public func webhookAttempts(deliveryId: Int64) async throws -> [WebhookAttemptInfo] {
        try await sql.rows("""
            SELECT attempt, at_ms, http_status, error, duration_ms FROM webhook_attempts
            WHERE delivery_id = \(bind: deliveryId) ORDER BY id
            """).map { r in
            WebhookAttemptInfo(attempt: try r.int("attempt"), at: dateFromMillis(try r.int64("at_ms")),
                               httpStatus: try r.optInt("http_status"), error: try r.optString("error"),
                               durationMs: try r.int64("duration_ms"))
        }
    }

    static func deliveryInfo(_ r: any SQLRow) throws -> WebhookDeliveryInfo {
        WebhookDeliveryInfo(id: try r.int64("id"), subscriptionId: try r.int64("subscription_id"), eventId: try r.string("event_id"),
                            event: try r.string("event_type"), subjectTable: try r.string("subject_table"),
                            subjectId: try r.int64("subject_id"), memberId: try r.optInt64("member_id"),
                            occurredAt: dateFromMillis(try r.int64("occurred_at_ms")),
                            status: WebhookDeliveryStatus(rawValue: try r.string("status")) ?? .pending,
                            attempts: try r.int("attempts"), nextAttemptAt: dateFromMillis(try r.int64("next_attempt_at_ms")),
                            lastHTTPStatus: try r.optInt("last_http_status"), lastError: try r.optString("last_error"),
                            deliveredAt: try r.optInt64("delivered_at_ms").map(dateFromMillis), replays: try r.int("replays"),
                            body: try r.optString("body_json"))
    }
}
