import Foundation
import MallVIPCore
import MallVIPStore

/// A maintainer's members with what a call or visit needs, their open tasks and the contact log (issue 5).
enum MyVIPsPage {
    struct Model: Sendable {
        var staffId: Int64
        var staffName: String
        /// Managers pick any maintainer; nil for everyone else.
        var maintainers: [ManagerCandidate]?
        var members: [ManagedMember]
        var openTasks: [Int64: Int]
        var contacts: [MemberContact]
        /// This month's KPI of the maintainer shown (nil without members).
        var kpi: ManagerKPI?
        var programme: Programme
        var today: LocalDate
        var notice: String?
        var error: String?
    }

    enum Query {
        static func model(_ store: Store, user: StaffUser, asked: Int64?) async throws -> Model {
            let (_, programme) = try await store.programme()
            let today = LocalDate.of(store.env.now(), in: programme.timeZone)
            let seesAll = StaffRole.managers.contains(user.role)
            if let asked, asked != user.id, !seesAll { throw Store.notYourMember }
            let staffId = seesAll ? (asked ?? user.id) : user.id
            var maintainers: [ManagerCandidate]?
            var name = user.displayName
            if seesAll {
                let all = try await store.managerCandidates(on: today, policy: programme.accountManagers)
                maintainers = all.filter { $0.members > 0 || $0.eligible || $0.id == staffId }
                name = all.first { $0.id == staffId }?.displayName ?? name
            }
            let members = try await store.managedMembers(staffId: staffId, today: today)
            let ids = members.map(\.id)
            return Model(staffId: staffId, staffName: name, maintainers: maintainers, members: members,
                         openTasks: try await store.openTaskCounts(memberIds: ids), contacts: try await store.contacts(memberIds: ids, limit: 30),
                         kpi: try await store.managerKPIs(month: today, programme: programme).first { $0.staffId == staffId },
                         programme: programme, today: today)
        }
    }
}

/// The member page's maintainer section: who looks after the member, since when and before, and the contact log.
struct MemberManagerPart: Sendable {
    var history: [ManagerSpell] = []
    /// Every staff member with eligibility: names for the current maintainer, choices for reassignment.
    var staff: [ManagerCandidate] = []
    var contacts: [MemberContact] = []

    static func load(_ store: Store, member: Member, today: LocalDate, policy: AccountManagerPolicy) async throws -> MemberManagerPart {
        MemberManagerPart(history: try await store.managerHistory(memberId: member.id),
                          staff: try await store.managerCandidates(on: today, policy: policy),
                          contacts: try await store.contacts(memberIds: [member.id], limit: 50))
    }
}
