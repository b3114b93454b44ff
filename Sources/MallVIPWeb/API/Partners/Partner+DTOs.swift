import Foundation
import MallVIPCore
import MallVIPStore
import Vapor

// DTOs of the partner API. Field names are a contract with partner systems: never rename one.

struct PartnerMemberDTO: Content {
    /// Masked (张*): a partner sees no more of the member than the till's customer screen.
    var displayName: String
    var tier: String
    var tierName: String
    /// What the member pays at this partner, per mille (900 = 9折).
    var discountPermille: Int
    var discountText: String

    init(_ v: PartnerMemberView) {
        displayName = v.displayName
        tier = v.tier
        tierName = v.tierName
        discountPermille = v.discountPermille
        discountText = Zhe.format(v.discountPermille)
    }
}

struct PartnerVisitRequestDTO: Content {
    var idempotencyKey: String
    var card: String?
    var phone: String?
    /// The bill before the member discount, in fen.
    var amountFen: Int64
    var visitedAt: String?

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        idempotencyKey = try c.decode(String.self, forKey: .idempotencyKey)
        card = try c.decodeIfPresent(String.self, forKey: .card)
        phone = try c.decodeIfPresent(String.self, forKey: .phone)
        amountFen = try decodeFen(c, .amountFen, decoder)
        visitedAt = try c.decodeIfPresent(String.self, forKey: .visitedAt)
    }
}

struct PartnerVisitDTO: Content {
    var idempotencyKey: String
    var partner: String
    var displayName: String
    var tier: String
    var tierName: String
    var amountFen: Int64
    var discountPermille: Int
    var discountFen: Int64
    var payableFen: Int64
    var businessDate: String

    init(_ o: PartnerVisitOutcome) {
        idempotencyKey = o.idempotencyKey
        partner = o.partner
        displayName = o.displayName
        tier = o.tier
        tierName = o.tierName
        amountFen = o.amountFen
        discountPermille = o.discountPermille
        discountFen = o.discountFen
        payableFen = o.payableFen
        businessDate = o.businessDate
    }
}
