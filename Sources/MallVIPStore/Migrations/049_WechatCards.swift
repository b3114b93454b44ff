import FluentKit
import SQLKit

/// The membership card in 卡包 (issue 22d, docs/wechat.md "The card in 卡包").
///
/// - `wechat_card_types`: the mall's card (会员卡) as created through `POST /card/create` — its `card_id`, one per mall
///   (config `card.cardId` overrides it when the mall created the card in the 公众号 admin).
/// - `wechat_cards`: a member's card code in a WeChat user's 卡包 (one row per card_id + code), `active` once
///   `/card/membercard/activate` succeeded; `pushed_bonus`/`pushed_tier` are what WeChat was last told.
/// - `members.wechat_card`: true while the member has an active card. It keeps the write path free for everyone else:
///   the trigger below has a WHEN on the updated row's own columns, so a purchase of a member without a card
///   evaluates one comparison and runs nothing (a subquery in WHEN is not allowed on PostgreSQL, hence the flag).
/// - `wechat_card_sync`: the push queue, ONE row per member (coalescing): the trigger upserts it whenever the
///   balance or the tier columns change, in the same transaction as the change. `changes` counts the upserts; the
///   worker reads the member's state when it sends (so it always sends the newest), remembers `changes` at claim
///   time, and sets the row `sent` only if no change came in meanwhile — otherwise it goes again. A row is never
///   deleted: `sent` is its idle state.
struct M049_WechatCards: AsyncMigration {
    var name: String { "049_WechatCards" }

    func prepare(on db: any Database) async throws {
        try await db.schema("wechat_card_types").autoID()
            .field("mall_id", .int64, .required, .references("malls", "id"))
            .field("appid", .string, .required)
            .field("card_id", .string, .required)
            .field("created_by", .string, .required)
            .field("created_at_ms", .int64, .required)
            .unique(on: "mall_id")
            .create()
        try await db.schema("wechat_cards").autoID()
            .field("mall_id", .int64, .required, .references("malls", "id"))
            .field("member_id", .int64, .required, .references("members", "id"))
            .field("card_id", .string, .required)
            .field("code", .string, .required)
            .field("openid", .string)
            .field("state", .string, .required)               // active | invalid (WeChat refused the code: 40056)
            .field("membership_number", .string, .required)   // the MallVIP card number shown on the card
            .field("pushed_bonus", .int64, .required)
            .field("pushed_tier", .string, .required)
            .field("activated_at_ms", .int64, .required)
            .field("updated_at_ms", .int64, .required)
            .unique(on: "card_id", "code")
            .create()
        try await db.sql.create(index: "wechat_cards_member").on("wechat_cards").column("member_id").run()
        try await db.schema("wechat_card_sync")
            .field("member_id", .int64, .identifier(auto: false))
            .field("state", .string, .required)               // pending | sending | sent | dead
            .field("changes", .int64, .required)
            .field("claimed_changes", .int64)
            .field("attempts", .int, .required)
            .field("next_attempt_at_ms", .int64, .required)
            .field("claimed_at_ms", .int64)
            .field("last_error", .string)
            .field("last_body", .string)
            .field("created_at_ms", .int64, .required)
            .field("sent_at_ms", .int64)
            .create()
        try await db.sql.create(index: "wechat_card_sync_due").on("wechat_card_sync").column("state").column("next_attempt_at_ms").run()
        try await db.sql.exec("ALTER TABLE members ADD COLUMN wechat_card BOOLEAN NOT NULL DEFAULT FALSE")

        let upsert = """
            INSERT INTO wechat_card_sync (member_id, state, changes, attempts, next_attempt_at_ms, created_at_ms)
            VALUES (NEW.id, 'pending', 1, 0, NEW.updated_at_ms, NEW.updated_at_ms)
            ON CONFLICT (member_id) DO UPDATE SET changes = wechat_card_sync.changes + 1,
              state = CASE WHEN wechat_card_sync.state = 'sending' THEN 'sending' ELSE 'pending' END,
              attempts = CASE WHEN wechat_card_sync.state IN ('sent', 'dead') THEN 0 ELSE wechat_card_sync.attempts END,
              next_attempt_at_ms = CASE WHEN wechat_card_sync.state IN ('sent', 'dead') THEN excluded.next_attempt_at_ms
                ELSE wechat_card_sync.next_attempt_at_ms END
            """
        if db.isPostgres {
            try await db.sql.exec(SQLQueryString("""
                CREATE FUNCTION wechat_card_push() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                \(unsafeRaw: upsert);
                RETURN NULL;
                END
                $$
                """))
            try await db.sql.exec("""
                CREATE TRIGGER wechat_card_push AFTER UPDATE ON members FOR EACH ROW
                WHEN (NEW.wechat_card AND (NEW.points_balance <> OLD.points_balance OR NEW.earned_tier <> OLD.earned_tier
                  OR NEW.manual_tier IS DISTINCT FROM OLD.manual_tier OR NEW.manual_until_day IS DISTINCT FROM OLD.manual_until_day))
                EXECUTE FUNCTION wechat_card_push()
                """)
        } else {
            try await db.sql.exec(SQLQueryString("""
                CREATE TRIGGER wechat_card_push AFTER UPDATE ON members FOR EACH ROW
                WHEN NEW.wechat_card AND (NEW.points_balance <> OLD.points_balance OR NEW.earned_tier <> OLD.earned_tier
                  OR NEW.manual_tier IS NOT OLD.manual_tier OR NEW.manual_until_day IS NOT OLD.manual_until_day)
                BEGIN
                \(unsafeRaw: upsert);
                END
                """))
        }
    }

    func revert(on db: any Database) async throws {
        if db.isPostgres {
            try await db.sql.exec("DROP TRIGGER IF EXISTS wechat_card_push ON members")
            try await db.sql.exec("DROP FUNCTION IF EXISTS wechat_card_push()")
        } else {
            try await db.sql.exec("DROP TRIGGER IF EXISTS wechat_card_push")
        }
        try await db.sql.exec("ALTER TABLE members DROP COLUMN wechat_card")
        try await db.schema("wechat_card_sync").delete()
        try await db.schema("wechat_cards").delete()
        try await db.schema("wechat_card_types").delete()
    }
}
