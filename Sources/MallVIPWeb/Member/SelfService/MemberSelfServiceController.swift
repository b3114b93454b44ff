import Foundation
import MallVIPCore
import MallVIPStore
import Vapor

/// The signed-in member's own card and history (/m/card, /m/points, /m/purchases, /m/coupons, /m/rewards,
/// /m/referral). Registered behind `MemberAuthMiddleware`; every read is scoped by `req.memberId`, and a purchase id
/// or coupon code in the URL only ever finds the member's own record (otherwise 404).
struct MemberSelfServiceController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(.memberSiteCard, use: card)
        routes.get(.memberSitePoints, use: points)
        routes.get(.memberSitePurchases, use: purchases)
        routes.get(.memberSitePurchase, use: purchase)
        routes.get(.memberSiteCoupons, use: coupons)
        routes.get(.memberSiteCoupon, use: coupon)
        routes.get(.memberSiteRewards, use: rewards)
        routes.get(.memberSiteReferral, use: referral)
    }

    @Sendable func card(req: Request) async throws -> Response {
        let ctx = PageContext(req)
        let model = try await MemberCardPage.Query.model(req.store, memberId: try req.memberId)
        return MemberLayout.render(ctx, title: ctx.t("会员卡", "Membership card"), MemberCardPage.View.body(model, ctx))
    }

    @Sendable func points(req: Request) async throws -> Response {
        let ctx = PageContext(req)
        let (_, programme) = try await req.store.programme()
        let page = try await req.store.ledgerPage(memberId: try req.memberId, page: Self.page(req))
        return MemberLayout.render(ctx, title: ctx.t("积分明细", "Points history"), MemberHistoryView.points(page, programme, ctx))
    }

    @Sendable func purchases(req: Request) async throws -> Response {
        let ctx = PageContext(req)
        let (_, programme) = try await req.store.programme()
        let page = try await req.store.purchasesPage(memberId: try req.memberId, page: Self.page(req))
        return MemberLayout.render(ctx, title: ctx.t("消费记录", "Purchases"), MemberHistoryView.purchases(page, programme, ctx))
    }

    @Sendable func purchase(req: Request) async throws -> Response {
        let ctx = PageContext(req)
        let (_, programme) = try await req.store.programme()
        guard let id = req.parameters.get("id", as: Int64.self),
              let detail = try await req.store.memberPurchase(memberId: try req.memberId, purchaseId: id) else {
            throw DomainError(.notFound, field: nil, rule: "purchase.exists", zh: "未找到这笔消费", en: "purchase not found")
        }
        return MemberLayout.render(ctx, title: ctx.t("小票 \(detail.summary.receiptNo)", "Receipt \(detail.summary.receiptNo)"),
                                   MemberHistoryView.purchase(detail, programme, ctx))
    }

    @Sendable func coupons(req: Request) async throws -> Response {
        let ctx = PageContext(req)
        let (_, programme) = try await req.store.programme()
        let today = LocalDate.of(req.store.env.now(), in: programme.timeZone)
        let list = try await req.store.coupons(memberId: try req.memberId, limit: 200)
        return MemberLayout.render(ctx, title: ctx.t("优惠券", "Coupons"), MemberCouponsPage.list(list, today: today, ctx))
    }

    @Sendable func coupon(req: Request) async throws -> Response {
        let ctx = PageContext(req)
        let (_, programme) = try await req.store.programme()
        let today = LocalDate.of(req.store.env.now(), in: programme.timeZone)
        guard let code = req.parameters.get("code"),
              let c = try await req.store.memberCoupon(memberId: try req.memberId, code: code) else {
            throw DomainError(.notFound, field: nil, rule: "coupon.exists", zh: "未找到这张优惠券", en: "coupon not found")
        }
        return MemberLayout.render(ctx, title: c.name(ctx.lang), MemberCouponsPage.detail(c, today: today, ctx))
    }

    @Sendable func rewards(req: Request) async throws -> Response {
        let ctx = PageContext(req)
        let memberId = try req.memberId
        let (_, programme) = try await req.store.programme()
        guard let member = try await req.store.member(id: memberId) else { throw Abort(.unauthorized) }
        let items = try await req.store.redeemables(memberId: memberId)
        return MemberLayout.render(ctx, title: ctx.t("积分兑换", "Rewards"), MemberRewardsPage.body(items, balance: member.pointsBalance, programme, ctx))
    }

    @Sendable func referral(req: Request) async throws -> Response {
        let ctx = PageContext(req)
        let (_, programme) = try await req.store.programme()
        let summary = try await req.store.referralSummary(memberId: try req.memberId)
        return MemberLayout.render(ctx, title: ctx.t("推荐好友", "Refer a friend"), MemberReferralPage.body(summary, programme, ctx))
    }

    static func page(_ req: Request) -> Int { (try? req.query.get(Int.self, at: "page")) ?? 1 }
}
