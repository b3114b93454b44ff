import Foundation
import MallVIPCore
import MallVIPStore
import Vapor

/// Console routes for segments. Editors (planner, manager, admin) build, preview, save and delete; account
/// managers read and export. Exports are masked for everyone but managers and admins, and audited.
enum SegmentsController {
    static func register(_ routes: any RoutesBuilder) throws {
        let read = routes.grouped(StaffAuthMiddleware(roles: StaffRole.segmentReaders))
        read.get(.segments, use: list)
        read.get(.segment, use: show)
        read.get(.segmentExport, use: export)

        let edit = routes.grouped(StaffAuthMiddleware(roles: StaffRole.segmentEditors))
        edit.get(.segmentNew, use: newForm)
        edit.post(.segmentNew, use: create)
        edit.post(.segment, use: update)
        edit.post(.segmentDelete, use: delete)
        try MemberTagsController.register(routes)
    }

    static func id(_ req: Request) throws -> Int64 {
        guard let id = req.parameters.get("id", as: Int64.self) else { throw Abort(.notFound) }
        return id
    }

    static func today(_ req: Request) async throws -> LocalDate {
        LocalDate.of(req.store.env.now(), in: try await req.store.programme().programme.timeZone)
    }

    @Sendable static func list(req: Request) async throws -> Response {
        let ctx = PageContext(req)
        let model = try await SegmentsPage.Query.model(req.store, notice: try await Notices.take(req))
        return Layout.render(ctx, title: ctx.t("会员分群", "Segments"), SegmentsPage.View.body(model, ctx))
    }

    static func render(_ req: Request, id: Int64?, values: SegmentForm.Values, preview: SegmentPreview?, error: DomainError? = nil,
                       notice: String? = nil) async throws -> Response {
        let ctx = PageContext(req)
        let role = ctx.user?.role
        let model = SegmentEditor.Model(id: id, values: values, lookups: try await SegmentsPage.Lookups.load(req.store), preview: preview,
                                        canEdit: SegmentsPage.canEdit(role), unmasked: SegmentsPage.unmasked(role),
                                        error: error.map { Forms.message($0, ctx) }, errorField: error?.field, notice: notice)
        return Layout.render(ctx, title: SegmentEditor.View.title(model, ctx), status: error.map(Forms.status) ?? .ok,
                             SegmentEditor.View.body(model, ctx))
    }

    @Sendable static func newForm(req: Request) async throws -> Response {
        try await render(req, id: nil, values: .init(), preview: nil)
    }

    /// The segment with today's count and sample. An account manager reads a segment as it applies to them: its
    /// count, sample and export hold only their own members (`MemberAccess.segmentScope`, issue 14); the
    /// conditions themselves are not personal data and are shown as they are.
    @Sendable static func show(req: Request) async throws -> Response {
        guard let s = try await req.store.segment(id: try id(req)) else { throw Abort(.notFound) }
        let day = try await today(req), managedBy = MemberAccess.segmentScope(req.staff.user)
        // Issue 21: previews may read the streaming replica (a count a few seconds old is fine here).
        let preview = try await req.store.onReadReplica { store in
            try await store.segmentPreview(s.conditions, on: day, managedBy: managedBy)
        }.value
        return try await render(req, id: s.id, values: .init(s), preview: preview, notice: try await Notices.take(req))
    }

    @Sendable static func create(req: Request) async throws -> Response { try await submit(req, id: nil) }

    @Sendable static func update(req: Request) async throws -> Response {
        guard let s = try await req.store.segment(id: try id(req)) else { throw Abort(.notFound) }
        return try await submit(req, id: s.id)
    }

    /// `action=preview` shows the live count and sample of what was typed, saving nothing; otherwise saves.
    static func submit(_ req: Request, id: Int64?) async throws -> Response {
        let ctx = PageContext(req)
        let form = try req.content.decode([String: String].self)
        let values = SegmentForm.Values(form: form)
        do {
            let conditions = try values.conditions()
            let day = try await today(req)
            if form["action"] == "preview" {
                let preview = try await req.store.onReadReplica { try await $0.segmentPreview(conditions, on: day) }.value
                return try await render(req, id: id, values: values, preview: preview)
            }
            let saved = try await req.store.saveSegment(id: id, name: values.name, description: values.description, conditions: conditions,
                                                        on: day, actor: req.actor)
            let notice = ctx.t("已保存分群“\(saved.name)”，当前 \(saved.lastCount ?? 0) 人", "Segment \(saved.name) saved: \(saved.lastCount ?? 0) members today")
            return req.redirect(to: try await Forms.withNotice(req, SiteURL.segment(saved.id).path, notice))
        } catch let e as DomainError {
            return try await render(req, id: id, values: values, preview: nil, error: e)
        }
    }

    @Sendable static func delete(req: Request) async throws -> Response {
        let ctx = PageContext(req)
        let segmentId = try id(req)
        guard let s = try await req.store.segment(id: segmentId) else { throw Abort(.notFound) }
        do {
            try await req.store.deleteSegment(id: segmentId, actor: req.actor)
        } catch let e as DomainError {
            let preview = try await req.store.segmentPreview(s.conditions, on: try await today(req))
            return try await render(req, id: s.id, values: .init(s), preview: preview, error: e)
        }
        return req.redirect(to: try await Forms.withNotice(req, SiteURL.segments.path, ctx.t("已删除分群“\(s.name)”", "Segment \(s.name) deleted")))
    }

    @Sendable static func export(req: Request) async throws -> Response {
        let segmentId = try id(req)
        guard try await req.store.segment(id: segmentId) != nil else { throw Abort(.notFound) }
        let unmasked = SegmentsPage.unmasked(req.staff.user.role)
        let members = try await req.store.exportSegment(id: segmentId, on: try await today(req), unmasked: unmasked, actor: req.actor,
                                                        managedBy: MemberAccess.segmentScope(req.staff.user))
        let programme = try await req.store.programme().programme
        return Response(status: .ok, headers: CSVText.headers(filename: "segment-\(segmentId).csv"), body: .init(string: SegmentCSV.render(members, unmasked: unmasked, programme: programme)))
    }
}
