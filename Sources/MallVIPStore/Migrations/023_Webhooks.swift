import FluentKit
import SQLKit

/// Webhooks (issue 9): subscriptions, a durable delivery outbox and its attempt log, and the triggers that record
/// an event in the same transaction as the change that causes it.
///
/// Why triggers: members, the ledger, coupons, tier changes and purchases are written by many paths (POS batches,
/// refunds, redemption, expiry, referrals, enrolment, profile edits, tier review, demo loads, imports). A trigger
/// cannot be forgotten by a new path, commits or rolls back with the change itself (no lost and no invented
/// events), and needs no scan by id afterwards (PostgreSQL commits rows out of id order). Each trigger inserts one
/// delivery per active subscription to the event, so with no subscriber nothing is written on the POS hot path.
/// The event time is the source row's own timestamp (the injected clock wrote it), never the database clock.
struct M023_Webhooks: AsyncMigration {
    var name: String { "023_Webhooks" }

    /// Event name, table, the row's timestamp column, the member id expression and, for updates, the watched
    /// columns. `member.updated` fires only when a personal, contact, consent, manager or status column really
    /// changed, never on balance, tier or `updated_at_ms` churn.
    struct EventTrigger {
        var event: String
        var table: String
        var operation: String
        var timestamp: String
        var memberColumn: String
        var watched: [String] = []
    }

    /// The national ID is watched through its keyed hash: its cipher text changes on every re-encryption.
    static let memberWatched = ["name", "gender", "birthday", "birth_month", "birth_day", "phone", "email", "address",
                                "id_hash", "profile_json", "notes", "consent_sms",
                                "consent_email", "consent_phone", "account_manager_id", "status"]

    static let triggers: [EventTrigger] = [
        EventTrigger(event: "member.enrolled", table: "members", operation: "INSERT", timestamp: "enrolled_at_ms", memberColumn: "id"),
        EventTrigger(event: "member.updated", table: "members", operation: "UPDATE", timestamp: "updated_at_ms", memberColumn: "id",
                     watched: memberWatched),
        EventTrigger(event: "tier.changed", table: "tier_changes", operation: "INSERT", timestamp: "at_ms", memberColumn: "member_id"),
        EventTrigger(event: "points.changed", table: "points_ledger", operation: "INSERT", timestamp: "at_ms", memberColumn: "member_id"),
        EventTrigger(event: "coupon.issued", table: "coupons", operation: "INSERT", timestamp: "issued_at_ms", memberColumn: "member_id"),
        EventTrigger(event: "purchase.posted", table: "purchases", operation: "INSERT", timestamp: "created_at_ms", memberColumn: "member_id"),
    ]

    static func triggerName(_ t: EventTrigger) -> String { "webhook_" + t.event.replacingOccurrences(of: ".", with: "_") }

    func prepare(on db: any Database) async throws {
        try await db.schema("webhook_subscriptions").autoID()
            .field("url", .string, .required)
            // ",member.enrolled,points.changed,": the triggers match with LIKE '%,event,%' on both stores.
            .field("events", .string, .required)
            .field("secret_cipher", .string, .required)      // PersonalDataCipher (AES-GCM)
            .field("description", .string, .required)
            .field("active", .bool, .required)
            .field("created_by", .string, .required)
            .field("created_at_ms", .int64, .required)
            .field("deactivated_at_ms", .int64)
            .create()

        try await db.schema("webhook_deliveries").autoID()
            .field("subscription_id", .int64, .required, .references("webhook_subscriptions", "id"))
            // The event id sent as X-MallVIP-Delivery and the body's `id`: the same on every retry and replay.
            .field("event_id", .string, .required)
            .field("event_type", .string, .required)
            .field("subject_table", .string, .required)
            .field("subject_id", .int64, .required)
            .field("member_id", .int64)
            .field("occurred_at_ms", .int64, .required)
            .field("status", .string, .required)             // pending | sending | delivered | failed | cancelled
            .field("attempts", .int, .required)
            .field("next_attempt_at_ms", .int64, .required)
            .field("claimed_at_ms", .int64)
            .field("body_json", .string)                     // built at the first attempt, then sent as is
            .field("last_http_status", .int)
            .field("last_error", .string)
            .field("delivered_at_ms", .int64)
            .field("replays", .int, .required)
            .unique(on: "event_id")
            .create()
        try await db.sql.create(index: "webhook_deliveries_due").on("webhook_deliveries").column("status").column("next_attempt_at_ms").run()
        try await db.sql.create(index: "webhook_deliveries_sub").on("webhook_deliveries").column("subscription_id").column("occurred_at_ms").run()
        try await db.sql.create(index: "webhook_deliveries_subject").on("webhook_deliveries").column("subject_table").column("subject_id").run()

        try await db.schema("webhook_attempts").autoID()
            .field("delivery_id", .int64, .required, .references("webhook_deliveries", "id"))
            .field("attempt", .int, .required)
            .field("at_ms", .int64, .required)
            .field("http_status", .int)
            .field("error", .string)
            .field("duration_ms", .int64, .required)
            .create()
        try await db.sql.create(index: "webhook_attempts_delivery").on("webhook_attempts").column("delivery_id").column("id").run()

        if db.isPostgres {
            for t in Self.triggers { try await createPostgresTrigger(t, db.sql) }
        } else {
            for t in Self.triggers { try await createSQLiteTrigger(t, db.sql) }
        }
    }

    /// The rows a trigger inserts: one per active subscription to the event. `row` is NEW in both dialects.
    /// An update is coalesced: while a `member.updated` for the member waits unsent (its body not built yet), a
    /// further change adds nothing, since the body shows the member as they are when it goes out. One edit that
    /// writes the member in two statements (profile, then consent) is one event.
    static func insertSelect(_ t: EventTrigger, eventId: String) -> String {
        let coalesce = t.watched.isEmpty ? "" : """

              AND NOT EXISTS (SELECT 1 FROM webhook_deliveries w WHERE w.subject_table = '\(t.table)' AND w.subject_id = NEW.id
                AND w.subscription_id = s.id AND w.event_type = '\(t.event)' AND w.status = 'pending' AND w.body_json IS NULL)
            """
        return """
            INSERT INTO webhook_deliveries (subscription_id, event_id, event_type, subject_table, subject_id, member_id,
              occurred_at_ms, status, attempts, next_attempt_at_ms, replays)
            SELECT s.id, \(eventId), '\(t.event)', '\(t.table)', NEW.id, NEW.\(t.memberColumn), NEW.\(t.timestamp),
              'pending', 0, NEW.\(t.timestamp), 0
            FROM webhook_subscriptions s WHERE s.active AND s.events LIKE '%,\(t.event),%'\(coalesce)
            """
    }

    func createSQLiteTrigger(_ t: EventTrigger, _ sql: any SQLDatabase) async throws {
        let name = Self.triggerName(t)
        let on = t.watched.isEmpty ? "\(t.operation) ON \(t.table)"
                                   : "\(t.operation) OF \(t.watched.joined(separator: ", ")) ON \(t.table)"
        let when = t.watched.isEmpty ? "" : "WHEN " + t.watched.map { "OLD.\($0) IS NOT NEW.\($0)" }.joined(separator: " OR ")
        // Each delivery its own random id: unique across databases, so a receiver's de-duplication never confuses
        // the events of a restored or re-created database with earlier ones.
        try await sql.raw(SQLQueryString("""
            CREATE TRIGGER \(name) AFTER \(on) FOR EACH ROW \(when)
            BEGIN
            \(Self.insertSelect(t, eventId: "lower(hex(randomblob(16)))"));
            END
            """)).run()
    }

    func createPostgresTrigger(_ t: EventTrigger, _ sql: any SQLDatabase) async throws {
        let name = Self.triggerName(t)
        try await sql.raw(SQLQueryString("""
            CREATE FUNCTION \(name)() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
            \(Self.insertSelect(t, eventId: "replace(gen_random_uuid()::text, '-', '')"));
            RETURN NULL;
            END
            $$
            """)).run()
        let on = t.watched.isEmpty ? "\(t.operation) ON \(t.table)"
                                   : "\(t.operation) OF \(t.watched.joined(separator: ", ")) ON \(t.table)"
        let when = t.watched.isEmpty ? "" : "WHEN (" + t.watched.map { "OLD.\($0) IS DISTINCT FROM NEW.\($0)" }.joined(separator: " OR ") + ")"
        try await sql.raw(SQLQueryString("""
            CREATE TRIGGER \(name) AFTER \(on) FOR EACH ROW \(when) EXECUTE FUNCTION \(name)()
            """)).run()
    }

    func revert(on db: any Database) async throws {
        for t in Self.triggers {
            let name = Self.triggerName(t)
            if db.isPostgres {
                try await db.sql.raw(SQLQueryString("DROP TRIGGER IF EXISTS \(name) ON \(t.table)")).run()
                try await db.sql.raw(SQLQueryString("DROP FUNCTION IF EXISTS \(name)()")).run()
            } else {
                try await db.sql.raw(SQLQueryString("DROP TRIGGER IF EXISTS \(name)")).run()
            }
        }
        for t in ["webhook_attempts", "webhook_deliveries", "webhook_subscriptions"] { try await db.schema(t).delete() }
    }
}
