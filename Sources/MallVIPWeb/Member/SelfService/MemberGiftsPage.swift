import Foundation
import MallVIPCore
import MallVIPStore
import Plot
import Vapor

/// /m/gifts (issue 18): the signed-in member's gifts — to collect (where, until when), collected (when, where) and
/// expired. Scoped by `req.memberId` only; no member id is read from the URL.
struct MemberGiftsController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(.memberSiteGifts, use: show)
    }

    @Sendable func show(req: Request) async throws -> Response {
        let ctx = PageContext(req)
        let gifts = try await req.store.giftEntitlements(memberId: try req.memberId)
        let (_, programme) = try await req.store.programme()
        return MemberLayout.render(ctx, title: ctx.t("我的礼品", "My gifts"), MemberGiftsPage.body(gifts, programme, ctx))
    }
}

enum MemberGiftsPage {
    static func body(_ gifts: [GiftEntitlement], _ programme: Programme, _ ctx: PageContext) -> Node<HTML.BodyContext> {
        let groups: [(GiftEntitlementStatus, String, String)] = [
            (.open, "待领取", "To collect"), (.collected, "已领取", "Collected"), (.expired, "已过期", "Expired"),
        ]
        return .div(.class("gifts"),
            .if(gifts.isEmpty, .p(.class("muted"), .text(ctx.t("暂无礼品", "You have no gifts yet")))),
            .forEach(groups) { status, zh, en in
                let items = gifts.filter { $0.status == status }
                return .if(!items.isEmpty, .group(.h2(.text(ctx.t(zh, en))), .forEach(items) { item($0, programme, ctx) }))
            })
    }

    static func item(_ g: GiftEntitlement, _ programme: Programme, _ ctx: PageContext) -> Node<HTML.BodyContext> {
        let def = programme.gifts.item(g.giftCode)
        let name = def?.name.text(ctx.lang) ?? g.giftCode
        let line: String
        switch g.status {
        case .open:
            line = ctx.t("请于 \(g.validUntil) 前到 \(def?.collectAt ?? "服务台") 领取", "Collect by \(g.validUntil) at \(def?.collectAt ?? "the service desk")")
        case .collected:
            let when = g.handedOverAt.map { Layout.dateTime($0, programme) } ?? ""
            line = ctx.t("已于 \(when) 在 \(g.handedOverWhere ?? "") 领取", "Collected on \(when) at \(g.handedOverWhere ?? "")")
        case .expired:
            line = ctx.t("已于 \(g.validUntil) 过期", "Expired after \(g.validUntil)")
        }
        return .div(.class("panel gift gift-\(g.status.rawValue)"),
                    .p(.strong(.text(name)), .text(" · " + g.status.label.text(ctx.lang))),
                    .p(.class("muted"), .text(line)))
    }
}
