import Foundation
import MallVIPCore
import MallVIPStore
import Vapor

/// The outbox page (planners and managers) and the call lists (account managers).
enum MessagesController {
    static func register(_ routes: any RoutesBuilder) throws {
        let organisation = routes.grouped(StaffAuthMiddleware(roles: StaffRole.organisation))
        organisation.get(.messages, use: list)
        let calls = routes.grouped(StaffAuthMiddleware(roles: StaffRole.callLists))
        calls.get(.calls, use: callList)
        calls.post(.callFinish, use: finishCall)
    }

    @Sendable static func list(req: Request) async throws -> Response {
        let ctx = PageContext(req)
        let model = try await MessagesPage.Query.model(
            req.store, query: (req.query["status"], req.query["channel"], req.query["source"], req.query["member"], req.query["month"]),
            configured: req.application.messageSenders.channels)
        return Layout.render(ctx, title: ctx.t("消息", "Messages"), MessagesPage.View.body(model, ctx))
    }

    /// Managers see every open task (unassigned ones included); an account manager only their own.
    static func scope(_ req: Request) -> Int64? {
        StaffRole.managers.contains(req.staff.user.role) ? nil : req.staff.user.id
    }

    @Sendable static func callList(req: Request) async throws -> Response {
        try await callPage(req, notice: try await Notices.take(req), error: nil)
    }

    static func callPage(_ req: Request, notice: String?, error: String?, status: HTTPResponseStatus = .ok) async throws -> Response {
        let ctx = PageContext(req)
        let staffId = scope(req)
        let model = CallsPage.Model(tasks: try await req.store.callTasks(staffId: staffId), everyone: staffId == nil,
                                    programme: try await req.store.programme().1, notice: notice, error: error)
        return Layout.render(ctx, title: ctx.t("回访任务", "Call list"), status: status, CallsPage.View.body(model, ctx))
    }

    struct FinishForm: Content {
        var outcome: String
        var note: String?
    }

    @Sendable static func finishCall(req: Request) async throws -> Response {
        guard let id = req.parameters.get("id", as: Int64.self) else { throw Abort(.notFound) }
        let f = try req.content.decode(FinishForm.self)
        do {
            try await req.store.finishCallTask(id: id, done: f.outcome == "done", note: Forms.trimmed(f.note),
                                               staffId: scope(req), actor: req.actor)
            return req.redirect(to: try await Forms.withNotice(req, SiteURL.calls.path, req.lang.t("已记录", "Recorded")))
        } catch let e as DomainError {
            return try await callPage(req, notice: nil, error: Forms.message(e, PageContext(req)), status: Forms.status(e))
        }
    }
}
