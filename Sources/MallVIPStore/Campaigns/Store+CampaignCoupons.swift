import FluentKit
import Foundation
import MallVIPCore
import SQLKit

/// Campaign coupons (issue 18, docs/workflows.md "Campaign coupons"): a campaign may attach a coupon; every member
/// drawn into treatment gets one (never the holdout) and the message carries its code through `{couponCode}`.
/// `campaign_coupons` (unique per campaign and member) records who got which. The issuing, checking and counting are
/// the ones journeys use too (Coupons/Store+OfferCoupons.swift); this file only says what a campaign's offer is.
extension Campaign {
    var couponOffer: CouponOffer { .campaign(id: id, sourceCode: sourceCode) }
}

extension Store {
    /// What is wrong with a campaign's coupon, with the text it sends (see `couponOfferErrors`).
    static func campaignCouponErrors(_ i: CampaignInput, text: MessageTemplate) -> [DomainError] {
        couponOfferErrors(i.coupon, purpose: i.purpose, mentionsCode: ((text.subject ?? "") + " " + text.body).contains("{couponCode}"),
                          offer: .campaign(id: 0, sourceCode: ""), textField: "body")
    }

    static func campaignCouponFrom(_ r: any SQLRow) throws -> CouponTemplate? { try offerCouponFrom(r) }

    /// The coupon of each treated member in `memberIds`, issuing the missing ones (once per campaign and member).
    func campaignCoupons(_ c: Campaign, template: CouponTemplate, treated memberIds: [Int64], day: LocalDate,
                         programme: Programme) async throws -> [Int64: OfferCoupon] {
        let got = try await offerCoupons(c.couponOffer, template: template, treated: memberIds.map { OfferRecipient(memberId: $0) },
                                         day: day, programme: programme)
        return Dictionary(got.map { ($0.key.memberId, $0.value) }, uniquingKeysWith: { a, _ in a })
    }

    /// Issued and used coupons of a campaign, the discount they gave and the spend on the receipts they were used on.
    public func campaignCouponFigures(campaignId: Int64) async throws -> CampaignCouponFigures {
        try await offerCouponFigures(.campaign(id: campaignId, sourceCode: ""))
    }
}
