import FluentKit
import Foundation
import MallVIPCore
import SQLKit

/// A member's card code in 卡包 (migration 049).
public struct WechatCardRow: Sendable, Equatable {
    public var memberId: Int64
    public var mall: String
    public var cardId: String
    public var code: String
    public var state: String
    public var membershipNumber: String
    public var pushedBonus: Int64
    public var pushedTier: String
}

/// What the card shows for a member now: the activation's and every push's content.
public struct WechatCardFace: Sendable, Equatable {
    public var memberId: Int64
    /// MallVIP's card number (membership_number on the card).
    public var cardNo: String
    public var points: Int64
    /// The effective tier's Chinese name, its first 4 characters (custom_field_value1; WeChat's limit).
    public var tierName: String
}

extension Store {
    /// The mall's card_id stored by `saveWechatCardType` (nil: not created through MallVIP).
    public func wechatCardType(mall: String) async throws -> String? {
        try await write { tx in
            try await tx.sql.row("""
                SELECT t.card_id FROM wechat_card_types t JOIN malls ml ON ml.id = t.mall_id WHERE ml.code = \(bind: mall)
                """).map { try $0.string("card_id") }
        }
    }

    /// Keeps the card_id WeChat returned for `/card/create` (one card per mall; a second create replaces it). Audited.
    public func saveWechatCardType(mall: String, appid: String, cardId: String, actor: String) async throws {
        let nowMs = epochMillis(now)
        try await write { tx in
            guard let mallId = try await tx.sql.row("SELECT id FROM malls WHERE code = \(bind: mall)").map({ try $0.int64("id") }) else {
                throw StoreConfigurationError("mall \(mall) does not exist")
            }
            try await tx.sql.exec("DELETE FROM wechat_card_types WHERE mall_id = \(bind: mallId)")
            try await tx.sql.exec("""
                INSERT INTO wechat_card_types (mall_id, appid, card_id, created_by, created_at_ms)
                VALUES (\(bind: mallId), \(bind: appid), \(bind: cardId), \(bind: String(actor.prefix(64))), \(bind: nowMs))
                """)
            try await self.audit(tx, actor: actor, action: "wechat.card.create", subject: "mall:\(mall)", detail: "card_id \(cardId)")
        }
    }

    /// The card face of a member now (read on the primary: a push must never carry a replica's older state).
    public func wechatCardFace(memberId: Int64) async throws -> WechatCardFace? {
        let programme = try await programme().1
        return try await write { tx in try await Self.cardFace(tx.sql, memberId: memberId, programme: programme, now: self.now) }
    }

    static func cardFace(_ sql: any SQLDatabase, memberId: Int64, programme: Programme, now: Date) async throws -> WechatCardFace? {
        guard let r = try await sql.row("""
            SELECT m.earned_tier, m.manual_tier, m.manual_until_day, m.points_balance,
              (SELECT c.card_no FROM cards c WHERE c.member_id = m.id ORDER BY CASE WHEN c.state = 'active' THEN 0 ELSE 1 END, c.id DESC LIMIT 1) AS card_no
            FROM members m WHERE m.id = \(bind: memberId)
            """) else { return nil }
        let tier = programme.effectiveTier(earned: try r.string("earned_tier"), manual: try r.optString("manual_tier"),
                                           manualUntil: try r.optInt("manual_until_day").map { LocalDate(dayNumber: $0) },
                                           on: LocalDate.of(now, in: programme.timeZone))
        return WechatCardFace(memberId: memberId, cardNo: try r.optString("card_no") ?? String(memberId),
                              points: try r.int64("points_balance"),
                              // custom_field values are at most 4 汉字 (12 bytes) on the card
                              tierName: String((programme.tier(tier)?.name.zh ?? tier).prefix(4)))
    }

    /// Records an activated card code (after `/card/membercard/activate` succeeded with `face`): the row becomes the
    /// member's active card, `members.wechat_card` turns on (from now on balance and tier changes queue a push),
    /// and if the member's points or tier moved since `face` was read, a push is queued at once.
    public func recordWechatCardActivation(mall: String, memberId: Int64, cardId: String, code: String, openid: String?,
                                           face: WechatCardFace) async throws {
        let nowMs = epochMillis(now)
        let programme = try await programme().1
        let now = self.now
        try await write { tx in
            let sql = tx.sql
            guard let mallId = try await sql.row("SELECT id FROM malls WHERE code = \(bind: mall)").map({ try $0.int64("id") }) else {
                throw StoreConfigurationError("mall \(mall) does not exist")
            }
            try await sql.exec("DELETE FROM wechat_cards WHERE card_id = \(bind: cardId) AND code = \(bind: code)")
            try await sql.exec("""
                INSERT INTO wechat_cards (mall_id, member_id, card_id, code, openid, state, membership_number, pushed_bonus, pushed_tier,
                  activated_at_ms, updated_at_ms)
                VALUES (\(bind: mallId), \(bind: memberId), \(bind: cardId), \(bind: code), \(bind: openid), 'active', \(bind: face.cardNo),
                  \(bind: face.points), \(bind: face.tierName), \(bind: nowMs), \(bind: nowMs))
                """)
            try await sql.exec("UPDATE members SET wechat_card = \(bind: true) WHERE id = \(bind: memberId) AND wechat_card = \(bind: false)")
            if let current = try await Self.cardFace(sql, memberId: memberId, programme: programme, now: now),
               current.points != face.points || current.tierName != face.tierName {
                try await Self.queueWechatCardPush(sql, memberId: memberId, nowMs: nowMs)
            }
            try await self.audit(tx, actor: "member:\(memberId)", action: "wechat.card.activate", subject: "member:\(memberId)",
                                 detail: "card_id \(cardId)")
        }
    }

    /// The same upsert as migration 049's trigger (for changes the trigger cannot see).
    static func queueWechatCardPush(_ sql: any SQLDatabase, memberId: Int64, nowMs: Int64) async throws {
        try await sql.exec("""
            INSERT INTO wechat_card_sync (member_id, state, changes, attempts, next_attempt_at_ms, created_at_ms)
            VALUES (\(bind: memberId), 'pending', 1, 0, \(bind: nowMs), \(bind: nowMs))
            ON CONFLICT (member_id) DO UPDATE SET changes = wechat_card_sync.changes + 1,
              state = CASE WHEN wechat_card_sync.state = 'sending' THEN 'sending' ELSE 'pending' END,
              attempts = CASE WHEN wechat_card_sync.state IN ('sent', 'dead') THEN 0 ELSE wechat_card_sync.attempts END,
              next_attempt_at_ms = CASE WHEN wechat_card_sync.state IN ('sent', 'dead') THEN excluded.next_attempt_at_ms
                ELSE wechat_card_sync.next_attempt_at_ms END
            """)
    }

    /// The member's active card (nil: none).
    public func wechatCard(memberId: Int64) async throws -> WechatCardRow? {
        try await write { tx in try await Self.activeCard(tx.sql, memberId: memberId) }
    }

    static func activeCard(_ sql: any SQLDatabase, memberId: Int64) async throws -> WechatCardRow? {
        try await sql.row("""
            SELECT w.member_id, ml.code AS mall_code, w.card_id, w.code, w.state, w.membership_number, w.pushed_bonus, w.pushed_tier
            FROM wechat_cards w JOIN malls ml ON ml.id = w.mall_id
            WHERE w.member_id = \(bind: memberId) AND w.state = 'active' ORDER BY w.id DESC LIMIT 1
            """).map { r in
            WechatCardRow(memberId: try r.int64("member_id"), mall: try r.string("mall_code"), cardId: try r.string("card_id"),
                          code: try r.string("code"), state: try r.string("state"), membershipNumber: try r.string("membership_number"),
                          pushedBonus: try r.int64("pushed_bonus"), pushedTier: try r.string("pushed_tier"))
        }
    }
}

extension Store {
    /// The code of the mall a member enrolled in (nil: none recorded).
    public func enrolledMallCode(memberId: Int64) async throws -> String? {
        try await sql.row("""
            SELECT ml.code FROM members m JOIN malls ml ON ml.id = m.enrolled_mall_id WHERE m.id = \(bind: memberId)
            """).map { try $0.string("code") }
    }
}
