import Foundation
import MallVIPCore
import MallVIPStore
import Plot
import Vapor

/// What needs doing today, for the signed-in person (issue 17): their tasks due today and overdue, complaints past
/// their SLA (`feedback.sla`, per channel), tier approvals waiting, reward items low in stock. Each part appears only
/// for the roles that may act on it — the same role sets the pages it links to are registered behind — and each
/// links to the list where the work is done. Gifts: redemptions have no "to hand over" state today (a gift is handed
/// over when it is redeemed), so there is nothing to list for them.
struct DashboardTodo: Sendable {
    var tasksDueToday = 0
    var tasksOverdue = 0
    var showsTasks = false
    /// Unresolved complaints whose first response or resolution is already late.
    var complaintsLate: [Complaint] = []
    var showsComplaints = false
    var tierApprovals: Int?
    var lowStock: [LowStockItem]?
    /// The programme's `redemption.lowStockThreshold` the list was made with.
    var lowStockThreshold: Int64 = 0

    static func load(_ req: Request, today: LocalDate, pendingTierRequests: Int) async throws -> DashboardTodo {
        let user = req.staff.user
        var t = DashboardTodo()
        if StaffRole.taskLists.contains(user.role) {
            t.showsTasks = true
            let viewer = TaskViewer(staffId: user.id, role: user.role, supervisor: StaffRole.taskSupervisors.contains(user.role))
            // A supervisor's "today" is their own tasks; the whole team's list is one click away (Tasks).
            let open = try await req.store.serviceTasks(viewer, filter: ServiceTaskFilter(staffId: viewer.supervisor ? user.id : nil), limit: 1000)
            t.tasksDueToday = open.filter { $0.dueDay == today }.count
            t.tasksOverdue = open.filter { $0.isOverdue(today: today) }.count
        }
        if StaffRole.memberDesk.contains(user.role) {
            t.showsComplaints = true
            let (_, programme) = try await req.store.programme()
            let nowMs = epochMillis(req.store.env.now())
            let rows = try await req.store.complaints(status: nil, limit: 500, managedBy: MemberAccess.limitedTo(user),
                                                      mallScope: try await MallAccess.scope(req))
            t.complaintsLate = rows.filter { c in
                guard c.status != .resolved else { return false }
                let sla = programme.feedback.target(c.channel)
                return sla.firstResponseMet(openedMs: c.createdAtMs, respondedMs: c.firstResponseAtMs, nowMs: nowMs) == false
                    || sla.resolutionMet(openedMs: c.createdAtMs, resolvedMs: c.resolvedAtMs, nowMs: nowMs) == false
            }
        }
        if StaffRole.managers.contains(user.role) { t.tierApprovals = pendingTierRequests }
        if StaffRole.organisation.contains(user.role) {
            t.lowStockThreshold = try await req.store.programme().1.redemption.lowStockThreshold
            t.lowStock = try await req.store.lowStockRewards(threshold: t.lowStockThreshold)
        }
        return t
    }
}

extension Dashboard.View {
    static func todo(_ t: DashboardTodo?, _ ctx: PageContext) -> Node<HTML.BodyContext> {
        guard let t else { return .empty }
        var items: [Node<HTML.ListContext>] = []
        if t.showsTasks {
            items.append(.li(.attribute(named: "data-todo", value: "tasks"),
                             .a(.href(SiteURL.tasks(staff: nil, kind: nil, status: nil).path),
                                .text(ctx.t("今日到期任务 \(t.tasksDueToday) 项，已逾期 \(t.tasksOverdue) 项",
                                            "Tasks due today: \(t.tasksDueToday); overdue: \(t.tasksOverdue)")))))
        }
        if t.showsComplaints {
            items.append(.li(.attribute(named: "data-todo", value: "complaints"), .if(!t.complaintsLate.isEmpty, .class("error")),
                             .a(.href(SiteURL.complaints(status: nil).path),
                                .text(ctx.t("超时未处理的投诉 \(t.complaintsLate.count) 件", "Complaints past their SLA: \(t.complaintsLate.count)"))),
                             .if(!t.complaintsLate.isEmpty, .text(" · " + t.complaintsLate.prefix(5).map { "#\($0.id) \($0.category)" }.joined(separator: "、")))))
        }
        if let n = t.tierApprovals {
            items.append(.li(.attribute(named: "data-todo", value: "tier-approvals"),
                             .a(.href(SiteURL.tierRequests.path), .text(ctx.t("待审批升级 \(n) 件", "Tier approvals waiting: \(n)")))))
        }
        if let low = t.lowStock {
            items.append(.li(.attribute(named: "data-todo", value: "low-stock"),
                             .a(.href(SiteURL.rewards.path),
                                .text(ctx.t("库存不足的礼品 \(low.count) 种（≤\(t.lowStockThreshold)）", "Rewards low in stock: \(low.count) (≤\(t.lowStockThreshold))"))),
                             .if(!low.isEmpty, .text(" · " + low.prefix(5).map { "\($0.name.text(ctx.lang)) \($0.stock)" }.joined(separator: "、")))))
        }
        guard !items.isEmpty else { return .empty }
        return .section(.class("card todo"), .id("todo"),
                        .h2(.text(ctx.t("今日待办", "To do today"))),
                        .ul(.group(items)))
    }
}
