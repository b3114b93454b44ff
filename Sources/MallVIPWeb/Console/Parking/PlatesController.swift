import Foundation
import MallVIPCore
import MallVIPStore
import Vapor

/// Binding licence plates to members at the desk; the car park API finds the member by plate.
enum PlatesController {
    static func register(_ routes: any RoutesBuilder) throws {
        let desk = routes.grouped(StaffAuthMiddleware(roles: StaffRole.memberDesk))
        desk.post(.memberPlateBind, use: bind)
        desk.post(.memberPlateUnbind, use: unbind)
    }

    struct PlateForm: Content { var plate: String }

    @Sendable static func bind(req: Request) async throws -> Response {
        let f = try req.content.decode(PlateForm.self)
        return try await MembersController.action(req) { id in
            let plate = try await req.store.bindPlate(f.plate, memberId: id, actor: req.actor)
            return req.lang.t("已绑定车牌 \(plate)", "Plate \(plate) bound")
        }
    }

    @Sendable static func unbind(req: Request) async throws -> Response {
        let f = try req.content.decode(PlateForm.self)
        return try await MembersController.action(req) { id in
            try await req.store.unbindPlate(f.plate, memberId: id, actor: req.actor)
            return req.lang.t("已解绑车牌 \(LicencePlate.normalise(f.plate))", "Plate \(LicencePlate.normalise(f.plate)) unbound")
        }
    }
}
