import Foundation
import MallVIPCore
import MallVIPStore
import Vapor

// DTOs of the coupon endpoints of the POS API. Field names are a contract with the tills: never rename one.

struct CouponRedeemRequestDTO: Content {
    var receiptNo: String
    var counter: String
    var amountFen: Int64
    var card: String?
    var phone: String?
    var mall: String?
    var occurredAt: String?
}

struct CouponRedeemResponseDTO: Content {
    var code: String
    var status: String
    var receiptNo: String
    var mall: String
    var counter: String
    var amountFen: Int64
    var discountFen: Int64
    var payableFen: Int64
    var cardNo: String?
    var usedAt: String

    init(_ r: CouponRedemption, zone: TimeZone) {
        code = r.code
        status = r.status
        receiptNo = r.receiptNo
        mall = r.mall
        counter = r.counter
        amountFen = r.amountFen
        discountFen = r.discountFen
        payableFen = r.payableFen
        cardNo = r.cardNo
        usedAt = ISOTime.format(dateFromMillis(r.usedAtMs), zone: zone)
    }
}

/// GET /coupons/{code}: the coupon as the till may show it, and whether it would be accepted for what was asked.
struct CouponDTO: Content {
    var code: String
    /// issued | used | void | expired
    var status: String
    var name: String
    var nameEn: String
    var faceFen: Int64?
    var discountPermille: Int?
    var valueText: String
    var minSpendFen: Int64
    var validFrom: String
    var validTo: String
    var counters: [String]
    var memberBound: Bool
    var cardNo: String?
    var displayName: String?
    var usable: Bool
    var refusal: APIErrorBody.Detail?
    var discountFen: Int64?
    var payableFen: Int64?
    var usedReceiptNo: String?

    init(_ check: CouponCheck, today: LocalDate) {
        let c = check.coupon
        code = c.code
        status = c.displayStatus(on: today)
        name = c.nameZh
        nameEn = c.nameEn
        faceFen = c.terms.value.faceFen
        discountPermille = c.terms.value.discountPermille
        valueText = c.terms.value.label(.zh)
        minSpendFen = c.terms.minSpendFen
        validFrom = c.terms.validFrom.description
        validTo = c.terms.validTo.description
        counters = c.terms.counterCodes
        memberBound = c.terms.memberId != nil
        cardNo = c.memberCard
        displayName = c.memberName.map(Identity.maskName)
        usable = check.refusal == nil
        refusal = check.refusal.map { .init(field: $0.field, rule: $0.rule, message: $0.en, messageZh: $0.zh) }
        discountFen = check.use?.discountFen
        payableFen = check.use?.payableFen
        usedReceiptNo = c.usedReceiptNo
    }
}

extension ISOTime {
    /// `2026-03-10T10:00:00+08:00`: the offset of the programme's time zone, as tills print it.
    static func format(_ date: Date, zone: TimeZone) -> String {
        let f = ISO8601DateFormatter()
        f.timeZone = zone
        f.formatOptions = [.withInternetDateTime]
        return f.string(from: date)
    }
}
