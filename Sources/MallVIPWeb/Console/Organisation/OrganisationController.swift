import Foundation
import MallVIPCore
import MallVIPStore
import Vapor

/// Counters, departments and malls. Admins, managers and planners look after counters and departments; only
/// admins create malls.
enum OrganisationController {
    static func register(_ routes: any RoutesBuilder) throws {
        let org = routes.grouped(StaffAuthMiddleware(roles: StaffRole.organisation))
        org.get(.counters, use: counters)
        org.get(.counterNew, use: newCounter)
        org.post(.counterNew, use: createCounter)
        org.get(.counter, use: editCounter)
        org.post(.counter, use: updateCounter)
        org.get(.departments, use: departments)
        org.post(.departments, use: createDepartment)

        let admin = routes.grouped(StaffAuthMiddleware(roles: StaffRole.admins))
        admin.post(.malls, use: createMall)
    }

    // MARK: Counters

    @Sendable static func counters(req: Request) async throws -> Response {
        let ctx = PageContext(req)
        let model = try await CountersPage.Query.model(req.store, notice: try await Notices.take(req))
        return Layout.render(ctx, title: ctx.t("店柜", "Counters"), CountersPage.View.body(model, ctx))
    }

    @Sendable static func newCounter(req: Request) async throws -> Response {
        let ctx = PageContext(req)
        let model = CounterForm.Model(id: nil, values: .init(), departments: try await CounterForm.Query.departmentOptions(req.store))
        return Layout.render(ctx, title: CounterForm.View.title(model, ctx), CounterForm.View.body(model, ctx))
    }

    @Sendable static func editCounter(req: Request) async throws -> Response {
        let ctx = PageContext(req)
        let id = try counterID(req)
        let counter = try await CounterForm.Query.counter(req.store, id: id)
        let model = CounterForm.Model(id: id, values: .init(counter), departments: try await CounterForm.Query.departmentOptions(req.store))
        return Layout.render(ctx, title: CounterForm.View.title(model, ctx), CounterForm.View.body(model, ctx))
    }

    struct CounterFormData: Content {
        var departmentId: String?
        var code: String?
        var name: String?
        var brand: String?
        var category: String?
        var floor: String?
        var participatesInDiscount: String?
        var earnsPoints: String?
        var active: String?

        var values: CounterForm.Values {
            var v = CounterForm.Values()
            v.departmentId = departmentId ?? ""
            v.code = Forms.trimmed(code)
            v.name = Forms.trimmed(name)
            v.brand = Forms.trimmed(brand)
            v.category = Forms.trimmed(category)
            v.floor = Forms.trimmed(floor)
            v.participatesInDiscount = participatesInDiscount != nil
            v.earnsPoints = earnsPoints != nil
            v.active = active != nil
            return v
        }
    }

    @Sendable static func createCounter(req: Request) async throws -> Response {
        try await saveCounter(req, id: nil)
    }

    @Sendable static func updateCounter(req: Request) async throws -> Response {
        let id = try counterID(req)
        _ = try await CounterForm.Query.counter(req.store, id: id)
        return try await saveCounter(req, id: id)
    }

    /// Saves the posted counter; domain errors come back on the form with what was typed.
    static func saveCounter(_ req: Request, id: Int64?) async throws -> Response {
        let ctx = PageContext(req)
        let values = try req.content.decode(CounterFormData.self).values
        do {
            guard let departmentId = Int64(values.departmentId) else {
                throw DomainError.invalid("departmentId", "department.required", zh: "请选择所属课", en: "choose a department")
            }
            try await req.store.saveCounter(id: id, CounterInput(
                departmentId: departmentId, code: values.code, name: values.name, brand: values.brand, category: values.category,
                floor: values.floor, participatesInDiscount: values.participatesInDiscount, earnsPoints: values.earnsPoints,
                active: values.active), actor: req.actor)
            let notice = id == nil ? ctx.t("已新增店柜 \(values.code)", "Counter \(values.code) created")
                                   : ctx.t("已保存店柜 \(values.code)", "Counter \(values.code) saved")
            return req.redirect(to: try await Forms.withNotice(req, SiteURL.counters.path, notice))
        } catch let e as DomainError {
            let model = CounterForm.Model(id: id, values: values, departments: try await CounterForm.Query.departmentOptions(req.store),
                                          error: Forms.message(e, ctx))
            return Layout.render(ctx, title: CounterForm.View.title(model, ctx), status: Forms.status(e), CounterForm.View.body(model, ctx))
        }
    }

    static func counterID(_ req: Request) throws -> Int64 {
        guard let id = req.parameters.get("id", as: Int64.self) else { throw Abort(.notFound) }
        return id
    }

    // MARK: Departments and malls

    @Sendable static func departments(req: Request) async throws -> Response {
        let ctx = PageContext(req)
        let model = try await DepartmentsPage.Query.model(req.store, canCreateMall: canCreateMall(req), notice: try await Notices.take(req))
        return Layout.render(ctx, title: ctx.t("课与商场", "Departments and malls"), DepartmentsPage.View.body(model, ctx))
    }

    struct DepartmentFormData: Content { var mallId: String?; var code: String?; var name: String? }

    @Sendable static func createDepartment(req: Request) async throws -> Response {
        let ctx = PageContext(req)
        let f = try req.content.decode(DepartmentFormData.self)
        let values = DepartmentsPage.DepartmentValues(mallId: f.mallId ?? "", code: Forms.trimmed(f.code), name: Forms.trimmed(f.name))
        do {
            guard let mallId = Int64(values.mallId), try await req.store.malls().contains(where: { $0.id == mallId }) else {
                throw DomainError.invalid("mallId", "mall.required", zh: "请选择商场", en: "choose a mall")
            }
            _ = try await req.store.createDepartment(mallId: mallId, code: values.code, name: values.name, actor: req.actor)
            return req.redirect(to: try await Forms.withNotice(req, SiteURL.departments.path, ctx.t("已新建课 \(values.name)", "Department \(values.name) created")))
        } catch let e as DomainError {
            var model = try await DepartmentsPage.Query.model(req.store, canCreateMall: canCreateMall(req), notice: nil)
            model.department = values
            model.errorForm = "department"
            model.error = Forms.message(e, ctx)
            return Layout.render(ctx, title: ctx.t("课与商场", "Departments and malls"), status: Forms.status(e), DepartmentsPage.View.body(model, ctx))
        }
    }

    struct MallFormData: Content { var code: String?; var name: String? }

    @Sendable static func createMall(req: Request) async throws -> Response {
        let ctx = PageContext(req)
        let f = try req.content.decode(MallFormData.self)
        let values = DepartmentsPage.MallValues(code: Forms.trimmed(f.code), name: Forms.trimmed(f.name))
        do {
            guard !values.name.isEmpty else {
                throw DomainError.invalid("name", "required", zh: "请填写商场名称", en: "name is required")
            }
            _ = try await req.store.createMall(code: values.code, name: values.name, actor: req.actor)
            return req.redirect(to: try await Forms.withNotice(req, SiteURL.departments.path, ctx.t("已新建商场 \(values.name)", "Mall \(values.name) created")))
        } catch let e as DomainError {
            var model = try await DepartmentsPage.Query.model(req.store, canCreateMall: true, notice: nil)
            model.mall = values
            model.errorForm = "mall"
            model.error = Forms.message(e, ctx)
            return Layout.render(ctx, title: ctx.t("课与商场", "Departments and malls"), status: Forms.status(e), DepartmentsPage.View.body(model, ctx))
        }
    }

    static func canCreateMall(_ req: Request) -> Bool { StaffRole.admins.contains(req.staff.user.role) }
}
