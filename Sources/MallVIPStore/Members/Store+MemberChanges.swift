import FluentKit
import Foundation
import MallVIPCore
import SQLKit

public struct ProfileUpdate: Sendable {
    public var name: String
    public var gender: Gender
    public var birthday: LocalDate?
    public var email: String?
    public var address: String?
    public var profile: MemberProfile
    public var notes: String
    public var consentSMS: Bool
    public var consentEmail: Bool
    public var consentPhone: Bool
    /// Why the desk changed it (issue 17: every change of a personal field records who and why).
    public var reason = ""
    public init(name: String, gender: Gender, birthday: LocalDate?, email: String?, address: String?, profile: MemberProfile,
                notes: String, consentSMS: Bool, consentEmail: Bool, consentPhone: Bool) {
        self.name = name
        self.gender = gender
        self.birthday = birthday
        self.email = email
        self.address = address
        self.profile = profile
        self.notes = notes
        self.consentSMS = consentSMS
        self.consentEmail = consentEmail
        self.consentPhone = consentPhone
    }
}

extension Store {
    public func updateProfile(memberId: Int64, _ u: ProfileUpdate, actor: String) async throws {
        let name = u.name.trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty, name.count <= 50 else {
            throw DomainError.invalid("name", "name.required", zh: "请填写姓名（最多50字）", en: "name is required (at most 50 characters)")
        }
        if let email = u.email, !email.isEmpty, !email.contains("@") {
            throw DomainError.invalid("email", "email.format", zh: "邮箱格式不正确", en: "email is not a valid address")
        }
        let profile = try encodeJSON(u.profile)
        let nowMs = epochMillis(self.now)
        let (_, programme) = try await self.programme()
        try await write { tx in
            let lock = tx.storeDialect.forUpdate
            guard let before = try await tx.sql.row("""
                SELECT consent_sms, consent_email, consent_phone FROM members WHERE id = \(bind: memberId)\(unsafeRaw: lock)
                """) else {
                throw DomainError(.notFound, field: nil, rule: "member.exists", zh: "会员不存在", en: "member not found")
            }
            let beforeValues = try await self.personalValues(tx.sql, memberId: memberId)
            try await tx.sql.exec("""
                UPDATE members SET name = \(bind: name), gender = \(bind: u.gender.rawValue), birthday = \(bind: u.birthday?.description),
                  birth_month = \(bind: u.birthday?.month), birth_day = \(bind: u.birthday?.day), email = \(bind: u.email),
                  address = \(bind: u.address), profile_json = \(bind: profile), notes = \(bind: u.notes),
                  updated_at_ms = \(bind: nowMs)
                WHERE id = \(bind: memberId)
                """)
            // Consent changed at the desk is recorded like the member's own: opt-out or opt-in, and the history.
            for (channel, wanted) in [(MessageChannel.sms, u.consentSMS), (.email, u.consentEmail), (.call, u.consentPhone)]
            where try before.bool(Store.consentColumn(channel)) != wanted {
                try await self.changeConsent(tx, memberId: memberId, channel: channel, granted: wanted, source: .desk,
                                             detail: "profile edit", actor: actor, nowMs: nowMs)
            }
            // Before and after of every personal field changed, with who and why (Store+MemberFieldChanges).
            try await self.recordFieldChanges(tx.sql, memberId: memberId, before: beforeValues,
                                              after: try await self.personalValues(tx.sql, memberId: memberId), method: .edit,
                                              reason: u.reason.trimmingCharacters(in: .whitespacesAndNewlines), actor: actor, nowMs: nowMs)
            try await self.audit(tx, actor: actor, action: "member.update", subject: "member:\(memberId)")
            // Activity points the first time the profile is complete (issue 18), also when the desk completes it.
            try await self.awardProfilePointsIfComplete(tx, memberId: memberId, programme: programme, actor: actor, nowMs: nowMs)
        }
    }

    /// A manager's tier by hand (e.g. an honorary diamond card): shown as manual and ending on its date, after
    /// which the earned tier shows again; it never becomes a floor.
    public func setManualTier(memberId: Int64, tier: String?, until: LocalDate?, reason: String, actor: String) async throws {
        let (_, programme) = try await self.programme()
        if let tier {
            guard programme.tier(tier) != nil else {
                throw DomainError.invalid("tier", "tier.exists", zh: "等级不存在：\(tier)", en: "unknown tier \(tier)")
            }
            guard let until, until >= LocalDate.of(now, in: programme.timeZone) else {
                throw DomainError.invalid("until", "manualTier.until", zh: "请填写不早于今天的截止日期", en: "until must be a date not before today")
            }
        }
        guard !reason.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw DomainError.invalid("reason", "reason.required", zh: "请填写原因", en: "reason is required")
        }
        try await write { tx in
            guard let m = try await tx.sql.row("SELECT earned_tier, manual_tier FROM members WHERE id = \(bind: memberId)") else {
                throw DomainError(.notFound, field: nil, rule: "member.exists", zh: "会员不存在", en: "member not found")
            }
            let nowMs = epochMillis(self.now)
            try await tx.sql.exec("""
                UPDATE members SET manual_tier = \(bind: tier), manual_until_day = \(bind: tier == nil ? nil : until?.dayNumber),
                  manual_reason = \(bind: tier == nil ? nil : reason), updated_at_ms = \(bind: nowMs) WHERE id = \(bind: memberId)
                """)
            let from = try m.optString("manual_tier") ?? m.string("earned_tier")
            try await self.recordTierChange(tx.sql, memberId: memberId, from: from, to: tier ?? m.string("earned_tier"),
                                            kind: tier == nil ? "manualEnd" : "manual",
                                            reason: nil, note: "\(reason)\(until.map { " · 至 \($0)" } ?? "")", purchaseId: nil,
                                            actor: actor, nowMs: nowMs)
            try await self.audit(tx, actor: actor, action: "member.manualTier", subject: "member:\(memberId)", detail: "\(tier ?? "-") \(reason)")
        }
    }

    /// A manager decides a tier request (紫金 vetting).
    public func decideTierRequest(id: Int64, approve: Bool, note: String, actor: String) async throws {
        let (_, programme) = try await self.programme()
        try await write { tx in
            guard let r = try await tx.sql.row("SELECT member_id, tier, reason, status FROM tier_requests WHERE id = \(bind: id)") else {
                throw DomainError(.notFound, field: nil, rule: "tierRequest.exists", zh: "申请不存在", en: "tier request not found")
            }
            guard try r.string("status") == "pending" else {
                throw DomainError(.conflict, field: nil, rule: "tierRequest.pending", zh: "该申请已处理", en: "this request was already decided")
            }
            let nowMs = epochMillis(self.now)
            try await tx.sql.exec("""
                UPDATE tier_requests SET status = \(bind: approve ? "approved" : "rejected"), decided_by = \(bind: actor),
                  decided_at_ms = \(bind: nowMs), note = \(bind: note) WHERE id = \(bind: id)
                """)
            let memberId = try r.int64("member_id")
            if approve {
                let m = try await self.lockMember(tx.sql, memberId)
                let tier = try r.string("tier")
                try await tx.sql.exec("""
                    UPDATE members SET earned_tier = \(bind: tier), tier_since_day = \(bind: LocalDate.of(self.now, in: programme.timeZone).dayNumber),
                      updated_at_ms = \(bind: nowMs) WHERE id = \(bind: memberId)
                    """)
                let reason = try? JSONDecoder().decode(TierReason.self, from: Data(try r.string("reason").utf8))
                try await self.recordTierChange(tx.sql, memberId: memberId, from: m.earnedTier, to: tier, kind: "approval",
                                                reason: reason, purchaseId: nil, actor: actor, nowMs: nowMs)
            }
            try await self.audit(tx, actor: actor, action: approve ? "tierRequest.approve" : "tierRequest.reject",
                                 subject: "member:\(memberId)", detail: note)
        }
    }

    /// Points adjustment by a manager, with a reason; a ledger row like any other change.
    public func adjustPoints(memberId: Int64, points: Int64, reason: String, actor: String) async throws -> Int64 {
        guard points != 0 else {
            throw DomainError.invalid("points", "points.nonZero", zh: "调整积分不能为0", en: "points must not be zero")
        }
        guard !reason.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw DomainError.invalid("reason", "reason.required", zh: "请填写原因", en: "reason is required")
        }
        return try await write { tx in
            let m = try await self.lockMember(tx.sql, memberId)
            // Checked: a balance stored earlier plus an outside number must not trap (issue 14).
            let balance = try Checked.add(m.balance, try Checked.bounded(points, -NumericLimits.maxPoints...NumericLimits.maxPoints, field: "points"), field: "points")
            guard balance >= 0 else {
                throw DomainError.invalid("points", "points.nonNegative", zh: "调整后积分不能为负", en: "the balance must not go below zero")
            }
            let nowMs = epochMillis(self.now)
            try await tx.sql.exec("UPDATE members SET points_balance = \(bind: balance), updated_at_ms = \(bind: nowMs) WHERE id = \(bind: memberId)")
            try await LedgerWriter.write(tx.sql, [NewLedgerEntry(memberId: memberId, kind: .adjust, points: points, balanceAfter: balance,
                                                                 note: reason, actor: actor, atMs: nowMs)])
            try await self.audit(tx, actor: actor, action: "points.adjust", subject: "member:\(memberId)", detail: "\(points) \(reason)")
            return balance
        }
    }

    /// Lost card: blocked at the till until replaced. Replacement: a new number, same member, balance and history.
    public func reportCardLost(memberId: Int64, actor: String) async throws {
        try await write { tx in
            try await tx.sql.exec("UPDATE cards SET state = 'lost', note = '挂失' WHERE member_id = \(bind: memberId) AND state = 'active'")
            try await self.audit(tx, actor: actor, action: "card.lost", subject: "member:\(memberId)")
        }
    }

    public func replaceCard(memberId: Int64, actor: String) async throws -> String {
        let cards = try await programme().programme.cards
        return try await write { tx in
            let nowMs = epochMillis(self.now)
            // An id that names no member is a 404, not a foreign-key failure (a 500) from the card insert.
            guard try await tx.sql.row("SELECT id FROM members WHERE id = \(bind: memberId)") != nil else {
                throw DomainError(.notFound, field: nil, rule: "member.exists", zh: "会员不存在", en: "member not found")
            }
            let newNo = try await self.issueCard(tx, memberId: memberId, preIssued: nil, cards: cards, nowMs: nowMs)
            try await tx.sql.exec("""
                UPDATE cards SET state = 'replaced', replaced_by = \(bind: newNo)
                WHERE member_id = \(bind: memberId) AND card_no <> \(bind: newNo) AND state IN ('active', 'lost')
                """)
            try await self.audit(tx, actor: actor, action: "card.replace", subject: "member:\(memberId)", detail: newNo)
            return newNo
        }
    }
}
