import Foundation
import MallVIPCore
import MallVIPStore
import Vapor

/// Events in the console (issue 6): planners and managers create and edit them and send the invitations; the
/// desk and account managers see them and record a member's answer (channel desk / manager).
enum EventsAdminController {
    static let planners: Set<StaffRole> = StaffRole.organisation

    static func register(_ routes: any RoutesBuilder) throws {
        let read = routes.grouped(StaffAuthMiddleware(roles: StaffRole.memberDesk))
        read.get(.events, use: list)
        read.get(.event, use: show)
        read.post(.eventRSVP, use: rsvp)
        let plan = routes.grouped(StaffAuthMiddleware(roles: planners))
        plan.get(.eventNew, use: newForm)
        plan.post(.events, use: create)
        plan.get(.eventEdit, use: editForm)
        plan.post(.eventEdit, use: update)
        plan.post(.eventInvite, use: invite)
        plan.post(.eventStatus, use: setStatus)
    }

    struct EventForm: Content {
        var type: String?, title: String?, startsAt: String?, endsAt: String?, place: String?, capacity: String?
        var budget: String?, segmentId: String?, tiers: [String]?, rsvpDeadline: String?
    }
    struct RSVPForm: Content { var q: String?; var accept: String? }
    struct StatusForm: Content { var status: String? }

    static func input(_ f: EventForm, _ programme: Programme) throws -> EventInput {
        let tz = programme.timeZone
        func time(_ text: String?, _ field: String, _ zh: String, _ en: String) throws -> Int64 {
            guard let d = CampaignForm.parseLocal(Forms.trimmed(text), tz) else {
                throw DomainError.invalid(field, "event.\(field)", zh: "请填写\(zh)", en: "enter the \(en)")
            }
            return epochMillis(d)
        }
        guard let type = EventType(rawValue: f.type ?? "") else {
            throw DomainError.invalid("type", "event.type", zh: "请选择活动类型", en: "choose the event type")
        }
        guard let capacity = (try? BoundedNumber.int(f.capacity, field: "capacity", BoundedNumber.count)).map({ Int($0) }) else {
            throw DomainError.invalid("capacity", "event.capacity", zh: "名额须为整数", en: "capacity must be a whole number")
        }
        let budgetText = Forms.trimmed(f.budget)
        guard let budget = budgetText.isEmpty ? 0 : Money.parseYuan(budgetText), budget <= NumericLimits.maxMoneyFen else {
            throw DomainError.invalid("budget", "event.budget", zh: "预算格式不正确", en: "the budget is not an amount")
        }
        return EventInput(type: type, title: f.title ?? "", startsAtMs: try time(f.startsAt, "startsAt", "开始时间", "start"),
                          endsAtMs: try time(f.endsAt, "endsAt", "结束时间", "end"), place: f.place ?? "", capacity: capacity,
                          budgetFen: budget, audienceSegmentId: Int64(Forms.trimmed(f.segmentId)), audienceTiers: f.tiers ?? [],
                          rsvpDeadlineMs: try time(f.rsvpDeadline, "rsvpDeadline", "报名截止时间", "RSVP deadline"))
    }

    @Sendable static func list(req: Request) async throws -> Response {
        let ctx = PageContext(req)
        let (_, programme) = try await req.store.programme()
        return Layout.render(ctx, title: ctx.t("会员活动", "Events"),
                             EventsAdminView.list(try await req.store.events(), programme, mayPlan: planners.contains(req.staff.user.role), ctx))
    }

    @Sendable static func newForm(req: Request) async throws -> Response { try await form(req, event: nil, values: nil, error: nil) }

    @Sendable static func editForm(req: Request) async throws -> Response {
        try await form(req, event: try await event(req), values: nil, error: nil)
    }

    static func form(_ req: Request, event: Event?, values: EventForm?, error: String?, status: HTTPResponseStatus = .ok) async throws -> Response {
        let ctx = PageContext(req)
        let (_, programme) = try await req.store.programme()
        return Layout.render(ctx, title: event == nil ? ctx.t("新建活动", "New event") : ctx.t("编辑活动", "Edit event"), status: status,
                             EventsAdminView.form(event: event, values: values, segments: try await req.store.segments(),
                                                  programme: programme, error: error, ctx))
    }

    @Sendable static func create(req: Request) async throws -> Response {
        let f = try req.content.decode(EventForm.self)
        let (_, programme) = try await req.store.programme()
        do {
            let e = try await req.store.createEvent(try input(f, programme), programme: programme, actor: req.actor)
            return req.redirect(to: SiteURL.event(e.id).path, redirectType: .normal)
        } catch let e as DomainError {
            return try await form(req, event: nil, values: f, error: Forms.message(e, PageContext(req)), status: Forms.status(e))
        }
    }

    @Sendable static func update(req: Request) async throws -> Response {
        let existing = try await event(req)
        let f = try req.content.decode(EventForm.self)
        let (_, programme) = try await req.store.programme()
        do {
            _ = try await req.store.updateEvent(id: existing.id, try input(f, programme), programme: programme)
            return req.redirect(to: SiteURL.event(existing.id).path, redirectType: .normal)
        } catch let e as DomainError {
            return try await form(req, event: existing, values: f, error: Forms.message(e, PageContext(req)), status: Forms.status(e))
        }
    }

    @Sendable static func show(req: Request) async throws -> Response {
        try await page(req, notice: try await Notices.take(req), error: nil)
    }

    static func page(_ req: Request, notice: String?, error: String?, status: HTTPResponseStatus = .ok) async throws -> Response {
        let ctx = PageContext(req)
        let e = try await event(req)
        let (_, programme) = try await req.store.programme()
        // Issue 14: the names listed are scoped like every member list (MemberAccess); the counts stay the event's.
        // Issue 17: and to the staff member's malls.
        let limitedTo = MemberAccess.limitedTo(req.staff.user)
        let mallScope = try await MallAccess.scope(req)
        var listed: [EventInvitation]?
        if limitedTo != nil || !mallScope.coversEveryMember {
            listed = try await req.store.invitations(eventId: e.id, managedBy: limitedTo, mallScope: mallScope)
        }
        let model = EventsAdminView.Model(event: e, invitations: try await req.store.invitations(eventId: e.id), programme: programme,
                                          mayPlan: planners.contains(req.staff.user.role), notice: notice, error: error, listed: listed)
        return Layout.render(ctx, title: e.title, status: status, EventsAdminView.page(model, ctx))
    }

    @Sendable static func invite(req: Request) async throws -> Response {
        let e = try await event(req)
        let (_, programme) = try await req.store.programme()
        let ctx = PageContext(req)
        do {
            let (n, m) = try await req.store.inviteAudience(eventId: e.id, programme: programme,
                                                            linkBase: EventLinkController.linkBase(req), actor: req.actor)
            let note = ctx.t("新邀请 \(n) 人：\(m.queued) 条待发送，\(m.refused) 条因未同意等原因未发送",
                             "\(n) invited: \(m.queued) messages queued, \(m.refused) not sent (no consent etc.)")
            return req.redirect(to: try await Forms.withNotice(req, SiteURL.event(e.id).path, note), redirectType: .normal)
        } catch let err as DomainError {
            return try await page(req, notice: nil, error: Forms.message(err, ctx), status: Forms.status(err))
        }
    }

    /// The desk or an account manager answers for a member found by card number or phone.
    @Sendable static func rsvp(req: Request) async throws -> Response {
        let e = try await event(req)
        let f = try req.content.decode(RSVPForm.self)
        let ctx = PageContext(req)
        let q = Forms.trimmed(f.q).filter { !$0.isWhitespace && $0 != "-" }
        let (_, programme) = try await req.store.programme()
        do {
            var member = q.isEmpty ? nil : try await req.store.lookup(card: q, phone: nil)
            if member == nil, !q.isEmpty { member = try await req.store.lookup(card: nil, phone: q) }
            guard let member else {
                throw DomainError(.notFound, field: "q", rule: "member.exists", zh: "找不到此卡号或手机号的会员", en: "no member with this card or phone")
            }
            try await MemberAccess.check(req, member: member)
            let channel: RSVPChannel = req.staff.user.role == .accountManager ? .manager : .desk
            let r = try await req.store.rsvp(eventId: e.id, memberId: member.id, accept: f.accept == "1", channel: channel,
                                             programme: programme, linkBase: EventLinkController.linkBase(req))
            let note = "\(member.name)：" + r.invitation.status.label.text(ctx.lang)
            return req.redirect(to: try await Forms.withNotice(req, SiteURL.event(e.id).path, note), redirectType: .normal)
        } catch let err as DomainError {
            return try await page(req, notice: nil, error: Forms.message(err, ctx), status: Forms.status(err))
        }
    }

    @Sendable static func setStatus(req: Request) async throws -> Response {
        let e = try await event(req)
        guard let s = EventStatus(rawValue: try req.content.decode(StatusForm.self).status ?? "") else { throw Abort(.badRequest) }
        try await req.store.setEventStatus(id: e.id, s)
        return req.redirect(to: SiteURL.event(e.id).path, redirectType: .normal)
    }

    static func event(_ req: Request) async throws -> Event {
        guard let id = req.parameters.get("id", as: Int64.self), let e = try await req.store.event(id: id) else { throw Abort(.notFound) }
        return e
    }
}
