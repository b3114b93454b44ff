import Foundation
import MallVIPCore
import MallVIPStore
import Vapor

/// Redemption by API (docs/domain.md §5): what a member can redeem now and why not, redeeming, voiding.
struct RewardsAPIController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let api = routes.grouped(APIKeyMiddleware())
        api.get(.apiRewards, use: list)
        api.post(.apiRedemptions, use: redeem)
        api.post(.apiRedemptionVoid, use: void)
    }

    func list(req: Request) async throws -> RewardsResponseDTO {
        let m = try await req.memberFromQuery()
        let (_, programme) = try await req.store.programme()
        let today = LocalDate.of(req.store.env.now(), in: programme.timeZone)
        let items = try await req.store.redeemables(memberId: m.id)
        return RewardsResponseDTO(cardNo: m.cardNo,
                                  tier: programme.effectiveTier(earned: m.earnedTier, manual: m.manualTier, manualUntil: m.manualUntil, on: today),
                                  points: m.pointsBalance, mode: programme.redemption.mode.rawValue, items: items.map(RewardItemDTO.init))
    }

    func redeem(req: Request) async throws -> Response {
        let dto = try req.content.decode(RedemptionRequestDTO.self)
        let card = dto.card.flatMap { $0.isEmpty ? nil : $0 }, phone = dto.phone.flatMap { $0.isEmpty ? nil : $0 }
        guard card != nil || phone != nil else {
            throw DomainError.invalid("card", "member.key", zh: "请提供 card 或 phone", en: "give card or phone")
        }
        guard let m = try await req.store.lookup(card: card, phone: phone) else {
            throw DomainError(.notFound, field: card != nil ? "card" : "phone", rule: "member.exists", zh: "未找到会员", en: "no active member for this card or phone")
        }
        let posted = try await req.store.redeem(RedemptionRequest(idempotencyKey: dto.idempotencyKey, memberId: m.id, itemCode: dto.item,
                                                                  listPriceFen: dto.listPriceFen, mallCode: dto.mall), actor: req.apiClient)
        return try await RedemptionDTO(posted.value).encodeResponse(status: posted.isReplay ? .ok : .created, for: req)
    }

    func void(req: Request) async throws -> RedemptionDTO {
        guard let id = req.parameters.get("id", as: Int64.self) else {
            throw DomainError(.notFound, field: nil, rule: "redemption.exists", zh: "兑换记录不存在", en: "redemption not found")
        }
        let dto = try req.content.decode(RedemptionVoidDTO.self)
        let r = try await req.store.voidRedemption(id: id, reason: dto.reason, actor: req.apiClient)
        return RedemptionDTO(r, balance: try await req.store.member(id: r.memberId)?.pointsBalance)
    }
}
