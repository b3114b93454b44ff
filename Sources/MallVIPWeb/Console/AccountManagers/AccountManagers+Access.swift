import Foundation
import MallVIPCore
import MallVIPStore
import Vapor

extension StaffRole {
    /// Who may be shown a "My VIPs" link: maintainers and the roles that may become one (docs/domain.md §9.1).
    static let maintainerRoles: Set<StaffRole> = [.admin, .manager, .accountManager, .planner, .counterStaff]
    /// Who reads the monthly ranking: managers, planning (it goes into the monthly meeting), maintainers.
    static let rankingReaders: Set<StaffRole> = [.admin, .manager, .planner, .accountManager]
}

/// Which members a staff user may see (issue 5 "an account manager sees their members; managers see all", issue 14
/// "one object-level check"). This is the one place that decides it; every console route that names a member goes
/// through `check`: routes with the member (or a row of theirs) in the path by `MemberAccessMiddleware`, routes
/// that take a member from a form or query by an explicit call.
///
/// - admins, managers, the desk and planners: any member;
/// - account managers: the members whose account manager they are;
/// - counter staff: the members they look after (they may be a maintainer), and a member they found by an exact
///   card-number or phone match in this session, shown masked (`grant`).
enum MemberAccess {
    /// The maintainer whose members `user` is limited to, or nil when they may work with any member. The desk and
    /// planners serve every member; an account manager (and counter staff acting as one) only their own.
    static func limitedTo(_ user: StaffUser) -> Int64? {
        switch user.role {
        case .accountManager, .counterStaff: user.id
        case .admin, .manager, .desk, .planner: nil
        }
    }

    /// The decision itself, pure: may `user` see a member looked after by `accountManagerId`? `granted`: the user
    /// holds a valid exact-match grant for this member (counter staff only).
    static func mayView(_ user: StaffUser, accountManagerId: Int64?, granted: Bool = false) -> Bool {
        switch user.role {
        case .admin, .manager, .desk, .planner: true
        case .accountManager: accountManagerId == user.id
        case .counterStaff: accountManagerId == user.id || granted
        }
    }

    /// Admins, managers, the desk and planners: no member is out of their sight.
    static func seesEveryMember(_ user: StaffUser) -> Bool {
        switch user.role {
        case .admin, .manager, .desk, .planner: true
        case .accountManager, .counterStaff: false
        }
    }

    /// Throws 403 unless the signed-in user may see `member`: the role rule above, and (issue 17) the member must
    /// belong to one of the user's malls (`MallAccess`: enrolled there, or bought there within `malls.memberWindowMonths`).
    static func check(_ req: Request, member: Member) async throws {
        guard mayView(req.staff.user, accountManagerId: member.accountManagerId, granted: isGranted(req, memberId: member.id)) else {
            throw Store.notYourMember
        }
        try await MallAccess.checkMember(req, memberId: member.id)
    }

    /// Whether a request naming a member must be checked: a role limited to its own members, or a user limited to malls.
    static func needsCheck(_ req: Request, user: StaffUser) async throws -> Bool {
        if !seesEveryMember(user) { return true }
        return !(try await MallAccess.scope(req).coversEveryMember)
    }

    /// Throws 403 unless the signed-in user may see member `memberId`; a member that does not exist passes (the
    /// route answers 404 or names the field itself).
    static func check(_ req: Request, memberId: Int64) async throws {
        guard let member = try await req.store.member(id: memberId) else { return }
        try await check(req, member: member)
    }

    /// Kept for the callers written before issue 14; the same check.
    static func checkView(_ req: Request, member: Member) async throws { try await check(req, member: member) }

    /// How the member search is narrowed for `user`: account managers search their own list, counter staff get only a
    /// whole card number or phone number (a `%` or a name finds nobody).
    static func searchScope(_ user: StaffUser) -> (managedBy: Int64?, exactOnly: Bool) {
        switch user.role {
        case .accountManager: (user.id, false)
        case .counterStaff: (nil, true)
        case .admin, .manager, .desk, .planner: (nil, false)
        }
    }

    /// Segments read by `user` are narrowed to the members they may see: an account manager sees (and exports) only
    /// their own members in a segment; nil = the whole segment.
    static func segmentScope(_ user: StaffUser) -> Int64? {
        user.role == .accountManager ? user.id : nil
    }

    // MARK: Exact-match grants (counter staff)

    /// The query parameter that carries a grant on the member page link of a search answer.
    static let grantParameter = "grant"

    /// A grant for member `memberId` to this session: a MAC under the server's data key of the session's secret
    /// CSRF token, the user and the member. The user cannot forge one (the key never leaves the server), and it
    /// dies with the session.
    static func grant(_ req: Request, memberId: Int64) -> String {
        let s = req.staff
        let mac = req.store.env.cipher.hash("member-grant|\(s.user.id)|\(s.csrfToken)|\(memberId)")
        return String(mac.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "").prefix(32))
    }

    /// Whether this (GET) request carries a valid grant for `memberId`; only counter staff use them.
    static func isGranted(_ req: Request, memberId: Int64) -> Bool {
        guard req.method == .GET, req.staff.user.role == .counterStaff,
              let sent: String = req.query[grantParameter] else { return false }
        return constantTimeEqual(sent, grant(req, memberId: memberId))
    }

    /// The member page link for a search hit: counter staff get the grant with it.
    static func memberLink(_ req: Request, memberId: Int64) -> String {
        let path = SiteURL.member(memberId).path
        guard req.staff.user.role == .counterStaff else { return path }
        return path + "?\(grantParameter)=" + grant(req, memberId: memberId)
    }
}
