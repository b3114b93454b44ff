import Foundation
import MallVIPCore
import MallVIPStore
import Vapor

/// Campaigns (活动推送): planners, managers and admins.
enum CampaignsController {
    static func register(_ routes: any RoutesBuilder) throws {
        let org = routes.grouped(StaffAuthMiddleware(roles: StaffRole.organisation))
        org.get(.campaigns, use: list)
        org.get(.campaignNew, use: newCampaign)
        org.post(.campaignNew, use: create)
        org.get(.campaign, use: show)
        org.get(.campaignEdit, use: edit)
        org.post(.campaignEdit, use: update)
        org.post(.campaignSchedule, use: schedule)
        org.post(.campaignSendNow, use: sendNow)
        org.post(.campaignCancel, use: cancel)
    }

    @Sendable static func list(req: Request) async throws -> Response {
        let ctx = PageContext(req)
        let model = try await CampaignsPage.Query.model(req.store, notice: try await Notices.take(req))
        return Layout.render(ctx, title: ctx.t("活动推送", "Campaigns"), CampaignsPage.View.body(model, ctx))
    }

    @Sendable static func newCampaign(req: Request) async throws -> Response {
        let ctx = PageContext(req)
        let model = try await CampaignForm.Query.model(req.store, id: nil, values: nil)
        return Layout.render(ctx, title: CampaignForm.View.title(model, ctx), CampaignForm.View.body(model, ctx))
    }

    @Sendable static func edit(req: Request) async throws -> Response {
        let ctx = PageContext(req)
        let id = try campaignID(req)
        let model = try await CampaignForm.Query.model(req.store, id: id, values: nil)
        return Layout.render(ctx, title: CampaignForm.View.title(model, ctx), CampaignForm.View.body(model, ctx))
    }

    @Sendable static func show(req: Request) async throws -> Response {
        try await page(req, id: try campaignID(req), notice: try await Notices.take(req))
    }

    @Sendable static func create(req: Request) async throws -> Response { try await save(req, id: nil) }

    @Sendable static func update(req: Request) async throws -> Response {
        let id = try campaignID(req)
        _ = try await CampaignPage.Query.campaign(req.store, id: id)
        return try await save(req, id: id)
    }

    /// Saves the posted campaign as a draft, and schedules it when the "save and schedule" button was used (at once
    /// when "send now" is ticked). Problems come back on the form with what was typed; a campaign saved before
    /// scheduling failed stays as a draft, and the form then edits it.
    static func save(_ req: Request, id: Int64?) async throws -> Response {
        let ctx = PageContext(req)
        let form = try req.content.decode([String: String].self)
        let values = CampaignForm.Values(form: form)
        var savedId = id
        do {
            let (_, programme) = try await req.store.programme()
            savedId = try await req.store.saveCampaign(id: id, try values.input(programme), actor: req.actor)
            guard let cid = savedId else { throw Abort(.internalServerError) }
            if form["action"] == "schedule" {
                let notice = try await scheduleAndMaybeSend(req, cid, sendNow: values.sendNow, ctx)
                return req.redirect(to: try await Forms.withNotice(req, SiteURL.campaign(cid).path, notice))
            }
            return req.redirect(to: try await Forms.withNotice(req, SiteURL.campaign(cid).path, ctx.t("已保存草稿", "Draft saved")))
        } catch {
            guard let messages = messages(error, ctx) else { throw error }
            let model = try await CampaignForm.Query.model(req.store, id: savedId, values: values, errors: messages.texts)
            return Layout.render(ctx, title: CampaignForm.View.title(model, ctx), status: messages.status, CampaignForm.View.body(model, ctx))
        }
    }

    @Sendable static func schedule(req: Request) async throws -> Response { try await act(req) { id, ctx in
        try await scheduleAndMaybeSend(req, id, sendNow: false, ctx)
    } }

    @Sendable static func sendNow(req: Request) async throws -> Response { try await act(req) { id, ctx in
        try await scheduleAndMaybeSend(req, id, sendNow: true, ctx)
    } }

    @Sendable static func cancel(req: Request) async throws -> Response { try await act(req) { id, ctx in
        try await req.store.cancelCampaign(id: id, actor: req.actor)
        return ctx.t("活动已取消", "Campaign cancelled")
    } }

    /// Schedules; a campaign due now is sent in this request (its messages queued in the outbox) rather than at the
    /// next pass of the scheduler.
    static func scheduleAndMaybeSend(_ req: Request, _ id: Int64, sendNow: Bool, _ ctx: PageContext) async throws -> String {
        let at = try await req.store.scheduleCampaign(id: id, sendNow: sendNow, actor: req.actor)
        let now = req.store.env.now()
        guard at <= now else {
            let (_, programme) = try await req.store.programme()
            return ctx.t("已排期：\(Layout.dateTime(at, programme))", "Scheduled for \(Layout.dateTime(at, programme))")
        }
        let run = try await req.store.runDueCampaigns(now: now)
        return ctx.t("已发送：\(run.outbox.queued) 条待发，\(run.outbox.holdout) 人对照组，\(run.outbox.refused) 条拒发",
                     "Sent: \(run.outbox.queued) queued, \(run.outbox.holdout) in the control group, \(run.outbox.refused) refused")
    }

    /// A button on the campaign page: done → back to the page with a notice; refused → the page with the reason.
    static func act(_ req: Request, _ body: (Int64, PageContext) async throws -> String) async throws -> Response {
        let ctx = PageContext(req)
        let id = try campaignID(req)
        _ = try await CampaignPage.Query.campaign(req.store, id: id)
        do {
            let notice = try await body(id, ctx)
            return req.redirect(to: try await Forms.withNotice(req, SiteURL.campaign(id).path, notice))
        } catch {
            guard let messages = messages(error, ctx) else { throw error }
            return try await page(req, id: id, notice: messages.texts.joined(separator: "；"), status: messages.status)
        }
    }

    static func page(_ req: Request, id: Int64, notice: String?, status: HTTPResponseStatus = .ok) async throws -> Response {
        let ctx = PageContext(req)
        let model = try await CampaignPage.Query.model(req.store, id: id, notice: notice)
        return Layout.render(ctx, title: ctx.t("活动推送", "Campaign") + " · " + model.campaign.name, status: status, CampaignPage.View.body(model, ctx))
    }

    /// The messages of a domain error or of every problem a template check found; nil for other errors.
    static func messages(_ error: any Error, _ ctx: PageContext) -> (texts: [String], status: HTTPResponseStatus)? {
        switch error {
        case let e as TemplateCheckError: (e.all.map { Forms.message($0, ctx) }, Forms.status(e.first))
        case let e as DomainError: ([Forms.message(e, ctx)], Forms.status(e))
        default: nil
        }
    }

    static func campaignID(_ req: Request) throws -> Int64 {
        guard let id = req.parameters.get("id", as: Int64.self) else { throw Abort(.notFound) }
        return id
    }
}
