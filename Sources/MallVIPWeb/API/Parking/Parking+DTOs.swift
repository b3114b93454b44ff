import Foundation
import MallVIPCore
import MallVIPStore
import Vapor

// DTOs of the car park API. Field names are a contract with the car park system: never rename one.

struct ParkingExitRequestDTO: Content {
    /// The car park's own number for this exit; a retry sends the same.
    var idempotencyKey: String
    var card: String?
    var plate: String?
    var entryAt: String
    var exitAt: String
    /// Mall code; may be left out when the group has one mall.
    var mall: String?
}

struct ParkingExitDTO: Content {
    var idempotencyKey: String
    var mall: String
    var businessDate: String
    var member: Bool
    var cardNo: String?
    var plate: String?
    /// The member's tier on the exit's business day; absent for a non-member.
    var tier: String?
    var stayMinutes: Int
    /// Free minutes the driver was entitled to: tier hours plus the same-day spend rule.
    var allowanceMinutes: Int
    /// Minutes of this stay the allowance covered (the benefit used).
    var freeMinutes: Int
    var chargeableMinutes: Int
    var amountFen: Int64
    /// Within the grace period: free for everyone.
    var grace: Bool
    var sameDaySpendFen: Int64

    init(_ o: ParkingExitOutcome) {
        idempotencyKey = o.idempotencyKey
        mall = o.mall
        businessDate = o.businessDate
        member = o.member
        cardNo = o.cardNo
        plate = o.plate
        tier = o.tier
        stayMinutes = o.charge.stayMinutes
        allowanceMinutes = o.charge.allowanceMinutes
        freeMinutes = o.charge.freeMinutes
        chargeableMinutes = o.charge.chargeableMinutes
        amountFen = o.charge.amountFen
        grace = o.charge.grace
        sameDaySpendFen = o.sameDaySpendFen
    }
}
