import Foundation
import MallVIPCore
import MallVIPStore
import Plot
import Vapor

/// The printable A4 member handbook at the desk (issue 18, docs/workflows.md): `/console/handbook?tier=gold` for a
/// tier, `/console/members/:id/handbook` for one member (their tier, balance and progress; the member-access check of
/// every /console/members/:id route applies). The text is the one /m/programme shows, in Chinese with English beside.
enum HandbookController {
    static func register(_ routes: any RoutesBuilder) throws {
        let desk = routes.grouped(StaffAuthMiddleware(roles: StaffRole.handbookDesk))
        desk.get(.handbook, use: tier)
        desk.get(.memberHandbook, use: member)
    }

    @Sendable static func tier(req: Request) async throws -> Response {
        let ctx = PageContext(req)
        let (_, programme) = try await req.store.programme()
        let handbook = try await HandbookQuery.forTier(req.store, tier: req.query["tier"])
        return Layout.render(ctx, title: ctx.t("会员手册", "Member handbook"),
                             page(handbook, programme, subtitle: handbook.tierName.zh + " · " + handbook.tierName.en, member: nil, ctx))
    }

    @Sendable static func member(req: Request) async throws -> Response {
        let ctx = PageContext(req)
        guard let id = req.parameters.get("id", as: Int64.self) else {
            throw DomainError.invalid("id", "member.id", zh: "会员编号须为数字", en: "id: the member id must be a number")
        }
        let (_, programme) = try await req.store.programme()
        let (handbook, member) = try await HandbookQuery.forMember(req.store, memberId: id)
        try await MemberAccess.check(req, member: member)
        let card = member.cardNo.map { " · " + $0 } ?? ""
        return Layout.render(ctx, title: ctx.t("会员手册", "Member handbook"),
                             page(handbook, programme, subtitle: member.name + card + " · " + handbook.tierName.zh + " · " + handbook.tierName.en,
                                  member: member.id, ctx))
    }

    static func page(_ h: ProgrammeHandbook, _ programme: Programme, subtitle: String, member: Int64?, _ ctx: PageContext) -> Node<HTML.BodyContext> {
        .div(
            .raw("<style>\(HandbookView.printCSS)</style>"),
            .div(.class("no-print"),
                 .script(.src(ConsoleScript.path)),       // the print button's handler (no inline script: CSP)
                 .form(.method(.get), .action(SiteRoute.handbook.path()), .class("inline"),
                       Layout.select(ctx.t("等级", "Tier"), name: "tier", options: programme.tiers.map { ($0.code, $0.name.text(ctx.lang)) },
                                     selected: member == nil ? h.tier : ""),
                       .button(.type(.submit), .class("secondary"), .text(ctx.t("查看", "Show")))),
                 .p(.button(.type(.button), .class("button"), .attribute(named: "data-print", value: "1"), .text(ctx.t("打印（A4）", "Print (A4)"))),
                    .unwrap(member) { id in
                        .group(.text(" "), .a(.href(SiteURL.member(id).path), .text(ctx.t("返回会员", "Back to the member"))))
                    })),
            .article(.class("handbook"),
                     .p(.class("handbook-title"), .text("\(h.programmeName) · 会员手册 Member handbook")),
                     .p(.class("handbook-sub"), .text(subtitle)),
                     HandbookView.bilingual(h)))
    }
}
