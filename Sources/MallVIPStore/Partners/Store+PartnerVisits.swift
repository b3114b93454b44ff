import FluentKit
import Foundation
import MallVIPCore
import SQLKit

/// A member as a partner merchant sees them: masked name, tier and this partner's discount for it.
public struct PartnerMemberView: Sendable, Equatable {
    public var memberId: Int64
    public var cardNo: String?
    public var displayName: String
    public var tier: String
    public var tierName: String
    public var discountPermille: Int
}

extension Store {
    /// The member behind a card or phone with the partner's discount for their tier on `at`'s business day.
    public func partnerMember(partnerId: Int64, card: String?, phone: String?) async throws -> PartnerMemberView {
        try await partnerMember(try await activePartner(partnerId), card: card, phone: phone, at: now)
    }

    func activePartner(_ id: Int64) async throws -> Partner {
        guard let partner = try await partner(id: id), partner.active else {
            throw DomainError(.forbidden, field: nil, rule: "partner.active", zh: "联盟商家已停用", en: "this partner is deactivated")
        }
        return partner
    }

    func partnerMember(_ partner: Partner, card: String?, phone: String?, at: Date) async throws -> PartnerMemberView {
        guard card != nil || phone != nil else {
            throw DomainError.invalid("card", "lookup.key", zh: "请提供 card 或 phone", en: "give card or phone")
        }
        guard let m = try await lookup(card: card, phone: phone) else {
            throw DomainError(.notFound, field: nil, rule: "member.exists", zh: "未找到会员",
                              en: "no active member with this \(card != nil ? "card" : "phone")")
        }
        let (_, programme) = try await self.programme()
        let day = LocalDate.of(at, in: programme.timeZone)
        let tier = programme.effectiveTier(earned: m.earnedTier, manual: m.manualTier, manualUntil: m.manualUntil, on: day)
        return PartnerMemberView(memberId: m.id, cardNo: m.cardNo, displayName: Identity.maskName(m.name), tier: tier,
                                 tierName: programme.tier(tier)?.name.zh ?? tier,
                                 discountPermille: partner.discountPermille(tier: tier, programme: programme))
    }

    /// Records a member's visit at a partner with the discount their tier gets there. Idempotent on the partner's
    /// key: the same body again replays the first answer, a different body under the key is a conflict.
    public func recordPartnerVisit(partnerId: Int64, _ req: PartnerVisitRequest) async throws -> Posted<PartnerVisitOutcome> {
        let key = req.idempotencyKey.trimmingCharacters(in: .whitespaces)
        guard !key.isEmpty, key.count <= 64 else {
            throw DomainError.invalid("idempotencyKey", "idempotencyKey.required", zh: "请提供 idempotencyKey（最多64字符）",
                                      en: "idempotencyKey is required (at most 64 characters)")
        }
        guard req.amountFen > 0, req.amountFen <= 10_000_000_000 else {
            throw DomainError.invalid("amountFen", "amount.positive", zh: "金额须大于0（单位：分）", en: "amountFen must be a positive amount in fen")
        }
        let hash = sha256Hex(req.fingerprint)
        if let replay = try await existingVisit(partnerId: partnerId, key: key, hash: hash) { return .replayed(replay) }

        let (_, programme) = try await self.programme()
        let visitedAt = req.visitedAt ?? now
        let policy = programme.purchases
        if visitedAt.timeIntervalSince(now) > TimeInterval(policy.maxFutureSeconds) {
            throw DomainError.invalid("visitedAt", "time.future", zh: "到店时间不能晚于现在", en: "visitedAt must not be in the future")
        }
        if now.timeIntervalSince(visitedAt) > TimeInterval(policy.maxBackdateDays) * 86_400 {
            throw DomainError.invalid("visitedAt", "time.backdate", zh: "到店时间不能早于 \(policy.maxBackdateDays) 天前",
                                      en: "visitedAt must be within the last \(policy.maxBackdateDays) days")
        }
        let partner = try await activePartner(partnerId)
        let view: PartnerMemberView
        do {
            view = try await partnerMember(partner, card: req.card, phone: req.phone, at: visitedAt)
        } catch var e as DomainError where e.rule == "member.exists" {
            e.field = req.card != nil ? "card" : "phone"   // inside a body: 422 naming the field, as for purchases
            throw e
        }
        let payable = Money.apply(permille: view.discountPermille, to: req.amountFen)
        let day = LocalDate.of(visitedAt, in: programme.timeZone)
        let outcome = PartnerVisitOutcome(idempotencyKey: key, partner: partner.code, displayName: view.displayName, tier: view.tier,
                                          tierName: view.tierName, amountFen: req.amountFen, discountPermille: view.discountPermille,
                                          discountFen: req.amountFen - payable, payableFen: payable, businessDate: day.description)
        let json = try encodeJSON(outcome)
        let nowMs = epochMillis(now)
        do {
            try await write { tx in
                try await tx.sql.exec("""
                    INSERT INTO partner_visits (partner_id, member_id, card_no, tier, amount_fen, discount_permille, discount_fen, visited_at_ms,
                      business_day, idempotency_key, request_hash, response_json, at_ms)
                    VALUES (\(bind: partnerId), \(bind: view.memberId), \(bind: view.cardNo), \(bind: view.tier), \(bind: req.amountFen),
                      \(bind: view.discountPermille), \(bind: outcome.discountFen), \(bind: epochMillis(visitedAt)), \(bind: day.dayNumber),
                      \(bind: key), \(bind: hash), \(bind: json), \(bind: nowMs))
                    """)
            }
        } catch where isUniqueViolation(error) {
            // The same key posted twice at once: the other one was written first.
            if let replay = try await existingVisit(partnerId: partnerId, key: key, hash: hash) { return .replayed(replay) }
            throw error
        }
        return .created(outcome)
    }

    func existingVisit(partnerId: Int64, key: String, hash: String) async throws -> PartnerVisitOutcome? {
        guard let row = try await sql.row("""
            SELECT request_hash, response_json FROM partner_visits WHERE partner_id = \(bind: partnerId) AND idempotency_key = \(bind: key)
            """) else { return nil }
        guard try row.string("request_hash") == hash else {
            throw DomainError(.conflict, field: "idempotencyKey", rule: "visit.idempotency",
                              zh: "idempotencyKey \(key) 已用于另一笔不同的到店记录", en: "idempotencyKey \(key) was already used for a different visit")
        }
        return try JSONDecoder().decode(PartnerVisitOutcome.self, from: Data(try row.string("response_json").utf8))
    }
}
