import Foundation
import MallVIPCore
import MallVIPStore
import Plot
import Vapor

/// /m/programme (issue 18): the signed-in member's handbook — their tier and what the next one needs, how points are
/// earned, what can be redeemed and their benefits — from the active programme (ProgrammeHandbook), in their
/// language. Scoped by `req.memberId` only; no member id is ever read from the URL.
struct MemberProgrammeController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(.memberSiteProgramme, use: show)
    }

    @Sendable func show(req: Request) async throws -> Response {
        let ctx = PageContext(req)
        let (handbook, _) = try await HandbookQuery.forMember(req.store, memberId: try req.memberId)
        return MemberLayout.render(ctx, title: ctx.t("会员手册", "Member handbook"), .div(.class("handbook"),
            .p(.class("tier"), .text(handbook.tierName.text(ctx.lang))),
            HandbookView.sections(handbook, ctx.lang),
            .p(.class("muted"), .text(ctx.t("以上内容根据现行会员章程生成；如有变动，以服务台公布为准",
                                             "Generated from the programme in force; the service desk has the latest")))))
    }
}
