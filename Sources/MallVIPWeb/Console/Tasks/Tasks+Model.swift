import Foundation
import MallVIPCore
import MallVIPStore

extension StaffRole {
    /// Who has a task list: everyone who works with members. Supervisors see and filter the whole team's.
    static let taskLists: Set<StaffRole> = memberDesk
    static let taskSupervisors: Set<StaffRole> = managers
    /// Who reads the churn figures.
    static let churnReaders: Set<StaffRole> = organisation
}

/// One person's or the team's work: service tasks from the daily rules and the open outbox call tasks, in one list.
enum TasksPage {
    /// A row of either source; call rows are read from the outbox, never copied into `service_tasks`.
    struct Row {
        var id: Int64
        var isCall: Bool
        var kind: ServiceTaskKind?
        var memberId: Int64?
        var memberName: String?
        var assignee: String?
        var teamRole: StaffRole?
        var title: String
        var detail: String
        var due: LocalDate
        var status: ServiceTaskStatus
        var outcomeNote: String
        var canClose: Bool

        func overdue(_ today: LocalDate) -> Bool { status == .open && due < today }
    }

    struct Model {
        var rows: [Row]
        var supervisor: Bool
        var staff: [StaffUser]
        var form: (staff: String, kind: String, status: String)
        var today: LocalDate
        var notice: String?
        var error: String?
    }

    enum Query {
        static func viewer(_ user: StaffUser) -> TaskViewer {
            TaskViewer(staffId: user.id, role: user.role, supervisor: StaffRole.taskSupervisors.contains(user.role))
        }

        static func model(_ store: Store, user: StaffUser, query: (staff: String?, kind: String?, status: String?),
                          notice: String?, error: String?, mallScope: MallScope? = nil) async throws -> Model {
            let viewer = viewer(user)
            let (_, programme) = try await store.programme()
            let today = LocalDate.of(store.env.now(), in: programme.timeZone)
            let form = (staff: Forms.trimmed(query.staff), kind: Forms.trimmed(query.kind), status: query.status.map(Forms.trimmed) ?? "open")
            var filter = ServiceTaskFilter(staffId: viewer.supervisor ? Int64(form.staff) : nil,
                                           kind: ServiceTaskKind(rawValue: form.kind), status: form.status.isEmpty ? nil : form.status)
            if filter.status == "all" { filter.status = nil }
            var rows: [Row] = []
            if form.kind != "call" {
                rows = try await store.serviceTasks(viewer, filter: filter, mallScope: mallScope).map { t in
                    Row(id: t.id, isCall: false, kind: t.kind, memberId: t.memberId, memberName: t.memberName, assignee: t.assignedName,
                        teamRole: t.teamRole.flatMap(StaffRole.init(rawValue:)), title: t.title, detail: t.detail, due: t.dueDay,
                        status: t.status, outcomeNote: t.outcomeNote, canClose: t.status == .open)
                }
            }
            // Outbox call tasks are only ever open here: once closed they are messages, shown on the messages page.
            let wantsCalls = (form.kind.isEmpty || form.kind == "call") && (filter.status == nil || filter.status == "open")
            let everyone = try await store.staffList()
            if wantsCalls {
                let names = Dictionary(everyone.map { ($0.id, $0.displayName) }, uniquingKeysWith: { a, _ in a })
                let calls = try await store.callTasks(staffId: viewer.supervisor ? filter.staffId : viewer.staffId, mallScope: mallScope)
                rows += calls.map { c in
                    Row(id: c.id, isCall: true, kind: nil, memberId: c.memberId, memberName: c.memberName,
                        assignee: c.assignedStaffId.flatMap { names[$0] }, teamRole: nil, title: c.sourceCode + " · " + c.periodKey,
                        detail: c.body, due: LocalDate.of(c.nextAttemptAt, in: programme.timeZone), status: .open, outcomeNote: "",
                        canClose: StaffRole.callLists.contains(user.role))
                }
                rows.sort { ($0.status == .open ? 0 : 1, $0.due, $0.isCall ? 1 : 0, $0.id) < ($1.status == .open ? 0 : 1, $1.due, $1.isCall ? 1 : 0, $1.id) }
            }
            let staff = viewer.supervisor ? everyone.filter { $0.active && StaffRole.taskLists.contains($0.role) } : []
            return Model(rows: rows, supervisor: viewer.supervisor, staff: staff, form: form, today: today, notice: notice, error: error)
        }
    }
}
