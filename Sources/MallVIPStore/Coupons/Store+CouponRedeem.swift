import FluentKit
import Foundation
import MallVIPCore
import SQLKit

/// A coupon taken at a till: the answer the till got, kept so the same receipt presented again gets it again.
public struct CouponRedemption: Sendable, Codable, Equatable {
    public var code: String
    public var status: String
    public var receiptNo: String
    public var mall: String
    public var counter: String
    public var amountFen: Int64
    public var discountFen: Int64
    public var payableFen: Int64
    /// The member's card: the coupon's owner, or whoever was identified presenting a bearer coupon.
    public var cardNo: String?
    public var usedAtMs: Int64
}

/// A look-up before the sale: the coupon, and what it would do (or why it would be refused) for what was given.
public struct CouponCheck: Sendable {
    public var coupon: CouponRecord
    public var use: CouponTerms.Use?
    public var refusal: DomainError?
}

extension Store {
    /// Validates and consumes a coupon against a receipt (POS). Idempotent on (coupon, mall, receipt): the same
    /// receipt again replays the first answer; another receipt finds the coupon used. Every refusal writes nothing.
    /// Two tills at once: the conditional UPDATE lets exactly one of them take it.
    public func redeemCoupon(_ req: CouponRedeemRequest) async throws -> Posted<CouponRedemption> {
        let (_, programme) = try await self.programme()
        let nowDate = now
        try req.validate(now: nowDate, policy: programme.purchases)
        let coupon = try await existingCoupon(req.code, prefix: programme.coupons.codePrefix)
        let counter = try await acceptingCounter(req.counter, mall: req.mall)
        if let replay = try replay(coupon, mallId: counter.mallId, receiptNo: req.receiptNo) { return .replayed(replay) }
        let presented = try await presenter(card: req.card, phone: req.phone)
        let day = LocalDate.of(req.occurredAt ?? nowDate, in: programme.timeZone)
        let use = try coupon.terms.checkUse(on: day, counter: counter.code, counterParticipates: counter.participatesInDiscount,
                                            amountFen: req.amountFen, presentedMember: presented?.id)
        var card = presented?.cardNo
        if card == nil, let owner = coupon.terms.memberId { card = try await member(id: owner)?.cardNo }
        let nowMs = epochMillis(nowDate)
        let outcome = CouponRedemption(code: coupon.code, status: "used", receiptNo: req.receiptNo, mall: counter.mallCode,
                                       counter: counter.code, amountFen: req.amountFen, discountFen: use.discountFen,
                                       payableFen: use.payableFen, cardNo: card, usedAtMs: nowMs)
        let json = try encodeJSON(outcome)
        let presentedId = presented?.id
        let taken = try await write { tx in
            try await tx.sql.row("""
                UPDATE coupons SET status = 'used', used_at_ms = \(bind: nowMs), used_mall_id = \(bind: counter.mallId),
                  used_receipt_no = \(bind: req.receiptNo), used_counter_code = \(bind: counter.code), used_member_id = \(bind: presentedId),
                  used_amount_fen = \(bind: req.amountFen), used_discount_fen = \(bind: use.discountFen), used_response_json = \(bind: json)
                WHERE id = \(bind: coupon.id) AND status = 'issued' RETURNING id
                """) != nil
        }
        if taken { return .created(outcome) }
        // Another till (or this one, retrying) got there first, or it was voided meanwhile.
        let current = try await existingCoupon(coupon.code, prefix: programme.coupons.codePrefix)
        if let replay = try replay(current, mallId: counter.mallId, receiptNo: req.receiptNo) { return .replayed(replay) }
        _ = try current.terms.checkUse(on: day, counter: counter.code, counterParticipates: counter.participatesInDiscount,
                                       amountFen: req.amountFen, presentedMember: presented?.id)
        throw DomainError(.conflict, field: "code", rule: "coupon.used", zh: "优惠券已使用", en: "coupon \(coupon.code) has already been used")
    }

    /// What the coupon would do at `counter` for `amountFen` presented by `card`/`phone`; parts not given are not
    /// checked. An unknown code, counter or member is thrown; a coupon refusal is returned with the coupon.
    public func checkCoupon(_ code: String, counter: String?, amountFen: Int64?, card: String?, phone: String?) async throws -> CouponCheck {
        let (_, programme) = try await self.programme()
        let coupon = try await existingCoupon(code, prefix: programme.coupons.codePrefix)
        let c = try await counter.asyncMap { try await acceptingCounter($0, mall: nil) }
        let presenter: CouponTerms.Presenter = card == nil && phone == nil
            ? .unchecked : .member(try await self.presenter(card: card, phone: phone)!.id)
        let day = LocalDate.of(now, in: programme.timeZone)
        do {
            let use = try coupon.terms.check(on: day, counter: c.map { ($0.code, $0.participatesInDiscount) }, amountFen: amountFen,
                                             presenter: presenter)
            return CouponCheck(coupon: coupon, use: use, refusal: nil)
        } catch let refusal as DomainError {
            return CouponCheck(coupon: coupon, use: nil, refusal: refusal)
        }
    }

    private func existingCoupon(_ text: String, prefix: String) async throws -> CouponRecord {
        guard let code = CouponCode.normalize(text, prefix: prefix), let coupon = try await couponRow(code: code) else {
            throw DomainError(.notFound, field: nil, rule: "coupon.exists", zh: "优惠券不存在：\(text)", en: "unknown coupon \(text)")
        }
        return coupon
    }

    private func acceptingCounter(_ code: String, mall: String?) async throws -> Counter {
        guard let counter = try await counter(code: code), counter.active else {
            throw DomainError(.notFound, field: "counter", rule: "counter.exists", zh: "店柜不存在或已停用：\(code)", en: "unknown or inactive counter \(code)")
        }
        if let mall, mall != counter.mallCode {
            throw DomainError.invalid("mall", "counter.mall", zh: "店柜 \(counter.code) 不属于商场 \(mall)", en: "counter \(counter.code) is not in mall \(mall)")
        }
        return counter
    }

    /// The member the till identified; nil when it gave neither card nor phone, refused when it gave one that
    /// finds nobody.
    private func presenter(card: String?, phone: String?) async throws -> Member? {
        guard card != nil || phone != nil else { return nil }
        guard let m = try await lookup(card: card, phone: phone) else {
            throw DomainError(.notFound, field: card != nil ? "card" : "phone", rule: "member.exists",
                              zh: "未找到会员", en: "no active member for this \(card != nil ? "card" : "phone")")
        }
        return m
    }

    /// The stored answer when the coupon was used on this very receipt; a coupon used elsewhere is refused.
    private func replay(_ coupon: CouponRecord, mallId: Int64, receiptNo: String) throws -> CouponRedemption? {
        guard coupon.terms.status == .used else { return nil }
        guard coupon.usedMallId == mallId, coupon.usedReceiptNo == receiptNo, let json = coupon.usedResponseJSON else {
            throw DomainError(.conflict, field: "code", rule: "coupon.used",
                              zh: "优惠券 \(coupon.code) 已在小票 \(coupon.usedReceiptNo ?? "") 使用",
                              en: "coupon \(coupon.code) was already used on receipt \(coupon.usedReceiptNo ?? "")")
        }
        return try JSONDecoder().decode(CouponRedemption.self, from: Data(json.utf8))
    }
}

extension Optional {
    fileprivate func asyncMap<U>(_ f: (Wrapped) async throws -> U) async rethrows -> U? {
        switch self {
        case .some(let w): try await f(w)
        case .none: nil
        }
    }
}
