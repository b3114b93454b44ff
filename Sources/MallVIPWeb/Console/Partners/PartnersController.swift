import Foundation
import MallVIPCore
import MallVIPStore
import Vapor

/// Partner merchants and their monthly settlement: admins, managers and planners.
enum PartnersController {
    static func register(_ routes: any RoutesBuilder) throws {
        let org = routes.grouped(StaffAuthMiddleware(roles: StaffRole.organisation))
        org.get(.partners, use: list)
        org.get(.partnerNew, use: newPartner)
        org.post(.partnerNew, use: create)
        org.get(.partnerSettlement, use: settlement)
        org.get(.partner, use: edit)
        org.post(.partner, use: update)
    }

    @Sendable static func list(req: Request) async throws -> Response {
        let ctx = PageContext(req)
        let model = try await PartnersPage.Query.model(req.store, notice: try await Notices.take(req))
        return Layout.render(ctx, title: ctx.t("联盟商家", "Partner merchants"), PartnersPage.View.body(model, ctx))
    }

    @Sendable static func newPartner(req: Request) async throws -> Response {
        let ctx = PageContext(req)
        let model = PartnerForm.Model(id: nil, values: .init(), programme: try await req.store.programme().programme)
        return Layout.render(ctx, title: PartnerForm.View.title(model, ctx), PartnerForm.View.body(model, ctx))
    }

    @Sendable static func edit(req: Request) async throws -> Response {
        let ctx = PageContext(req)
        let id = try partnerID(req)
        let partner = try await PartnerForm.Query.partner(req.store, id: id)
        let model = PartnerForm.Model(id: id, values: .init(partner), programme: try await req.store.programme().programme)
        return Layout.render(ctx, title: PartnerForm.View.title(model, ctx), PartnerForm.View.body(model, ctx))
    }

    @Sendable static func create(req: Request) async throws -> Response { try await save(req, id: nil) }

    @Sendable static func update(req: Request) async throws -> Response {
        let id = try partnerID(req)
        _ = try await PartnerForm.Query.partner(req.store, id: id)
        return try await save(req, id: id)
    }

    /// Saves the posted partner; domain errors come back on the form with what was typed.
    static func save(_ req: Request, id: Int64?) async throws -> Response {
        let ctx = PageContext(req)
        let values = PartnerForm.Values(form: try req.content.decode([String: String].self))
        do {
            try await req.store.savePartner(id: id, try values.input(), actor: req.actor)
            // A deactivated partner's keys must stop at once, not when the key cache expires.
            APIKeyMiddleware.cache.forgetAll()
            let notice = id == nil ? ctx.t("已新增联盟商家 \(values.code)", "Partner \(values.code) created")
                                   : ctx.t("已保存联盟商家 \(values.code)", "Partner \(values.code) saved")
            return req.redirect(to: try await Forms.withNotice(req, SiteURL.partners.path, notice))
        } catch let e as DomainError {
            let model = PartnerForm.Model(id: id, values: values, programme: try await req.store.programme().programme, error: Forms.message(e, ctx))
            return Layout.render(ctx, title: PartnerForm.View.title(model, ctx), status: Forms.status(e), PartnerForm.View.body(model, ctx))
        }
    }

    @Sendable static func settlement(req: Request) async throws -> Response {
        let ctx = PageContext(req)
        let model = try await PartnerSettlementPage.Query.model(req.store, month: req.query["month"])
        return Layout.render(ctx, title: ctx.t("联盟商家月度结算 · \(model.month)", "Partner settlement · \(model.month)"),
                             PartnerSettlementPage.View.body(model, ctx))
    }

    static func partnerID(_ req: Request) throws -> Int64 {
        guard let id = req.parameters.get("id", as: Int64.self) else { throw Abort(.notFound) }
        return id
    }
}
