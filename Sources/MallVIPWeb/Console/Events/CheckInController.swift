import Foundation
import MallVIPCore
import MallVIPStore
import Vapor

/// The door page (phone-sized) and the post-event report. Staff at the door type a card number or phone, or
/// paste/scan the invitation's `/e/{token}` link; a second scan is answered, not counted.
enum CheckInController {
    static func register(_ routes: any RoutesBuilder) throws {
        let door = routes.grouped(StaffAuthMiddleware(roles: StaffRole.memberDesk))
        door.get(.eventCheckIn, use: show)
        door.post(.eventCheckIn, use: checkIn)
        door.post(.eventWalkIn, use: walkIn)
        routes.grouped(StaffAuthMiddleware(roles: StaffRole.memberDesk)).get(.eventReport, use: report)
    }

    struct CheckInForm: Content { var q: String? }
    struct WalkInForm: Content { var memberId: Int64?; var grant: String? }

    @Sendable static func show(req: Request) async throws -> Response {
        try await page(req, outcome: nil, error: nil)
    }

    @Sendable static func checkIn(req: Request) async throws -> Response {
        let f = try req.content.decode(CheckInForm.self)
        do {
            let outcome = try await req.store.checkIn(eventId: try eventId(req), input: f.q ?? "", actor: req.actor)
            return try await page(req, outcome: outcome, error: nil)
        } catch let e as DomainError {
            return try await page(req, outcome: nil, error: Forms.message(e, PageContext(req)), status: Forms.status(e))
        }
    }

    @Sendable static func walkIn(req: Request) async throws -> Response {
        let f = try req.content.decode(WalkInForm.self)
        do {
            // Issue 14: a member named by id needs the proof that their card was just presented (or to be one's own).
            if let memberId = f.memberId { try await MemberAccess.checkWalkIn(req, eventId: try eventId(req), memberId: memberId, sent: f.grant) }
            let outcome = try await req.store.recordWalkIn(eventId: try eventId(req), memberId: f.memberId, actor: req.actor)
            return try await page(req, outcome: outcome, error: nil)
        } catch let e as DomainError {
            return try await page(req, outcome: nil, error: Forms.message(e, PageContext(req)), status: Forms.status(e))
        }
    }

    static func page(_ req: Request, outcome: CheckInOutcome?, error: String?, status: HTTPResponseStatus = .ok) async throws -> Response {
        let ctx = PageContext(req)
        let id = try eventId(req)
        guard let event = try await req.store.event(id: id) else { throw Abort(.notFound) }
        let (_, programme) = try await req.store.programme()
        var walkInGrant: String?
        if case .notInvited(let memberId, _, _) = outcome { walkInGrant = MemberAccess.walkInGrant(req, eventId: id, memberId: memberId) }
        let model = CheckInPage.Model(event: event, count: try await req.store.doorCount(eventId: id),
                                      arrivals: try await req.store.arrivals(eventId: id, managedBy: MemberAccess.limitedTo(req.staff.user),
                                                                                mallScope: try await MallAccess.scope(req)),
                                      outcome: outcome, error: error,
                                      programme: programme, walkInGrant: walkInGrant)
        return Layout.render(ctx, title: ctx.t("活动签到", "Check-in"), status: status, CheckInPage.body(model, ctx))
    }

    @Sendable static func report(req: Request) async throws -> Response {
        let ctx = PageContext(req)
        let id = try eventId(req)
        guard let event = try await req.store.event(id: id) else { throw Abort(.notFound) }
        let (_, programme) = try await req.store.programme()
        let days = programme.events.followUpDays
        let report = try await req.store.eventReport(eventId: id, followUpDays: days, timeZone: programme.timeZone)
        return Layout.render(ctx, title: ctx.t("活动报告", "Event report"),
                             EventReportPage.body(event: event, report: report, followUpDays: days, ctx))
    }

    static func eventId(_ req: Request) throws -> Int64 {
        guard let id = req.parameters.get("id", as: Int64.self) else { throw Abort(.notFound) }
        return id
    }
}
