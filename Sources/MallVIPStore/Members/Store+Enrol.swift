import FluentKit
import Foundation
import MallVIPCore
import SQLKit

extension Store {
    /// Enrols a person if the programme's rules allow it, judged on purchases already recorded for the phone
    /// (non-member purchases may carry it) and the receipts named. One person, one card: phone and national ID
    /// must be new. The qualifying receipts are credited to the new member (points and rolling spend).
    public func enrol(_ req: EnrolmentRequest, actor: String, mallId: Int64?) async throws -> EnrolmentResult {
        let (_, programme) = try await self.programme()
        let name = req.name.trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty, name.count <= 50 else {
            throw DomainError.invalid("name", "name.required", zh: "请填写姓名（最多50字）", en: "name is required (at most 50 characters)")
        }
        guard Identity.isValidPhone(req.phone) else {
            throw DomainError.invalid("phone", "phone.format", zh: "手机号格式不正确", en: "phone must be an 11-digit mobile number")
        }
        if let id = req.idNumber, !Identity.isValidNationalID(id) {
            throw DomainError.invalid("idNumber", "idNumber.format", zh: "身份证号码无效", en: "idNumber is not a valid 18-character national ID number")
        }
        if let b = req.birthday, b > LocalDate.of(now, in: programme.timeZone) {
            throw DomainError.invalid("birthday", "birthday.past", zh: "生日不能晚于今天", en: "birthday must not be in the future")
        }
        if let email = req.email, !email.isEmpty, !(email.contains("@") && email.count <= 254) {
            throw DomainError.invalid("email", "email.format", zh: "邮箱格式不正确", en: "email is not a valid address")
        }
        if req.receipts.count > 50 {
            throw DomainError.invalid("receipts", "receipts.max", zh: "小票最多50张", en: "receipts must not list more than 50 receipts")
        }
        let idHash = req.idNumber.map { env.cipher.hash($0) }
        try await checkUnique(phone: req.phone, idHash: idHash)
        let referrer = try await referrer(code: req.referralCode)

        let today = LocalDate.of(now, in: programme.timeZone)
        let candidates = try await qualifyingReceipts(phone: req.phone, named: req.receipts)
        let decision = programme.enrolment.evaluate(candidates.map(\.receipt), on: today, programme: programme)
        var rule: String, tier: String, used: [String]
        switch decision {
        case .eligible(let r, let t, let receipts):
            (rule, tier, used) = (r, t, receipts)
        case .notEligible(let error):
            guard let reason = req.overrideReason?.trimmingCharacters(in: .whitespaces), !reason.isEmpty else { throw error }
            (rule, tier, used) = ("override", programme.entryTier.code, [])
        }
        if req.overrideReason?.isEmpty == false, rule != "override" { rule += " (override noted)" }
        let (entryTier, ruleName, usedReceipts) = (tier, rule, used)
        let credit = candidates.filter { $0.memberId == nil }
        let nowMs = epochMillis(now)

        do {
            return try await write { tx in
                let sql = tx.sql
                // The one member-creation path (shared with the import): member, card, enrol tier change, referral code.
                let created = try await self.createMembers(tx, [NewMember(
                    name: name, gender: req.gender, birthday: req.birthday, phone: req.phone, email: req.email, address: req.address,
                    idNumber: req.idNumber, consentSMS: req.consentSMS, consentEmail: req.consentEmail, consentPhone: req.consentPhone,
                    tier: entryTier, tierSinceDay: today.dayNumber, enrolledAtMs: nowMs, enrolledDay: today.dayNumber, mallId: mallId,
                    rule: ruleName, receipts: usedReceipts.joined(separator: ","), overrideReason: req.overrideReason, enrolledBy: actor,
                    card: req.cardNo.map { .preIssued($0) } ?? .issue, tierNote: ruleName)], cards: programme.cards, actor: actor, nowMs: nowMs)
                let (memberId, cardNo) = created[0]
                // Credit the qualifying non-member receipts: the customer earned these points.
                var balance: Int64 = 0
                for c in credit {
                    let p = try await self.programmes.version(c.programmeVersion, tx)
                    let birthday = req.birthday.map { MonthDay(month: $0.month, day: $0.day) }
                    let earning = p.earning.earn(eligibleFen: c.eligibleNet, context: EarningContext(businessDate: c.receipt.businessDate, birthday: birthday))
                    balance += earning.points
                    try await sql.exec("""
                        UPDATE purchases SET member_id = \(bind: memberId), card_no = \(bind: cardNo), points_earned = \(bind: earning.points),
                          factor_permille = \(bind: earning.factorPermille) WHERE id = \(bind: c.purchaseId) AND member_id IS NULL
                        """)
                    try await sql.exec("UPDATE purchase_lines SET member_id = \(bind: memberId) WHERE purchase_id = \(bind: c.purchaseId)")
                    if earning.points != 0 {
                        try await LedgerWriter.write(sql, [NewLedgerEntry(
                            memberId: memberId, kind: .earn, points: earning.points, balanceAfter: balance, purchase: .id(c.purchaseId),
                            note: "\(c.receipt.receiptNo) · 办卡前消费", actor: actor, atMs: nowMs)])
                    }
                    try await self.addDailySpend(sql, memberId: memberId, mallId: c.mallId, day: c.receipt.businessDate,
                                                 amount: c.receipt.amountFen, purchases: 1)
                    try await self.creditReportAggregates(sql, purchaseId: c.purchaseId, memberId: memberId, mallId: c.mallId,
                                                          day: c.receipt.businessDate, policy: programme.reports)
                }
                try await self.startReferrals(sql, memberId: memberId, referrer: referrer, nowMs: nowMs)
                try await self.creditProspectConversion(sql, memberId: memberId, phone: req.phone, nowMs: nowMs, day: today)
                var tier = entryTier
                // Spend already credited may reach a higher tier at once.
                let spend = try await self.rollingSpend(sql, memberId: memberId, endingOn: today, windows: programme.tierWindows)
                let evaluation = programme.evaluateTier(spend: spend, floor: tier)
                if evaluation.tier != tier {
                    try await self.recordTierChange(sql, memberId: memberId, from: tier, to: evaluation.tier, kind: "upgrade",
                                                    reason: evaluation.reason, purchaseId: nil, actor: actor, nowMs: nowMs)
                    tier = evaluation.tier
                }
                try await sql.exec("UPDATE members SET points_balance = \(bind: balance), earned_tier = \(bind: tier) WHERE id = \(bind: memberId)")
                try await self.audit(tx, actor: actor, action: "member.enrol", subject: "member:\(memberId)",
                                     detail: "\(ruleName) \(req.overrideReason.map { "override: \($0)" } ?? "")")
                return EnrolmentResult(memberId: memberId, cardNo: cardNo, tier: tier, rule: ruleName, pointsBalance: balance)
            }
        } catch where isUniqueViolation(error) {
            try await checkUnique(phone: req.phone, idHash: idHash)
            throw error
        }
    }

    func checkUnique(phone: String, idHash: String?) async throws {
        if try await sql.row("SELECT id FROM members WHERE phone = \(bind: phone)") != nil {
            throw DomainError(.conflict, field: "phone", rule: "member.phone.unique", zh: "该手机号已是会员（一人一卡）",
                              en: "phone already belongs to a member (one person, one card)")
        }
        if let idHash, try await sql.row("SELECT id FROM members WHERE id_hash = \(bind: idHash)") != nil {
            throw DomainError(.conflict, field: "idNumber", rule: "member.idNumber.unique", zh: "该身份证号已办理会员卡（一人一卡）",
                              en: "idNumber already belongs to a member (one person, one card)")
        }
    }

    struct Candidate: Sendable {
        var purchaseId: Int64
        var mallId: Int64
        var memberId: Int64?
        var programmeVersion: Int
        var eligibleNet: Int64
        var receipt: QualifyingReceipt
    }

    /// Non-member purchases carrying this phone, plus the receipts named (which must not belong to a member).
    func qualifyingReceipts(phone: String, named: [String]) async throws -> [Candidate] {
        func candidate(_ r: any SQLRow) throws -> Candidate {
            Candidate(purchaseId: try r.int64("id"), mallId: try r.int64("mall_id"), memberId: try r.optInt64("member_id"),
                      programmeVersion: try r.int("programme_version"),
                      eligibleNet: try r.int64("eligible_fen") - r.int64("refunded_eligible_fen"),
                      receipt: QualifyingReceipt(receiptNo: try r.string("receipt_no"), businessDate: LocalDate(dayNumber: try r.int("business_day")),
                                                 amountFen: try r.int64("total_fen") - r.int64("refunded_fen")))
        }
        let columns = "id, mall_id, member_id, programme_version, receipt_no, business_day, total_fen, refunded_fen, eligible_fen, refunded_eligible_fen"
        var found = try await sql.rows("SELECT \(unsafeRaw: columns) FROM purchases WHERE phone = \(bind: phone) AND member_id IS NULL").map(candidate)
        for (i, receiptNo) in named.enumerated() where !found.contains(where: { $0.receipt.receiptNo == receiptNo }) {
            // The slip names no mall: one probe of the unique (mall_id, receipt_no) index per mall (migration 044).
            let rows = try await sql.rows("""
                SELECT \(unsafeRaw: columns) FROM purchases WHERE mall_id IN (SELECT id FROM malls) AND receipt_no = \(bind: receiptNo) ORDER BY id
                """)
            guard !rows.isEmpty else {
                throw DomainError(.notFound, field: "receipts[\(i)]", rule: "receipt.exists", zh: "小票不存在：\(receiptNo)", en: "unknown receipt \(receiptNo)")
            }
            let matches = try rows.map(candidate)
            guard let free = matches.first(where: { $0.memberId == nil }) else {
                throw DomainError(.conflict, field: "receipts[\(i)]", rule: "receipt.member", zh: "小票 \(receiptNo) 已计入其他会员",
                                  en: "receipt \(receiptNo) already belongs to a member")
            }
            found.append(free)
        }
        return found
    }

    /// Activates a pre-issued card or makes a new number with a check digit.
    func issueCard(_ tx: any Database, memberId: Int64, preIssued: String?, cards: CardPolicy, nowMs: Int64) async throws -> String {
        let sql = tx.sql
        if let preIssued {
            guard let row = try await sql.row("SELECT id, state, member_id FROM cards WHERE card_no = \(bind: preIssued)") else {
                throw DomainError(.notFound, field: "cardNo", rule: "card.exists", zh: "卡号不存在：\(preIssued)", en: "unknown card \(preIssued)")
            }
            guard try row.string("state") == CardState.inactive.rawValue, try row.optInt64("member_id") == nil else {
                throw DomainError(.conflict, field: "cardNo", rule: "card.inactive", zh: "此卡不是未激活的空白卡", en: "card \(preIssued) is not an unassigned inactive card")
            }
            try await sql.exec("""
                UPDATE cards SET member_id = \(bind: memberId), state = 'active', activated_at_ms = \(bind: nowMs) WHERE id = \(bind: try row.int64("id"))
                """)
            return preIssued
        }
        let row = try await sql.row("""
            INSERT INTO cards (member_id, card_no, state, issued_at_ms, activated_at_ms, note)
            VALUES (\(bind: memberId), \(bind: "pending-\(memberId)-\(nowMs)"), 'active', \(bind: nowMs), \(bind: nowMs), '') RETURNING id
            """)!
        let id = try row.int64("id")
        let cardNo = cards.number(serial: id)
        try await sql.exec("UPDATE cards SET card_no = \(bind: cardNo) WHERE id = \(bind: id)")
        return cardNo
    }

    /// Cards handed out in advance (community stands): numbers exist, nobody holds them until activated.
    public func issueInactiveCards(count: Int, actor: String) async throws -> [String] {
        guard (1...1000).contains(count) else {
            throw DomainError.invalid("count", "count.range", zh: "数量须在1–1000之间", en: "count must be between 1 and 1000")
        }
        // Read before the transaction: on SQLite the transaction holds the only connection.
        let cards = try await programme().programme.cards
        return try await write { tx in
            var out: [String] = []
            let nowMs = epochMillis(self.now)
            for i in 0..<count {
                let row = try await tx.sql.row("""
                    INSERT INTO cards (member_id, card_no, state, issued_at_ms, note)
                    VALUES (NULL, \(bind: "pending-\(nowMs)-\(i)"), 'inactive', \(bind: nowMs), '预制卡') RETURNING id
                    """)!
                let id = try row.int64("id")
                let no = cards.number(serial: id)
                try await tx.sql.exec("UPDATE cards SET card_no = \(bind: no) WHERE id = \(bind: id)")
                out.append(no)
            }
            try await self.audit(tx, actor: actor, action: "card.issueInactive", subject: "\(count) cards", detail: out.first ?? "")
            return out
        }
    }
}
