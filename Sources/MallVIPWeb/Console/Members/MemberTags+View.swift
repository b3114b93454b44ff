import Foundation
import MallVIPCore
import MallVIPStore
import Plot
import Vapor

/// Member tags (高尔夫, 亲子 …) on the member page: shown to everyone who sees the page, edited by the member desk;
/// segments select on them.
enum MemberTagsView {
    static func body(_ tags: [String], memberId: Int64, canEdit: Bool, _ ctx: PageContext) -> Node<HTML.BodyContext> {
        .div(
            .p(.if(tags.isEmpty, .span(.class("muted"), .text(ctx.t("暂无标签", "No tags")))),
               .forEach(tags) { .group(.span(.class("tag"), .text($0)), .text(" ")) }),
            .if(canEdit, .form(.class("card"), .method(.post), .action(SiteURL.memberAction(memberId, .tags).path),
                               Layout.csrfField(ctx),
                               Layout.field(ctx.t("标签（逗号或空格分隔，每个最多 \(SegmentConditions.maxTagLength) 字）",
                                                  "Tags (comma or space separated, at most \(SegmentConditions.maxTagLength) characters each)"),
                                            name: "tags", value: tags.joined(separator: ", ")),
                               .button(.type(.submit), .text(ctx.t("保存标签", "Save tags")))))
        )
    }
}

enum MemberTagsController {
    static func register(_ routes: any RoutesBuilder) throws {
        routes.grouped(StaffAuthMiddleware(roles: StaffRole.memberDesk)).post(.memberTags, use: save)
    }

    struct TagsForm: Content { var tags: String? }

    @Sendable static func save(req: Request) async throws -> Response {
        let id = try MembersController.memberID(req)
        guard try await req.store.member(id: id) != nil else { throw Abort(.notFound) }
        let ctx = PageContext(req)
        do {
            let tags = try await req.store.setMemberTags(memberId: id, text: try req.content.decode(TagsForm.self).tags ?? "", actor: req.actor)
            return req.redirect(to: try await Forms.withNotice(req, SiteURL.member(id).path, ctx.t("标签已保存（\(tags.count) 个）", "Tags saved (\(tags.count))")))
        } catch let e as DomainError {
            return try await MembersController.showPage(req, id: id, notice: nil, error: Forms.message(e, ctx), status: Forms.status(e))
        }
    }
}
