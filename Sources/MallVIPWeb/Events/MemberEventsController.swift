import Foundation
import MallVIPCore
import MallVIPStore
import Plot
import Vapor

/// /m/events: the signed-in member's invitations, with accept / decline while replies are open. Scoped by
/// `req.memberId`: an event id in the URL only finds the member's own invitation.
struct MemberEventsController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(.memberSiteEvents, use: list)
        routes.post(.memberSiteEvent, use: answer)
    }

    struct AnswerForm: Content { var accept: String }

    @Sendable func list(req: Request) async throws -> Response {
        try await page(req, error: nil)
    }

    @Sendable func answer(req: Request) async throws -> Response {
        let memberId = try req.memberId
        guard let id = req.parameters.get("id", as: Int64.self),
              try await req.store.invitation(eventId: id, memberId: memberId) != nil else { throw Abort(.notFound) }
        let form = try req.content.decode(AnswerForm.self)
        let (_, programme) = try await req.store.programme()
        do {
            try await req.store.rsvp(eventId: id, memberId: memberId, accept: form.accept == "1", channel: .member,
                                     programme: programme, linkBase: EventLinkController.linkBase(req))
        } catch let e as DomainError {
            return try await page(req, error: Forms.message(e, PageContext(req)), status: .unprocessableEntity)
        }
        return req.redirect(to: MemberURL.events.path, redirectType: .normal)
    }

    func page(_ req: Request, error: String?, status: HTTPResponseStatus = .ok) async throws -> Response {
        let ctx = PageContext(req)
        let (_, programme) = try await req.store.programme()
        let items = try await req.store.memberInvitations(memberId: try req.memberId)
        let nowMs = epochMillis(req.store.env.now())
        let base = EventLinkController.linkBase(req)
        let body: Node<HTML.BodyContext> = .div(
            .unwrap(error) { .p(.class("error"), .attribute(named: "role", value: "alert"), .text($0)) },
            .if(items.isEmpty, .p(.class("muted"), .text(ctx.t("暂无活动邀请", "No event invitations yet")))),
            .forEach(items) { e, inv in
                .section(.class("panel event"), .id("event-\(e.id)"),
                         .h2(.text(e.title)),
                         EventRSVPView.details(e, programme, ctx),
                         EventRSVPView.status(inv, ctx),
                         EventRSVPView.buttons(e, inv, action: MemberURL.event(e.id).path, csrf: ctx.csrf, nowMs: nowMs, ctx),
                         EventRSVPView.qr(inv, linkBase: base, ctx))
            })
        return MemberLayout.render(ctx, title: ctx.t("会员活动", "Events"), body, status: status)
    }
}
