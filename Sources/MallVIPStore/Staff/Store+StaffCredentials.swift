import FluentKit
import Foundation
import MallVIPCore
import SQLKit

/// Staff passwords and sign-in attempts (issue 14). Only hashes reach the store; the policy is checked where the
/// plain password is (`PasswordPolicy`).
extension Store {
    /// Sets a user's password hash. `mustChange`: an admin reset (the holder picks their own at next sign-in);
    /// false: the user chose it. Every session of the user ends except `keepingSession` (the one that changed it),
    /// and the change is audited as `action` (`staff.password.change`, `staff.password.reset`).
    public func setStaffPassword(userId: Int64, passwordHash: String, mustChange: Bool, keepingSession: String? = nil,
                                 actor: String, action: String) async throws {
        try await write { tx in
            try await tx.sql.exec("""
                UPDATE staff_users SET password_hash = \(bind: passwordHash), must_change_password = \(bind: mustChange),
                  failed_logins = 0, locked_until_ms = NULL WHERE id = \(bind: userId)
                """)
            if let keep = keepingSession {
                try await tx.sql.exec("DELETE FROM staff_sessions WHERE user_id = \(bind: userId) AND token_hash <> \(bind: keep)")
            } else {
                try await tx.sql.exec("DELETE FROM staff_sessions WHERE user_id = \(bind: userId)")
            }
            try await self.audit(tx, actor: actor, action: action, subject: "staff:\(userId)")
        }
    }

    public func staff(id: Int64) async throws -> StaffUser? {
        try await sql.row("SELECT * FROM staff_users WHERE id = \(bind: id)").map(staffFrom)
    }

    /// Sessions a user has open (tests and the staff page).
    public func staffSessionCount(userId: Int64) async throws -> Int {
        try await sql.row("SELECT COUNT(*) AS n FROM staff_sessions WHERE user_id = \(bind: userId) AND expires_at_ms > \(bind: epochMillis(now))")!.int("n")
    }

    /// One sign-in attempt, kept a day for the throttle and the lock.
    public func recordStaffLoginAttempt(ip: String, username: String, userId: Int64?, success: Bool) async throws {
        try await write { tx in
            try await tx.sql.exec("""
                INSERT INTO staff_login_attempts (ip, username, user_id, success, at_ms)
                VALUES (\(bind: String(ip.prefix(64))), \(bind: String(username.prefix(64))), \(bind: userId), \(bind: success), \(bind: epochMillis(self.now)))
                """)
            if success {
                try await tx.sql.exec("DELETE FROM staff_login_attempts WHERE at_ms < \(bind: epochMillis(self.now.addingTimeInterval(-Self.attemptRetention)))")
            }
        }
    }

    /// Kept for the known-address exception of the lock.
    static let attemptRetention: TimeInterval = 30 * 86_400

    /// Failed sign-ins from `ip` since `since` and when the oldest of them was (for Retry-After).
    public func staffLoginFailures(ip: String, since: Date) async throws -> (count: Int, oldest: Date?) {
        let r = try await sql.row("""
            SELECT COUNT(*) AS n, MIN(at_ms) AS oldest FROM staff_login_attempts
            WHERE ip = \(bind: String(ip.prefix(64))) AND success = \(bind: false) AND at_ms >= \(bind: epochMillis(since))
            """)!
        return (try r.int("n"), try r.optInt64("oldest").map(dateFromMillis))
    }

    /// Failed sign-ins for a user since `since`, and from how many addresses.
    public func staffAccountFailures(userId: Int64, since: Date) async throws -> (count: Int, addresses: Int) {
        let r = try await sql.row("""
            SELECT COUNT(*) AS n, COUNT(DISTINCT ip) AS a FROM staff_login_attempts
            WHERE user_id = \(bind: userId) AND success = \(bind: false) AND at_ms >= \(bind: epochMillis(since))
            """)!
        return (try r.int("n"), try r.int("a"))
    }

    /// Whether the user signed in successfully from `ip` within the retention (the lock spares such addresses).
    public func staffSignedInBefore(userId: Int64, ip: String) async throws -> Bool {
        try await sql.row("""
            SELECT 1 AS x FROM staff_login_attempts WHERE user_id = \(bind: userId) AND ip = \(bind: String(ip.prefix(64)))
              AND success = \(bind: true) AND at_ms >= \(bind: epochMillis(now.addingTimeInterval(-Self.attemptRetention))) LIMIT 1
            """) != nil
    }

    /// Locks an account until `until` (distributed guessing); audited once per lock.
    public func lockStaff(userId: Int64, until: Date, detail: String) async throws {
        try await write { tx in
            try await tx.sql.exec("UPDATE staff_users SET locked_until_ms = \(bind: epochMillis(until)) WHERE id = \(bind: userId)")
            try await self.audit(tx, actor: "system", action: "staff.locked", subject: "staff:\(userId)", detail: detail)
        }
    }
}
