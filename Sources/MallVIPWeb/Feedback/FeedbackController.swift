import Foundation
import MallVIPCore
import MallVIPStore
import Plot
import Vapor

/// Complaints and service requests (the desk and account managers record and work them), the quarterly feedback
/// report and the survey sends (managers and planners).
enum FeedbackController {
    static func register(_ routes: any RoutesBuilder) throws {
        let desk = routes.grouped(StaffAuthMiddleware(roles: StaffRole.memberDesk))
        desk.get(.complaints, use: list)
        desk.post(.complaints, use: open)
        desk.post(.complaintRespond, use: respond)
        desk.post(.complaintResolve, use: resolve)
        let org = routes.grouped(StaffAuthMiddleware(roles: StaffRole.organisation))
        org.get(.feedbackReport, use: report)
        org.post(.feedbackQuarterlySend, use: quarterlySend)
        org.post(.eventSurveys, use: eventSurveys)
    }

    static func linkBase(_ req: Request) -> String { req.application.appConfig.messaging.publicURL ?? "" }

    struct NewForm: Content {
        var member: String?; var kind: String?; var channel: String?; var category: String?; var counter: String?
        var owner: String?; var description: String?
    }
    struct ResolveForm: Content { var outcome: String?; var told: String? }

    @Sendable static func list(req: Request) async throws -> Response {
        try await listPage(req, error: nil, status: .ok)
    }

    static func listPage(_ req: Request, error: String?, status: HTTPResponseStatus) async throws -> Response {
        let ctx = PageContext(req)
        let (_, programme) = try await req.store.programme()
        let filter = (req.query["status"] as String?).flatMap(ComplaintStatus.init(rawValue:))
        // Issue 14: an account manager lists only their own members' complaints (MemberAccess).
        let rows = try await req.store.complaints(status: filter, managedBy: MemberAccess.limitedTo(req.staff.user),
                                               mallScope: try await MallAccess.scope(req))
        return ComplaintsView.page(ctx, rows: rows, programme: programme, nowMs: epochMillis(req.store.env.now()),
                                   notice: try await Notices.take(req), error: error, status: status)
    }

    @Sendable static func open(req: Request) async throws -> Response {
        let f = try req.content.decode(NewForm.self)
        do {
            var memberId: Int64?
            let who = Forms.trimmed(f.member)
            if !who.isEmpty {
                guard let m = try await req.store.lookup(card: who, phone: who) else {
                    throw DomainError(.notFound, field: "member", rule: "member.exists", zh: "找不到该卡号或手机号的会员",
                                      en: "no member with that card number or phone")
                }
                try await MemberAccess.check(req, member: m)
                memberId = m.id
            }
            var counterId: Int64?
            let code = Forms.trimmed(f.counter)
            if !code.isEmpty {
                guard let c = try await req.store.counter(code: code) else {
                    throw DomainError(.notFound, field: "counter", rule: "counter.exists", zh: "专柜编号不存在", en: "no counter with that code")
                }
                counterId = c.id
            }
            guard let kind = ComplaintKind(rawValue: f.kind ?? ""), let channel = FeedbackChannel(rawValue: f.channel ?? "") else {
                throw DomainError.invalid("channel", "complaint.channel", zh: "请选择类型和渠道", en: "choose a kind and a channel")
            }
            let owner = Forms.trimmed(f.owner).isEmpty ? req.staff.user.username : Forms.trimmed(f.owner)
            let c = try await req.store.openComplaint(NewComplaint(
                memberId: memberId, kind: kind, channel: channel, category: f.category ?? "", counterId: counterId,
                owner: owner, description: f.description ?? ""), actor: req.actor)
            return req.redirect(to: try await Forms.withNotice(req, SiteURL.complaints(status: nil).path, req.lang.t("已登记 #\(c.id)", "Recorded #\(c.id)")))
        } catch let e as DomainError {
            return try await listPage(req, error: Forms.message(e, PageContext(req)), status: Forms.status(e))
        }
    }

    @Sendable static func respond(req: Request) async throws -> Response {
        try await action(req) { id in
            _ = try await req.store.respondToComplaint(id: id, actor: req.actor)
            return req.lang.t("已记录首次响应 #\(id)", "First response recorded for #\(id)")
        }
    }

    @Sendable static func resolve(req: Request) async throws -> Response {
        let f = try req.content.decode(ResolveForm.self)
        let (_, programme) = try await req.store.programme()
        return try await action(req) { id in
            _ = try await req.store.resolveComplaint(id: id, outcome: f.outcome ?? "", told: f.told == "1", actor: req.actor,
                                                     programme: programme, linkBase: linkBase(req))
            return req.lang.t("已结案 #\(id)", "Closed #\(id)")
        }
    }

    static func action(_ req: Request, _ body: (Int64) async throws -> String) async throws -> Response {
        guard let id = req.parameters.get("id", as: Int64.self) else { throw Abort(.notFound) }
        do {
            return req.redirect(to: try await Forms.withNotice(req, SiteURL.complaints(status: nil).path, try await body(id)))
        } catch let e as DomainError {
            return try await listPage(req, error: Forms.message(e, PageContext(req)), status: Forms.status(e))
        }
    }

    @Sendable static func report(req: Request) async throws -> Response {
        let (_, programme) = try await req.store.programme()
        let today = LocalDate.of(req.store.env.now(), in: programme.timeZone)
        let quarter = (req.query["quarter"] as String?).flatMap(Quarter.init) ?? Quarter(today)
        let r = try await req.store.feedbackReport(quarter: quarter, programme: programme)
        return FeedbackReportView.page(PageContext(req), r, programme: programme, notice: try await Notices.take(req))
    }

    @Sendable static func quarterlySend(req: Request) async throws -> Response {
        let (_, programme) = try await req.store.programme()
        let quarter = Quarter(LocalDate.of(req.store.env.now(), in: programme.timeZone))
        let sent = try await req.store.sendQuarterlySurveys(quarter: quarter, programme: programme, linkBase: linkBase(req))
        return req.redirect(to: try await Forms.withNotice(req, SiteURL.feedbackReport(quarter: nil).path,
                                                 req.lang.t("已发出 \(sent.count) 份问卷", "\(sent.count) surveys sent")))
    }

    @Sendable static func eventSurveys(req: Request) async throws -> Response {
        guard let id = req.parameters.get("id", as: Int64.self) else { throw Abort(.notFound) }
        let (_, programme) = try await req.store.programme()
        let sent = try await req.store.sendEventSurveys(eventId: id, programme: programme, linkBase: linkBase(req))
        return req.redirect(to: try await Forms.withNotice(req, SiteURL.feedbackReport(quarter: nil).path,
                                                 req.lang.t("活动问卷已发出 \(sent.count) 份", "\(sent.count) event surveys sent")))
    }
}
