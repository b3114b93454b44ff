import MallVIPCore
import SQLKit

/// Member state the write paths share (purchases, refunds, enrolment, tier changes and review): the member row read
/// for update, the mall's day ordinal, the per-day spend aggregate and the tier-change history.
extension Store {
    struct LockedMember: Sendable {
        var id: Int64
        var earnedTier: String
        var tierSinceDay: Int
        var manualTier: String?
        var manualUntil: LocalDate?
        var balance: Int64
        var birthday: MonthDay?
        var status: String
        /// Enrolled with a referral code whose reward is not settled yet: the purchase path then settles it.
        var referralPending: Bool
    }

    /// Reads the member for update. On PostgreSQL the row lock serialises concurrent writers of one member; on
    /// SQLite the write gate already does.
    func lockMember(_ sql: any SQLDatabase, _ id: Int64) async throws -> LockedMember {
        let lock = sql.storeDialect.forUpdate
        guard let r = try await sql.row("""
            SELECT id, earned_tier, tier_since_day, manual_tier, manual_until_day, points_balance, birth_month, birth_day, status,
              referral_pending
            FROM members WHERE id = \(bind: id)\(unsafeRaw: lock)
            """) else {
            throw DomainError(.notFound, field: nil, rule: "member.exists", zh: "会员不存在", en: "member not found")
        }
        return try lockedMember(r)
    }

    func lockedMember(_ r: any SQLRow) throws -> LockedMember {
        let bm = try r.optInt("birth_month"), bd = try r.optInt("birth_day")
        return LockedMember(id: try r.int64("id"), earnedTier: try r.string("earned_tier"), tierSinceDay: try r.int("tier_since_day"),
                            manualTier: try r.optString("manual_tier"),
                            manualUntil: try r.optInt("manual_until_day").map { LocalDate(dayNumber: $0) },
                            balance: try r.int64("points_balance"),
                            birthday: bm.flatMap { m in bd.map { MonthDay(month: m, day: $0) } }, status: try r.string("status"),
                            referralPending: try r.bool("referral_pending"))
    }

    func nextDayOrdinal(_ sql: any SQLDatabase, mallId: Int64, day: LocalDate) async throws -> Int {
        try await sql.row("""
            INSERT INTO mall_day_counts (mall_id, day, member_purchases) VALUES (\(bind: mallId), \(bind: day.dayNumber), 1)
            ON CONFLICT (mall_id, day) DO UPDATE SET member_purchases = mall_day_counts.member_purchases + 1
            RETURNING member_purchases
            """)!.int("member_purchases")
    }

    /// Spend in each rolling window ending on `endingOn` (inclusive), from the per-day aggregate.
    func rollingSpend(_ sql: any SQLDatabase, memberId: Int64, endingOn end: LocalDate, windows: [Int]) async throws -> RollingSpend {
        guard let longest = windows.max() else { return RollingSpend([:]) }
        let rows = try await sql.rows("""
            SELECT day, spend_fen FROM member_daily_spend
            WHERE member_id = \(bind: memberId) AND day >= \(bind: end.windowStart(months: longest).dayNumber) AND day <= \(bind: end.dayNumber)
            """)
        var byMonths: [Int: Int64] = [:]
        for r in rows {
            let d = try r.int("day"), fen = try r.int64("spend_fen")
            for w in windows where d >= end.windowStart(months: w).dayNumber { byMonths[w, default: 0] += fen }
        }
        return RollingSpend(byMonths)
    }

    func addDailySpend(_ sql: any SQLDatabase, memberId: Int64, mallId: Int64, day: LocalDate, amount: Int64, purchases: Int) async throws {
        try await sql.exec("""
            INSERT INTO member_daily_spend (member_id, mall_id, day, spend_fen, purchases)
            VALUES (\(bind: memberId), \(bind: mallId), \(bind: day.dayNumber), \(bind: amount), \(bind: purchases))
            ON CONFLICT (member_id, mall_id, day) DO UPDATE SET spend_fen = member_daily_spend.spend_fen + \(bind: amount),
              purchases = member_daily_spend.purchases + \(bind: purchases)
            """)
    }

    func recordTierChange(_ sql: any SQLDatabase, memberId: Int64, from: String, to: String, kind: String, reason: TierReason?,
                          note: String = "", purchaseId: Int64?, actor: String, nowMs: Int64) async throws {
        let text = try reason.map { try encodeJSON($0) } ?? note
        try await sql.exec("""
            INSERT INTO tier_changes (member_id, from_tier, to_tier, kind, reason, purchase_id, actor, at_ms)
            VALUES (\(bind: memberId), \(bind: from), \(bind: to), \(bind: kind), \(bind: text), \(bind: purchaseId), \(bind: actor), \(bind: nowMs))
            """)
    }
}
