import Foundation
import MallVIPCore
import MallVIPStore
import Vapor

/// Coupons at the till: look one up before the sale, and take it against a receipt.
struct CouponsAPIController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let coupons = routes.grouped(APIKeyMiddleware())
        coupons.get(.apiCoupon, use: show)
        coupons.post(.apiCouponRedeem, use: redeem)
    }

    func show(req: Request) async throws -> CouponDTO {
        let code = try req.parameters.require("code")
        let amount: String? = req.query["amountFen"]
        var amountFen: Int64?
        if let amount {
            guard let fen = try? BoundedNumber.int(amount, field: "amountFen", 1...NumericLimits.maxMoneyFen) else {
                throw DomainError.invalid("amountFen", "amount.positive", zh: "金额必须大于0（单位：分）", en: "amountFen must be a positive amount in fen, at most \(NumericLimits.maxMoneyFen)")
            }
            amountFen = fen
        }
        let check = try await req.store.checkCoupon(code, counter: nonEmpty(req.query["counter"]), amountFen: amountFen,
                                                    card: nonEmpty(req.query["card"]), phone: nonEmpty(req.query["phone"]))
        let (_, programme) = try await req.store.programme()
        return CouponDTO(check, today: LocalDate.of(req.store.env.now(), in: programme.timeZone))
    }

    func redeem(req: Request) async throws -> Response {
        let code = try req.parameters.require("code")
        let dto = try req.content.decode(CouponRedeemRequestDTO.self)
        let posted = try await req.store.redeemCoupon(CouponRedeemRequest(
            code: code, receiptNo: dto.receiptNo, counter: dto.counter, amountFen: dto.amountFen,
            card: nonEmpty(dto.card), phone: nonEmpty(dto.phone), mall: nonEmpty(dto.mall),
            occurredAt: try nonEmpty(dto.occurredAt).map { try ISOTime.parse($0, field: "occurredAt") }))
        let (_, programme) = try await req.store.programme()
        return try await CouponRedeemResponseDTO(posted.value, zone: programme.timeZone)
            .encodeResponse(status: posted.isReplay ? .ok : .created, for: req)
    }

    private func nonEmpty(_ s: String?) -> String? { s.flatMap { $0.isEmpty ? nil : $0 } }
}
