import Foundation
import MallVIPCore
import MallVIPStore
import Vapor

/// The car park API under /api/v1/parking, for POS-scoped API keys: the charge for an exit after the member's free
/// parking benefit, recorded once per idempotency key.
struct ParkingController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let parking = routes.grouped(APIKeyMiddleware())
        parking.post(.apiParkingExits, use: exit)
    }

    func exit(req: Request) async throws -> Response {
        let dto = try req.content.decode(ParkingExitRequestDTO.self)
        let posted = try await req.store.recordParkingExit(ParkingExitRequest(
            idempotencyKey: dto.idempotencyKey, card: dto.card, plate: dto.plate,
            entryAt: try ISOTime.parse(dto.entryAt, field: "entryAt"), exitAt: try ISOTime.parse(dto.exitAt, field: "exitAt"),
            mall: dto.mall))
        return try await ParkingExitDTO(posted.value).encodeResponse(status: posted.isReplay ? .ok : .created, for: req)
    }
}
