import Foundation
import MallVIPCore
import MallVIPStore
import Vapor

/// /console/targets: planners, managers and admins read; managers and admins set and delete targets.
enum TargetsController {
    static func register(_ routes: any RoutesBuilder) throws {
        routes.grouped(StaffAuthMiddleware(roles: StaffRole.organisation)).get(.targets, use: show)
        let managers = routes.grouped(StaffAuthMiddleware(roles: StaffRole.managers))
        managers.post(.targets, use: set)
        managers.post(.targetDelete, use: delete)
    }

    static func canSet(_ req: Request) -> Bool { StaffRole.managers.contains(req.staff.user.role) }

    @Sendable static func show(req: Request) async throws -> Response {
        let ctx = PageContext(req)
        let y = try await EconomicsController.year(req.query["year"], req)
        var model = try await TargetsPage.Query.model(req.store, year: y, canSet: canSet(req))
        model.notice = try await Notices.take(req)
        return Layout.render(ctx, title: ctx.t("年度目标", "Targets"), TargetsPage.View.body(model, ctx))
    }

    struct TargetForm: Content {
        var year: String?
        var mall: String?
        var department: String?
        var metric: String?
        var mode: String?
        var value: String?
        var note: String?
    }

    @Sendable static func set(req: Request) async throws -> Response {
        let ctx = PageContext(req)
        let f = try req.content.decode(TargetForm.self)
        let fallbackYear = try await EconomicsController.year(nil, req)
        do {
            let y = try await EconomicsController.year(f.year, req)
            guard let metric = KPIMetric(rawValue: Forms.trimmed(f.metric)) else {
                throw DomainError.invalid("metric", "target.metric", zh: "请选择指标", en: "choose a metric")
            }
            guard let mode = TargetMode(rawValue: Forms.trimmed(f.mode)) else {
                throw DomainError.invalid("mode", "target.mode", zh: "请选择方式", en: "choose a mode")
            }
            let text = Forms.trimmed(f.value)
            guard let value = mode == .relative ? KPIMetric.parsePercent(text) : metric.parse(text) else {
                throw DomainError.invalid("value", "target.value",
                                          zh: mode == .relative ? "变化须为百分数，如 +20 或 -10" : "目标值格式不正确（\(metric.label.zh)）",
                                          en: mode == .relative ? "the change must be a percentage such as +20 or -10" : "the value is not valid for \(metric.label.en)")
            }
            let mall = try BoundedNumber.int(f.mall, field: "mall", BoundedNumber.id)
            let dept = try BoundedNumber.int(f.department, field: "department", BoundedNumber.id)
            try await req.store.setTarget(KPITarget(year: y, mallId: mall, departmentId: dept, metric: metric, mode: mode, value: value),
                                          note: Forms.trimmed(f.note), actor: req.actor)
            return req.redirect(to: try await Forms.withNotice(req, SiteURL.targets(year: y).path, ctx.t("已保存目标", "Target saved")))
        } catch let e as DomainError {
            var model = try await TargetsPage.Query.model(req.store, year: (try? await EconomicsController.year(f.year, req)) ?? fallbackYear, canSet: true)
            model.error = Forms.message(e, ctx)
            model.form = ["year": f.year ?? "", "mall": f.mall ?? "", "department": f.department ?? "", "metric": f.metric ?? "",
                          "mode": f.mode ?? "", "value": f.value ?? "", "note": f.note ?? ""]
            return Layout.render(ctx, title: ctx.t("年度目标", "Targets"), status: Forms.status(e), TargetsPage.View.body(model, ctx))
        }
    }

    @Sendable static func delete(req: Request) async throws -> Response {
        let ctx = PageContext(req)
        guard let id = req.parameters.get("id", as: Int64.self) else { throw Abort(.notFound) }
        try await req.store.deleteTarget(id: id, actor: req.actor)
        return req.redirect(to: try await Forms.withNotice(req, SiteURL.targets(year: nil).path, ctx.t("已删除目标", "Target deleted")))
    }
}
