import Foundation
import MallVIPCore
import OpenAPIKit30

/// The request and response bodies of the POS API (components/schemas). Request schemas state the limits the
/// handlers enforce; response schemas list every field a DTO writes (OpenAPITests refuses undocumented ones).
enum OpenAPISchemas {
    static var all: OpenAPI.ComponentDictionary<JSONSchema> {
        var s: OpenAPI.ComponentDictionary<JSONSchema> = [:]
        func add(_ name: String, _ schema: JSONSchema) { s[.init(stringLiteral: name)] = schema }
        let rewardKind = ["gift", "cashCoupon", "serviceCoupon"]

        add("Error", .object(description: "Every 4xx and 5xx answer of the API", properties: [
            "error": .object(properties: [
                "field": .text(required: false, nullable: true, "the request field at fault, as a JSON path (lines[0].amountFen)"),
                "rule": .text("the rule broken, e.g. amount.positive, member.exists, http.405"),
                "message": .text("English"), "messageZh": .text("Chinese")])]))

        add("SMSStatusRequest", .object(properties: [
            "providerId": .string(description: "the id the gateway answered the send with (id or messageId)", minLength: 1, maxLength: 100,
                                  pattern: APIContract.notBlank),
            "status": .string(minLength: 1, pattern: APIContract.notBlank)]))
        add("SMSStatus", .object(properties: ["matched": .boolean]))
        add("SMSInboundRequest", .object(properties: [
            "phone": .string(description: "11-digit mobile number, +86 or 86 prefix allowed", pattern: "^[ \\t]*(\\+86|86)?1[3-9][0-9]{9}[ \\t]*$"),
            "text": .string(description: "the reply; the first 500 characters are kept")]))
        add("SMSInbound", .object(properties: ["optedOut": .boolean]))

        add("RewardReason", .object(properties: [
            "rule": .text("e.g. redemption.points, redemption.tier, redemption.window, redemption.validity, redemption.maxBalance, redemption.stock, redemption.memberLimit, redemption.periodLimit, redemption.onePerCard, redemption.specialPrice, redemption.ladderCap, redemption.inactive, member.active"),
            "message": .string, "messageZh": .string]))
        add("RewardItem", .object(properties: [
            "code": .string, "name": .string, "nameEn": .string,
            "kind": .string(allowedValues: rewardKind.map { .init($0) }),
            "points": .int64(required: false, nullable: true, "fixed points price; absent for ladder items"),
            "ladder": .text(required: false, nullable: true, "ladder code: the price follows from the list price"),
            "listPriceFen": .int64(required: false, nullable: true),
            "capFen": .int64(required: false, nullable: true, "ladder items: the highest list price the balance allows"),
            "pointsRequired": .int64(required: false, nullable: true),
            "pointsDeducted": .int64("0 in milestone mode"),
            "stock": .int64(required: false, nullable: true, "absent = unlimited"),
            "coupon": .object(required: false, nullable: true, properties: [
                "faceFen": .int64(required: false, nullable: true), "discountPermille": .integer(required: false, nullable: true),
                "minSpendFen": .int64(), "validDays": .integer(required: false, nullable: true), "validTo": .date(required: false, nullable: true)]),
            "eligible": .boolean, "reasons": .array(items: .ref("RewardReason"))]))
        add("Rewards", .object(properties: [
            "cardNo": .text(required: false, nullable: true), "tier": .string, "points": .int64(),
            "mode": .string(allowedValues: ["deduct", "milestone"]), "items": .array(items: .ref("RewardItem"))]))
        add("RedemptionRequest", .cardOrPhone([
            "idempotencyKey": .string(description: "the till's own number for this redemption; a retry sends the same", minLength: 1, maxLength: 100,
                                      pattern: APIContract.notBlank),
            "card": .card(emptyMeansAbsent: true), "phone": .phone(emptyMeansAbsent: true),
            "item": .string(description: "catalogue item code", minLength: 1),
            "listPriceFen": .fen(required: false, min: 1, max: APIContract.maxLineFen, "ladder items without a price of their own: the chosen gift's list price"),
            "mall": .text(required: false, "mall code; default the first mall")]))
        add("Redemption", .object(properties: [
            "id": .int64(), "status": .string(allowedValues: ["done", "void"]),
            "item": .string, "itemName": .string, "kind": .string(allowedValues: rewardKind.map { .init($0) }),
            "points": .int64("points taken (0 in milestone mode)"),
            "pointsBalance": .int64("the balance after this operation"),
            "listPriceFen": .int64(required: false, nullable: true), "couponCode": .text(required: false, nullable: true),
            "cardNo": .text(required: false, nullable: true), "businessDate": .date(),
            "voidReason": .text(required: false, nullable: true)]))

        add("Coupon", .object(properties: [
            "code": .string, "status": .string(allowedValues: ["issued", "used", "void", "expired"]),
            "name": .string, "nameEn": .string,
            "faceFen": .int64(required: false, nullable: true, "face value; or discountPermille"),
            "discountPermille": .integer(required: false, nullable: true, description: "what is paid, per mille (880 = 8.8折)",
                                         maximum: (999, exclusive: false), minimum: (1, exclusive: false)),
            "valueText": .text("e.g. 50 元 / 8.8折"), "minSpendFen": .int64(),
            "validFrom": .date(), "validTo": .date("last valid business day"),
            "counters": .array(description: "accepting counters; empty = every counter that takes part in discounts", items: .string),
            "memberBound": .boolean(description: "only the member may use it: send their card or phone"),
            "cardNo": .text(required: false, nullable: true), "displayName": .text(required: false, nullable: true, "masked, e.g. 张*"),
            "usable": .boolean(description: "would be accepted for the counter, amount and member given (parts not given are not checked)"),
            "refusal": .object(required: false, nullable: true, properties: [
                "field": .text(required: false, nullable: true), "rule": .string, "message": .string, "messageZh": .string]),
            "discountFen": .int64(required: false, nullable: true), "payableFen": .int64(required: false, nullable: true),
            "usedReceiptNo": .text(required: false, nullable: true)]))
        add("CouponRedeemRequest", .object(properties: [
            "receiptNo": .reference(), "counter": .reference(),
            "amountFen": .lineFen("the bill the coupon is taken against"),
            "card": .card(emptyMeansAbsent: true), "phone": .phone(emptyMeansAbsent: true), "mall": .text(required: false, "if given, must be the counter's mall"),
            "occurredAt": .string(format: .dateTime, required: false, description: "ISO 8601 with offset; default now. The coupon must be valid on its business day")]))
        add("CouponRedemption", .object(properties: [
            "code": .string, "status": .string(allowedValues: ["used"]), "receiptNo": .string, "mall": .string,
            "counter": .string, "amountFen": .int64(),
            "discountFen": .int64("face value capped at the amount, or the percentage off"),
            "payableFen": .int64(), "cardNo": .text(required: false, nullable: true), "usedAt": .dateTime()]))

        add("Counter", .object(properties: [
            "code": .string, "name": .string, "brand": .string, "category": .string, "floor": .string, "mall": .string,
            "department": .string, "departmentName": .string, "participatesInDiscount": .boolean, "earnsPoints": .boolean]))
        add("MemberLookup", .object(properties: [
            "cardNo": .text(required: false, nullable: true), "tier": .string, "tierName": .string, "points": .int64(),
            "displayName": .text("masked, e.g. 张*"), "title": .string, "birthdayToday": .boolean,
            "benefits": .ref("TierBenefits", required: false), "tierDiscount": .ref("TierDiscountToday", required: false)]))
        add("TierDiscountToday", .object(description: "whether the tier's discount applies on the business day of the lookup (programme discounts.eventOnlyTiers, discounts.periods); absent when the tier gives no discount", properties: [
            "discountPermille": .integer(description: "the tier's discount, per mille paid (880 = 8.8折)",
                                         maximum: (1000, exclusive: true), minimum: (1, exclusive: false)),
            "appliesToday": .boolean(description: "always for an every-day tier; inside one of its periods for an event-only tier"),
            "todayPermille": .integer(description: "paid per mille today: discountPermille when it applies, 1000 when not",
                                      maximum: (1000, exclusive: false), minimum: (1, exclusive: false)),
            "text": .text("e.g. 8.8折，今天适用（店庆）"), "textEn": .text("e.g. 8.8折, applies today (Anniversary)")]))
        add("TierBenefits", .object(description: "what the member's tier brings (programme tiers[].benefits)", properties: [
            "partnerDiscountPermille": .integer(description: "paid at partner merchants, per mille (900 = 9折; 1000 = none)",
                                                maximum: (1000, exclusive: false), minimum: (1, exclusive: false)),
            "freeParkingHours": .integer(minimum: (0, exclusive: false)), "lounge": .boolean(description: "VIP lounge (贵宾室) access"),
            "quarterlyGift": .text(required: false, nullable: true), "birthdayGift": .text(required: false, nullable: true)]))

        let plate = "licence plate: 5 to 10 letters, digits or Chinese characters; spaces, dots and dashes do not count, nor does case"
        let platePattern = "^[\\s·•._-]*([A-Za-z0-9\\u4e00-\\u9fff][\\s·•._-]*){5,10}$"
        add("ParkingExitRequest", .either([
            "idempotencyKey": .idempotencyKey("the car park's own number for the exit; a retry sends the same"),
            "card": .string(required: false, description: "card number"),
            // Blank (after dropping spaces, dots and dashes) = not given.
            "plate": .string(required: false, description: plate + "; blank = not given",
                             pattern: "^[\\s·•._-]*(([A-Za-z0-9\\u4e00-\\u9fff][\\s·•._-]*){5,10})?$"),
            "entryAt": .dateTime("ISO 8601 with offset"),
            "exitAt": .dateTime("ISO 8601 with offset; not before entryAt"),
            "mall": .text(required: false, "mall code; may be left out when there is one mall")],
            "card", .string(description: "card number", minLength: 1), "plate", .string(description: plate, pattern: platePattern)))
        add("ParkingExit", .object(properties: [
            "idempotencyKey": .string, "mall": .string, "businessDate": .date(),
            "member": .boolean(description: "false: unknown card or plate, pays in full"),
            "cardNo": .text(required: false, nullable: true), "plate": .text(required: false, nullable: true),
            "tier": .text(required: false, nullable: true, "the member's tier on the exit's business day"),
            "stayMinutes": .integer(minimum: (0, exclusive: false)),
            "allowanceMinutes": .integer(description: "free minutes: tier hours plus the same-day spend rule", minimum: (0, exclusive: false)),
            "freeMinutes": .integer(description: "minutes of this stay the allowance covered", minimum: (0, exclusive: false)),
            "chargeableMinutes": .integer(minimum: (0, exclusive: false)), "amountFen": .fen(min: 0),
            "grace": .boolean(description: "within the grace period: free for everyone"),
            "sameDaySpendFen": .int64("the member's spend at this mall on the exit's business day")]))

        add("PartnerMember", .object(properties: [
            "displayName": .text("masked, e.g. 张*"), "tier": .string, "tierName": .string,
            "discountPermille": .integer(description: "what the member pays here, per mille (900 = 9折)",
                                         maximum: (1000, exclusive: false), minimum: (1, exclusive: false)),
            "discountText": .text("e.g. 9折")]))
        add("PartnerVisitRequest", .cardOrPhone([
            "idempotencyKey": .idempotencyKey("the partner's own number for the visit; a retry sends the same"),
            "card": .card(emptyMeansAbsent: true), "phone": .phone(emptyMeansAbsent: true),
            "amountFen": .lineFen("the bill before the member discount"),
            "visitedAt": .string(format: .dateTime, required: false, description: "ISO 8601 with offset; default now; not in the future")]))
        add("PartnerVisit", .object(properties: [
            "idempotencyKey": .string, "partner": .string, "displayName": .string, "tier": .string, "tierName": .string,
            "amountFen": .int64(), "discountPermille": .integer(maximum: (1000, exclusive: false), minimum: (1, exclusive: false)),
            "discountFen": .int64(), "payableFen": .int64(), "businessDate": .date()]))

        add("EnrolRequest", .object(properties: [
            "phone": .phone(required: true), "name": .string(minLength: 1, maxLength: 50, pattern: APIContract.notBlank),
            "gender": .string(required: false, allowedValues: ["female", "male", "unknown"]),
            "birthday": .date(required: false, "not in the future"),
            "idNumber": .string(required: false, description: "18-character national ID (its check character is verified); empty = none",
                                pattern: "^([0-9]{17}[0-9Xx])?$"),
            "email": .string(required: false, description: "empty, or an address with @", maxLength: 254, pattern: "^$|@"),
            "receipts": .array(required: false, maxItems: 50, items: .reference()),
            "cardNo": .card(required: false, "an issued-inactive card to activate"),
            "consentSms": .boolean(required: false), "consentEmail": .boolean(required: false),
            "referralCode": .text(required: false, "the referring member's code (推荐码, 7 characters); unknown codes are refused")]))
        add("EnrolResponse", .object(properties: [
            "memberId": .int64(), "cardNo": .string, "tier": .string, "tierName": .string, "points": .int64(), "rule": .string]))

        add("PurchaseLine", .object(properties: [
            "counter": .reference("counter code"), "amountFen": .lineFen("fen actually paid"),
            "specialPrice": .boolean(required: false, description: "特价: no member discount, still earns points")]))
        add("PurchaseRequest", .object(properties: [
            "receiptNo": .reference(), "occurredAt": .dateTime("ISO 8601 with offset; within the programme's backdate and clock-skew limits"),
            "card": .card(emptyMeansAbsent: true), "phone": .phone(emptyMeansAbsent: true),
            "lines": .array(minItems: 1, maxItems: APIContract.maxPurchaseLines, items: .ref("PurchaseLine"))]))
        add("PurchaseResponse", .object(properties: [
            "receiptNo": .string, "mall": .string, "businessDate": .date(), "member": .boolean,
            "cardNo": .text(required: false, nullable: true), "totalFen": .int64(),
            "eligibleFen": .int64("the part of totalFen that earns points"),
            "factorPermille": .integer(description: "points multiplier applied, per mille (2000 = double)"),
            "pointsEarned": .int64(), "basePoints": .int64(), "bonusPoints": .int64(),
            "multipliers": .array(items: .string), "pointsBalance": .int64(required: false, nullable: true),
            "tier": .text(required: false, nullable: true), "previousTier": .text(required: false, nullable: true), "tierChanged": .boolean,
            "tierApprovalRequested": .text(required: false, nullable: true),
            "eligibleToEnrol": .boolean(description: "non-member whose receipt meets the enrolment rule")]))
        add("RefundRequest", .object(properties: [
            "refundNo": .reference(), "receiptNo": .reference(),
            "lines": .array(minItems: 1, items: .object(properties: ["counter": .reference(), "amountFen": .lineFen()]))]))
        add("RefundResponse", .object(properties: [
            "refundNo": .string, "receiptNo": .string, "refundedFen": .int64(), "pointsReversed": .int64(),
            "pointsBalance": .int64(required: false, nullable: true), "tier": .text(required: false, nullable: true),
            "tierChanged": .boolean, "cardDeactivated": .boolean]))
        add("QuoteRequest", .object(properties: [
            "card": .card(), "phone": .phone(),
            "occurredAt": .string(format: .dateTime, required: false),
            "lines": .array(minItems: 1, items: .object(properties: [
                "counter": .reference("counter code"), "amountFen": .lineFen(),
                "specialPrice": .boolean(required: false),
                "counterPromotionPermille": .integer(required: false, maximum: (1000, exclusive: false), minimum: (1, exclusive: false))]))]))
        add("QuoteResponse", .object(properties: [
            "member": .boolean, "tier": .text(required: false, nullable: true), "payableFen": .int64(),
            "pointsEarned": .int64(), "basePoints": .int64(), "bonusPoints": .int64(), "multipliers": .array(items: .string),
            "lines": .array(items: .object(properties: [
                "counter": .string, "amountFen": .int64(), "memberDiscountPermille": .integer, "payableFen": .int64()]))]))
        return s
    }
}
