import FluentKit
import Foundation
import MallVIPCore
import SQLKit

extension Store {
    /// Issues a 6-digit sign-in code for `phone` and, when the phone belongs to an active member, sends it at once
    /// through `sender` (a code cannot wait for the outbox worker or quiet hours), recorded in the outbox as a
    /// service message with its status and cost. Phones of non-members get a code row too (never sent) so that
    /// the resend wait and the limits behave alike for everyone. Every request is logged in member_login_attempts.
    /// Only a keyed hash of the code is stored; the text in the outbox is masked.
    ///
    /// `sendInBackground`: answer before the gateway does (the web form uses it), so that a member's phone takes
    /// no longer to answer than anyone else's — the time of the gateway call would otherwise tell members apart.
    public func requestMemberLoginCode(phone: String, ip: String, policy: MemberLoginPolicy,
                                       sender: any MessageSender, sendInBackground: Bool = false) async throws -> MemberCodeRequestOutcome {
        guard Identity.isValidPhone(phone) else {
            throw DomainError.invalid("phone", "phone.format", zh: "手机号格式不正确", en: "phone must be an 11-digit mobile number")
        }
        let programme = try await self.programme().1
        let code = Self.newLoginCode()
        let codeHash = loginCodeHash(phone: phone, code: code)
        let text = "【VIP会员中心】您的登录验证码是 \(code)，\(Int(policy.codeTTL / 60)) 分钟内有效。请勿告诉他人。"
        let nowMs = epochMillis(now)
        let day = "\(LocalDate.of(now, in: programme.timeZone))"
        let windowStart = nowMs - Int64(policy.limitWindow * 1000)
        let issued = try await write { tx -> (MemberCodeRequestOutcome, OutgoingMessage?) in
            let sql = tx.sql
            func log(_ outcome: String, _ memberId: Int64? = nil) async throws {
                try await self.logLoginAttempt(sql, phone: phone, ip: ip, kind: "send", outcome: outcome, memberId: memberId, nowMs: nowMs)
            }
            // Oldest counted send in the window decides when the next one is allowed again.
            let phoneSends = try await Self.sendTimes(sql, column: "phone", value: phone, since: windowStart)
            if phoneSends.count >= policy.codesPerPhone {
                try await log("limited_phone")
                return (.limited(seconds: Self.secondsUntil(phoneSends[phoneSends.count - policy.codesPerPhone], policy, nowMs)), nil)
            }
            let ipSends = try await Self.sendTimes(sql, column: "ip", value: ip, since: windowStart)
            if ipSends.count >= policy.codesPerIP {
                try await log("limited_ip")
                return (.limited(seconds: Self.secondsUntil(ipSends[ipSends.count - policy.codesPerIP], policy, nowMs)), nil)
            }
            if let last = phoneSends.last, nowMs - last < Int64(policy.resendAfter * 1000) {
                try await log("too_soon")
                let wait = (Int64(policy.resendAfter * 1000) - (nowMs - last) + 999) / 1000
                return (.tooSoon(seconds: Int(wait)), nil)
            }
            let member = try await sql.row("SELECT id, status FROM members WHERE phone = \(bind: phone)")
            let memberId: Int64? = try member.flatMap { try $0.string("status") == "active" ? try $0.int64("id") : nil }
            // A new code replaces the earlier ones; codes of past days are of no further use (the attempts stay logged).
            try await sql.exec("UPDATE member_login_codes SET used_at_ms = \(bind: nowMs) WHERE phone = \(bind: phone) AND used_at_ms IS NULL")
            try await sql.exec("DELETE FROM member_login_codes WHERE phone = \(bind: phone) AND created_at_ms < \(bind: nowMs - 86_400_000)")
            var message: OutgoingMessage?
            var outboxId: Int64?
            if let memberId {
                // Recorded before the gateway call as failed ("interrupted"), so a crash mid-call leaves an honest
                // row that no worker will ever pick up and resend with the masked text.
                let masked = text.replacingOccurrences(of: code, with: "******")
                let row = try await sql.row("""
                    INSERT INTO outbox_messages (member_id, channel, purpose, source, source_code, period_key, dedupe_key,
                      body, to_address, status, attempts, next_attempt_at_ms, last_error, cost_fen, created_at_ms, updated_at_ms)
                    VALUES (\(bind: memberId), 'sms', 'service', 'login', 'member-login', \(bind: day),
                      \(bind: "\(memberId)|login|\(nowMs)|\(UUID().uuidString)"), \(bind: masked), \(bind: phone), 'failed', 1,
                      \(bind: nowMs), 'interrupted before the gateway answered', 0, \(bind: nowMs), \(bind: nowMs))
                    RETURNING id
                    """)
                outboxId = try row?.int64("id")
                message = OutgoingMessage(id: outboxId!, memberId: memberId, channel: .sms, purpose: .service, to: phone,
                                          subject: nil, body: text)
            }
            try await sql.exec("""
                INSERT INTO member_login_codes (phone, member_id, code_hash, created_at_ms, expires_at_ms, tries, outbox_id)
                VALUES (\(bind: phone), \(bind: memberId), \(bind: codeHash), \(bind: nowMs),
                  \(bind: nowMs + Int64(policy.codeTTL * 1000)), 0, \(bind: outboxId))
                """)
            try await log(memberId == nil ? "issued_not_member" : "issued", memberId)
            return (.sent, message)
        }
        if let message = issued.1 {
            let cost = programme.messaging.costFen(.sms)
            if sendInBackground {
                Task { await self.deliverLoginCode(message, sender: sender, cost: cost) }
            } else {
                await deliverLoginCode(message, sender: sender, cost: cost)
            }
        }
        return issued.0
    }

    /// Sends and records the outcome on the outbox row. A gateway failure is recorded, not thrown: the member
    /// sees the same page and may ask again after the resend wait.
    func deliverLoginCode(_ message: OutgoingMessage, sender: any MessageSender, cost: Int64) async {
        do {
            let receipt = try await sender.send(message)
            await recordLoginSMS(message.id, status: "sent", provider: receipt.providerId, cost: cost, error: nil)
        } catch {
            let reason = (error as? OutboxError).map(\.description) ?? String(describing: error)
            await recordLoginSMS(message.id, status: "failed", provider: nil, cost: 0, error: String(reason.prefix(500)))
        }
    }

    private func recordLoginSMS(_ id: Int64, status: String, provider: String?, cost: Int64, error: String?) async {
        let nowMs = epochMillis(now)
        _ = try? await write { tx in
            try await tx.sql.exec("""
                UPDATE outbox_messages SET status = \(bind: status), provider_id = \(bind: provider), cost_fen = \(bind: cost),
                  sent_at_ms = \(bind: status == "sent" ? nowMs : nil), last_error = \(bind: error), updated_at_ms = \(bind: nowMs)
                WHERE id = \(bind: id)
                """)
        }
    }

    /// Checks a code against the phone's live code. Success uses the code up and starts a session (token and CSRF
    /// hashes from the caller) in the same transaction. Every entry is logged; a wrong one counts against the code.
    public func verifyMemberLoginCode(phone: String, code: String, ip: String, policy: MemberLoginPolicy,
                                      sessionTokenHash: String, csrf: String) async throws -> MemberCodeVerifyOutcome {
        let nowMs = epochMillis(now)
        let windowStart = nowMs - Int64(policy.limitWindow * 1000)
        let codeHash = loginCodeHash(phone: phone, code: code)
        return try await write { tx in
            let sql = tx.sql
            func log(_ outcome: String, _ memberId: Int64? = nil) async throws {
                try await self.logLoginAttempt(sql, phone: phone, ip: ip, kind: "verify", outcome: outcome, memberId: memberId, nowMs: nowMs)
            }
            let ipTries = try await sql.rows("""
                SELECT at_ms FROM member_login_attempts WHERE ip = \(bind: ip) AND kind = 'verify' AND at_ms > \(bind: windowStart)
                  AND outcome NOT LIKE 'limited%' ORDER BY at_ms
                """).map { try $0.int64("at_ms") }
            if ipTries.count >= policy.verifiesPerIP {
                try await log("limited_ip")
                return .limited(seconds: Self.secondsUntil(ipTries[ipTries.count - policy.verifiesPerIP], policy, nowMs))
            }
            let lock = sql.storeDialect.forUpdate
            guard let row = try await sql.row("""
                SELECT id, member_id, code_hash, expires_at_ms, tries FROM member_login_codes
                WHERE phone = \(bind: phone) AND used_at_ms IS NULL ORDER BY id DESC LIMIT 1\(unsafeRaw: lock)
                """) else {
                try await log("no_code")
                return .noCode
            }
            let id = try row.int64("id"), tries = try row.int("tries")
            let memberId = try row.optInt64("member_id")
            if try row.int64("expires_at_ms") <= nowMs {
                try await log("expired", memberId)
                return .expired
            }
            if tries >= policy.maxTries {
                try await log("too_many_tries", memberId)
                return .tooManyTries
            }
            let active = try await memberId.asyncFlatMap { id in
                try await sql.row("SELECT id FROM members WHERE id = \(bind: id) AND status = 'active'") != nil ? id : nil
            }
            guard let active, constantTimeEquals(try row.string("code_hash"), codeHash) else {
                try await sql.exec("UPDATE member_login_codes SET tries = tries + 1 WHERE id = \(bind: id)")
                try await log("wrong", memberId)
                return .wrong(triesLeft: max(0, policy.maxTries - tries - 1))
            }
            try await sql.exec("UPDATE member_login_codes SET used_at_ms = \(bind: nowMs), tries = tries + 1 WHERE id = \(bind: id)")
            try await log("ok", active)
            try await self.insertMemberSession(tx, memberId: active, tokenHash: sessionTokenHash, csrf: csrf, ttl: policy.sessionTTL)
            return .signedIn(memberId: active)
        }
    }

    /// Keyed with the data key, so a copy of the table does not give the codes away (a plain hash of six digits
    /// is reversed by trying all of them).
    func loginCodeHash(phone: String, code: String) -> String {
        env.cipher.hash("member-login|\(phone)|\(code)")
    }

    static func newLoginCode() -> String {
        var rng = SystemRandomNumberGenerator()
        return String(format: "%06d", Int.random(in: 0..<1_000_000, using: &rng))
    }

    func logLoginAttempt(_ sql: any SQLDatabase, phone: String, ip: String, kind: String, outcome: String,
                         memberId: Int64?, nowMs: Int64) async throws {
        try await sql.exec("""
            INSERT INTO member_login_attempts (phone, ip, kind, outcome, member_id, at_ms)
            VALUES (\(bind: String(phone.prefix(32))), \(bind: String(ip.prefix(64))), \(bind: kind), \(bind: outcome),
              \(bind: memberId), \(bind: nowMs))
            """)
    }

    /// Times of the codes issued in the window for one phone or IP, oldest first.
    static func sendTimes(_ sql: any SQLDatabase, column: String, value: String, since: Int64) async throws -> [Int64] {
        try await sql.rows("""
            SELECT at_ms FROM member_login_attempts WHERE \(ident: column) = \(bind: value) AND kind = 'send'
              AND outcome IN ('issued', 'issued_not_member') AND at_ms > \(bind: since) ORDER BY at_ms
            """).map { try $0.int64("at_ms") }
    }

    static func secondsUntil(_ oldestCounted: Int64, _ policy: MemberLoginPolicy, _ nowMs: Int64) -> Int {
        Int(max(1, (oldestCounted + Int64(policy.limitWindow * 1000) - nowMs + 999) / 1000))
    }
}

private func constantTimeEquals(_ a: String, _ b: String) -> Bool {
    let x = Array(a.utf8), y = Array(b.utf8)
    guard x.count == y.count else { return false }
    return zip(x, y).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
}

private extension Optional {
    func asyncFlatMap<U>(_ f: (Wrapped) async throws -> U?) async rethrows -> U? {
        guard let w = self else { return nil }
        return try await f(w)
    }
}
