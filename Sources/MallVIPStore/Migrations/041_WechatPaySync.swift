import FluentKit
import SQLKit

/// WeChat Pay 智慧商圈 outbound queue (issue 19): one row per thing to tell WeChat Pay — the points of a WeChat Pay
/// purchase (`points`, POST /v3/businesscircle/points/notify), the reversal after its refund (`refund`, the same call
/// with the new total), a car's arrival and departure (`parking_in`, `parking_out`, POST /v3/businesscircle/parkings).
///
/// Rows are written by triggers, as the webhooks' are (023): they commit or roll back with the purchase, refund or
/// parking exit that causes them, whichever write path inserted it (POS, batch, channel, import), and cannot be
/// forgotten by a new path. The till stays free of extra statements: the purchases trigger has a WHEN on the row's
/// own columns (`channel = 'wechat_pay'`), so a POS insert evaluates one comparison and runs nothing.
/// Only members with a bound WeChat authorization (19a's `wechatpay_bindings`) get rows.
///
/// The JSON body is built at the first attempt (from the purchase, its ledger rows and the binding) and then kept,
/// so retries and a resend after a crash carry the same bytes.
struct M041_WechatPaySync: AsyncMigration {
    var name: String { "041_WechatPaySync" }

    func prepare(on db: any Database) async throws {
        try await db.schema("wechatpay_sync").autoID()
            .field("mall_id", .int64, .required)
            .field("kind", .string, .required)               // points | refund | parking_in | parking_out
            .field("subject_table", .string, .required)      // purchases | refunds | parking_exits
            .field("subject_id", .int64, .required)
            .field("purchase_id", .int64)                    // points and refund: the WeChat Pay purchase
            .field("member_id", .int64, .required)
            .field("payload_json", .string)                  // built at the first attempt, then sent as is
            .field("state", .string, .required)              // pending | sending | sent | dead
            .field("attempts", .int, .required)
            .field("next_attempt_at_ms", .int64, .required)
            .field("claimed_at_ms", .int64)
            .field("last_http_status", .int)
            .field("last_error", .string)
            .field("created_at_ms", .int64, .required)
            .field("sent_at_ms", .int64)
            .unique(on: "kind", "subject_id")
            .create()
        try await db.sql.create(index: "wechatpay_sync_due").on("wechatpay_sync").column("state").column("next_attempt_at_ms").run()
        try await db.sql.create(index: "wechatpay_sync_purchase").on("wechatpay_sync").column("purchase_id").run()

        for t in Self.triggers {
            if db.isPostgres {
                try await db.sql.raw(SQLQueryString("""
                    CREATE FUNCTION \(t.name)() RETURNS trigger LANGUAGE plpgsql AS $$
                    BEGIN
                    \(t.insert.joined(separator: ";\n"));
                    RETURN NULL;
                    END
                    $$
                    """)).run()
                try await db.sql.raw(SQLQueryString("""
                    CREATE TRIGGER \(t.name) AFTER INSERT ON \(t.table) FOR EACH ROW WHEN (\(t.when)) EXECUTE FUNCTION \(t.name)()
                    """)).run()
            } else {
                try await db.sql.raw(SQLQueryString("""
                    CREATE TRIGGER \(t.name) AFTER INSERT ON \(t.table) FOR EACH ROW WHEN \(t.when)
                    BEGIN
                    \(t.insert.joined(separator: ";\n"));
                    END
                    """)).run()
            }
        }
    }

    struct SyncTrigger {
        var name: String
        var table: String
        var when: String
        var insert: [String]
    }

    static let columns = "mall_id, kind, subject_table, subject_id, purchase_id, member_id, state, attempts, next_attempt_at_ms, created_at_ms"

    /// A member with a bound authorization (any of their bindings in the mall).
    static func bound(_ member: String, mall: String) -> String {
        "EXISTS (SELECT 1 FROM wechatpay_bindings b WHERE b.member_id = \(member) AND b.mall_id = \(mall) AND b.state = 'bound')"
    }

    static let triggers: [SyncTrigger] = [
        SyncTrigger(name: "wechatpay_sync_points", table: "purchases",
                    when: "NEW.channel = 'wechat_pay' AND NEW.member_id IS NOT NULL",
                    insert: ["""
                        INSERT INTO wechatpay_sync (\(columns))
                        SELECT NEW.mall_id, 'points', 'purchases', NEW.id, NEW.id, NEW.member_id, 'pending', 0, NEW.created_at_ms, NEW.created_at_ms
                        WHERE \(bound("NEW.member_id", mall: "NEW.mall_id"))
                        """]),
        // Only refunds of a purchase whose points were queued: the reversal follows the points it reverses.
        SyncTrigger(name: "wechatpay_sync_refund", table: "refunds",
                    when: "NEW.points_reversed > 0",
                    insert: ["""
                        INSERT INTO wechatpay_sync (\(columns))
                        SELECT s.mall_id, 'refund', 'refunds', NEW.id, s.purchase_id, s.member_id, 'pending', 0, NEW.created_at_ms, NEW.created_at_ms
                        FROM wechatpay_sync s WHERE s.kind = 'points' AND s.subject_id = NEW.purchase_id
                        """]),
        SyncTrigger(name: "wechatpay_sync_parking", table: "parking_exits",
                    when: "NEW.member_id IS NOT NULL AND NEW.plate IS NOT NULL",
                    insert: ["""
                        INSERT INTO wechatpay_sync (\(columns))
                        SELECT NEW.mall_id, 'parking_in', 'parking_exits', NEW.id, NULL, NEW.member_id, 'pending', 0, NEW.at_ms, NEW.at_ms
                        WHERE \(bound("NEW.member_id", mall: "NEW.mall_id"))
                        """, """
                        INSERT INTO wechatpay_sync (\(columns))
                        SELECT NEW.mall_id, 'parking_out', 'parking_exits', NEW.id, NULL, NEW.member_id, 'pending', 0, NEW.at_ms, NEW.at_ms
                        WHERE \(bound("NEW.member_id", mall: "NEW.mall_id"))
                        """]),
    ]

    func revert(on db: any Database) async throws {
        for t in Self.triggers {
            if db.isPostgres {
                try await db.sql.raw(SQLQueryString("DROP TRIGGER IF EXISTS \(t.name) ON \(t.table)")).run()
                try await db.sql.raw(SQLQueryString("DROP FUNCTION IF EXISTS \(t.name)()")).run()
            } else {
                try await db.sql.raw(SQLQueryString("DROP TRIGGER IF EXISTS \(t.name)")).run()
            }
        }
        try await db.schema("wechatpay_sync").delete()
    }
}
