import Foundation
import MallVIPCore
import MallVIPStore
import Vapor

/// The partner API under /api/v1/partner: only keys scoped to a partner merchant (`mallvip apikey create --partner`).
struct PartnerController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let partner = routes.grouped(APIKeyMiddleware(scope: .partner))
        partner.get(.apiPartnerMemberLookup, use: lookup)
        partner.post(.apiPartnerVisits, use: visit)
    }

    func lookup(req: Request) async throws -> PartnerMemberDTO {
        let card: String? = req.query["card"], phone: String? = req.query["phone"]
        return PartnerMemberDTO(try await req.store.partnerMember(partnerId: req.apiPartnerId, card: blank(card), phone: blank(phone)))
    }

    func visit(req: Request) async throws -> Response {
        let dto = try req.content.decode(PartnerVisitRequestDTO.self)
        let at = try dto.visitedAt.map { try ISOTime.parse($0, field: "visitedAt") }
        let posted = try await req.store.recordPartnerVisit(partnerId: req.apiPartnerId, PartnerVisitRequest(
            idempotencyKey: dto.idempotencyKey, card: blank(dto.card), phone: blank(dto.phone), amountFen: dto.amountFen,
            visitedAt: at, visitedAtText: dto.visitedAt))
        return try await PartnerVisitDTO(posted.value).encodeResponse(status: posted.isReplay ? .ok : .created, for: req)
    }

    private func blank(_ s: String?) -> String? { s.flatMap { $0.isEmpty ? nil : $0 } }
}
