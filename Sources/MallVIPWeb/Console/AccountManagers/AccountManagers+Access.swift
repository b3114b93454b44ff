import MallVIPCore
import MallVIPStore
import Vapor

extension StaffRole {
    /// Who may be shown a "My VIPs" link: maintainers and the roles that may become one (requirements §9.1).
    static let maintainerRoles: Set<StaffRole> = [.admin, .manager, .accountManager, .planner, .counterStaff]
    /// Who reads the monthly ranking: managers, planning (it goes into the monthly meeting), maintainers.
    static let rankingReaders: Set<StaffRole> = [.admin, .manager, .planner, .accountManager]
}

/// "An account manager sees their members; managers see all" (issue 5).
enum MemberAccess {
    /// The maintainer whose members `user` is limited to, or nil when they may work with any member. The desk and
    /// planners serve every member; an account manager (and counter staff acting as one) only their own.
    static func limitedTo(_ user: StaffUser) -> Int64? {
        switch user.role {
        case .accountManager, .counterStaff: user.id
        case .admin, .manager, .desk, .planner: nil
        }
    }

    /// Throws 403 unless an account manager opens one of their own members. Counter staff keep the look-up they
    /// had before (masked data), so only the account-manager role is held to its list here.
    static func checkView(_ req: Request, member: Member) throws {
        let user = req.staff.user
        if user.role == .accountManager, member.accountManagerId != user.id { throw Store.notYourMember }
    }
}
