import FluentKit
import Foundation
import MallVIPCore
import SQLKit

extension Store {
    /// The member's own edit from /m/profile: contact details, sizes and preferences, and the birthday while none
    /// is on file. Audited with the names of the fields changed (never their values).
    public func updateOwnProfile(memberId: Int64, _ e: MemberSelfEdit) async throws {
        let email = Self.cleaned(e.email), address = Self.cleaned(e.address)
        if let email, email.count > 100 || !Self.looksLikeEmail(email) {
            throw DomainError.invalid("email", "email.format", zh: "邮箱格式不正确", en: "email is not a valid address")
        }
        if let address, address.count > 200 {
            throw DomainError.invalid("address", "address.length", zh: "地址最多200字", en: "address is at most 200 characters")
        }
        let texts = [("clothingSize", e.clothingSize, 20), ("shoeSize", e.shoeSize, 20), ("preferences", e.preferences, 300),
                     ("hobbies", e.hobbies, 300), ("preferredService", e.preferredService, 300)]
        for (field, value, limit) in texts where value.count > limit {
            throw DomainError.invalid(field, "\(field).length", zh: "最多\(limit)字", en: "at most \(limit) characters")
        }
        let (_, programme) = try await self.programme()
        let today = LocalDate.of(now, in: programme.timeZone)
        if let b = e.birthday, b > today || b.year < 1900 {
            throw DomainError.invalid("birthday", "birthday.range", zh: "生日不正确", en: "birthday must be a past date")
        }
        let nowMs = epochMillis(now)
        try await write { tx in
            let lock = tx.storeDialect.forUpdate
            guard let r = try await tx.sql.row("""
                SELECT birthday, email, address, profile_json FROM members WHERE id = \(bind: memberId) AND status = 'active'\(unsafeRaw: lock)
                """) else {
                throw DomainError(.notFound, field: nil, rule: "member.exists", zh: "会员不存在", en: "member not found")
            }
            let current = try r.optString("birthday")
            var changed: [String] = []
            var birthday = current.flatMap { LocalDate($0) }
            if let b = e.birthday, b != birthday {
                guard current == nil else {
                    throw DomainError.invalid("birthday", "birthday.setOnce", zh: "生日只能设置一次，如需更改请到服务台",
                                              en: "the birthday can be set only once; please ask at the service desk to change it")
                }
                birthday = b
                changed.append("birthday")
            }
            var profile = (try? JSONDecoder().decode(MemberProfile.self, from: Data(try r.string("profile_json").utf8))) ?? MemberProfile()
            let before = profile
            profile.clothingSize = e.clothingSize.trimmingCharacters(in: .whitespacesAndNewlines)
            profile.shoeSize = e.shoeSize.trimmingCharacters(in: .whitespacesAndNewlines)
            profile.preferences = e.preferences.trimmingCharacters(in: .whitespacesAndNewlines)
            profile.hobbies = e.hobbies.trimmingCharacters(in: .whitespacesAndNewlines)
            profile.preferredService = e.preferredService.trimmingCharacters(in: .whitespacesAndNewlines)
            if profile != before { changed.append("profile") }
            if try r.optString("email") != email { changed.append("email") }
            if try r.optString("address") != address { changed.append("address") }
            guard !changed.isEmpty else { return }
            let beforeValues = try await self.personalValues(tx.sql, memberId: memberId)
            try await tx.sql.exec("""
                UPDATE members SET email = \(bind: email), address = \(bind: address), birthday = \(bind: birthday?.description),
                  birth_month = \(bind: birthday?.month), birth_day = \(bind: birthday?.day), profile_json = \(bind: try encodeJSON(profile)),
                  updated_at_ms = \(bind: nowMs)
                WHERE id = \(bind: memberId)
                """)
            // Recorded before and after like the desk's changes (issue 17), the member as the one who changed it.
            try await self.recordFieldChanges(tx.sql, memberId: memberId, before: beforeValues,
                                              after: try await self.personalValues(tx.sql, memberId: memberId), method: .member,
                                              reason: "", actor: "member:\(memberId)", nowMs: nowMs)
            try await self.audit(tx, actor: "member:\(memberId)", action: "member.selfUpdate", subject: "member:\(memberId)",
                                 detail: changed.joined(separator: ","))
            // Activity points the first time the profile is complete (issue 18).
            try await self.awardProfilePointsIfComplete(tx, memberId: memberId, programme: programme, actor: "member:\(memberId)", nowMs: nowMs)
        }
    }

    /// Gives or withdraws one channel's consent. A withdrawal takes effect at once (the outbox re-checks consent
    /// when it sends) and is an opt-out like any other; every change, either way, is kept in `consent_changes`.
    /// Returns false when the consent already was as asked (nothing recorded).
    @discardableResult
    public func setConsent(memberId: Int64, channel: MessageChannel, granted: Bool, source: OptOutSource,
                           detail: String, actor: String) async throws -> Bool {
        guard channel != .wechat else {
            throw DomainError.invalid("channel", "consent.channel", zh: "微信订阅消息由会员在微信中订阅", en: "WeChat subscription messages are consented to in WeChat")
        }
        let column = Store.consentColumn(channel)
        let nowMs = epochMillis(now)
        return try await write { tx in
            let lock = tx.storeDialect.forUpdate
            guard let r = try await tx.sql.row("""
                SELECT \(ident: column) AS consent FROM members WHERE id = \(bind: memberId) AND status = 'active'\(unsafeRaw: lock)
                """) else {
                throw DomainError(.notFound, field: nil, rule: "member.exists", zh: "会员不存在", en: "member not found")
            }
            guard try r.bool("consent") != granted else { return false }
            try await self.changeConsent(tx, memberId: memberId, channel: channel, granted: granted, source: source,
                                         detail: detail, actor: actor, nowMs: nowMs)
            return true
        }
    }

    /// One consent change inside the caller's transaction: the column, the opt-out or opt-in record, the history row.
    func changeConsent(_ tx: any Database, memberId: Int64, channel: MessageChannel, granted: Bool, source: OptOutSource,
                       detail: String, actor: String, nowMs: Int64) async throws {
        let column = Store.consentColumn(channel)
        if granted {
            try await tx.sql.exec("UPDATE members SET \(ident: column) = \(bind: true), updated_at_ms = \(bind: nowMs) WHERE id = \(bind: memberId)")
            try await self.audit(tx, actor: actor, action: "message.optIn", subject: "member:\(memberId)",
                                 detail: "\(channel.rawValue) via \(source.rawValue): \(detail)")
        } else {
            try await self.recordOptOut(tx, memberId: memberId, channel: channel, source: source, detail: detail, actor: actor, nowMs: nowMs)
        }
        try await tx.sql.exec("""
            INSERT INTO consent_changes (member_id, channel, granted, source, actor, at_ms)
            VALUES (\(bind: memberId), \(bind: channel.rawValue), \(bind: granted), \(bind: source.rawValue), \(bind: actor), \(bind: nowMs))
            """)
    }

    /// A member's consent changes, newest first.
    public func consentChanges(memberId: Int64) async throws -> [ConsentChange] {
        try await sql.rows("""
            SELECT channel, granted, source, actor, at_ms FROM consent_changes WHERE member_id = \(bind: memberId) ORDER BY at_ms DESC, id DESC
            """).map {
            ConsentChange(channel: MessageChannel(rawValue: try $0.string("channel")) ?? .sms, granted: try $0.bool("granted"),
                          source: try $0.string("source"), actor: try $0.string("actor"), at: dateFromMillis(try $0.int64("at_ms")))
        }
    }

    static func cleaned(_ s: String?) -> String? {
        guard let t = s?.trimmingCharacters(in: .whitespacesAndNewlines), !t.isEmpty else { return nil }
        return t
    }

    static func looksLikeEmail(_ s: String) -> Bool {
        let parts = s.split(separator: "@", omittingEmptySubsequences: false)
        return parts.count == 2 && !parts[0].isEmpty && parts[1].contains(".") && !s.contains(where: \.isWhitespace)
    }
}
