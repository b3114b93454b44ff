import Foundation
import MallVIPCore
import MallVIPStore
import Vapor

/// Regular-customer conversion (主顾客转化): register customers at a counter, the monthly invite list, and the
/// weekly department ranking with its award.
enum ProspectsController {
    static func register(_ routes: any RoutesBuilder) throws {
        let desk = routes.grouped(StaffAuthMiddleware(roles: StaffRole.prospectDesk))
        desk.get(.prospects, use: list)
        desk.post(.prospects, use: create)
        desk.get(.prospectInvites, use: invites)

        let org = routes.grouped(StaffAuthMiddleware(roles: StaffRole.organisation))
        org.get(.conversionRanking, use: ranking)
        org.post(.conversionAward, use: award)

        let admins = routes.grouped(StaffAuthMiddleware(roles: StaffRole.admins))
        admins.post(.staffCounter, use: setStaffCounter)
    }

    static func access(_ req: Request) async throws -> ProspectAccess {
        let user = req.staff.user
        if user.role == .counterStaff {
            return ProspectAccess(ownCounter: try await req.store.staffCounterId(staffId: user.id), restricted: true, filter: .init())
        }
        return ProspectAccess(ownCounter: nil, restricted: false,
                              filter: ProspectScope(counterId: req.query["counter"].flatMap { Int64($0) },
                                                    departmentId: req.query["department"].flatMap { Int64($0) }))
    }

    @Sendable static func list(req: Request) async throws -> Response {
        let ctx = PageContext(req)
        let model = try await ProspectsPage.Query.model(req.store, access: try await access(req), notice: try await Notices.take(req))
        return Layout.render(ctx, title: ctx.t("主顾客登记", "Regular customers"), ProspectsPage.View.body(model, ctx))
    }

    @Sendable static func create(req: Request) async throws -> Response {
        let ctx = PageContext(req)
        let form = try req.content.decode([String: String].self)
        let values = ProspectsPage.Values(phone: Forms.trimmed(form["phone"]), name: Forms.trimmed(form["name"]),
                                          counterId: Forms.trimmed(form["counterId"]))
        let access = try await access(req)
        do {
            // Counter staff always register at their own counter, whatever the form says.
            let counterId: Int64
            if access.restricted {
                guard let own = access.ownCounter else {
                    throw DomainError(.forbidden, field: "counterId", rule: "staff.counter", zh: "您的账号尚未设置店柜，请联系管理员",
                                      en: "your account has no counter yet; ask an administrator")
                }
                counterId = own
            } else {
                guard let id = Int64(values.counterId) else {
                    throw DomainError.invalid("counterId", "counter.required", zh: "请选择店柜", en: "choose a counter")
                }
                counterId = id
            }
            try await req.store.registerProspect(phone: values.phone, name: values.name, counterId: counterId, actor: req.actor)
            return req.redirect(to: try await Forms.withNotice(req, SiteURL.prospects(counter: nil, department: nil).path,
                                                     ctx.t("已登记 \(Identity.maskPhone(values.phone))", "Registered \(Identity.maskPhone(values.phone))")))
        } catch let e as DomainError {
            var model = try await ProspectsPage.Query.model(req.store, access: access, notice: nil)
            model.values = values
            model.error = Forms.message(e, ctx)
            return Layout.render(ctx, title: ctx.t("主顾客登记", "Regular customers"), status: Forms.status(e), ProspectsPage.View.body(model, ctx))
        }
    }

    @Sendable static func invites(req: Request) async throws -> Response {
        let ctx = PageContext(req)
        let model = try await InvitesPage.Query.model(req.store, access: try await access(req), month: req.query["month"])
        return Layout.render(ctx, title: ctx.t("本月邀请办卡名单 · \(model.month)", "Invite list · \(model.month)"), InvitesPage.View.body(model, ctx))
    }

    @Sendable static func ranking(req: Request) async throws -> Response {
        let ctx = PageContext(req)
        let model = try await RankingPage.Query.model(req.store, mall: req.query["mall"], week: req.query["week"], notice: try await Notices.take(req))
        return Layout.render(ctx, title: ctx.t("各课转化周排名", "Weekly conversion ranking"), RankingPage.View.body(model, ctx))
    }

    @Sendable static func award(req: Request) async throws -> Response {
        let ctx = PageContext(req)
        let form = try req.content.decode([String: String].self)
        let (mall, week) = (Forms.trimmed(form["mall"]), Forms.trimmed(form["week"]))
        do {
            guard let mallId = Int64(mall) else {
                throw DomainError.invalid("mall", "mall.required", zh: "请选择商场", en: "choose a mall")
            }
            guard let day = LocalDate(week) else {
                throw DomainError.invalid("week", "week.format", zh: "日期格式须为 YYYY-MM-DD", en: "week must be a date YYYY-MM-DD")
            }
            guard let award = try await req.store.recordConversionAward(mallId: mallId, week: day, actor: req.actor) else {
                throw DomainError(.notEligible, field: "week", rule: "award.noConversions", zh: "该周没有转化，无人获奖",
                                  en: "nobody converted anyone that week: no winner")
            }
            let notice = ctx.t("已记录 \(award.departmentName) 获得 \(award.rewardText)", "Recorded: \(award.departmentName) wins \(award.rewardText)")
            return req.redirect(to: try await Forms.withNotice(req, SiteURL.conversionRanking(mall: mallId, week: award.weekStart.description).path, notice))
        } catch let e as DomainError {
            var model = try await RankingPage.Query.model(req.store, mall: mall, week: week, notice: nil)
            model.error = Forms.message(e, ctx)
            return Layout.render(ctx, title: ctx.t("各课转化周排名", "Weekly conversion ranking"), status: Forms.status(e), RankingPage.View.body(model, ctx))
        }
    }

    @Sendable static func setStaffCounter(req: Request) async throws -> Response {
        let ctx = PageContext(req)
        guard let id = req.parameters.get("id", as: Int64.self) else { throw Abort(.notFound) }
        let text = Forms.trimmed(try req.content.decode([String: String].self)["counterId"])
        let counterId = text.isEmpty ? nil : Int64(text)
        if !text.isEmpty, counterId == nil {
            throw DomainError.invalid("counterId", "counter.format", zh: "店柜无效", en: "counterId is not a counter")
        }
        try await req.store.setStaffCounter(staffId: id, counterId: counterId, actor: req.actor)
        return req.redirect(to: try await Forms.withNotice(req, SiteURL.staff.path, ctx.t("已设置店柜", "Counter saved")))
    }
}
