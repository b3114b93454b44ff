import Foundation
import MallVIPCore
import MallVIPStore
import Vapor

/// Guessing limits for the staff sign-in (issue 14).
///
/// Per address: `loginFailureLimit` failed sign-ins (MALLVIP_LOGIN_FAILURES, 10) from one client address within
/// `lockout` (15 minutes) and that address gets 429 with Retry-After until the oldest failure leaves the window,
/// whichever usernames it tried. The client address is the socket's peer, or behind `MALLVIP_TRUST_PROXY=1` the
/// first X-Forwarded-For entry, as for the member sign-in.
///
/// Per account: the old lock (5 failures → locked) let anyone lock anyone out. It is kept only against guessing
/// spread over many addresses, and cannot be triggered from one address alone: an account locks for `lockout` when
/// it has 3 × the limit failures in the window from at least 3 addresses (one address is throttled long before). Even
/// then the lock spares addresses the user signed in from successfully in the last 30 days, so the clerk at their
/// usual desk still gets in while a botnet is refused. A locked account answers exactly like a wrong password.
enum LoginThrottle {
    static let lockAddresses = 3

    /// Seconds this address must wait, or nil.
    static func wait(_ req: Request, ip: String) async throws -> Int? {
        let config = req.application.appConfig
        let now = req.store.env.now()
        let (count, oldest) = try await req.store.staffLoginFailures(ip: ip, since: now.addingTimeInterval(-config.lockout))
        guard count >= config.loginFailureLimit, let oldest else { return nil }
        return max(1, Int(oldest.addingTimeInterval(config.lockout).timeIntervalSince(now).rounded(.up)))
    }

    static func isLocked(_ req: Request, user: StaffUser?, ip: String) async throws -> Bool {
        guard let user, let until = user.lockedUntil, until > req.store.env.now() else { return false }
        return try await !req.store.staffSignedInBefore(userId: user.id, ip: ip)
    }

    /// Records a failure; locks the account when the failures are spread as described above.
    static func failed(_ req: Request, ip: String, username: String, user: StaffUser?) async throws {
        try await req.store.recordStaffLoginAttempt(ip: ip, username: username, userId: user?.id, success: false)
        guard let user else { return }
        let config = req.application.appConfig
        let now = req.store.env.now()
        if let until = user.lockedUntil, until > now { return }
        let (count, addresses) = try await req.store.staffAccountFailures(userId: user.id, since: now.addingTimeInterval(-config.lockout))
        if count >= 3 * config.loginFailureLimit, addresses >= lockAddresses {
            try await req.store.lockStaff(userId: user.id, until: now.addingTimeInterval(config.lockout),
                                          detail: "\(count) failures from \(addresses) addresses")
        }
    }
}
