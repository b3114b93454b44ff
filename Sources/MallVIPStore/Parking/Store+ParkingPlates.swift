import FluentKit
import Foundation
import MallVIPCore
import SQLKit

public struct ParkingPlate: Sendable, Equatable {
    public var plate: String
    public var memberId: Int64
    public var boundAt: Date
    public var boundBy: String
}

extension Store {
    /// Binds a licence plate to a member (normalised: upper case, no spaces). One plate belongs to one member;
    /// binding it again to the same member is a no-op. Returns the plate as stored.
    @discardableResult
    public func bindPlate(_ text: String, memberId: Int64, actor: String) async throws -> String {
        let plate = LicencePlate.normalise(text)
        guard LicencePlate.isValid(plate) else {
            throw DomainError.invalid("plate", "plate.format", zh: "车牌号须为5–10位字母、数字或汉字", en: "a plate is 5 to 10 letters, digits or Chinese characters")
        }
        guard try await member(id: memberId) != nil else {
            throw DomainError(.notFound, field: nil, rule: "member.exists", zh: "会员不存在", en: "member not found")
        }
        func conflict(_ owner: Int64) -> DomainError {
            DomainError(.conflict, field: "plate", rule: "plate.bound", zh: "车牌 \(plate) 已绑定其他会员（ID \(owner)）",
                        en: "plate \(plate) is already bound to another member (id \(owner))")
        }
        if let owner = try await plateOwner(plate) {
            guard owner == memberId else { throw conflict(owner) }
            return plate
        }
        do {
            try await write { tx in
                try await tx.sql.exec("""
                    INSERT INTO parking_plates (plate, member_id, bound_at_ms, bound_by)
                    VALUES (\(bind: plate), \(bind: memberId), \(bind: epochMillis(self.now)), \(bind: actor))
                    """)
                try await self.audit(tx, actor: actor, action: "plate.bind", subject: "member:\(memberId)", detail: plate)
            }
        } catch where isUniqueViolation(error) {
            if let owner = try await plateOwner(plate), owner != memberId { throw conflict(owner) }
        }
        return plate
    }

    public func unbindPlate(_ text: String, memberId: Int64, actor: String) async throws {
        let plate = LicencePlate.normalise(text)
        try await write { tx in
            guard try await tx.sql.row("""
                DELETE FROM parking_plates WHERE plate = \(bind: plate) AND member_id = \(bind: memberId) RETURNING plate
                """) != nil else {
                throw DomainError(.notFound, field: "plate", rule: "plate.exists", zh: "此会员没有绑定车牌 \(plate)", en: "plate \(plate) is not bound to this member")
            }
            try await self.audit(tx, actor: actor, action: "plate.unbind", subject: "member:\(memberId)", detail: plate)
        }
    }

    public func plates(memberId: Int64) async throws -> [ParkingPlate] {
        try await sql.rows("""
            SELECT plate, member_id, bound_at_ms, bound_by FROM parking_plates WHERE member_id = \(bind: memberId) ORDER BY bound_at_ms, plate
            """).map {
            ParkingPlate(plate: try $0.string("plate"), memberId: try $0.int64("member_id"),
                         boundAt: dateFromMillis(try $0.int64("bound_at_ms")), boundBy: try $0.string("bound_by"))
        }
    }

    /// The member a plate (as given or normalised) is bound to.
    public func plateOwner(_ text: String) async throws -> Int64? {
        try await sql.row("SELECT member_id FROM parking_plates WHERE plate = \(bind: LicencePlate.normalise(text))")?.int64("member_id")
    }
}
