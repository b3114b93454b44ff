import FluentKit
import Foundation
import MallVIPCore
import SQLKit

/// One `/card/membercard/updateuser` call to make: the mall picks the official account (token), `body` is the JSON.
public struct WechatCardPush: Sendable {
    public var mall: String
    public var memberId: Int64
    public var body: String
}

/// How a push ended, as the sender classified WeChat's answer.
public enum WechatCardPushOutcome: Sendable, Equatable {
    case sent
    /// -1 system busy, 45009 rate limit, 5xx, no answer: again after the backoff.
    case retry(String)
    /// Another errcode: repeating will not change it; the row is dead (console shows it, retry from there).
    case refused(String)
    /// 40056 invalid code (the member deleted the card, or it is not this card's code): the card is marked invalid,
    /// the member's flag turned off, nothing more is queued for it.
    case invalidCode(String)
}

/// The HTTP edge (token, POST, errcode): injected, so the tests can put the simulator behind it.
public protocol WechatCardPushSender: Sendable {
    func push(_ call: WechatCardPush) async -> WechatCardPushOutcome
}

public struct WechatCardSyncSummary: Sendable, Equatable {
    public var sent = 0
    public var retrying = 0
    public var dead = 0
    public var recovered = 0
    public init() {}
    public var handled: Int { sent + retrying + dead }
    public var line: String {
        "wechat card sync: \(sent) sent, \(retrying) to retry, \(dead) dead" + (recovered > 0 ? ", \(recovered) recovered after a stopped worker" : "")
    }
}

public struct WechatCardSyncRow: Sendable {
    public var memberId: Int64
    public var state: String
    public var changes: Int64
    public var attempts: Int
    public var nextAttemptAt: Date
    public var lastError: String?
    public var lastBody: String?
    public var sentAt: Date?
}

extension Store {
    public static let wechatCardSyncLeaseSeconds: TimeInterval = 60

    /// Pushes the members' card changes due now (at most `limit`). Each row is one member (coalesced by migration
    /// 049's trigger); the body is built from the member's state at the moment of sending, so it is always the
    /// newest, and a change that comes in while a push is on the way sends the row once more afterwards. A push's
    /// `bonus` is the full total (WeChat shows it as is); `add_bonus` is the difference to what WeChat was last told.
    /// A worker that stops mid-call leaves the row `sending`; after the lease it is pushed again (with the state of
    /// then: the total is right, the change record may show twice).
    public func deliverWechatCardSync(now fixed: Date? = nil, limit: Int = 50, sender: any WechatCardPushSender,
                                      policy: WebhookRetryPolicy = WebhookRetryPolicy(),
                                      lease: TimeInterval = Store.wechatCardSyncLeaseSeconds) async throws -> WechatCardSyncSummary {
        func clock() -> Date { fixed ?? self.now }
        var summary = WechatCardSyncSummary()
        let nowMs = epochMillis(clock())
        let (claimed, recovered): ([(Int64, Int)], Int) = try await write { tx in
            let sql = tx.sql
            let lost = try await sql.rows("""
                UPDATE wechat_card_sync SET state = 'pending', next_attempt_at_ms = \(bind: nowMs),
                  last_error = 'lease expired: the worker stopped while sending'
                WHERE state = 'sending' AND claimed_at_ms <= \(bind: nowMs - Int64(lease * 1000)) RETURNING member_id
                """).count
            guard limit > 0 else { return ([], lost) }
            let ids = try await sql.rows("""
                SELECT member_id FROM wechat_card_sync WHERE state = 'pending' AND next_attempt_at_ms <= \(bind: nowMs)
                ORDER BY next_attempt_at_ms, member_id LIMIT \(unsafeRaw: String(limit))\(unsafeRaw: sql.storeDialect.forUpdateSkipLocked)
                """).map { try $0.int64("member_id") }
            guard !ids.isEmpty else { return ([], lost) }
            let rows = try await sql.rows("""
                UPDATE wechat_card_sync SET state = 'sending', attempts = attempts + 1, claimed_at_ms = \(bind: nowMs),
                  claimed_changes = changes
                WHERE member_id IN \(list: ids) AND state = 'pending' RETURNING member_id, attempts
                """)
            return (try rows.map { (try $0.int64("member_id"), try $0.int("attempts")) }, lost)
        }
        summary.recovered = recovered
        guard !claimed.isEmpty else { return summary }
        let programme = try await programme().1
        for (memberId, attempts) in claimed {
            if Task.isCancelled {
                try? await write { tx in
                    try await tx.sql.exec("""
                        UPDATE wechat_card_sync SET state = 'pending', attempts = attempts - 1
                        WHERE member_id = \(bind: memberId) AND state = 'sending' AND attempts = \(bind: attempts)
                        """)
                }
                continue
            }
            let now = clock()
            let nowMs = epochMillis(now)
            // Touch the lease and read the state to send, on the primary, in one transaction.
            let prepared: (WechatCardRow, WechatCardFace)?? = try await write { tx in
                let held = try await tx.sql.rows("""
                    UPDATE wechat_card_sync SET claimed_at_ms = \(bind: nowMs)
                    WHERE member_id = \(bind: memberId) AND state = 'sending' AND attempts = \(bind: attempts) RETURNING member_id
                    """).count == 1
                guard held else { return .none }
                guard let card = try await Self.activeCard(tx.sql, memberId: memberId),
                      let face = try await Self.cardFace(tx.sql, memberId: memberId, programme: programme, now: now) else { return .some(nil) }
                return .some((card, face))
            }
            guard let held = prepared else { continue }   // another worker took it over
            guard let (card, face) = held else {
                if try await recordWechatCardSync(memberId: memberId, attempts: attempts, state: "sent", error: "no active card: nothing to tell",
                                                  body: nil, card: nil, face: nil, next: now, now: now) { summary.sent += 1 }
                continue
            }
            let body = Self.updateUserBody(card: card, face: face, programme: programme, reason: try await lastLedgerReason(memberId))
            let outcome = await sender.push(WechatCardPush(mall: card.mall, memberId: memberId, body: body))
            let next = now.addingTimeInterval(policy.delay(afterAttempts: attempts))
            let (state, error): (String, String?) = switch outcome {
            case .sent: ("sent", nil)
            case .retry(let m): (attempts >= policy.maxAttempts ? "dead" : "pending", m)
            case .refused(let m), .invalidCode(let m): ("dead", m)
            }
            if case .invalidCode = outcome {
                try await write { tx in
                    try await tx.sql.exec("""
                        UPDATE wechat_cards SET state = 'invalid', updated_at_ms = \(bind: nowMs)
                        WHERE card_id = \(bind: card.cardId) AND code = \(bind: card.code)
                        """)
                    try await tx.sql.exec("""
                        UPDATE members SET wechat_card = \(bind: false) WHERE id = \(bind: memberId)
                          AND NOT EXISTS (SELECT 1 FROM wechat_cards w WHERE w.member_id = \(bind: memberId) AND w.state = 'active')
                        """)
                }
            }
            guard try await recordWechatCardSync(memberId: memberId, attempts: attempts, state: state, error: error.map { String($0.prefix(500)) },
                                                 body: body, card: state == "sent" ? card : nil, face: face, next: next, now: now) else { continue }
            switch state {
            case "sent": summary.sent += 1
            case "dead": summary.dead += 1
            default: summary.retrying += 1
            }
        }
        return summary
    }

    /// `POST /card/membercard/updateuser`'s body: the total, the change since the last push with its reason, the tier.
    static func updateUserBody(card: WechatCardRow, face: WechatCardFace, programme: Programme, reason: String) -> String {
        var body: [String: Any] = ["code": card.code, "card_id": card.cardId, "bonus": face.points, "custom_field_value1": face.tierName]
        let add = face.points - card.pushedBonus
        if add != 0 {
            body["add_bonus"] = add
            body["record_bonus"] = reason
        }
        body["notify_optional"] = ["is_notify_bonus": add != 0, "is_notify_custom_field1": face.tierName != card.pushedTier]
        let data = (try? JSONSerialization.data(withJSONObject: body, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    /// The reason the card's points record shows (record_bonus, at most 14 characters): the newest ledger row's kind.
    func lastLedgerReason(_ memberId: Int64) async throws -> String {
        let kind = try await write { tx in
            try await tx.sql.row("SELECT kind FROM points_ledger WHERE member_id = \(bind: memberId) ORDER BY id DESC LIMIT 1")
                .map { try $0.string("kind") }
        }
        switch kind.flatMap(LedgerKind.init(rawValue:)) {
        case .earn?: return "消费积分"
        case .reverse?: return "退款扣回积分"
        case .redeem?: return "积分兑换"
        case .redeemVoid?: return "兑换撤销退回积分"
        case .expire?: return "积分到期"
        case .referral?: return "推荐奖励积分"
        case .checkIn?: return "签到积分"
        default: return "积分调整"
        }
    }

    /// The outcome, only if this worker still holds the claim. `sent` becomes `pending` again when a change came in
    /// while the push was on the way (changes ≠ claimed_changes): the newer state goes in the next pass.
    func recordWechatCardSync(memberId: Int64, attempts: Int, state: String, error: String?, body: String?,
                              card: WechatCardRow?, face: WechatCardFace?, next: Date, now: Date) async throws -> Bool {
        let nowMs = epochMillis(now)
        return try await write { tx in
            let sql = tx.sql
            let stateSQL: SQLQueryString = state == "sent"
                ? "CASE WHEN changes = claimed_changes THEN 'sent' ELSE 'pending' END"
                : "\(bind: state)"
            let attemptsSQL: SQLQueryString = state == "sent" ? "CASE WHEN changes = claimed_changes THEN attempts ELSE 0 END" : "attempts"
            let held = try await sql.rows("""
                UPDATE wechat_card_sync SET state = \(stateSQL), attempts = \(attemptsSQL), last_error = \(bind: error),
                  last_body = COALESCE(\(bind: body), last_body),
                  next_attempt_at_ms = \(bind: state == "pending" ? epochMillis(next) : nowMs),
                  sent_at_ms = \(bind: state == "sent" ? nowMs : nil)
                WHERE member_id = \(bind: memberId) AND state = 'sending' AND attempts = \(bind: attempts) RETURNING member_id
                """).count == 1
            if held, let card, let face {
                try await sql.exec("""
                    UPDATE wechat_cards SET pushed_bonus = \(bind: face.points), pushed_tier = \(bind: face.tierName), updated_at_ms = \(bind: nowMs)
                    WHERE card_id = \(bind: card.cardId) AND code = \(bind: card.code)
                    """)
            }
            return held
        }
    }

    /// A dead row goes back to the queue (console "retry"): attempts start again.
    @discardableResult
    public func retryWechatCardSync(memberId: Int64, actor: String) async throws -> Bool {
        let nowMs = epochMillis(now)
        return try await write { tx in
            try await tx.sql.rows("""
                UPDATE wechat_card_sync SET state = 'pending', attempts = 0, next_attempt_at_ms = \(bind: nowMs),
                  last_error = \(bind: "retry requested by " + String(actor.prefix(64)))
                WHERE member_id = \(bind: memberId) AND state = 'dead' RETURNING member_id
                """).count == 1
        }
    }

    /// Queue rows, newest change first; `state` filters (nil: all but the idle `sent`).
    public func wechatCardSyncRows(state: String? = nil, limit: Int = 200) async throws -> [WechatCardSyncRow] {
        var q = SQLQueryString("""
            SELECT member_id, state, changes, attempts, next_attempt_at_ms, last_error, last_body, sent_at_ms FROM wechat_card_sync WHERE
            """)
        if let state { q.appendInterpolation(unsafeRaw: " state = "); q.appendInterpolation(bind: state) } else {
            q.appendInterpolation(unsafeRaw: " state <> 'sent'")
        }
        q.appendInterpolation(unsafeRaw: " ORDER BY next_attempt_at_ms DESC, member_id LIMIT \(max(1, min(limit, 10_000)))")
        return try await sql.rows(q).map { r in
            WechatCardSyncRow(memberId: try r.int64("member_id"), state: try r.string("state"), changes: try r.int64("changes"),
                              attempts: try r.int("attempts"), nextAttemptAt: dateFromMillis(try r.int64("next_attempt_at_ms")),
                              lastError: try r.optString("last_error"), lastBody: try r.optString("last_body"),
                              sentAt: try r.optInt64("sent_at_ms").map(dateFromMillis))
        }
    }

    /// Rows per state and active cards (the console's summary line).
    public func wechatCardSyncCounts() async throws -> (states: [String: Int], activeCards: Int) {
        var out: [String: Int] = [:]
        for r in try await sql.rows("SELECT state, COUNT(*) AS n FROM wechat_card_sync GROUP BY state") {
            out[try r.string("state")] = try r.int("n")
        }
        let cards = try await sql.row("SELECT COUNT(*) AS n FROM wechat_cards WHERE state = 'active'").map { try $0.int("n") } ?? 0
        return (out, cards)
    }
}
