import FluentKit
import Foundation
import MallVIPCore
import SQLKit

/// Coupons on journeys (issue 18, docs/workflows.md "Coupons in campaigns and journeys"): a service journey may attach
/// a coupon as a campaign does; each treated member gets one with each send (one per member and period, recorded in
/// `journey_coupons`), never the holdout, its code in the text through `{couponCode}`. The issuing, checking and
/// counting are the campaigns' (Coupons/Store+OfferCoupons.swift).
extension Journey {
    var couponOffer: CouponOffer { .journey(code: code) }

    /// Whether this kind of journey may carry a coupon: service journeys, except the coupon-expiry reminder, whose
    /// `{couponName}` and `{couponExpiry}` name the coupon that is expiring.
    public var mayCarryCoupon: Bool { purpose != .care && kind != .couponExpiring }
}

extension Store {
    /// What is wrong with a journey's coupon, given the templates it sends: care journeys and the coupon-expiry
    /// reminder carry none; every template it sends must name `{couponCode}` when a coupon is attached, and none may
    /// when it is not.
    func journeyCouponErrors(_ j: Journey, templates: [MessageTemplate]) -> [DomainError] {
        let mentions = templates.map { ($0.body + " " + ($0.subject ?? "")).contains("{couponCode}") }
        var errors = Self.couponOfferErrors(j.coupon, purpose: j.purpose,
                                            mentionsCode: j.coupon == nil ? mentions.contains(true) : !mentions.contains(false),
                                            offer: j.couponOffer, textField: "templateCode")
        if j.coupon != nil, j.kind == .couponExpiring {
            errors.append(.invalid("coupon", "journey.coupon.kind", zh: "礼券到期提醒不得附加新礼券（{couponName} 指将到期的券）",
                                   en: "the coupon-expiry reminder may not attach a coupon ({couponName} names the expiring one)"))
        }
        return errors
    }

    /// The coupons of the treated candidates of one journey batch, issuing the missing ones (once per member and
    /// period); held-out members are not passed.
    func journeyCoupons(_ j: Journey, template: CouponTemplate, treated: [(memberId: Int64, periodKey: String)], day: LocalDate,
                        programme: Programme) async throws -> [OfferRecipient: OfferCoupon] {
        try await offerCoupons(j.couponOffer, template: template, treated: treated.map { OfferRecipient(memberId: $0.memberId, period: $0.periodKey) },
                               day: day, programme: programme)
    }

    /// A journey's coupon figures over all its sends (issued, used, redemption rate, discount, spend on their receipts);
    /// nil when it has never carried a coupon.
    public func journeyCouponFigures(_ kind: JourneyKind) async throws -> OfferCouponFigures? {
        let f = try await offerCouponFigures(.journey(code: kind.rawValue))
        return f.issued == 0 ? nil : f
    }
}
