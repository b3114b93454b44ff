import Foundation
import MallVIPCore
import MallVIPStore
import Vapor

// DTOs of the POS API. Field names are a contract with the tills: never rename one.

struct CounterDTO: Content {
    var code: String
    var name: String
    var brand: String
    var category: String
    var floor: String
    var mall: String
    var department: String
    var departmentName: String
    var participatesInDiscount: Bool
    var earnsPoints: Bool

    init(_ c: Counter) {
        code = c.code
        name = c.name
        brand = c.brand
        category = c.category
        floor = c.floor
        mall = c.mallCode
        department = c.departmentCode
        departmentName = c.departmentName
        participatesInDiscount = c.participatesInDiscount
        earnsPoints = c.earnsPoints
    }
}

struct MemberLookupDTO: Content {
    var cardNo: String?
    var tier: String
    var tierName: String
    var points: Int64
    /// Masked for the customer-facing screen (张*).
    var displayName: String
    var title: String
    var birthdayToday: Bool
    /// What the member's tier brings (additive: older tills ignore it).
    var benefits: TierBenefitsDTO? = nil
    /// Whether the tier's discount applies today (issue 18: a tier's discount may apply only during mall events, 尚峰);
    /// absent when the tier gives no discount. Additive: older tills ignore it.
    var tierDiscount: TierDiscountTodayDTO? = nil
}

/// The member's tier discount on the business day of the lookup.
struct TierDiscountTodayDTO: Content, Equatable {
    /// The tier's discount, per mille paid (880 = 8.8折).
    var discountPermille: Int
    /// True when it applies today: always for an every-day tier, inside one of its periods for an event-only tier.
    var appliesToday: Bool
    /// What is paid per mille today: `discountPermille` when it applies, 1000 (none) when not.
    var todayPermille: Int
    /// "8.8折，今天适用（店庆）" / "8.8折，今天不适用（仅在商场活动期间：…）" for the till's screen.
    var text: String
    var textEn: String

    /// nil when the tier gives no discount.
    init?(_ programme: Programme, tier: String, on day: LocalDate) {
        guard let def = programme.tier(tier), let today = programme.discountToday(tier: tier, on: day) else { return nil }
        discountPermille = def.discountPermille
        appliesToday = today.applies
        todayPermille = programme.tierDiscountPermille(tier: tier, on: day)
        text = today.text.zh
        textEn = today.text.en
    }
}

struct TierBenefitsDTO: Content, Equatable {
    /// Per mille paid at partner merchants (900 = 9折; 1000 = none).
    var partnerDiscountPermille: Int
    var freeParkingHours: Int
    var lounge: Bool
    var quarterlyGift: String?
    var birthdayGift: String?

    init(_ b: TierBenefits) {
        partnerDiscountPermille = b.partnerDiscountPermille
        freeParkingHours = b.freeParkingHours
        lounge = b.lounge
        quarterlyGift = b.quarterlyGift?.zh
        birthdayGift = b.birthdayGift?.zh
    }
}

struct EnrolRequestDTO: Content {
    var phone: String
    var name: String
    var gender: String?
    var birthday: String?
    var idNumber: String?
    var email: String?
    var receipts: [String]?
    var cardNo: String?
    var consentSms: Bool?
    var consentEmail: Bool?
    /// The referring member's code (推荐码).
    var referralCode: String?
}

struct EnrolResponseDTO: Content {
    var memberId: Int64
    var cardNo: String
    var tier: String
    var tierName: String
    var points: Int64
    var rule: String
}

struct PurchaseLineDTO: Content {
    var counter: String
    var amountFen: Int64
    var specialPrice: Bool?

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        counter = try c.decode(String.self, forKey: .counter)
        amountFen = try decodeFen(c, .amountFen, decoder)
        specialPrice = try c.decodeIfPresent(Bool.self, forKey: .specialPrice)
    }
}

/// Foundation's decoder loses the field path when a number is not an integer (10.5 fen): report it as a type
/// mismatch at the right path, like any other wrong type.
func decodeFen<K: CodingKey>(_ c: KeyedDecodingContainer<K>, _ key: K, _ decoder: any Decoder) throws -> Int64 {
    guard c.contains(key) else { return try c.decode(Int64.self, forKey: key) }   // keyNotFound, with its path
    if let fen = try? c.decode(Int64.self, forKey: key) { return fen }
    throw DecodingError.typeMismatch(Int64.self, .init(codingPath: decoder.codingPath + [key],
                                                       debugDescription: "amountFen must be a whole number of fen"))
}

struct PurchaseRequestDTO: Content {
    var receiptNo: String
    var occurredAt: String
    var card: String?
    var phone: String?
    var lines: [PurchaseLineDTO]
}

struct PurchaseResponseDTO: Content {
    var receiptNo: String
    var mall: String
    var businessDate: String
    var member: Bool
    var cardNo: String?
    var totalFen: Int64
    var eligibleFen: Int64
    var factorPermille: Int
    var pointsEarned: Int64
    var basePoints: Int64
    var bonusPoints: Int64
    var multipliers: [String]
    var pointsBalance: Int64?
    var tier: String?
    var previousTier: String?
    var tierChanged: Bool
    var tierApprovalRequested: String?
    var eligibleToEnrol: Bool

    init(_ o: PurchaseOutcome) {
        receiptNo = o.receiptNo
        mall = o.mall
        businessDate = o.businessDate
        member = o.member
        cardNo = o.cardNo
        totalFen = o.totalFen
        eligibleFen = o.eligibleFen
        factorPermille = o.factorPermille
        pointsEarned = o.pointsEarned
        basePoints = o.basePoints
        bonusPoints = o.bonusPoints
        multipliers = o.multipliers
        pointsBalance = o.pointsBalance
        tier = o.tier
        previousTier = o.previousTier
        tierChanged = o.tierChanged
        tierApprovalRequested = o.tierApprovalRequested
        eligibleToEnrol = o.eligibleToEnrol
    }
}

struct RefundLineDTO: Content {
    var counter: String
    var amountFen: Int64

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        counter = try c.decode(String.self, forKey: .counter)
        amountFen = try decodeFen(c, .amountFen, decoder)
    }
}

struct RefundRequestDTO: Content {
    var refundNo: String
    var receiptNo: String
    var lines: [RefundLineDTO]
}

struct RefundResponseDTO: Content {
    var refundNo: String
    var receiptNo: String
    var refundedFen: Int64
    var pointsReversed: Int64
    var pointsBalance: Int64?
    var tier: String?
    var tierChanged: Bool
    var cardDeactivated: Bool

    init(_ o: RefundOutcome) {
        refundNo = o.refundNo
        receiptNo = o.receiptNo
        refundedFen = o.refundedFen
        pointsReversed = o.pointsReversed
        pointsBalance = o.pointsBalance
        tier = o.tier
        tierChanged = o.tierChanged
        cardDeactivated = o.cardDeactivated
    }
}

struct QuoteLineDTO: Content {
    var counter: String
    var amountFen: Int64
    var specialPrice: Bool?
    /// The counter's own promotion on this line in 折 per mille (800 = 8折); amountFen is then the list price.
    var counterPromotionPermille: Int?

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        counter = try c.decode(String.self, forKey: .counter)
        amountFen = try decodeFen(c, .amountFen, decoder)
        specialPrice = try c.decodeIfPresent(Bool.self, forKey: .specialPrice)
        counterPromotionPermille = try c.decodeIfPresent(Int.self, forKey: .counterPromotionPermille)
    }
}

struct QuoteRequestDTO: Content {
    var card: String?
    var phone: String?
    var occurredAt: String?
    var lines: [QuoteLineDTO]
}

struct QuotedLineDTO: Content {
    var counter: String
    var amountFen: Int64
    var memberDiscountPermille: Int
    var payableFen: Int64
}

struct QuoteResponseDTO: Content {
    var member: Bool
    var tier: String?
    var lines: [QuotedLineDTO]
    var payableFen: Int64
    var pointsEarned: Int64
    var basePoints: Int64
    var bonusPoints: Int64
    var multipliers: [String]
}

/// ISO 8601 with an explicit offset (`2026-11-25T10:00:00+08:00`, `…Z`, fractional seconds allowed).
enum ISOTime {
    static func parse(_ text: String, field: String) throws -> Date {
        if let d = Timestamp.parse(text) { return d }
        throw DomainError.invalid(field, "time.iso8601", zh: "\(field) 须为带时区的 ISO 8601 时间，如 2026-11-25T10:00:00+08:00",
                                  en: "\(field) must be an ISO 8601 time with offset, e.g. 2026-11-25T10:00:00+08:00")
    }
}
