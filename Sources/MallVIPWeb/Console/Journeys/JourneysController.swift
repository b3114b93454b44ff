import Foundation
import MallVIPCore
import MallVIPStore
import Vapor

/// Message templates, automatic journeys and the holiday calendar: planners, managers and admins.
enum JourneysController {
    static func register(_ routes: any RoutesBuilder) throws {
        let org = routes.grouped(StaffAuthMiddleware(roles: StaffRole.organisation))
        org.get(.templates, use: templates)
        org.get(.templateNew, use: newTemplate)
        org.post(.templateNew, use: createTemplate)
        org.get(.template, use: editTemplate)
        org.post(.template, use: updateTemplate)
        org.get(.journeys, use: journeys)
        org.get(.journey, use: editJourney)
        org.post(.journey, use: saveJourney)
        org.post(.journeyToggle, use: toggleJourney)
        org.get(.holidays, use: holidays)
        org.post(.holidayNew, use: createHoliday)
        org.post(.holiday, use: updateHoliday)
        org.post(.holidayDelete, use: deleteHoliday)
    }

    // MARK: Templates

    @Sendable static func templates(req: Request) async throws -> Response {
        let ctx = PageContext(req)
        let model = try await TemplatesPage.Query.model(req.store, notice: try await Notices.take(req))
        return Layout.render(ctx, title: ctx.t("消息模板", "Message templates"), TemplatesPage.View.body(model, ctx))
    }

    @Sendable static func newTemplate(req: Request) async throws -> Response {
        let ctx = PageContext(req)
        var values = TemplateForm.Values()
        values.body = MessageTemplate.signature
        return render(ctx, TemplateForm.Model(creating: true, values: values))
    }

    /// GET with `?member=` previews the saved text for that member.
    @Sendable static func editTemplate(req: Request) async throws -> Response {
        let ctx = PageContext(req)
        let code = try req.parameters.require("code")
        let t = try await TemplateForm.Query.template(req.store, code: code)
        var model = TemplateForm.Model(creating: false, values: .init(t), usedBy: try await TemplateForm.Query.usedBy(req.store, code: code))
        if let member: String = req.query["member"] {
            model.member = member
            (model.preview, model.previewError) = try await TemplateForm.Query.preview(req.store, template: t, member: member, ctx: ctx)
        }
        return render(ctx, model)
    }

    @Sendable static func createTemplate(req: Request) async throws -> Response { try await postTemplate(req, code: nil) }

    @Sendable static func updateTemplate(req: Request) async throws -> Response {
        let code = try req.parameters.require("code")
        _ = try await TemplateForm.Query.template(req.store, code: code)
        return try await postTemplate(req, code: code)
    }

    /// Save, or (action=preview) check and preview what was typed without saving. Either way every problem is listed.
    static func postTemplate(_ req: Request, code: String?) async throws -> Response {
        let ctx = PageContext(req)
        let form = try req.content.decode([String: String].self)
        let values = TemplateForm.Values(form: form, code: code)
        let creating = code == nil
        var model = TemplateForm.Model(creating: creating, values: values, member: Forms.trimmed(form["member"]),
                                       usedBy: creating ? [] : try await TemplateForm.Query.usedBy(req.store, code: values.code))
        let problems = try await req.store.templateProblems(values.template, creating: creating)
        model.errors = problems.map { Forms.message($0, ctx) }
        if form["action"] == "preview" {
            (model.preview, model.previewError) = try await TemplateForm.Query.preview(req.store, template: values.template, member: model.member, ctx: ctx)
            return render(ctx, model, status: problems.isEmpty ? .ok : .unprocessableEntity)
        }
        do {
            try await req.store.saveMessageTemplate(values.template, creating: creating, actor: req.actor)
            return req.redirect(to: try await Forms.withNotice(req, SiteURL.templates.path, ctx.t("已保存模板 \(values.code)", "Template \(values.code) saved")))
        } catch let e as DomainError {
            if model.errors.isEmpty { model.errors = [Forms.message(e, ctx)] }
            return render(ctx, model, status: Forms.status(e))
        }
    }

    static func render(_ ctx: PageContext, _ model: TemplateForm.Model, status: HTTPResponseStatus = .ok) -> Response {
        Layout.render(ctx, title: TemplateForm.View.title(model, ctx), status: status, TemplateForm.View.body(model, ctx))
    }

    // MARK: Journeys

    @Sendable static func journeys(req: Request) async throws -> Response {
        let ctx = PageContext(req)
        let model = try await JourneysPage.Query.model(req.store, notice: try await Notices.take(req))
        return Layout.render(ctx, title: ctx.t("自动旅程", "Journeys"), JourneysPage.View.body(model, ctx))
    }

    @Sendable static func editJourney(req: Request) async throws -> Response {
        let ctx = PageContext(req)
        let j = try await JourneyForm.Query.journey(req.store, code: try req.parameters.require("code"))
        let model = try await JourneyForm.Query.model(req.store, journey: j)
        return Layout.render(ctx, title: JourneyForm.View.title(model, ctx), JourneyForm.View.body(model, ctx))
    }

    @Sendable static func saveJourney(req: Request) async throws -> Response {
        let ctx = PageContext(req)
        let base = try await JourneyForm.Query.journey(req.store, code: try req.parameters.require("code"))
        let values = JourneyForm.Values(form: try req.content.decode([String: String].self))
        do {
            let j = try values.journey(base)
            let problems = j.enabled ? try await req.store.journeyProblems(j) : j.params.check(j.kind)
            if let first = problems.first {
                let model = try await JourneyForm.Query.model(req.store, journey: base, values: values, errors: problems.map { Forms.message($0, ctx) })
                return Layout.render(ctx, title: JourneyForm.View.title(model, ctx), status: Forms.status(first), JourneyForm.View.body(model, ctx))
            }
            try await req.store.saveJourney(j, actor: req.actor)
            return req.redirect(to: try await Forms.withNotice(req, SiteURL.journeys.path, ctx.t("已保存旅程：\(j.name.zh)", "Journey saved: \(j.name.en)")))
        } catch let e as DomainError {
            let model = try await JourneyForm.Query.model(req.store, journey: base, values: values, errors: [Forms.message(e, ctx)])
            return Layout.render(ctx, title: JourneyForm.View.title(model, ctx), status: Forms.status(e), JourneyForm.View.body(model, ctx))
        }
    }

    @Sendable static func toggleJourney(req: Request) async throws -> Response {
        let ctx = PageContext(req)
        let j = try await JourneyForm.Query.journey(req.store, code: try req.parameters.require("code"))
        let on = (try? req.content.get(String.self, at: "enabled")) == "1"
        do {
            try await req.store.setJourneyEnabled(j.kind, on, actor: req.actor)
            let notice = on ? ctx.t("已开启：\(j.name.zh)", "Switched on: \(j.name.en)") : ctx.t("已关闭：\(j.name.zh)", "Switched off: \(j.name.en)")
            return req.redirect(to: try await Forms.withNotice(req, SiteURL.journeys.path, notice))
        } catch let e as DomainError {
            let model = try await JourneysPage.Query.model(req.store, notice: nil, error: j.name.text(ctx.lang) + "：" + Forms.message(e, ctx))
            return Layout.render(ctx, title: ctx.t("自动旅程", "Journeys"), status: Forms.status(e), JourneysPage.View.body(model, ctx))
        }
    }

    // MARK: Holidays

    @Sendable static func holidays(req: Request) async throws -> Response {
        let ctx = PageContext(req)
        let model = try await HolidaysPage.Query.model(req.store, notice: try await Notices.take(req))
        return Layout.render(ctx, title: ctx.t("节日日历", "Holiday calendar"), HolidaysPage.View.body(model, ctx))
    }

    @Sendable static func createHoliday(req: Request) async throws -> Response { try await postHoliday(req, id: nil) }

    @Sendable static func updateHoliday(req: Request) async throws -> Response {
        guard let id = req.parameters.get("id", as: Int64.self) else { throw Abort(.notFound) }
        return try await postHoliday(req, id: id)
    }

    static func postHoliday(_ req: Request, id: Int64?) async throws -> Response {
        let ctx = PageContext(req)
        let form = try req.content.decode([String: String].self)
        do {
            guard let day = LocalDate(Forms.trimmed(form["day"])) else {
                throw DomainError.invalid("day", "holiday.day.format", zh: "日期格式须为 YYYY-MM-DD", en: "The date must be YYYY-MM-DD")
            }
            let name = Forms.trimmed(form["name"])
            try await req.store.saveHoliday(id: id, name: name, day: day, active: form["active"] != nil, actor: req.actor)
            return req.redirect(to: try await Forms.withNotice(req, SiteURL.holidays.path, ctx.t("已保存：\(day) \(name)", "Saved: \(day) \(name)")))
        } catch let e as DomainError {
            let model = try await HolidaysPage.Query.model(req.store, notice: nil, error: Forms.message(e, ctx))
            return Layout.render(ctx, title: ctx.t("节日日历", "Holiday calendar"), status: Forms.status(e), HolidaysPage.View.body(model, ctx))
        }
    }

    @Sendable static func deleteHoliday(req: Request) async throws -> Response {
        let ctx = PageContext(req)
        guard let id = req.parameters.get("id", as: Int64.self) else { throw Abort(.notFound) }
        try await req.store.deleteHoliday(id: id, actor: req.actor)
        return req.redirect(to: try await Forms.withNotice(req, SiteURL.holidays.path, ctx.t("已删除", "Deleted")))
    }
}
