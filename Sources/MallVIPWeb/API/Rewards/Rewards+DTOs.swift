import Foundation
import MallVIPCore
import MallVIPStore
import Vapor

// DTOs of the rewards API (GET /api/v1/rewards, POST /api/v1/redemptions, POST /api/v1/redemptions/{id}/void).
// Field names are a contract with the tills: never rename one.

struct RewardReasonDTO: Content {
    var rule: String
    var message: String
    var messageZh: String

    init(_ r: RedemptionReason) {
        rule = r.rule
        message = r.en
        messageZh = r.zh
    }
}

struct RewardCouponDTO: Content {
    var faceFen: Int64?
    var discountPermille: Int?
    var minSpendFen: Int64
    var validDays: Int?
    var validTo: String?
}

struct RewardItemDTO: Content {
    var code: String
    var name: String
    var nameEn: String
    /// gift | cashCoupon | serviceCoupon
    var kind: String
    /// Fixed points price; nil for ladder items.
    var points: Int64?
    var ladder: String?
    var listPriceFen: Int64?
    /// Ladder items: the highest list price the member's balance allows.
    var capFen: Int64?
    var pointsRequired: Int64?
    var pointsDeducted: Int64
    /// nil = unlimited.
    var stock: Int64?
    var coupon: RewardCouponDTO?
    var eligible: Bool
    var reasons: [RewardReasonDTO]

    init(_ r: Redeemable) {
        let i = r.item, a = r.assessment
        code = i.code
        name = i.name.zh
        nameEn = i.name.en
        kind = i.kind.rawValue
        points = i.points
        ladder = i.ladderCode
        listPriceFen = i.listPriceFen
        capFen = a.capFen
        pointsRequired = a.pointsRequired
        pointsDeducted = a.pointsDeducted
        stock = i.stock
        coupon = i.coupon.map { RewardCouponDTO(faceFen: $0.faceFen, discountPermille: $0.discountPermille, minSpendFen: $0.minSpendFen,
                                                validDays: $0.validDays, validTo: $0.validTo?.description) }
        eligible = a.eligible
        reasons = a.reasons.map(RewardReasonDTO.init)
    }
}

struct RewardsResponseDTO: Content {
    var cardNo: String?
    var tier: String
    var points: Int64
    /// deduct | milestone
    var mode: String
    var items: [RewardItemDTO]
}

struct RedemptionRequestDTO: Content {
    var idempotencyKey: String
    var card: String?
    var phone: String?
    var item: String
    var listPriceFen: Int64?
    var mall: String?

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        idempotencyKey = try c.decode(String.self, forKey: .idempotencyKey)
        card = try c.decodeIfPresent(String.self, forKey: .card)
        phone = try c.decodeIfPresent(String.self, forKey: .phone)
        item = try c.decode(String.self, forKey: .item)
        let hasPrice = try c.contains(.listPriceFen) && !c.decodeNil(forKey: .listPriceFen)
        listPriceFen = hasPrice ? try decodeFen(c, .listPriceFen, decoder) : nil
        mall = try c.decodeIfPresent(String.self, forKey: .mall)
    }
}

struct RedemptionVoidDTO: Content {
    var reason: String
}

struct RedemptionDTO: Content {
    var id: Int64
    /// done | void
    var status: String
    var item: String
    var itemName: String
    var kind: String
    /// Points taken (0 in milestone mode).
    var points: Int64
    /// The balance after this operation.
    var pointsBalance: Int64
    var listPriceFen: Int64?
    var couponCode: String?
    var cardNo: String?
    var businessDate: String
    var voidReason: String?

    init(_ r: Redemption, balance: Int64? = nil) {
        id = r.id
        status = r.status
        item = r.itemCode
        itemName = r.itemName.zh
        kind = r.kind.rawValue
        points = r.points
        pointsBalance = balance ?? r.balanceAfter
        listPriceFen = r.listPriceFen
        couponCode = r.couponCode
        cardNo = r.cardNo
        businessDate = r.businessDate.description
        voidReason = r.voidReason
    }
}
