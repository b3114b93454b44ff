import FluentKit
import Foundation
import MallVIPCore
import SQLKit

/// What a one-time verification code checks: a new phone number before it replaces the old one, or the holder of
/// a card before it is replaced (the code goes to the phone on file).
public enum VerifyPurpose: String, Sendable {
    case phone, card
}

/// The answer to "send a code".
public enum VerifyCodeSendOutcome: Sendable, Equatable {
    /// Handed to the SMS gateway; `to` is the number, masked.
    case sent(to: String)
    /// The gateway refused or is not configured: the desk may use the other check (or, for a phone, a manager).
    case failed(reason: String)
    /// A code went out less than `resendAfter` ago.
    case tooSoon(seconds: Int)
}

/// How the holder of a card is checked before it is replaced (docs/domain.md §2.2: "replaced, with the ID checked").
public enum HolderCheck: Sendable, Equatable {
    /// The national ID number the holder shows, matched against the keyed hash on file.
    case idNumber(String)
    /// The code sent to the phone on file (`requestCardReplaceCode`).
    case phoneCode(String)
}

/// Corrections at the desk (issue 17): the phone by an SMS code to the new number or a manager's override, the
/// national ID added or corrected, a lost card replaced only after the holder is checked. One person, one card
/// holds throughout: a phone or ID number of another member is refused, naming the rule. Every change is recorded
/// before and after (`member_field_changes`) and audited; the `member.updated` webhook fires from the members
/// trigger (migration 023 watches phone and id_hash).
extension Store {
    // MARK: Phone

    /// Sends a code to `newPhone` for member `memberId` (desk or the member's own page). Refused: a malformed
    /// number, the member's own number, a number of another member (one person, one card).
    public func requestPhoneChangeCode(memberId: Int64, newPhone: String, policy: MemberLoginPolicy, sender: any MessageSender,
                                       actor: String) async throws -> VerifyCodeSendOutcome {
        try await checkNewPhone(memberId: memberId, newPhone)
        return try await sendVerifyCode(memberId: memberId, purpose: .phone, to: newPhone, policy: policy, sender: sender, actor: actor,
                                        text: { "【VIP会员中心】您正在更换会员手机号，验证码 \($0)，\(Int(policy.codeTTL / 60)) 分钟内有效。如非本人操作请忽略。" })
    }

    /// Changes the phone when `code` is the live code sent to `newPhone` for this member. A wrong code counts
    /// against it (committed, then refused); a used, replaced or never-sent code is "no code"; an expired one says so.
    public func confirmPhoneChange(memberId: Int64, newPhone: String, code: String, policy: MemberLoginPolicy, actor: String,
                                   reason: String = "", method: FieldChangeMethod = .code) async throws {
        let phone = newPhone.filter { !$0.isWhitespace }
        try await checkNewPhone(memberId: memberId, phone)
        let nowMs = epochMillis(now)
        let outcome = try await uniquePhone(phone) {
            try await self.write { tx -> VerifyCodeCheck in
                let check = try await self.useVerifyCode(tx.sql, memberId: memberId, purpose: .phone, phone: phone, code: code,
                                                         policy: policy, nowMs: nowMs)
                guard check == .ok else { return check }
                try await self.applyPhone(tx, memberId: memberId, phone: phone, method: method, reason: reason, actor: actor, nowMs: nowMs)
                return .ok
            }
        }
        try outcome.throwUnlessOK()
    }

    /// A manager's override: the phone changes without a code, with a reason (the role is the caller's check).
    public func overridePhone(memberId: Int64, newPhone: String, reason: String, actor: String) async throws {
        let phone = newPhone.filter { !$0.isWhitespace }
        let why = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !why.isEmpty else {
            throw DomainError.invalid("reason", "reason.required", zh: "经理特批须填写原因", en: "reason is required for a manager's override")
        }
        try await checkNewPhone(memberId: memberId, phone)
        let nowMs = epochMillis(now)
        try await uniquePhone(phone) {
            try await self.write { tx in
                try await self.applyPhone(tx, memberId: memberId, phone: phone, method: .override, reason: why, actor: actor, nowMs: nowMs)
            }
        }
    }

    func checkNewPhone(memberId: Int64, _ phone: String) async throws {
        guard Identity.isValidPhone(phone) else {
            throw DomainError.invalid("phone", "phone.format", zh: "新手机号格式不正确", en: "phone must be an 11-digit mobile number")
        }
        guard let m = try await sql.row("SELECT phone, status FROM members WHERE id = \(bind: memberId)") else {
            throw DomainError(.notFound, field: nil, rule: "member.exists", zh: "会员不存在", en: "member not found")
        }
        guard try m.string("status") == "active" else {
            throw DomainError.invalid("member", "member.active", zh: "该会员已停用或注销", en: "the member is not active")
        }
        guard try m.string("phone") != phone else {
            throw DomainError.invalid("phone", "phone.unchanged", zh: "新手机号与原手机号相同", en: "phone is the member's current number")
        }
        if try await sql.row("SELECT id FROM members WHERE phone = \(bind: phone) AND id <> \(bind: memberId)") != nil {
            throw Self.phoneTaken
        }
    }

    static let phoneTaken = DomainError(.conflict, field: "phone", rule: "member.phone.unique",
                                        zh: "该手机号已属于另一位会员（一人一卡）", en: "phone already belongs to another member (one person, one card)")
    static let idNumberTaken = DomainError(.conflict, field: "idNumber", rule: "member.idNumber.unique",
                                           zh: "该身份证号已属于另一位会员（一人一卡）", en: "idNumber already belongs to another member (one person, one card)")

    /// Two desks giving one number at once: the unique index decides, and the loser hears the rule, not a 500.
    @discardableResult
    func uniquePhone<T>(_ phone: String, _ body: () async throws -> T) async throws -> T {
        do { return try await body() } catch where isUniqueViolation(error) { throw Self.phoneTaken }
    }

    func applyPhone(_ tx: any Database, memberId: Int64, phone: String, method: FieldChangeMethod, reason: String, actor: String,
                    nowMs: Int64) async throws {
        let before = try await personalValues(tx.sql, memberId: memberId)
        try await tx.sql.exec("UPDATE members SET phone = \(bind: phone), updated_at_ms = \(bind: nowMs) WHERE id = \(bind: memberId)")
        var after = before
        after[.phone] = phone
        try await recordFieldChanges(tx.sql, memberId: memberId, before: before, after: after, method: method, reason: reason,
                                     actor: actor, nowMs: nowMs)
        try await audit(tx, actor: actor, action: "member.phoneChange", subject: "member:\(memberId)",
                        detail: "\(method.rawValue) \(Identity.maskPhone(before[.phone] ?? "")) → \(Identity.maskPhone(phone))"
                            + (reason.isEmpty ? "" : " \(reason.prefix(200))"))
    }

    // MARK: National ID

    /// Adds the national ID number, or corrects it (a correction needs a reason). Stored as enrolment stores it:
    /// encrypted, with its keyed hash (the one-person-one-card check) and the masked form.
    public func setNationalID(memberId: Int64, idNumber: String, reason: String, actor: String) async throws {
        let id = idNumber.filter { !$0.isWhitespace }.uppercased()
        guard Identity.isValidNationalID(id) else {
            throw DomainError.invalid("idNumber", "idNumber.format", zh: "身份证号码无效", en: "idNumber is not a valid 18-character national ID number")
        }
        let why = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        let hash = env.cipher.hash(id)
        let cipher = try env.cipher.encrypt(id)
        let nowMs = epochMillis(now)
        do {
            try await write { tx in
                guard let m = try await tx.sql.row("SELECT id_hash, status FROM members WHERE id = \(bind: memberId)\(unsafeRaw: tx.storeDialect.forUpdate)") else {
                    throw DomainError(.notFound, field: nil, rule: "member.exists", zh: "会员不存在", en: "member not found")
                }
                guard try m.string("status") == "active" else {
                    throw DomainError.invalid("member", "member.active", zh: "该会员已停用或注销", en: "the member is not active")
                }
                let current = try m.optString("id_hash")
                if current == hash {
                    throw DomainError.invalid("idNumber", "idNumber.unchanged", zh: "与已登记的身份证号相同", en: "idNumber is the one on file")
                }
                if current != nil, why.isEmpty {
                    throw DomainError.invalid("reason", "reason.required", zh: "更正身份证号须填写原因", en: "reason is required to correct the national ID")
                }
                if try await tx.sql.row("SELECT id FROM members WHERE id_hash = \(bind: hash) AND id <> \(bind: memberId)") != nil {
                    throw Self.idNumberTaken
                }
                let before = try await self.personalValues(tx.sql, memberId: memberId)
                try await tx.sql.exec("""
                    UPDATE members SET id_hash = \(bind: hash), id_cipher = \(bind: cipher), id_masked = \(bind: Identity.maskNationalID(id)),
                      updated_at_ms = \(bind: nowMs) WHERE id = \(bind: memberId)
                    """)
                var after = before
                after[.idNumber] = Identity.maskNationalID(id)
                try await self.recordFieldChanges(tx.sql, memberId: memberId, before: before, after: after, method: .idNumber,
                                                  reason: why, actor: actor, nowMs: nowMs)
                try await self.audit(tx, actor: actor, action: current == nil ? "member.idNumberAdd" : "member.idNumberCorrect",
                                     subject: "member:\(memberId)", detail: why)
            }
        } catch where isUniqueViolation(error) {
            throw Self.idNumberTaken
        }
    }

    // MARK: Card replacement

    /// Sends a code to the phone on file, for the holder check of a card replacement.
    public func requestCardReplaceCode(memberId: Int64, policy: MemberLoginPolicy, sender: any MessageSender,
                                       actor: String) async throws -> VerifyCodeSendOutcome {
        guard let m = try await sql.row("SELECT phone, status FROM members WHERE id = \(bind: memberId)") else {
            throw DomainError(.notFound, field: nil, rule: "member.exists", zh: "会员不存在", en: "member not found")
        }
        guard try m.string("status") == "active" else {
            throw DomainError.invalid("member", "member.active", zh: "该会员已停用或注销", en: "the member is not active")
        }
        return try await sendVerifyCode(memberId: memberId, purpose: .card, to: try m.string("phone"), policy: policy, sender: sender,
                                        actor: actor, text: { "【VIP会员中心】您正在补办会员卡，验证码 \($0)，\(Int(policy.codeTTL / 60)) 分钟内有效。如非本人操作请勿告诉他人。" })
    }

    /// Replaces the card once the holder is checked: the ID number matches the one on file, or the code sent to
    /// the phone on file is right. Refused otherwise, naming the rule (`card.replace.holderCheck`).
    public func replaceCardChecked(memberId: Int64, check: HolderCheck, policy: MemberLoginPolicy, actor: String) async throws -> String {
        guard let m = try await sql.row("SELECT phone, id_hash, status FROM members WHERE id = \(bind: memberId)") else {
            throw DomainError(.notFound, field: nil, rule: "member.exists", zh: "会员不存在", en: "member not found")
        }
        guard try m.string("status") == "active" else {
            throw DomainError.invalid("member", "member.active", zh: "该会员已停用或注销", en: "the member is not active")
        }
        let how: String
        switch check {
        case .idNumber(let given):
            let id = given.filter { !$0.isWhitespace }.uppercased()
            guard let onFile = try m.optString("id_hash") else {
                throw DomainError.invalid("idNumber", "card.replace.holderCheck",
                                          zh: "该会员未登记身份证号，请用手机验证码核实本人后补卡",
                                          en: "no national ID on file: check the holder with a code to their phone")
            }
            guard !id.isEmpty, env.cipher.hash(id) == onFile else {
                throw DomainError.invalid("idNumber", "card.replace.holderCheck", zh: "身份证号与登记的不符，核实本人后才能补卡",
                                          en: "idNumber does not match the one on file: the holder must be checked before a card is replaced")
            }
            how = "idNumber"
        case .phoneCode(let code):
            let phone = try m.string("phone")
            let nowMs = epochMillis(now)
            let outcome = try await write { tx in
                try await self.useVerifyCode(tx.sql, memberId: memberId, purpose: .card, phone: phone, code: code, policy: policy, nowMs: nowMs)
            }
            try outcome.throwUnlessOK()
            how = "phoneCode"
        }
        let newNo = try await replaceCard(memberId: memberId, actor: actor)
        try await audit(actor: actor, action: "card.replace.holderChecked", subject: "member:\(memberId)", detail: "\(how) \(newNo)")
        return newNo
    }

    // MARK: Codes

    /// Issues a code and sends it at once through `sender` (the member sign-in's way: an outbox row recorded as
    /// interrupted before the gateway call, then its outcome; the outbox text masked; only a keyed hash kept).
    func sendVerifyCode(memberId: Int64, purpose: VerifyPurpose, to phone: String, policy: MemberLoginPolicy, sender: any MessageSender,
                        actor: String, text: (String) -> String) async throws -> VerifyCodeSendOutcome {
        let programme = try await self.programme().1
        let code = Self.newLoginCode()
        let body = text(code)
        let nowMs = epochMillis(now)
        let day = "\(LocalDate.of(now, in: programme.timeZone))"
        let issued = try await write { tx -> (message: OutgoingMessage?, refused: VerifyCodeSendOutcome?) in
            let sql = tx.sql
            if let last = try await sql.row("""
                SELECT created_at_ms FROM member_verify_codes WHERE member_id = \(bind: memberId) AND purpose = \(bind: purpose.rawValue)
                  AND phone = \(bind: phone) ORDER BY id DESC LIMIT 1
                """), nowMs - (try last.int64("created_at_ms")) < Int64(policy.resendAfter * 1000) {
                let wait = (Int64(policy.resendAfter * 1000) - (nowMs - (try last.int64("created_at_ms"))) + 999) / 1000
                return (nil, .tooSoon(seconds: Int(wait)))
            }
            // At most `codesPerPhone` codes per member and purpose in the window, whatever the numbers: a signed-in
            // member (or a clerk) cannot use the form to send SMS to number after number.
            let recent = try await sql.rows("""
                SELECT created_at_ms FROM member_verify_codes WHERE member_id = \(bind: memberId) AND purpose = \(bind: purpose.rawValue)
                  AND created_at_ms > \(bind: nowMs - Int64(policy.limitWindow * 1000)) ORDER BY created_at_ms
                """).map { try $0.int64("created_at_ms") }
            if recent.count >= policy.codesPerPhone {
                return (nil, .tooSoon(seconds: Self.secondsUntil(recent[recent.count - policy.codesPerPhone], policy, nowMs)))
            }
            // A new code replaces the earlier ones of this purpose.
            try await sql.exec("""
                UPDATE member_verify_codes SET used_at_ms = \(bind: nowMs)
                WHERE member_id = \(bind: memberId) AND purpose = \(bind: purpose.rawValue) AND used_at_ms IS NULL
                """)
            let row = try await sql.row("""
                INSERT INTO outbox_messages (member_id, channel, purpose, source, source_code, period_key, dedupe_key,
                  body, to_address, status, attempts, next_attempt_at_ms, last_error, cost_fen, created_at_ms, updated_at_ms)
                VALUES (\(bind: memberId), 'sms', 'service', 'verify', \(bind: "member-verify-\(purpose.rawValue)"), \(bind: day),
                  \(bind: "\(memberId)|verify|\(nowMs)|\(UUID().uuidString)"), \(bind: body.replacingOccurrences(of: code, with: "******")),
                  \(bind: phone), 'failed', 1, \(bind: nowMs), 'interrupted before the gateway answered', 0, \(bind: nowMs), \(bind: nowMs))
                RETURNING id
                """)
            let outboxId = try row!.int64("id")
            try await sql.exec("""
                INSERT INTO member_verify_codes (member_id, purpose, phone, code_hash, created_at_ms, expires_at_ms, tries, outbox_id, requested_by)
                VALUES (\(bind: memberId), \(bind: purpose.rawValue), \(bind: phone), \(bind: self.verifyCodeHash(memberId, purpose, phone, code)),
                  \(bind: nowMs), \(bind: nowMs + Int64(policy.codeTTL * 1000)), 0, \(bind: outboxId), \(bind: actor))
                """)
            try await self.audit(tx, actor: actor, action: "member.verifyCode", subject: "member:\(memberId)",
                                 detail: "\(purpose.rawValue) \(Identity.maskPhone(phone))")
            return (OutgoingMessage(id: outboxId, memberId: memberId, channel: .sms, purpose: .service, to: phone, subject: nil, body: body), nil)
        }
        guard let message = issued.message else { return issued.refused ?? .failed(reason: "not sent") }
        await deliverLoginCode(message, sender: sender, cost: programme.messaging.costFen(.sms))
        let row = try await sql.row("SELECT status, last_error FROM outbox_messages WHERE id = \(bind: message.id)")
        if let row, try row.string("status") != "sent" {
            return .failed(reason: try row.optString("last_error") ?? "not sent")
        }
        return .sent(to: Identity.maskPhone(phone))
    }

    /// Checks `code` against the live code of this member, purpose and phone, in the caller's transaction: a
    /// right one is used up, a wrong one counts a try. The caller commits either way and refuses afterwards.
    func useVerifyCode(_ sql: any SQLDatabase, memberId: Int64, purpose: VerifyPurpose, phone: String, code: String,
                       policy: MemberLoginPolicy, nowMs: Int64) async throws -> VerifyCodeCheck {
        let entered = String(code.filter { !$0.isWhitespace }.prefix(12))
        guard let row = try await sql.row("""
            SELECT id, code_hash, expires_at_ms, tries FROM member_verify_codes
            WHERE member_id = \(bind: memberId) AND purpose = \(bind: purpose.rawValue) AND phone = \(bind: phone) AND used_at_ms IS NULL
            ORDER BY id DESC LIMIT 1\(unsafeRaw: sql.storeDialect.forUpdate)
            """) else { return .noCode }
        let id = try row.int64("id"), tries = try row.int("tries")
        if try row.int64("expires_at_ms") <= nowMs { return .expired }
        if tries >= policy.maxTries { return .tooManyTries }
        guard !entered.isEmpty, constantTimeEqualStrings(try row.string("code_hash"), verifyCodeHash(memberId, purpose, phone, entered)) else {
            try await sql.exec("UPDATE member_verify_codes SET tries = tries + 1 WHERE id = \(bind: id)")
            return .wrong(triesLeft: max(0, policy.maxTries - tries - 1))
        }
        try await sql.exec("UPDATE member_verify_codes SET used_at_ms = \(bind: nowMs), tries = tries + 1 WHERE id = \(bind: id)")
        return .ok
    }

    /// Keyed with the data key and bound to member, purpose and number: a code for one cannot serve another.
    func verifyCodeHash(_ memberId: Int64, _ purpose: VerifyPurpose, _ phone: String, _ code: String) -> String {
        env.cipher.hash("member-verify|\(purpose.rawValue)|\(memberId)|\(phone)|\(code)")
    }
}

/// The outcome of checking a verification code.
enum VerifyCodeCheck: Sendable, Equatable {
    case ok, noCode, expired, tooManyTries
    case wrong(triesLeft: Int)

    /// The refusal, naming the field (`code`) and the rule.
    func throwUnlessOK() throws {
        switch self {
        case .ok: return
        case .noCode:
            throw DomainError.invalid("code", "code.none", zh: "验证码无效或已使用，请重新获取", en: "code is not valid or already used: ask for a new one")
        case .expired:
            throw DomainError.invalid("code", "code.expired", zh: "验证码已过期，请重新获取", en: "code has expired: ask for a new one")
        case .tooManyTries, .wrong(triesLeft: 0):
            throw DomainError.invalid("code", "code.tries", zh: "验证码错误次数过多，请重新获取", en: "too many wrong codes: ask for a new one")
        case .wrong(let left):
            throw DomainError.invalid("code", "code.wrong", zh: "验证码错误，还可尝试 \(left) 次", en: "code is wrong: \(left) tries left")
        }
    }
}

private func constantTimeEqualStrings(_ a: String, _ b: String) -> Bool {
    let x = Array(a.utf8), y = Array(b.utf8)
    guard x.count == y.count else { return false }
    return zip(x, y).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
}
