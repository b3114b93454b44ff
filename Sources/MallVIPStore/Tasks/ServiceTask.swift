import Foundation
import MallVIPCore

/// What raised a service task; each kind has its own cause key shape (see `Store+TaskRules.swift`).
public enum ServiceTaskKind: String, Sendable, CaseIterable, Codable {
    case churn, birthday, lapse, tierApproval
    /// A member asked for their account to be deleted (member pages); a manager decides it.
    case deletion

    public var label: LocalizedName {
        switch self {
        case .churn: LocalizedName(zh: "流失回访", en: "Churn call-back")
        case .birthday: LocalizedName(zh: "生日蛋糕鲜花", en: "Birthday cake & flowers")
        case .lapse: LocalizedName(zh: "即将失效卡", en: "Cards about to lapse")
        case .tierApproval: LocalizedName(zh: "升级审批", en: "Tier approval")
        case .deletion: LocalizedName(zh: "注销申请", en: "Account deletion")
        }
    }
}

public enum ServiceTaskStatus: String, Sendable, CaseIterable, Codable {
    case open, done, unreachable, declined, cancelled

    /// The outcomes a person may record; `cancelled` is only set by the rules.
    public static let outcomes: [ServiceTaskStatus] = [.done, .unreachable, .declined]

    public var label: LocalizedName {
        switch self {
        case .open: LocalizedName(zh: "待办", en: "Open")
        case .done: LocalizedName(zh: "已完成", en: "Done")
        case .unreachable: LocalizedName(zh: "未联系上", en: "Not reachable")
        case .declined: LocalizedName(zh: "已拒绝", en: "Declined")
        case .cancelled: LocalizedName(zh: "已取消", en: "Cancelled")
        }
    }
}

public struct ServiceTask: Sendable, Equatable {
    public var id: Int64
    public var kind: ServiceTaskKind
    public var causeKey: String
    public var memberId: Int64?
    public var memberName: String?
    public var assignedStaffId: Int64?
    public var assignedName: String?
    /// A team task (no one person): any staff of this role may take it.
    public var teamRole: String?
    public var title: String
    public var detail: String
    public var dueDay: LocalDate
    public var status: ServiceTaskStatus
    public var outcomeNote: String
    public var createdAtMs: Int64
    public var closedAtMs: Int64?
    public var closedBy: String?

    public func isOverdue(today: LocalDate) -> Bool { status == .open && dueDay < today }
}

/// Who is looking: a supervisor sees and closes every task; anyone else only theirs and their role's team tasks.
public struct TaskViewer: Sendable, Equatable {
    public var staffId: Int64
    public var role: StaffRole
    public var supervisor: Bool
    public init(staffId: Int64, role: StaffRole, supervisor: Bool) {
        self.staffId = staffId
        self.role = role
        self.supervisor = supervisor
    }

    /// Their own task, their role's unassigned team task, or any for a supervisor. The list query in
    /// `Store.serviceTasks` applies the same rule in SQL.
    public func mayHandle(_ task: ServiceTask) -> Bool {
        supervisor || task.assignedStaffId == staffId || (task.assignedStaffId == nil && task.teamRole == role.rawValue)
    }
}

public struct ServiceTaskFilter: Sendable, Equatable {
    /// Only this person's tasks (a supervisor's filter).
    public var staffId: Int64?
    public var kind: ServiceTaskKind?
    /// nil = every status; "closed" is every status but open.
    public var status: String?
    public init(staffId: Int64? = nil, kind: ServiceTaskKind? = nil, status: String? = "open") {
        self.staffId = staffId
        self.kind = kind
        self.status = status
    }
}

public struct TaskRulesSummary: Sendable, Equatable {
    public var churn = 0
    public var birthday = 0
    public var lapse = 0
    public var tierApproval = 0
    /// Open tasks the rules closed themselves: approvals decided, churn call-backs made moot by a purchase.
    public var settled = 0
    public var alreadyRan = false
    public init() {}

    public var line: String {
        "service tasks: \(churn) churn, \(birthday) birthday, \(lapse) lapse lists, \(tierApproval) tier approvals, \(settled) settled"
    }
}
