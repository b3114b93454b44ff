import FluentKit
import Foundation
import MallVIPCore
import SQLKit

/// One gift a member may collect, has collected or let lapse (gift_entitlements).
public struct GiftEntitlement: Sendable, Equatable {
    public var id: Int64
    public var memberId: Int64
    public var giftCode: String
    public var kind: GiftKind
    public var periodKey: String
    public var issuedOn: LocalDate
    public var validUntil: LocalDate
    public var status: GiftEntitlementStatus
    public var costFen: Int64
    public var handedOverAt: Date?
    public var handedOverBy: String?
    public var handedOverMallId: Int64?
    public var handedOverWhere: String?
}

/// What one pass of the gift job did.
public struct GiftJobSummary: Sendable, Equatable {
    public var issued = 0
    public var expired = 0
    public var line: String { "gifts: \(issued) entitlements issued, \(expired) expired" }
}

/// Pieces left of a gift at a mall.
public struct GiftStockLine: Sendable, Equatable {
    public var giftCode: String
    public var mallId: Int64
    public var remaining: Int64
}

extension Store {
    /// The daily gift job: expires what lapsed before `day`, then issues what is due on `day` from the programme's
    /// `gifts`. Idempotent: each entitlement is unique per member, gift and period (`ON CONFLICT DO NOTHING`), so a
    /// second run, or two at once, issues nothing new.
    @discardableResult
    public func runGiftJob(on day: LocalDate) async throws -> GiftJobSummary {
        let (_, programme) = try await self.programme()
        var summary = GiftJobSummary()
        let nowMs = epochMillis(now)
        summary.expired = try await write { tx in
            try await tx.sql.rows("""
                UPDATE gift_entitlements SET status = 'expired', expired_at_ms = \(bind: nowMs)
                WHERE status = 'open' AND handed_over_at_ms IS NULL AND valid_until_day < \(bind: day.dayNumber) RETURNING id
                """).count
        }
        for gift in programme.gifts.items {
            let due = try await giftCandidates(gift, on: day, programme: programme)
            guard !due.isEmpty else { continue }
            let until = GiftSchedule.validUntil(gift, issued: day)
            guard until >= day else { continue }
            summary.issued += try await write { tx in
                var insert = BulkInsert(tx.sql, table: "gift_entitlements",
                                        columns: ["member_id", "gift_code", "kind", "period_key", "issued_day", "issued_at_ms",
                                                  "valid_until_day", "status", "cost_fen"],
                                        onConflict: " ON CONFLICT (member_id, gift_code, period_key) DO NOTHING", returning: "id", maxRows: 500)
                for (member, period) in due {
                    try await insert.add([.int(member), .text(gift.code), .literal(gift.kind.rawValue), .text(period), .int(day.dayNumber),
                                          .int(nowMs), .int(until.dayNumber), .literal("open"), .int(gift.costFen)])
                }
                try await insert.flush()
                return insert.returned.count
            }
        }
        return summary
    }

    /// (member, period) pairs due for `gift` on `day`; active members of the gift's tiers only.
    func giftCandidates(_ gift: GiftDefinition, on day: LocalDate, programme: Programme) async throws -> [(Int64, String)] {
        let rows: [any SQLRow]
        switch gift.kind {
        case .birthday:
            // Only the months that can be due (the birthday month, or the months of day ± N), and not those who have it.
            let n = gift.birthdayDaysAround ?? 0
            let months = Array(Set([day.adding(days: -n).month, day.month, day.adding(days: n).month])).sorted()
            rows = try await sql.rows("""
                SELECT m.id, m.earned_tier, m.manual_tier, m.manual_until_day, m.birth_month, m.birth_day, NULL AS period FROM members m
                WHERE m.status = 'active' AND m.birth_month IN \(list: months) AND m.birth_day IS NOT NULL
                  AND NOT EXISTS (SELECT 1 FROM gift_entitlements g WHERE g.member_id = m.id AND g.gift_code = \(bind: gift.code)
                    AND g.issued_day >= \(bind: day.adding(days: -(2 * n + 31)).dayNumber))
                ORDER BY m.id
                """)
        case .quarterly, .returnGift:
            // Hourly reruns stay cheap: members who already have this period's entitlement are skipped in SQL.
            let period = gift.kind == .quarterly ? GiftSchedule.quarterKey(day) : GiftSchedule.returnGiftPeriod(gift, on: day)
            guard let period else { return [] }
            rows = try await sql.rows("""
                SELECT m.id, m.earned_tier, m.manual_tier, m.manual_until_day, NULL AS birth_month, NULL AS birth_day, NULL AS period
                FROM members m WHERE m.status = 'active' AND NOT EXISTS (SELECT 1 FROM gift_entitlements g WHERE g.member_id = m.id
                  AND g.gift_code = \(bind: gift.code) AND g.period_key = \(bind: period))
                ORDER BY m.id
                """)
        case .eventSouvenir:
            let since = epochMillis(day.adding(days: -programme.gifts.catchUpDays).start(in: programme.timeZone))
            rows = try await sql.rows("""
                SELECT m.id, m.earned_tier, m.manual_tier, m.manual_until_day, NULL AS birth_month, NULL AS birth_day,
                  i.event_id AS period FROM event_invitations i JOIN members m ON m.id = i.member_id
                WHERE m.status = 'active' AND i.checked_in_at_ms IS NOT NULL AND i.checked_in_at_ms >= \(bind: since)
                ORDER BY m.id, i.event_id
                """)
        case .activation:
            let since = epochMillis(day.adding(days: -programme.gifts.catchUpDays).start(in: programme.timeZone))
            rows = try await sql.rows("""
                SELECT m.id, m.earned_tier, m.manual_tier, m.manual_until_day, NULL AS birth_month, NULL AS birth_day, NULL AS period
                FROM members m WHERE m.status = 'active' AND EXISTS (SELECT 1 FROM cards c WHERE c.member_id = m.id
                  AND c.activated_at_ms IS NOT NULL AND c.activated_at_ms > c.issued_at_ms AND c.activated_at_ms >= \(bind: since))
                ORDER BY m.id
                """)
        }
        var out: [(Int64, String)] = []
        for r in rows {
            let until = try r.optInt("manual_until_day").map { LocalDate(dayNumber: $0) }
            let tier = programme.effectiveTier(earned: try r.string("earned_tier"), manual: try r.optString("manual_tier"),
                                               manualUntil: until, on: day)
            guard gift.applies(to: tier) else { continue }
            let id = try r.int64("id")
            switch gift.kind {
            case .birthday:
                guard let m = try r.optInt("birth_month"), let bd = try r.optInt("birth_day"),
                      let p = GiftSchedule.birthdayPeriod(gift, birthday: MonthDay(month: m, day: bd), on: day) else { continue }
                out.append((id, p))
            case .quarterly: out.append((id, GiftSchedule.quarterKey(day)))
            case .returnGift: out.append((id, "\(day.year)"))
            case .eventSouvenir: out.append((id, "event:\(try r.int64("period"))"))
            case .activation: out.append((id, "activation"))
            }
        }
        return out
    }

    /// A member's entitlements, open ones first (by last day), then collected and expired, newest first.
    public func giftEntitlements(memberId: Int64) async throws -> [GiftEntitlement] {
        let all = try await sql.rows("""
            SELECT * FROM gift_entitlements WHERE member_id = \(bind: memberId) ORDER BY issued_day DESC, id DESC
            """).map(Self.giftEntitlement)
        return all.filter { $0.status == .open }.sorted { $0.validUntil < $1.validUntil } + all.filter { $0.status != .open }
    }

    public func giftEntitlement(id: Int64) async throws -> GiftEntitlement? {
        try await sql.row("SELECT * FROM gift_entitlements WHERE id = \(bind: id)").map(Self.giftEntitlement)
    }

    /// The desk hands an entitlement over: one conditional update (`handed_over_at_ms IS NULL`, still open, not past
    /// its last day), so of two desks at once exactly one wins and the other gets 409; the gift's stock at the mall
    /// (when the programme counts it) is taken in the same transaction and never goes below zero.
    @discardableResult
    public func handOverGift(entitlementId: Int64, memberId: Int64, mallId: Int64?, where place: String, actor: String) async throws -> GiftEntitlement {
        let (_, programme) = try await self.programme()
        let today = LocalDate.of(now, in: programme.timeZone)
        let nowMs = epochMillis(now)
        let mall: Int64
        if let mallId { mall = mallId } else {
            guard let first = try await malls().first else {
                throw DomainError(.notFound, field: "mall", rule: "mall.exists", zh: "没有商场", en: "no mall set up")
            }
            mall = first.id
        }
        let spot = String(place.trimmingCharacters(in: .whitespacesAndNewlines).prefix(80))
        return try await write { tx in
            guard let row = try await tx.sql.row("""
                UPDATE gift_entitlements SET status = 'collected', handed_over_at_ms = \(bind: nowMs), handed_over_by = \(bind: actor),
                  handed_over_mall_id = \(bind: mall), handed_over_where = \(bind: spot)
                WHERE id = \(bind: entitlementId) AND member_id = \(bind: memberId) AND status = 'open' AND handed_over_at_ms IS NULL
                  AND valid_until_day >= \(bind: today.dayNumber)
                RETURNING gift_code
                """) else {
                let current = try await tx.sql.row("SELECT status FROM gift_entitlements WHERE id = \(bind: entitlementId) AND member_id = \(bind: memberId)")
                guard let current else {
                    throw DomainError(.notFound, field: "entitlement", rule: "gift.exists", zh: "礼品记录不存在", en: "no such gift entitlement")
                }
                if try current.string("status") == "collected" {
                    throw DomainError(.conflict, field: "entitlement", rule: "gift.once", zh: "此礼品已领取，不能重复发放", en: "this gift has already been handed over")
                }
                throw DomainError(.conflict, field: "entitlement", rule: "gift.expired", zh: "此礼品已过期", en: "this gift has expired")
            }
            let code = try row.string("gift_code")
            if let stock = programme.gifts.item(code)?.stock {
                try await tx.sql.exec("""
                    INSERT INTO gift_stock (gift_code, mall_id, remaining, updated_at_ms) VALUES (\(bind: code), \(bind: mall), \(bind: Int64(stock)), \(bind: nowMs))
                    ON CONFLICT (gift_code, mall_id) DO NOTHING
                    """)
                // Conditional, as redemption stock: of two desks taking the last piece, only one update finds one left.
                guard try await tx.sql.row("""
                    UPDATE gift_stock SET remaining = remaining - 1, updated_at_ms = \(bind: nowMs)
                    WHERE gift_code = \(bind: code) AND mall_id = \(bind: mall) AND remaining >= 1 RETURNING remaining
                    """) != nil else {
                    throw DomainError(.notEligible, field: "entitlement", rule: "gift.stock", zh: "礼品库存不足", en: "this gift is out of stock at this mall")
                }
            }
            try await self.audit(tx, actor: actor, action: "gift.handOver", subject: "member:\(memberId)",
                                 detail: "entitlement=\(entitlementId) gift=\(code) mall=\(mall)")
            return try await tx.sql.row("SELECT * FROM gift_entitlements WHERE id = \(bind: entitlementId)").map(Self.giftEntitlement)!
        }
    }

    /// Sets the pieces left of a gift at a mall (a delivery, a count); audited.
    public func setGiftStock(giftCode: String, mallId: Int64, remaining: Int64, actor: String) async throws {
        guard (0...1_000_000).contains(remaining) else {
            throw DomainError.invalid("remaining", "gift.stock.range", zh: "库存须在 0 至 1,000,000 之间", en: "stock must be between 0 and 1,000,000")
        }
        let nowMs = epochMillis(now)
        try await write { tx in
            try await tx.sql.exec("""
                INSERT INTO gift_stock (gift_code, mall_id, remaining, updated_at_ms) VALUES (\(bind: giftCode), \(bind: mallId), \(bind: remaining), \(bind: nowMs))
                ON CONFLICT (gift_code, mall_id) DO UPDATE SET remaining = excluded.remaining, updated_at_ms = excluded.updated_at_ms
                """)
            try await self.audit(tx, actor: actor, action: "gift.stock", subject: "gift:\(giftCode)", detail: "mall=\(mallId) remaining=\(remaining)")
        }
    }

    /// Stock rows recorded so far (a gift with `stock` and no row yet at a mall still has its full programme stock).
    public func giftStock() async throws -> [GiftStockLine] {
        try await sql.rows("SELECT gift_code, mall_id, remaining FROM gift_stock ORDER BY gift_code, mall_id").map {
            GiftStockLine(giftCode: try $0.string("gift_code"), mallId: try $0.int64("mall_id"), remaining: try $0.int64("remaining"))
        }
    }

    static func giftEntitlement(_ r: any SQLRow) throws -> GiftEntitlement {
        GiftEntitlement(id: try r.int64("id"), memberId: try r.int64("member_id"), giftCode: try r.string("gift_code"),
                        kind: GiftKind(rawValue: try r.string("kind")) ?? .birthday, periodKey: try r.string("period_key"),
                        issuedOn: LocalDate(dayNumber: try r.int("issued_day")), validUntil: LocalDate(dayNumber: try r.int("valid_until_day")),
                        status: GiftEntitlementStatus(rawValue: try r.string("status")) ?? .open, costFen: try r.int64("cost_fen"),
                        handedOverAt: try r.optInt64("handed_over_at_ms").map(dateFromMillis), handedOverBy: try r.optString("handed_over_by"),
                        handedOverMallId: try r.optInt64("handed_over_mall_id"), handedOverWhere: try r.optString("handed_over_where"))
    }
}
