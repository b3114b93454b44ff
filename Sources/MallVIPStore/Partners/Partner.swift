import Foundation
import MallVIPCore

/// A partner merchant (联盟商家: hotel, KTV, supermarket…) that gives members a discount by tier.
public struct Partner: Sendable, Equatable {
    public var id: Int64
    public var code: String
    public var name: String
    public var category: String
    public var contact: String
    public var active: Bool
    /// Per-tier discounts that differ from the programme's `benefits.partnerDiscount`, per mille by tier code.
    public var overrides: [String: Int]

    /// The partner's discount for `tier`: its own override, else the tier's partner discount in the programme.
    public func discountPermille(tier: String, programme: Programme) -> Int {
        overrides[tier] ?? programme.tier(tier)?.benefits.partnerDiscountPermille ?? 1000
    }
}

public struct PartnerInput: Sendable {
    public var code: String
    public var name: String
    public var category: String
    public var contact: String
    public var active: Bool
    public var overrides: [String: Int]
    public init(code: String, name: String, category: String = "", contact: String = "", active: Bool = true, overrides: [String: Int] = [:]) {
        self.code = code
        self.name = name
        self.category = category
        self.contact = contact
        self.active = active
        self.overrides = overrides
    }
}

/// A partner's record of a member's visit. `visitedAt` nil means now. Retries carry the same idempotency key.
public struct PartnerVisitRequest: Sendable {
    public var idempotencyKey: String
    public var card: String?
    public var phone: String?
    public var amountFen: Int64
    public var visitedAt: Date?
    /// The time as sent, part of the fingerprint that tells a retry from a different visit.
    public var visitedAtText: String?

    public init(idempotencyKey: String, card: String?, phone: String?, amountFen: Int64, visitedAt: Date?, visitedAtText: String?) {
        self.idempotencyKey = idempotencyKey
        self.card = card
        self.phone = phone
        self.amountFen = amountFen
        self.visitedAt = visitedAt
        self.visitedAtText = visitedAtText
    }

    var fingerprint: String { "\(card ?? "")|\(phone ?? "")|\(amountFen)|\(visitedAtText ?? "")" }
}

/// What a visit recorded; stored so that a retry gets the first answer again.
public struct PartnerVisitOutcome: Codable, Sendable, Equatable {
    public var idempotencyKey: String
    public var partner: String
    public var displayName: String
    public var tier: String
    public var tierName: String
    public var amountFen: Int64
    public var discountPermille: Int
    public var discountFen: Int64
    public var payableFen: Int64
    public var businessDate: String
}

/// One line of the monthly settlement: what a partner gave members in a month.
public struct PartnerSettlementLine: Sendable, Equatable {
    public var partnerId: Int64
    public var code: String
    public var name: String
    public var visits: Int
    public var members: Int
    public var amountFen: Int64
    public var discountFen: Int64
}
