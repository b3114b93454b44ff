import Foundation
import MallVIPCore
import MallVIPStore
import Vapor

/// Reward redemption from the mini-program (issue 22a-2): `POST /api/m/v1/rewards/{id}/redeem`, {id} being the item id
/// that `GET /rewards` lists. The same Store call as the desk and the POS API (`Store.redeem`): eligibility checked
/// again under the member lock, a refusal (e.g. `redemption.points`) is 422 naming every rule and writes nothing.
/// The key travels as an `Idempotency-Key` header (1–100 characters, the same bound Store.redeem applies to the POS
/// body field `idempotencyKey`): a retry with the same key replays the first answer (200, not 201); the same key with
/// another item is 409. The member is always the token's; the body may carry `listPriceFen` for a ladder item.
struct MiniProgramRedeemController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.post("rewards", ":id", "redeem", use: redeem)
    }

    struct Body: Content { var listPriceFen: Int64? }

    @Sendable func redeem(req: Request) async throws -> Response {
        let memberId = try req.miniProgramMemberId()
        guard let raw = req.headers.first(name: "Idempotency-Key") else {
            throw DomainError.invalid("Idempotency-Key", "idempotencyKey.required", zh: "请在 Idempotency-Key 请求头提供幂等键（1–100个字符）",
                                      en: "send an Idempotency-Key header of 1–100 characters")
        }
        guard let id = req.parameters.get("id", as: Int64.self), let item = try await req.store.rewardItem(id: id), item.active else {
            throw DomainError(.notFound, field: nil, rule: "item.exists", zh: "兑换商品不存在", en: "reward item not found")
        }
        // An empty body is fine; a body that is not the expected JSON is 4xx from the decoder.
        let body = req.body.data.map { $0.readableBytes } ?? 0 > 0 ? try req.content.decode(Body.self) : Body()
        let posted = try await req.store.redeem(RedemptionRequest(idempotencyKey: raw, memberId: memberId, itemCode: item.code,
                                                                  listPriceFen: body.listPriceFen), actor: "member:\(memberId)")
        return try await RedemptionDTO(posted.value).encodeResponse(status: posted.isReplay ? .ok : .created, for: req)
    }
}
