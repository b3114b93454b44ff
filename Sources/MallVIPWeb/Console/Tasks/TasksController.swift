import Foundation
import MallVIPCore
import MallVIPStore
import Vapor

/// The task list (per person, per team for supervisors), outcomes, the lapse-list export and the churn figures.
enum TasksController {
    static func register(_ routes: any RoutesBuilder) throws {
        let lists = routes.grouped(StaffAuthMiddleware(roles: StaffRole.taskLists))
        lists.get(.tasks, use: list)
        lists.post(.taskClose, use: close)
        lists.get(.taskLapseCSV, use: lapseCSV)
        routes.grouped(StaffAuthMiddleware(roles: StaffRole.churnReaders)).get(.churn, use: churn)
    }

    @Sendable static func list(req: Request) async throws -> Response {
        try await page(req, notice: try await Notices.take(req), error: nil)
    }

    static func page(_ req: Request, notice: String?, error: String?, status: HTTPResponseStatus = .ok) async throws -> Response {
        let ctx = PageContext(req)
        let model = try await TasksPage.Query.model(req.store, user: req.staff.user,
                                                    query: (req.query["staff"], req.query["kind"], req.query["status"]),
                                                    notice: notice, error: error, mallScope: try await MallAccess.scope(req))
        return Layout.render(ctx, title: ctx.t("任务", "Tasks"), status: status, TasksPage.View.body(model, ctx))
    }

    struct CloseForm: Content {
        var outcome: String
        var note: String?
    }

    @Sendable static func close(req: Request) async throws -> Response {
        guard let id = req.parameters.get("id", as: Int64.self) else { throw Abort(.notFound) }
        let f = try req.content.decode(CloseForm.self)
        do {
            guard let outcome = ServiceTaskStatus(rawValue: f.outcome) else {
                throw DomainError.invalid("outcome", "task.outcome", zh: "请选择完成、未联系上或已拒绝", en: "choose done, not reachable or declined")
            }
            try await req.store.closeServiceTask(id: id, outcome: outcome, note: Forms.trimmed(f.note),
                                                 viewer: TasksPage.Query.viewer(req.staff.user), actor: req.actor)
            return req.redirect(to: try await Forms.withNotice(req, SiteURL.tasks(staff: nil, kind: nil, status: nil).path, req.lang.t("已记录", "Recorded")))
        } catch let e as DomainError {
            return try await page(req, notice: nil, error: Forms.message(e, PageContext(req)), status: Forms.status(e))
        }
    }

    /// The month's lapse list of a lapse task, as of the day the task was raised.
    @Sendable static func lapseCSV(req: Request) async throws -> Response {
        guard let id = req.parameters.get("id", as: Int64.self), let task = try await req.store.serviceTask(id: id), task.kind == .lapse,
              TasksPage.Query.viewer(req.staff.user).mayHandle(task) else { throw Abort(.notFound) }
        let (_, programme) = try await req.store.programme()
        // The cause key names whose list it is ("lapse:2026-04:12" or "…:team"); the assignee of a team task
        // becomes whoever closed it, so it is not the owner.
        let owner = task.causeKey.split(separator: ":").last.flatMap { Int64($0) }
        let asOf = LocalDate.of(dateFromMillis(task.createdAtMs), in: programme.timeZone)
        let members = try await req.store.lapsingMembers(programme, asOf: asOf, staffId: owner, unassignedOnly: owner == nil)
        let unmasked = req.staff.user.role.seesPersonalData
        try await req.store.audit(actor: req.actor, action: "task.lapseExport", subject: "task:\(id)", detail: "\(members.count) members")
        var body = CSVFormat.bom + CSVFormat.line(["memberId", "name", "phone", "tier", "tierName", "points", "lastActivity"])
        for m in members {
            body += CSVFormat.line([String(m.memberId), unmasked ? m.name : Identity.maskName(m.name), unmasked ? m.phone : Identity.maskPhone(m.phone),
                                  m.tier, programme.tier(m.tier)?.name.zh ?? m.tier, String(m.points), m.lastActivity.description])
        }
        return Response(status: .ok, headers: CSVText.headers(filename: "lapse-\(id).csv"), body: .init(string: body))
    }

    @Sendable static func churn(req: Request) async throws -> Response {
        let ctx = PageContext(req)
        let (_, programme) = try await req.store.programme()
        let figures = try await req.store.churnFigures(today: LocalDate.of(req.store.env.now(), in: programme.timeZone))
        return Layout.render(ctx, title: ctx.t("流失预警", "Churn"), ChurnPage.body(figures, ctx))
    }
}
