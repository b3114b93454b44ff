import Foundation

/// A till's request to take a coupon against a receipt.
public struct CouponRedeemRequest: Sendable, Equatable {
    public var code: String
    public var receiptNo: String
    public var counter: String
    public var amountFen: Int64
    public var card: String?
    public var phone: String?
    /// The mall code, when the till names it: it must be the counter's mall.
    public var mall: String?
    /// When the sale happened; the coupon must be valid on that business day. nil = now.
    public var occurredAt: Date?

    public init(code: String, receiptNo: String, counter: String, amountFen: Int64, card: String? = nil, phone: String? = nil,
                mall: String? = nil, occurredAt: Date? = nil) {
        self.code = code
        self.receiptNo = receiptNo
        self.counter = counter
        self.amountFen = amountFen
        self.card = card
        self.phone = phone
        self.mall = mall
        self.occurredAt = occurredAt
    }

    public func validate(now: Date, policy: PurchasePolicy) throws {
        try Validate.reference(receiptNo, field: "receiptNo")
        try Validate.reference(counter, field: "counter")
        try Validate.amount(amountFen, field: "amountFen")
        if let card, !CardNumber.isValid(card) {
            throw DomainError.invalid("card", "card.checkDigit", zh: "卡号无效（校验位不符）：\(card)", en: "card number \(card) is not valid (check digit)")
        }
        if let phone, !Identity.isValidPhone(phone) {
            throw DomainError.invalid("phone", "phone.format", zh: "手机号格式不正确", en: "phone must be an 11-digit mobile number")
        }
        if let occurredAt { try policy.check(occurredAt: occurredAt, now: now) }
    }
}

/// The conditions a coupon carries, and the check a till's use must pass (docs/domain.md §5.3).
public struct CouponTerms: Sendable, Equatable {
    public enum Status: String, Sendable, Codable { case issued, used, void }

    public var code: String
    public var status: Status
    /// nil: a bearer coupon.
    public var memberId: Int64?
    public var value: CouponValue
    public var minSpendFen: Int64
    public var validFrom: LocalDate
    public var validTo: LocalDate
    /// Empty: every counter that participates in discounts.
    public var counterCodes: [String]

    public init(code: String, status: Status, memberId: Int64?, value: CouponValue, minSpendFen: Int64, validFrom: LocalDate,
                validTo: LocalDate, counterCodes: [String]) {
        self.code = code
        self.status = status
        self.memberId = memberId
        self.value = value
        self.minSpendFen = minSpendFen
        self.validFrom = validFrom
        self.validTo = validTo
        self.counterCodes = counterCodes
    }

    public struct Use: Sendable, Equatable {
        public var discountFen: Int64
        public var payableFen: Int64
    }

    /// Who presented the coupon, for the member check.
    public enum Presenter: Sendable, Equatable {
        /// Not asked (a look-up before the customer is identified).
        case unchecked
        /// The till identified nobody.
        case nobody
        case member(Int64)
    }

    /// The discount for a use on business day `day` at `counter`, or the first reason it is refused.
    /// `presentedMember`: the member the till identified by card or phone (nil when it identified nobody).
    public func checkUse(on day: LocalDate, counter: String, counterParticipates: Bool, amountFen: Int64,
                         presentedMember: Int64?) throws -> Use {
        try check(on: day, counter: (counter, counterParticipates), amountFen: amountFen,
                  presenter: presentedMember.map(Presenter.member) ?? .nobody)!
    }

    /// The same checks with parts left out (nil counter or amount, `.unchecked` presenter), for a look-up before
    /// the sale: nil when no amount is given, otherwise the discount.
    public func check(on day: LocalDate, counter: (code: String, participates: Bool)?, amountFen: Int64?,
                      presenter: Presenter) throws -> Use? {
        switch status {
        case .used:
            throw DomainError(.conflict, field: "code", rule: "coupon.used", zh: "优惠券 \(code) 已使用", en: "coupon \(code) has already been used")
        case .void:
            throw DomainError(.notEligible, field: "code", rule: "coupon.void", zh: "优惠券 \(code) 已作废", en: "coupon \(code) has been voided")
        case .issued: break
        }
        if day < validFrom {
            throw DomainError(.notEligible, field: "code", rule: "coupon.validity",
                              zh: "优惠券 \(validFrom) 起可用，尚未生效", en: "coupon \(code) is valid from \(validFrom); not yet")
        }
        if day > validTo {
            throw DomainError(.notEligible, field: "code", rule: "coupon.validity",
                              zh: "优惠券已于 \(validTo) 过期", en: "coupon \(code) expired on \(validTo)")
        }
        if let owner = memberId {
            switch presenter {
            case .unchecked: break
            case .nobody:
                throw DomainError(.notEligible, field: "card", rule: "coupon.member",
                                  zh: "此券限会员本人使用，请出示会员卡或手机号", en: "this coupon belongs to a member: present the member's card or phone")
            case .member(let presented) where presented != owner:
                throw DomainError(.notEligible, field: "card", rule: "coupon.member",
                                  zh: "此券属于其他会员，不能使用", en: "this coupon belongs to another member")
            case .member: break
            }
        }
        if let counter, counterCodes.isEmpty ? !counter.participates : !counterCodes.contains(counter.code) {
            throw DomainError(.notEligible, field: "counter", rule: "coupon.counter",
                              zh: counterCodes.isEmpty ? "店柜 \(counter.code) 不参加优惠活动，不收此券" : "此券仅限店柜 \(counterCodes.joined(separator: "、")) 使用",
                              en: counterCodes.isEmpty ? "counter \(counter.code) does not take part in discounts and does not accept coupons"
                                                       : "this coupon is accepted only at \(counterCodes.joined(separator: ", "))")
        }
        guard let amountFen else { return nil }
        if amountFen < minSpendFen {
            throw DomainError(.notEligible, field: "amountFen", rule: "coupon.minSpend",
                              zh: "消费满 \(Money.yuan(minSpendFen)) 元可用，本单 \(Money.yuan(amountFen)) 元",
                              en: "needs a spend of at least \(Money.yuan(minSpendFen)) yuan; this receipt is \(Money.yuan(amountFen))")
        }
        let discount = value.discount(onAmountFen: amountFen)
        return Use(discountFen: discount, payableFen: amountFen - discount)
    }
}
