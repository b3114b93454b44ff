import Foundation
import MallVIPCore
import MallVIPStore
import Vapor

/// The signed-in member's own data for the mini-program (issue 22a): the same Store reads as /m/card, /m/points,
/// /m/purchases, /m/coupons and /m/rewards. Behind MiniProgramAuth; every read is scoped by `miniProgramMemberId()`,
/// and an id or code in the path only ever finds the member's own record (otherwise 404).
struct MiniProgramMemberController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("me", use: me)
        routes.get("card", use: card)
        routes.get("points", use: points)
        routes.get("purchases", use: purchases)
        routes.get("purchases", ":id", use: purchase)
        routes.get("coupons", use: coupons)
        routes.get("coupons", ":code", use: coupon)
        routes.get("rewards", use: rewards)
    }

    @Sendable func me(req: Request) async throws -> MiniProgramDTO.MemberSummary {
        try await MiniProgramDTO.MemberSummary.load(req.store, memberId: try req.miniProgramMemberId())
    }

    @Sendable func card(req: Request) async throws -> MiniProgramDTO.Card {
        let m = try await MemberCardPage.Query.model(req.store, memberId: try req.miniProgramMemberId())
        let usable = m.member.cardNo != nil && m.member.cardState == .active
        return MiniProgramDTO.Card(
            member: .init(m), cardState: m.member.cardState?.rawValue, qrPayload: usable ? m.member.cardNo : nil,
            expiring: m.expiring.map { .init(points: $0.points, expiresOn: "\($0.expiresOn)") },
            progress: m.progress.map { .init(nextTier: $0.nextTier, shortfallFen: $0.shortfallFen, months: $0.months) },
            discountToday: m.discountToday.map { .init(zh: $0.zh, en: $0.en) })
    }

    @Sendable func points(req: Request) async throws -> MiniProgramDTO.Points {
        let memberId = try req.miniProgramMemberId()
        let page = try await req.store.ledgerPage(memberId: memberId, page: try Self.page(req))
        guard let member = try await req.store.member(id: memberId) else { throw MiniProgramAuth.required(req) }
        return .init(balance: member.pointsBalance, page: page.page, hasMore: page.hasMore, items: page.items.map(MiniProgramDTO.LedgerItem.init))
    }

    @Sendable func purchases(req: Request) async throws -> MiniProgramDTO.Purchases {
        let page = try await req.store.purchasesPage(memberId: try req.miniProgramMemberId(), page: try Self.page(req))
        return .init(page: page.page, hasMore: page.hasMore, items: page.items.map(MiniProgramDTO.PurchaseItem.init))
    }

    @Sendable func purchase(req: Request) async throws -> MiniProgramDTO.PurchaseDetailDTO {
        guard let id = req.parameters.get("id", as: Int64.self),
              let detail = try await req.store.memberPurchase(memberId: try req.miniProgramMemberId(), purchaseId: id) else {
            throw DomainError(.notFound, field: nil, rule: "purchase.exists", zh: "未找到这笔消费", en: "purchase not found")
        }
        return .init(detail)
    }

    @Sendable func coupons(req: Request) async throws -> MiniProgramDTO.Coupons {
        let today = try await Self.today(req)
        let list = try await req.store.coupons(memberId: try req.miniProgramMemberId(), limit: 200)
        return .init(items: list.map { MiniProgramDTO.Coupon($0, today: today) })
    }

    @Sendable func coupon(req: Request) async throws -> MiniProgramDTO.Coupon {
        let today = try await Self.today(req)
        guard let code = req.parameters.get("code"), code.count <= 64,
              let c = try await req.store.memberCoupon(memberId: try req.miniProgramMemberId(), code: code) else {
            throw DomainError(.notFound, field: nil, rule: "coupon.exists", zh: "未找到这张优惠券", en: "coupon not found")
        }
        return .init(c, today: today)
    }

    @Sendable func rewards(req: Request) async throws -> MiniProgramDTO.Rewards {
        let memberId = try req.miniProgramMemberId()
        guard let member = try await req.store.member(id: memberId) else { throw MiniProgramAuth.required(req) }
        let items = try await req.store.redeemables(memberId: memberId)
        return .init(balance: member.pointsBalance, items: items.map(MiniProgramDTO.Reward.init))
    }

    static func today(_ req: Request) async throws -> LocalDate {
        let (_, programme) = try await req.store.programme()
        return LocalDate.of(req.store.env.now(), in: programme.timeZone)
    }

    /// `page` query: 1…10000, else 400 naming the field.
    static func page(_ req: Request) throws -> Int {
        guard let raw = req.query[String.self, at: "page"] else { return 1 }
        guard let n = Int(raw), (1...10_000).contains(n) else {
            throw DomainError.invalid("page", "page.range", zh: "page 须为 1–10000 的整数", en: "page must be an integer from 1 to 10000")
        }
        return n
    }
}
