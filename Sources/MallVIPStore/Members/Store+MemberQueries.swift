import FluentKit
import Foundation
import MallVIPCore
import SQLKit

public struct LedgerEntry: Sendable, Equatable {
    public var id: Int64
    public var kind: String
    public var points: Int64
    public var balanceAfter: Int64
    public var note: String
    public var actor: String
    public var at: Date
}

public struct PurchaseSummary: Sendable, Equatable {
    public var id: Int64
    public var receiptNo: String
    public var mallCode: String
    public var occurredAt: Date
    public var businessDate: LocalDate
    public var totalFen: Int64
    public var refundedFen: Int64
    public var pointsEarned: Int64
    public var pointsReversed: Int64
}

public struct TierChange: Sendable, Equatable {
    public var fromTier: String
    public var toTier: String
    public var kind: String
    public var reason: TierReason?
    public var note: String
    public var actor: String
    public var at: Date
}

public struct TierRequest: Sendable, Equatable {
    public var id: Int64
    public var memberId: Int64
    public var memberName: String
    public var cardNo: String?
    public var tier: String
    public var reason: TierReason?
    public var status: String
    public var createdAt: Date
}

public struct MemberSearchHit: Sendable, Equatable {
    public var id: Int64
    public var name: String
    public var phone: String
    public var cardNo: String?
    public var tier: String
    public var points: Int64
    public var status: String
}

extension Store {
    static let memberColumns = """
        m.*, (SELECT c.card_no FROM cards c WHERE c.member_id = m.id ORDER BY (c.state = 'active') DESC, c.id DESC LIMIT 1) AS card_no,
        (SELECT c.state FROM cards c WHERE c.member_id = m.id ORDER BY (c.state = 'active') DESC, c.id DESC LIMIT 1) AS card_state
        """

    public func member(id: Int64) async throws -> Member? {
        try await sql.row("SELECT \(unsafeRaw: Self.memberColumns) FROM members m WHERE m.id = \(bind: id)").map(memberFrom)
    }

    /// POS lookup by card number or phone. Lost, replaced and closed cards are not found at the till.
    public func lookup(card: String?, phone: String?) async throws -> Member? {
        if let card {
            guard let row = try await sql.row("SELECT member_id FROM cards WHERE card_no = \(bind: card) AND state = 'active'"),
                  let id = try row.optInt64("member_id") else { return nil }
            return try await member(id: id).flatMap { $0.status == "active" ? $0 : nil }
        }
        if let phone {
            return try await sql.row("SELECT \(unsafeRaw: Self.memberColumns) FROM members m WHERE m.phone = \(bind: phone) AND m.status = 'active'")
                .map(memberFrom)
        }
        return nil
    }

    /// Desk search: card number, phone (whole or last 4 digits) or name prefix. `managedBy`: only that account
    /// manager's members (an account manager searches their own list, not the whole mall's).
    /// `exactOnly`: only a whole card number or phone number matches (counter staff find the member in front of
    /// them, they do not browse the mall's list). Name and last-4 searches escape LIKE wildcards (`SQLLike`).
    /// `malls`: only members of these malls (issue 17, `MallScope.members`); nil = every mall.
    public func searchMembers(_ text: String, limit: Int = 50, managedBy: Int64? = nil, exactOnly: Bool = false,
                              malls: MallScope? = nil) async throws -> [MemberSearchHit] {
        let q = text.trimmingCharacters(in: .whitespaces)
        guard !q.isEmpty else { return [] }
        let rows: [any SQLRow]
        let select = "SELECT \(Self.memberColumns) FROM members m"
        var scope: SQLQueryString = ""
        if let managedBy { scope = " AND m.account_manager_id = \(bind: managedBy)" }
        if let malls { scope = "\(scope)\(malls.members("m"))" }
        if exactOnly || (q.allSatisfy(\.isNumber) && q.count >= 11) {
            rows = try await sql.rows("""
                \(unsafeRaw: select) WHERE (m.phone = \(bind: q) OR m.id IN (SELECT member_id FROM cards WHERE card_no = \(bind: q)))\(scope)
                LIMIT \(unsafeRaw: String(limit))
                """)
        } else if q.allSatisfy(\.isNumber) && q.count == 4 {
            rows = try await sql.rows("\(unsafeRaw: select) WHERE m.phone \(SQLLike.suffix(q))\(scope) ORDER BY m.id LIMIT \(unsafeRaw: String(limit))")
        } else {
            rows = try await sql.rows("\(unsafeRaw: select) WHERE m.name \(SQLLike.prefix(q))\(scope) ORDER BY m.id LIMIT \(unsafeRaw: String(limit))")
        }
        let (_, programme) = try await self.programme()
        let today = LocalDate.of(now, in: programme.timeZone)
        return try rows.map(memberFrom).map {
            MemberSearchHit(id: $0.id, name: $0.name, phone: $0.phone, cardNo: $0.cardNo,
                            tier: programme.effectiveTier(earned: $0.earnedTier, manual: $0.manualTier, manualUntil: $0.manualUntil, on: today),
                            points: $0.pointsBalance, status: $0.status)
        }
    }

    public func ledger(memberId: Int64, limit: Int = 100) async throws -> [LedgerEntry] {
        try await sql.rows("""
            SELECT * FROM points_ledger WHERE member_id = \(bind: memberId) ORDER BY id DESC LIMIT \(unsafeRaw: String(limit))
            """).map(ledgerEntryFrom)
    }

    func ledgerEntryFrom(_ r: any SQLRow) throws -> LedgerEntry {
        LedgerEntry(id: try r.int64("id"), kind: try r.string("kind"), points: try r.int64("points"),
                    balanceAfter: try r.int64("balance_after"), note: try r.string("note"), actor: try r.string("actor"),
                    at: dateFromMillis(try r.int64("at_ms")))
    }

    public func purchases(memberId: Int64, limit: Int = 100) async throws -> [PurchaseSummary] {
        try await sql.rows("""
            SELECT p.*, m.code AS mall_code FROM purchases p JOIN malls m ON m.id = p.mall_id
            WHERE p.member_id = \(bind: memberId) ORDER BY p.occurred_at_ms DESC LIMIT \(unsafeRaw: String(limit))
            """).map(purchaseSummaryFrom)
    }

    /// Needs the purchase columns plus `mall_code`.
    func purchaseSummaryFrom(_ r: any SQLRow) throws -> PurchaseSummary {
        PurchaseSummary(id: try r.int64("id"), receiptNo: try r.string("receipt_no"), mallCode: try r.string("mall_code"),
                        occurredAt: dateFromMillis(try r.int64("occurred_at_ms")), businessDate: LocalDate(dayNumber: try r.int("business_day")),
                        totalFen: try r.int64("total_fen"), refundedFen: try r.int64("refunded_fen"),
                        pointsEarned: try r.int64("points_earned"), pointsReversed: try r.int64("points_reversed"))
    }

    public func tierChanges(memberId: Int64) async throws -> [TierChange] {
        try await sql.rows("SELECT * FROM tier_changes WHERE member_id = \(bind: memberId) ORDER BY id DESC").map {
            let text = try $0.string("reason")
            let reason = try? JSONDecoder().decode(TierReason.self, from: Data(text.utf8))
            return TierChange(fromTier: try $0.string("from_tier"), toTier: try $0.string("to_tier"), kind: try $0.string("kind"),
                              reason: reason, note: reason == nil ? text : "", actor: try $0.string("actor"),
                              at: dateFromMillis(try $0.int64("at_ms")))
        }
    }

    /// Rolling spend for the member page and progress line, ending today.
    public func rollingSpend(memberId: Int64) async throws -> RollingSpend {
        let (_, programme) = try await self.programme()
        return try await rollingSpend(sql, memberId: memberId, endingOn: LocalDate.of(now, in: programme.timeZone),
                                      windows: programme.tierWindows)
    }

    public func tierRequests(status: String = "pending") async throws -> [TierRequest] {
        try await sql.rows("""
            SELECT r.*, m.name AS member_name,
              (SELECT c.card_no FROM cards c WHERE c.member_id = m.id AND c.state = 'active' LIMIT 1) AS card_no
            FROM tier_requests r JOIN members m ON m.id = r.member_id WHERE r.status = \(bind: status) ORDER BY r.id
            """).map {
            TierRequest(id: try $0.int64("id"), memberId: try $0.int64("member_id"), memberName: try $0.string("member_name"),
                        cardNo: try $0.optString("card_no"), tier: try $0.string("tier"),
                        reason: try? JSONDecoder().decode(TierReason.self, from: Data(try $0.string("reason").utf8)),
                        status: try $0.string("status"), createdAt: dateFromMillis(try $0.int64("created_at_ms")))
        }
    }

    /// The national ID number in clear, for roles that need it; every call is audited.
    public func revealNationalID(memberId: Int64, actor: String) async throws -> String? {
        guard let row = try await sql.row("SELECT id_cipher FROM members WHERE id = \(bind: memberId)"),
              let cipher = try row.optString("id_cipher") else { return nil }
        try await audit(actor: actor, action: "member.revealId", subject: "member:\(memberId)")
        return try env.cipher.decrypt(cipher)
    }

    func memberFrom(_ r: any SQLRow) throws -> Member {
        let profile = (try? JSONDecoder().decode(MemberProfile.self, from: Data(try r.string("profile_json").utf8))) ?? MemberProfile()
        return Member(
            id: try r.int64("id"), name: try r.string("name"), gender: Gender(rawValue: try r.string("gender")) ?? .unknown,
            birthday: try r.optString("birthday").flatMap(LocalDate.init), phone: try r.string("phone"),
            email: try r.optString("email"), address: try r.optString("address"), idMasked: try r.optString("id_masked"),
            profile: profile, notes: try r.string("notes"), consentSMS: try r.bool("consent_sms"),
            consentEmail: try r.bool("consent_email"), consentPhone: try r.bool("consent_phone"),
            accountManagerId: try r.optInt64("account_manager_id"), status: try r.string("status"),
            earnedTier: try r.string("earned_tier"), tierSince: LocalDate(dayNumber: try r.int("tier_since_day")),
            manualTier: try r.optString("manual_tier"), manualUntil: try r.optInt("manual_until_day").map { LocalDate(dayNumber: $0) },
            manualReason: try r.optString("manual_reason"), pointsBalance: try r.int64("points_balance"),
            enrolledAt: dateFromMillis(try r.int64("enrolled_at_ms")), enrolRule: try r.string("enrol_rule"),
            enrolOverrideReason: try r.optString("enrol_override_reason"), cardNo: try r.optString("card_no"),
            cardState: try r.optString("card_state").flatMap(CardState.init(rawValue:)))
    }
}
