import Foundation
import MallVIPCore
import MallVIPStore
import Plot
import Vapor

/// The personal invitation link `/e/{token}`: no sign-in (the token is the member's), phone-sized, accept or
/// decline until the deadline, and the entry QR code once accepted. POST is checked for same origin, since there
/// is no session to carry a CSRF token.
enum EventLinkController {
    static func register(_ routes: any RoutesBuilder) throws {
        routes.get(.eventLink, use: show)
        routes.post(.eventLink, use: answer)
    }

    struct AnswerForm: Content { var accept: String }

    static func linkBase(_ req: Request) -> String {
        let base = req.application.appConfig.messaging.publicURL ?? ""
        return base.hasSuffix("/") ? String(base.dropLast()) : base
    }

    @Sendable static func show(req: Request) async throws -> Response {
        try await page(req, error: nil)
    }

    @Sendable static func answer(req: Request) async throws -> Response {
        try MemberLoginController.sameOrigin(req)
        let token = req.parameters.get("token") ?? ""
        let form = try req.content.decode(AnswerForm.self)
        let (_, programme) = try await req.store.programme()
        do {
            try await req.store.rsvp(token: token, accept: form.accept == "1", channel: .link, programme: programme,
                                     linkBase: linkBase(req))
        } catch let e as DomainError {
            if e.rule == "invitation.exists" { return try await page(req, error: nil) }
            return try await page(req, error: Forms.message(e, PageContext(req)), status: .unprocessableEntity)
        }
        return req.redirect(to: SiteURL.eventLink(token: token).path, redirectType: .normal)
    }

    static func page(_ req: Request, error: String?, status: HTTPResponseStatus = .ok) async throws -> Response {
        let ctx = PageContext(req)
        let token = req.parameters.get("token") ?? ""
        guard let inv = try await req.store.invitation(token: token), let e = try await req.store.event(id: inv.eventId),
              e.status != .draft else {
            return MemberLayout.render(ctx, title: ctx.t("邀请", "Invitation"),
                                       .p(.class("error"), .text(ctx.t("此邀请链接无效", "This invitation link is not valid"))),
                                       status: .notFound, signedIn: false)
        }
        let (_, programme) = try await req.store.programme()
        let nowMs = epochMillis(req.store.env.now())
        let body: Node<HTML.BodyContext> = .div(.class("event-rsvp"),
            .p(.text(ctx.t("\(inv.memberName.map { Identity.maskName($0) } ?? "")您好，\(programme.messaging.storeName)诚邀您参加：",
                           "Dear \(inv.memberName.map { Identity.maskName($0) } ?? "member"), \(programme.messaging.storeName) invites you to:"))),
            .h2(.text(e.title)),
            EventRSVPView.details(e, programme, ctx),
            .unwrap(error) { .p(.class("error"), .attribute(named: "role", value: "alert"), .text($0)) },
            EventRSVPView.status(inv, ctx),
            EventRSVPView.buttons(e, inv, action: SiteURL.eventLink(token: token).path, csrf: nil, nowMs: nowMs, ctx),
            EventRSVPView.qr(inv, linkBase: linkBase(req), ctx))
        return MemberLayout.render(ctx, title: ctx.t("活动邀请", "Event invitation"), body, status: status, signedIn: false)
    }
}

extension Application {
    /// The daily event-reminder job with this deployment's public link base (harmless to run hourly: the outbox
    /// sends each reminder once).
    public func sendEventReminders() async throws -> EnqueueResult {
        let (_, programme) = try await store.programme()
        let base = appConfig.messaging.publicURL ?? ""
        return try await store.sendEventReminders(programme: programme, linkBase: base.hasSuffix("/") ? String(base.dropLast()) : base)
    }
}
