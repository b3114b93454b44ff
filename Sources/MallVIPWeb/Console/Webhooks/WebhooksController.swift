import Foundation
import MallVIPCore
import MallVIPStore
import Vapor

/// Webhook subscriptions and deliveries: admins only, like staff users and API keys.
enum WebhooksController {
    static func register(_ routes: any RoutesBuilder) throws {
        let admin = routes.grouped(StaffAuthMiddleware(roles: StaffRole.admins))
        admin.get(.webhooks, use: list)
        admin.post(.webhooks, use: create)
        admin.post(.webhookDeactivate, use: deactivate)
        admin.post(.webhookReplaySince, use: replaySince)
        admin.get(.webhookDelivery, use: delivery)
        admin.post(.webhookReplayDelivery, use: replayDelivery)
    }

    static func id(_ req: Request) throws -> Int64 {
        guard let id = req.parameters.get("id", as: Int64.self) else { throw Abort(.notFound) }
        return id
    }

    static func title(_ ctx: PageContext) -> String { ctx.t("Webhook 推送", "Webhooks") }

    @Sendable static func list(req: Request) async throws -> Response {
        let ctx = PageContext(req)
        let model = try await WebhooksPage.Query.model(req.store, status: req.query["status"],
                                                       subscription: req.query["subscription"].flatMap { Int64($0) },
                                                       notice: try await Notices.take(req))
        return Layout.render(ctx, title: title(ctx), WebhooksPage.View.body(model, ctx))
    }

    /// Answers with the page itself (not a redirect) so that the secret is shown this once and never again.
    @Sendable static func create(req: Request) async throws -> Response {
        let ctx = PageContext(req)
        let form = (try? req.content.decode([String: String].self)) ?? [:]
        let url = Forms.trimmed(form["url"]), description = Forms.trimmed(form["description"])
        let events = WebhookEvent.allCases.filter { form["event_\($0.rawValue)"] != nil }
        do {
            let (sub, secret) = try await req.store.createWebhook(url: url, events: events, description: description, actor: req.actor,
                                                                targets: req.application.webhookTargets)
            var model = try await WebhooksPage.Query.model(req.store, status: nil, subscription: nil, notice: nil)
            model.newSecret = (sub.id, secret)
            return Layout.render(ctx, title: title(ctx), status: .created, WebhooksPage.View.body(model, ctx))
        } catch let e as DomainError {
            var model = try await WebhooksPage.Query.model(req.store, status: nil, subscription: nil, notice: nil)
            model.url = url
            model.description = description
            model.events = Set(events)
            model.error = Forms.message(e, ctx)
            return Layout.render(ctx, title: title(ctx), status: Forms.status(e), WebhooksPage.View.body(model, ctx))
        }
    }

    @Sendable static func deactivate(req: Request) async throws -> Response {
        let ctx = PageContext(req)
        let id = try id(req)
        try await req.store.deactivateWebhook(id: id, actor: req.actor)
        return req.redirect(to: try await Forms.withNotice(req, WebhookURL.list(status: nil, subscription: nil).path,
                                                 ctx.t("已停用订阅 #\(id)", "Subscription #\(id) deactivated")))
    }

    struct SinceForm: Content { var since: String? }

    @Sendable static func replaySince(req: Request) async throws -> Response {
        let ctx = PageContext(req)
        let id = try id(req)
        let f = try req.content.decode(SinceForm.self)
        guard let day = LocalDate(Forms.trimmed(f.since)) else {
            throw DomainError.invalid("since", "date.format", zh: "请选择重发起始日期", en: "since must be a date (YYYY-MM-DD)")
        }
        let n = try await req.store.replayWebhooks(subscriptionId: id, since: day, actor: req.actor)
        return req.redirect(to: try await Forms.withNotice(req, WebhookURL.list(status: nil, subscription: id).path,
                                                 ctx.t("已重新排队 \(n) 条推送（\(day) 起）", "\(n) deliveries since \(day) queued again")))
    }

    @Sendable static func delivery(req: Request) async throws -> Response {
        let ctx = PageContext(req)
        guard let model = try await WebhooksPage.Query.delivery(req.store, id: try id(req), notice: try await Notices.take(req)) else {
            throw Abort(.notFound)
        }
        return Layout.render(ctx, title: ctx.t("推送 #\(model.delivery.id)", "Delivery #\(model.delivery.id)"),
                             WebhooksPage.View.delivery(model, ctx))
    }

    @Sendable static func replayDelivery(req: Request) async throws -> Response {
        let ctx = PageContext(req)
        let id = try id(req)
        try await req.store.replayWebhookDelivery(id: id, actor: req.actor)
        return req.redirect(to: try await Forms.withNotice(req, WebhookURL.delivery(id).path, ctx.t("已重新排队，稍后发送", "Queued again: it goes out with the next pass")))
    }
}
