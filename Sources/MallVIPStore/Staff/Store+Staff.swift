import FluentKit
import Foundation
import MallVIPCore
import SQLKit

/// Console roles (docs/domain.md §15). Each route names the roles it admits.
public enum StaffRole: String, Sendable, CaseIterable, Codable {
    case admin, manager, planner, desk, accountManager, counterStaff

    public var label: LocalizedName {
        switch self {
        case .admin: LocalizedName(zh: "系统管理员", en: "Administrator")
        case .manager: LocalizedName(zh: "经理", en: "Manager")
        case .planner: LocalizedName(zh: "企划", en: "Planner")
        case .desk: LocalizedName(zh: "服务台", en: "Service desk")
        case .accountManager: LocalizedName(zh: "维护人", en: "Account manager")
        case .counterStaff: LocalizedName(zh: "店柜员工", en: "Counter staff")
        }
    }

    /// Roles that see phone numbers and addresses unmasked.
    public var seesPersonalData: Bool { [.admin, .manager, .desk, .accountManager].contains(self) }
}

public struct StaffUser: Sendable, Equatable {
    public var id: Int64
    public var username: String
    public var displayName: String
    public var role: StaffRole
    public var active: Bool
    public var passwordHash: String
    public var failedLogins: Int
    public var lockedUntil: Date?
    /// Set for the first-start admin, after an admin's reset and for users an admin created: until the user picks
    /// a password of their own, the console opens only the change-password page (and sign-out).
    public var mustChangePassword = false

    public init(id: Int64, username: String, displayName: String, role: StaffRole, active: Bool, passwordHash: String,
                failedLogins: Int, lockedUntil: Date?, mustChangePassword: Bool = false) {
        self.id = id
        self.username = username
        self.displayName = displayName
        self.role = role
        self.active = active
        self.passwordHash = passwordHash
        self.failedLogins = failedLogins
        self.lockedUntil = lockedUntil
        self.mustChangePassword = mustChangePassword
    }
}

public struct StaffSession: Sendable {
    public var user: StaffUser
    public var csrfToken: String
    public var language: Language
}

public struct APIKeyInfo: Sendable {
    public var id: Int64
    public var name: String
    public var prefix: String
    public var createdAt: Date
    public var revoked: Bool
    /// A key scoped to a partner merchant may call only the partner API; a key without one only the POS API.
    public var partnerId: Int64?
    public var partnerCode: String?
    /// False when the key's partner has been deactivated: the key stops working with it.
    public var partnerActive: Bool
}

extension Store {
    public func createStaff(username: String, displayName: String, role: StaffRole, passwordHash: String, actor: String,
                            mustChangePassword: Bool = false) async throws -> Int64 {
        guard !username.isEmpty, username.count <= 32,
              username.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) }) else {
            throw DomainError.invalid("username", "username.format", zh: "用户名只能包含字母、数字和 . _ -", en: "username must be 1–32 letters, digits, . _ or -")
        }
        let id = try await write { tx in
            do {
                let row = try await tx.sql.row("""
                    INSERT INTO staff_users (username, display_name, password_hash, role, active, failed_logins, created_at_ms, must_change_password)
                    VALUES (\(bind: username), \(bind: displayName.isEmpty ? username : displayName), \(bind: passwordHash),
                            \(bind: role.rawValue), \(bind: true), 0, \(bind: epochMillis(self.now)), \(bind: mustChangePassword)) RETURNING id
                    """)!
                try await self.audit(tx, actor: actor, action: "staff.create", subject: username, detail: role.rawValue)
                return try row.int64("id")
            } catch where isUniqueViolation(error) {
                throw DomainError(.conflict, field: "username", rule: "username.unique", zh: "用户名已存在", en: "username \(username) already exists")
            }
        }
        try await assignSoleMallIfRequired(staffId: id, role: role)   // issue 17: Store+StaffMalls.swift
        return id
    }

    public func staffCount() async throws -> Int { try await sql.row("SELECT COUNT(*) AS n FROM staff_users")!.int("n") }

    public func staffList() async throws -> [StaffUser] {
        try await sql.rows("SELECT * FROM staff_users ORDER BY username").map(staffFrom)
    }

    public func staff(username: String) async throws -> StaffUser? {
        try await sql.row("SELECT * FROM staff_users WHERE username = \(bind: username)").map(staffFrom)
    }

    public func setStaffActive(id: Int64, active: Bool, actor: String) async throws {
        try await write { tx in
            try await tx.sql.exec("UPDATE staff_users SET active = \(bind: active), failed_logins = 0, locked_until_ms = NULL WHERE id = \(bind: id)")
            try await self.audit(tx, actor: actor, action: active ? "staff.enable" : "staff.disable", subject: "staff:\(id)")
        }
    }

    public func startSession(userId: Int64, tokenHash: String, csrf: String, language: Language, ttl: TimeInterval) async throws {
        try await write { tx in
            // A lock (LoginController+Throttle.swift) is not lifted by a sign-in from an address it spares.
            try await tx.sql.exec("UPDATE staff_users SET failed_logins = 0 WHERE id = \(bind: userId)")
            try await tx.sql.exec("DELETE FROM staff_sessions WHERE expires_at_ms < \(bind: epochMillis(self.now))")
            try await tx.sql.exec("""
                INSERT INTO staff_sessions (token_hash, user_id, csrf_token, language, expires_at_ms)
                VALUES (\(bind: tokenHash), \(bind: userId), \(bind: csrf), \(bind: language.rawValue), \(bind: epochMillis(self.now.addingTimeInterval(ttl))))
                """)
            try await self.audit(tx, actor: "staff:\(userId)", action: "staff.login", subject: "staff:\(userId)")
        }
    }

    public func session(tokenHash: String) async throws -> StaffSession? {
        guard let r = try await sql.row("""
            SELECT s.csrf_token, s.language, s.expires_at_ms, u.* FROM staff_sessions s JOIN staff_users u ON u.id = s.user_id
            WHERE s.token_hash = \(bind: tokenHash)
            """), try r.int64("expires_at_ms") > epochMillis(now) else { return nil }
        let user = try staffFrom(r)
        guard user.active else { return nil }
        return StaffSession(user: user, csrfToken: try r.string("csrf_token"), language: Language(rawValue: try r.string("language")) ?? .zh)
    }

    public func setSessionLanguage(tokenHash: String, language: Language) async throws {
        try await write { tx in
            try await tx.sql.exec("UPDATE staff_sessions SET language = \(bind: language.rawValue) WHERE token_hash = \(bind: tokenHash)")
        }
    }

    public func endSession(tokenHash: String) async throws {
        try await write { tx in try await tx.sql.exec("DELETE FROM staff_sessions WHERE token_hash = \(bind: tokenHash)") }
    }

    /// A new API key; only its SHA-256 is stored. Returns the key, shown once.
    public func createAPIKey(name: String, partnerCode: String? = nil, actor: String) async throws -> String {
        guard !name.trimmingCharacters(in: .whitespaces).isEmpty, name.count <= 64 else {
            throw DomainError.invalid("name", "name.required", zh: "请填写名称", en: "name is required (at most 64 characters)")
        }
        var partner: Partner?
        if let partnerCode {
            guard let p = try await self.partner(code: partnerCode) else {
                throw DomainError(.notFound, field: "partner", rule: "partner.exists", zh: "联盟商家不存在：\(partnerCode)", en: "unknown partner \(partnerCode)")
            }
            partner = p
        }
        let partnerId = partner?.id
        var bytes = [UInt8](repeating: 0, count: 24)
        var rng = SystemRandomNumberGenerator()
        for i in bytes.indices { bytes[i] = UInt8.random(in: 0...255, using: &rng) }
        let key = "mvk_" + bytes.map { String(format: "%02x", $0) }.joined()
        try await write { tx in
            try await tx.sql.exec("""
                INSERT INTO api_keys (name, prefix, key_hash, partner_id, created_at_ms) VALUES (\(bind: name), \(bind: String(key.prefix(10))),
                  \(bind: sha256Hex(key)), \(bind: partnerId), \(bind: epochMillis(self.now)))
                """)
            try await self.audit(tx, actor: actor, action: "apikey.create", subject: name, detail: partnerCode.map { "partner \($0)" } ?? "")
        }
        return key
    }

    public func apiKey(matching key: String) async throws -> APIKeyInfo? {
        try await sql.row("""
            SELECT \(unsafeRaw: Self.apiKeyColumns) WHERE k.key_hash = \(bind: sha256Hex(key)) AND k.revoked_at_ms IS NULL
            """).map(apiKeyFrom)
    }

    public func apiKeys() async throws -> [APIKeyInfo] {
        try await sql.rows("SELECT \(unsafeRaw: Self.apiKeyColumns) ORDER BY k.id DESC").map(apiKeyFrom)
    }

    static let apiKeyColumns = "k.*, p.code AS partner_code, p.active AS partner_active FROM api_keys k LEFT JOIN partners p ON p.id = k.partner_id"

    public func revokeAPIKey(id: Int64, actor: String) async throws {
        try await write { tx in
            try await tx.sql.exec("UPDATE api_keys SET revoked_at_ms = \(bind: epochMillis(self.now)) WHERE id = \(bind: id)")
            try await self.audit(tx, actor: actor, action: "apikey.revoke", subject: "apikey:\(id)")
        }
    }

    func apiKeyFrom(_ r: any SQLRow) throws -> APIKeyInfo {
        APIKeyInfo(id: try r.int64("id"), name: try r.string("name"), prefix: try r.string("prefix"),
                   createdAt: dateFromMillis(try r.int64("created_at_ms")), revoked: try r.optInt64("revoked_at_ms") != nil,
                   partnerId: try r.optInt64("partner_id"), partnerCode: try r.optString("partner_code"),
                   partnerActive: try r.decode(column: "partner_active", as: Bool?.self) ?? true)
    }

    func staffFrom(_ r: any SQLRow) throws -> StaffUser {
        StaffUser(id: try r.int64("id"), username: try r.string("username"), displayName: try r.string("display_name"),
                  role: StaffRole(rawValue: try r.string("role")) ?? .counterStaff, active: try r.bool("active"),
                  passwordHash: try r.string("password_hash"), failedLogins: try r.int("failed_logins"),
                  lockedUntil: try r.optInt64("locked_until_ms").map(dateFromMillis),
                  mustChangePassword: try r.decode(column: "must_change_password", as: Bool?.self) ?? false)
    }
}
