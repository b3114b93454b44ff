import Foundation
import MallVIPCore
import MallVIPStore
import Vapor

/// Account managers (issue 5, docs/domain.md §9.1): My VIPs, the contact log, assignment, hire dates, the ranking.
enum AccountManagersController {
    static func register(_ routes: any RoutesBuilder) throws {
        // Anyone may be a maintainer (the roles are configurable); each sees only their own list and members.
        let anyone = routes.grouped(StaffAuthMiddleware(roles: StaffRole.everyone))
        anyone.get(.myVIPs, use: myVIPs)
        anyone.post(.myVIPsContact, use: addContactFromList)
        anyone.post(.memberContacts, use: addContact)

        let readers = routes.grouped(StaffAuthMiddleware(roles: StaffRole.rankingReaders))
        readers.get(.managerRanking, use: ranking)

        let managers = routes.grouped(StaffAuthMiddleware(roles: StaffRole.managers))
        managers.get(.accountManagers, use: list)
        managers.post(.staffHiredOn, use: setHiredOn)
        managers.post(.managerAward, use: recordAward)
        managers.post(.memberManager, use: assign)
    }

    @Sendable static func myVIPs(req: Request) async throws -> Response {
        try await myVIPsPage(req, asked: req.query["staff"].flatMap { Int64($0) }, notice: try await Notices.take(req), error: nil)
    }

    static func myVIPsPage(_ req: Request, asked: Int64?, notice: String?, error: String?, status: HTTPResponseStatus = .ok) async throws -> Response {
        let ctx = PageContext(req)
        var model = try await MyVIPsPage.Query.model(req.store, user: req.staff.user, asked: asked)
        model.notice = notice
        model.error = error
        return Layout.render(ctx, title: MyVIPsPage.View.title(model, ctx), status: status, MyVIPsPage.View.body(model, ctx))
    }

    struct ContactForm: Content {
        var memberId: Int64?
        /// The list the form was on (a manager may log from anyone's).
        var staff: Int64?
        var kind: String
        var note: String?
    }

    @Sendable static func addContact(req: Request) async throws -> Response {
        let id = try MembersController.memberID(req)
        let f = try req.content.decode(ContactForm.self)
        let user = req.staff.user
        do {
            try await req.store.addContact(memberId: id, staffId: user.id, kind: f.kind, note: f.note ?? "",
                                           managedBy: MemberAccess.limitedTo(user), actor: req.actor)
            return req.redirect(to: try await Forms.withNotice(req, SiteURL.member(id).path, req.lang.t("已记录联系", "Contact logged")))
        } catch let e as DomainError where e.kind != .forbidden && e.kind != .notFound {
            return try await MembersController.showPage(req, id: id, notice: nil, error: Forms.message(e, PageContext(req)), status: Forms.status(e))
        }
    }

    /// From "My VIPs": the member must be on the list shown, which is the user's own unless a manager looks.
    @Sendable static func addContactFromList(req: Request) async throws -> Response {
        let f = try req.content.decode(ContactForm.self)
        let user = req.staff.user
        do {
            guard let memberId = f.memberId else {
                throw DomainError.invalid("memberId", "member.required", zh: "请选择会员", en: "choose a member")
            }
            try await MemberAccess.check(req, memberId: memberId)
            try await req.store.addContact(memberId: memberId, staffId: user.id, kind: f.kind, note: f.note ?? "",
                                           managedBy: MemberAccess.limitedTo(user), actor: req.actor)
            return req.redirect(to: try await Forms.withNotice(req, SiteURL.myVIPs(staff: f.staff).path, req.lang.t("已记录联系", "Contact logged")))
        } catch let e as DomainError where e.kind != .forbidden && e.kind != .notFound {
            return try await myVIPsPage(req, asked: f.staff, notice: nil, error: Forms.message(e, PageContext(req)), status: Forms.status(e))
        }
    }

    struct AssignForm: Content {
        var staffId: String?
        var reason: String?
    }

    @Sendable static func assign(req: Request) async throws -> Response {
        let id = try MembersController.memberID(req)
        let f = try req.content.decode(AssignForm.self)
        do {
            let text = Forms.trimmed(f.staffId)
            let staffId: Int64?
            if text.isEmpty { staffId = nil } else {
                guard let v = Int64(text) else {
                    throw DomainError.invalid("staffId", "staff.exists", zh: "请选择维护人", en: "choose an account manager")
                }
                staffId = v
            }
            try await req.store.assignManager(memberId: id, staffId: staffId, reason: f.reason ?? "", actor: req.actor)
            return req.redirect(to: try await Forms.withNotice(req, SiteURL.member(id).path, req.lang.t("维护人已更新", "Account manager updated")))
        } catch let e as DomainError where !(e.kind == .notFound && e.field == nil) {
            return try await MembersController.showPage(req, id: id, notice: nil, error: Forms.message(e, PageContext(req)), status: Forms.status(e))
        }
    }

    @Sendable static func list(req: Request) async throws -> Response {
        try await listPage(req, notice: try await Notices.take(req), error: nil)
    }

    static func listPage(_ req: Request, notice: String?, error: String?, status: HTTPResponseStatus = .ok) async throws -> Response {
        let ctx = PageContext(req)
        let model = try await AccountManagersPage.Query.model(req.store, notice: notice, error: error)
        return Layout.render(ctx, title: ctx.t("维护人", "Account managers"), status: status, AccountManagersPage.View.body(model, ctx))
    }

    struct HiredOnForm: Content { var hiredOn: String? }

    @Sendable static func setHiredOn(req: Request) async throws -> Response {
        guard let id = req.parameters.get("id", as: Int64.self) else { throw Abort(.notFound) }
        let f = try req.content.decode(HiredOnForm.self)
        do {
            let text = Forms.trimmed(f.hiredOn)
            var day: LocalDate?
            if !text.isEmpty {
                guard let d = LocalDate(text) else {
                    throw DomainError.invalid("hiredOn", "date.format", zh: "入职日期格式须为 YYYY-MM-DD", en: "the hire date must be YYYY-MM-DD")
                }
                day = d
            }
            try await req.store.setHiredOn(staffId: id, hiredOn: day, actor: req.actor)
            return req.redirect(to: try await Forms.withNotice(req, SiteURL.accountManagers.path, req.lang.t("入职日期已保存", "Hire date saved")))
        } catch let e as DomainError where e.kind != .notFound {
            return try await listPage(req, notice: nil, error: Forms.message(e, PageContext(req)), status: Forms.status(e))
        }
    }

    @Sendable static func ranking(req: Request) async throws -> Response {
        try await rankingPage(req, month: req.query["month"], notice: try await Notices.take(req), error: nil)
    }

    static func rankingPage(_ req: Request, month: String?, notice: String?, error: String?, status: HTTPResponseStatus = .ok) async throws -> Response {
        let ctx = PageContext(req)
        let model = try await ManagerRankingPage.Query.model(req.store, month: month, notice: notice, error: error)
        return Layout.render(ctx, title: ctx.t("维护人月度排名", "Account manager ranking"), status: status, ManagerRankingPage.View.body(model, ctx))
    }

    struct AwardForm: Content { var month: String? }

    @Sendable static func recordAward(req: Request) async throws -> Response {
        let f = try req.content.decode(AwardForm.self)
        do {
            let month = try ManagerRankingPage.Query.parseMonth(f.month)
            let award = try await req.store.recordManagerAward(month: month, actor: req.actor)
            return req.redirect(to: try await Forms.withNotice(req, SiteURL.managerRanking(month: award.month).path,
                                                     req.lang.t("已记录获奖者：\(award.staffName)", "Winner recorded: \(award.staffName)")))
        } catch let e as DomainError {
            let month = e.rule == "month.format" ? nil : f.month
            return try await rankingPage(req, month: month, notice: nil, error: Forms.message(e, PageContext(req)), status: Forms.status(e))
        }
    }
}
