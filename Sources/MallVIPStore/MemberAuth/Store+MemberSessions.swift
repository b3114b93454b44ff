import FluentKit
import Foundation
import MallVIPCore
import SQLKit

/// A signed-in member (self-service pages under /m/).
public struct MemberSession: Sendable {
    public var memberId: Int64
    public var csrfToken: String
    public var expiresAt: Date
}

extension Store {
    /// Starts a member session; only the token's SHA-256 is kept. Expired sessions are swept on the way.
    public func startMemberSession(memberId: Int64, tokenHash: String, csrf: String, ttl: TimeInterval) async throws {
        try await write { tx in
            try await self.insertMemberSession(tx, memberId: memberId, tokenHash: tokenHash, csrf: csrf, ttl: ttl)
        }
    }

    func insertMemberSession(_ tx: any Database, memberId: Int64, tokenHash: String, csrf: String, ttl: TimeInterval) async throws {
        let now = epochMillis(self.now)
        try await tx.sql.exec("DELETE FROM member_sessions WHERE expires_at_ms < \(bind: now)")
        try await tx.sql.exec("""
            INSERT INTO member_sessions (token_hash, member_id, csrf_token, created_at_ms, expires_at_ms)
            VALUES (\(bind: tokenHash), \(bind: memberId), \(bind: csrf), \(bind: now), \(bind: epochMillis(self.now.addingTimeInterval(ttl))))
            """)
        try await self.audit(tx, actor: "member:\(memberId)", action: "member.login", subject: "member:\(memberId)")
    }

    /// The live session for a token hash; nil when unknown, expired, or the member is no longer active
    /// (deactivated or erased at the desk).
    public func memberSession(tokenHash: String) async throws -> MemberSession? {
        guard let r = try await sql.row("""
            SELECT s.member_id, s.csrf_token, s.expires_at_ms FROM member_sessions s JOIN members m ON m.id = s.member_id
            WHERE s.token_hash = \(bind: tokenHash) AND m.status = 'active'
            """) else { return nil }
        let expires = try r.int64("expires_at_ms")
        guard expires > epochMillis(now) else { return nil }
        return MemberSession(memberId: try r.int64("member_id"), csrfToken: try r.string("csrf_token"), expiresAt: dateFromMillis(expires))
    }

    public func endMemberSession(tokenHash: String) async throws {
        try await write { tx in try await tx.sql.exec("DELETE FROM member_sessions WHERE token_hash = \(bind: tokenHash)") }
    }

    /// Ends every session of a member (account erased or blocked at the desk).
    public func endMemberSessions(memberId: Int64) async throws {
        try await write { tx in try await tx.sql.exec("DELETE FROM member_sessions WHERE member_id = \(bind: memberId)") }
    }
}
