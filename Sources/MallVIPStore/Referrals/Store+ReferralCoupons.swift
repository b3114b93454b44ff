import FluentKit
import Foundation
import MallVIPCore
import SQLKit

/// The coupon part of a referral reward, through the coupon store: issued under "referral:<id>" so that a reversal
/// voids exactly it.
extension Store {
    /// Issues the reward coupon to the referrer inside the settling transaction; returns its code.
    func issueReferralCoupon(_ tx: any Database, template: CouponTemplate, policy: CouponPolicy, memberId: Int64,
                             referralId: Int64, validFrom: LocalDate, nowMs: Int64) async throws -> String {
        try await issueCoupon(tx, CouponIssue(template: template, memberId: memberId, source: "referral", sourceRef: "referral:\(referralId)",
                                              validFrom: validFrom, note: "推荐奖励"),
                              policy: policy, nowMs: nowMs, actor: "referral").code
    }

    /// Voids the reward coupon. A coupon already used cannot be taken back: the reversal goes on and the returned
    /// note says so; nil when it was voided.
    func voidReferralCoupon(_ tx: any Database, code: String, referralId: Int64, nowMs: Int64) async throws -> String? {
        do {
            try await voidCoupons(tx, sourceRef: "referral:\(referralId)", reason: "推荐奖励收回", actor: "referral", nowMs: nowMs)
            return nil
        } catch let e as DomainError where e.rule == "coupon.used" {
            return "优惠券 \(code) 已使用，无法作废"
        }
    }
}
