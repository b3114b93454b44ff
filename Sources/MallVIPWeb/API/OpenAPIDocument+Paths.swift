import Foundation
import MallVIPCore
import OpenAPIKit30

/// The operations of the POS API. Each path here is a registered route and each registered /api/v1 route is
/// here (OpenAPITests checks both ways).
enum OpenAPIPaths {
    typealias Op = OpenAPI.Operation
    typealias Map = OpenAPI.Response.Map

    /// Errors every JSON write may answer: malformed JSON (400), no key (401), body too large (413), not JSON (415),
    /// a field breaking a rule (422).
    static let writeErrors: [Int] = [400, 401, 413, 415, 422]

    /// The success answers of an operation (a literal typed as the response map).
    static func answers(_ map: Map) -> Map { map }

    static var all: OpenAPI.PathItem.Map {
        [
            "/api/v1/counters": .init(get: Op(
                summary: "Counters (店柜) for POS setup", operationId: "listCounters",
                responses: answers([200: OpenAPI.Response.json("Active counters", .array(items: .ref("Counter")))]).adding(.errors([401])))),
            "/api/v1/members/lookup": .init(get: Op(
                summary: "Look a member up by card or phone", operationId: "lookupMember",
                parameters: [OpenAPI.Parameter.memberKey],
                responses: answers([200: OpenAPI.Response.json("The member", .ref("MemberLookup"))]).adding(.errors([401, 404, 422])))),
            "/api/v1/members": .init(post: Op(
                summary: "Enrol a member", operationId: "enrolMember",
                requestBody: .json(.ref("EnrolRequest")),
                responses: answers([201: OpenAPI.Response.json("Enrolled", .ref("EnrolResponse"))]).adding(.errors(writeErrors + [409])))),
            "/api/v1/quotes": .init(post: Op(
                summary: "Member prices and points for a cart", operationId: "quote",
                requestBody: .json(.ref("QuoteRequest")),
                responses: answers([200: OpenAPI.Response.json("Quote", .ref("QuoteResponse"))]).adding(.errors(writeErrors + [404])))),
            "/api/v1/purchases": .init(post: Op(
                summary: "Post a purchase (member or non-member)", operationId: "postPurchase",
                requestBody: .json(.ref("PurchaseRequest")),
                responses: answers([201: OpenAPI.Response.json("Recorded", .ref("PurchaseResponse")),
                                200: OpenAPI.Response.json("Replay of a receipt already recorded: the first answer", .ref("PurchaseResponse"))])
                    .adding(.errors(writeErrors + [404, 409])))),
            "/api/v1/refunds": .init(post: Op(
                summary: "Refund part or all of a receipt", operationId: "postRefund",
                requestBody: .json(.ref("RefundRequest")),
                responses: answers([201: OpenAPI.Response.json("Recorded", .ref("RefundResponse")),
                                200: OpenAPI.Response.json("Replay", .ref("RefundResponse"))])
                    .adding(.errors(writeErrors + [404, 409])))),
            "/api/v1/partner/members/lookup": .init(get: Op(
                summary: "Partner merchant: a member's tier and this partner's discount (partner-scoped key only)", operationId: "partnerLookupMember",
                parameters: [OpenAPI.Parameter.memberKey],
                responses: answers([200: OpenAPI.Response.json("The member, masked", .ref("PartnerMember"))]).adding(.errors([401, 403, 404, 422])))),
            "/api/v1/partner/visits": .init(post: Op(
                summary: "Partner merchant: record a member's visit and the discount given (partner-scoped key only); idempotent on idempotencyKey",
                operationId: "partnerRecordVisit",
                requestBody: .json(.ref("PartnerVisitRequest")),
                responses: answers([201: OpenAPI.Response.json("Recorded", .ref("PartnerVisit")),
                                200: OpenAPI.Response.json("Replay of a visit already recorded: the first answer", .ref("PartnerVisit"))])
                    .adding(.errors(writeErrors + [403, 404, 409])))),
            "/api/v1/coupons/{code}": .init(get: Op(
                summary: "Check a coupon before use; with counter, amountFen and card/phone it says whether it would be accepted and what it takes off",
                operationId: "getCoupon",
                parameters: [OpenAPI.Parameter.path("code", .string(minLength: 1)),
                             OpenAPI.Parameter.query("counter", .string(required: false)),
                             OpenAPI.Parameter.query("amountFen", .fen(required: false, min: 1, max: NumericLimits.maxMoneyFen)),
                             OpenAPI.Parameter.query("card", .string(required: false)), OpenAPI.Parameter.query("phone", .string(required: false))],
                responses: answers([200: OpenAPI.Response.json("The coupon", .ref("Coupon"))]).adding(.errors([401, 404, 422])))),
            "/api/v1/coupons/{code}/redeem": .init(post: Op(
                summary: "Take a coupon against a receipt; idempotent on the receipt (the same code and receiptNo again answers 200 with the first body)",
                operationId: "redeemCoupon",
                parameters: [OpenAPI.Parameter.path("code", .string(minLength: 1))],
                requestBody: .json(.ref("CouponRedeemRequest")),
                responses: answers([201: OpenAPI.Response.json("Taken", .ref("CouponRedemption")),
                                200: OpenAPI.Response.json("Replay for the same receipt: the first answer", .ref("CouponRedemption")),
                                422: .response(OpenAPIDocument.errorResponse(
                                    "Refused, nothing written: rule coupon.validity, coupon.void, coupon.member, coupon.counter or coupon.minSpend (coupon.used is 409)"))])
                    .adding(.errors(writeErrors + [404, 409])))),
            "/api/v1/parking/exits": .init(post: Op(
                summary: "Car park exit: the charge after the member's free parking (tier hours plus same-day spend), recorded; idempotent on idempotencyKey",
                operationId: "parkingExit",
                requestBody: .json(.ref("ParkingExitRequest")),
                responses: answers([201: OpenAPI.Response.json("Charged and recorded", .ref("ParkingExit")),
                                200: OpenAPI.Response.json("Replay of an exit already recorded: the first answer", .ref("ParkingExit"))])
                    .adding(.errors(writeErrors + [403, 404, 409])))),
            "/api/v1/rewards": .init(get: Op(
                summary: "What a member can redeem now, and every reason why not otherwise", operationId: "listRewards",
                parameters: [OpenAPI.Parameter.memberKey],
                responses: answers([200: OpenAPI.Response.json("The member's balance and every active catalogue item with its verdict", .ref("Rewards"))])
                    .adding(.errors([401, 404, 422])))),
            "/api/v1/redemptions": .init(post: Op(
                summary: "Redeem one catalogue item (writes a redeem ledger row, takes stock, issues the coupon); idempotent on idempotencyKey",
                operationId: "redeem",
                requestBody: .json(.ref("RedemptionRequest")),
                responses: answers([201: OpenAPI.Response.json("Redeemed", .ref("Redemption")),
                                200: OpenAPI.Response.json("Replay of the same key and request: the first answer", .ref("Redemption")),
                                422: .response(OpenAPIDocument.errorResponse(
                                    "Refused: error.rule names the first rule broken (redemption.points, redemption.tier, redemption.window, redemption.stock, ...), the messages list every one; or the item, member or field is unknown"))])
                    .adding(.errors(writeErrors + [404, 409])))),
            "/api/v1/redemptions/{id}/void": .init(post: Op(
                summary: "Void a redemption: points (redeemVoid ledger row) and stock come back, its coupon is voided (refused if the coupon was used)",
                operationId: "voidRedemption",
                parameters: [OpenAPI.Parameter.path("id", .int64())],
                requestBody: .json(.object(properties: ["reason": .string(minLength: 1, pattern: APIContract.notBlankLines)])),
                responses: answers([200: OpenAPI.Response.json("Voided", .ref("Redemption"))]).adding(.errors(writeErrors + [404, 409])))),
            "/api/v1/sms/status": .init(post: Op(
                summary: "SMS gateway delivery report: the provider's message id and its status (DELIVRD/delivered/success move a sent message to delivered; any status is kept)",
                operationId: "smsStatus",
                requestBody: .json(.ref("SMSStatusRequest")),
                responses: answers([200: OpenAPI.Response.json("Recorded; matched is false when no sent message has this provider id", .ref("SMSStatus"))])
                    .adding(.errors(writeErrors + [403])))),
            "/api/v1/sms/inbound": .init(post: Op(
                summary: "A member's SMS reply: one of the programme's opt-out keywords (messaging.optOutKeywords, e.g. TD, 退订) records an opt-out and withdraws SMS consent",
                operationId: "smsInbound",
                requestBody: .json(.ref("SMSInboundRequest")),
                responses: answers([200: OpenAPI.Response.json("Received; optedOut says whether a member was opted out", .ref("SMSInbound"))])
                    .adding(.errors(writeErrors + [403])))),
            "/api/v1/openapi.json": .init(get: Op(
                summary: "This document", operationId: "openapi",
                responses: [200: OpenAPI.Response.json("OpenAPI 3 document", .object)],
                security: [])),
        ]
    }
}
