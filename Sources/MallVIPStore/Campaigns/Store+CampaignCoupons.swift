import FluentKit
import Foundation
import MallVIPCore
import SQLKit

/// Campaign coupons (issue 18, docs/workflows.md "Campaign coupons"): a campaign may attach a coupon; every member
/// drawn into treatment gets one (never the holdout), bound to their card, valid from the send day, and the message
/// carries its code through `{couponCode}`. `campaign_coupons` (unique per campaign and member) records who got which,
/// so a resumed or repeated send issues no second coupon; the report counts issued and used and the spend on the
/// receipts they were used on.
public struct CampaignCouponFigures: Sendable, Equatable {
    public var issued: Int
    public var used: Int
    /// Discount the used coupons gave (fen).
    public var discountFen: Int64
    /// Total of the receipts the coupons were used on (fen, net of refunds).
    public var receiptSpendFen: Int64
    /// used ÷ issued in per mille (0 when none issued).
    public var redemptionPermille: Int { issued == 0 ? 0 : Int((Int64(used) * 1000 + Int64(issued) / 2) / Int64(issued)) }
}

/// A treated member's coupon: what the message says about it.
struct CampaignCoupon: Sendable, Equatable {
    var code: String
    var validTo: LocalDate
}

extension Store {
    /// What is wrong with a campaign's coupon, with the text it sends: the coupon itself (one of face value or 折,
    /// bounds), a care message carries none, and the text must name `{couponCode}` exactly when a coupon is attached.
    static func campaignCouponErrors(_ i: CampaignInput, text: MessageTemplate) -> [DomainError] {
        let mentions = ((text.subject ?? "") + " " + text.body).contains("{couponCode}")
        guard let c = i.coupon else {
            return mentions ? [.invalid("body", "campaign.coupon.placeholder",
                                        zh: "文案含 {couponCode}，但活动没有附加礼券", en: "the text uses {couponCode} but no coupon is attached")] : []
        }
        var errors: [DomainError] = []
        if i.purpose == .care {
            errors.append(.invalid("coupon", "campaign.coupon.care", zh: "关怀短信不得附加礼券", en: "a care message may not carry a coupon"))
        }
        let name = c.name.zh.trimmingCharacters(in: .whitespacesAndNewlines)
        if name.isEmpty || name.count > 40 {
            errors.append(.invalid("couponName", "coupon.name", zh: "请填写券名称（最多40字）", en: "the coupon needs a name (at most 40 characters)"))
        }
        switch (c.faceFen, c.discountPermille) {
        case let (face?, nil) where face <= 0 || face > 100_000_000:
            errors.append(.invalid("couponFace", "coupon.value", zh: "面值须在 0.01–1,000,000 元之间", en: "the face value must be 0.01–1,000,000 yuan"))
        case let (nil, p?) where !(1...999).contains(p):
            errors.append(.invalid("couponDiscount", "coupon.value", zh: "折扣须在0.01折到9.99折之间", en: "the discount must be between 0.01 and 9.99 折"))
        case (nil, nil), (.some, .some):
            errors.append(.invalid("couponFace", "coupon.value", zh: "请填写面值或折扣（二选一）", en: "give either a face value or a discount, not both"))
        default: break
        }
        if c.minSpendFen < 0 || c.minSpendFen > 100_000_000 {
            errors.append(.invalid("couponMinSpend", "coupon.minSpend", zh: "最低消费须在 0–1,000,000 元之间", en: "the minimum spend must be 0–1,000,000 yuan"))
        }
        if let d = c.validDays, !(1...366).contains(d) {
            errors.append(.invalid("couponValidDays", "coupon.validity", zh: "有效天数须为 1–366 天", en: "validDays must be 1–366"))
        }
        if !mentions {
            errors.append(.invalid("body", "campaign.coupon.placeholder", zh: "附加礼券的活动文案须含 {couponCode}（券号）",
                                   en: "a campaign with a coupon must put {couponCode} in its text"))
        }
        return errors
    }

    static func campaignCouponFrom(_ r: any SQLRow) throws -> CouponTemplate? {
        guard let name = try r.optString("coupon_name") else { return nil }
        return CouponTemplate(name: LocalizedName(zh: name, en: name), faceFen: try r.optInt64("coupon_face_fen"),
                              discountPermille: try r.optInt("coupon_discount_permille"), minSpendFen: try r.optInt64("coupon_min_spend_fen") ?? 0,
                              validDays: try r.optInt("coupon_valid_days"))
    }

    /// The coupon of each treated member in `memberIds`, issuing the missing ones: for each, the `campaign_coupons` row
    /// goes in first (ON CONFLICT DO NOTHING) and only then is the coupon issued, in one transaction, so a member
    /// gets one coupon however often the send runs. Holdout members must not be passed.
    func campaignCoupons(_ c: Campaign, template: CouponTemplate, treated memberIds: [Int64], day: LocalDate,
                         programme: Programme) async throws -> [Int64: CampaignCoupon] {
        guard !memberIds.isEmpty else { return [:] }
        var out = try await existingCampaignCoupons(sql, campaignId: c.id, memberIds: memberIds)
        let missing = memberIds.filter { out[$0] == nil }
        guard !missing.isEmpty else { return out }
        let nowMs = epochMillis(now)
        let issued: [Int64: CampaignCoupon] = try await write { tx in
            var got: [Int64: CampaignCoupon] = [:]
            for member in missing {
                guard try await tx.sql.row("""
                    INSERT INTO campaign_coupons (campaign_id, member_id, coupon_code) VALUES (\(bind: c.id), \(bind: member), '')
                    ON CONFLICT (campaign_id, member_id) DO NOTHING RETURNING member_id
                    """) != nil else { continue }
                let coupon = try await self.issueCoupon(tx, CouponIssue(template: template, memberId: member, source: "campaign",
                                                                        sourceRef: c.sourceCode, validFrom: day),
                                                        policy: programme.coupons, nowMs: nowMs, actor: "job")
                try await tx.sql.exec("""
                    UPDATE campaign_coupons SET coupon_code = \(bind: coupon.code) WHERE campaign_id = \(bind: c.id) AND member_id = \(bind: member)
                    """)
                got[member] = CampaignCoupon(code: coupon.code, validTo: coupon.validTo)
            }
            return got
        }
        out.merge(issued) { a, _ in a }
        // Any member issued by another run at the same moment: read what it wrote.
        let still = memberIds.filter { out[$0] == nil }
        if !still.isEmpty { out.merge(try await existingCampaignCoupons(sql, campaignId: c.id, memberIds: still)) { a, _ in a } }
        return out
    }

    private func existingCampaignCoupons(_ sql: any SQLDatabase, campaignId: Int64, memberIds: [Int64]) async throws -> [Int64: CampaignCoupon] {
        var out: [Int64: CampaignCoupon] = [:]
        for r in try await sql.rows("""
            SELECT cc.member_id, c.code, c.valid_to_day FROM campaign_coupons cc JOIN coupons c ON c.code = cc.coupon_code
            WHERE cc.campaign_id = \(bind: campaignId) AND cc.member_id IN \(list: memberIds)
            """) {
            out[try r.int64("member_id")] = CampaignCoupon(code: try r.string("code"), validTo: LocalDate(dayNumber: try r.int("valid_to_day")))
        }
        return out
    }

    /// Issued and used coupons of a campaign, the discount they gave and the spend on the receipts they were used on
    /// (the purchase with the coupon's receipt number at its mall, net of refunds).
    public func campaignCouponFigures(campaignId: Int64) async throws -> CampaignCouponFigures {
        let r = try await sql.row("""
            SELECT COUNT(*) AS issued,
              COUNT(CASE WHEN c.status = 'used' THEN 1 END) AS used,
              CAST(COALESCE(SUM(CASE WHEN c.status = 'used' THEN c.used_discount_fen END), 0) AS BIGINT) AS discount,
              CAST(COALESCE(SUM(p.total_fen - p.refunded_fen), 0) AS BIGINT) AS spend
            FROM campaign_coupons cc
            JOIN coupons c ON c.code = cc.coupon_code
            LEFT JOIN purchases p ON c.status = 'used' AND p.mall_id = c.used_mall_id AND p.receipt_no = c.used_receipt_no
            WHERE cc.campaign_id = \(bind: campaignId)
            """)!
        return CampaignCouponFigures(issued: try r.int("issued"), used: try r.int("used"), discountFen: try r.int64("discount"),
                                     receiptSpendFen: try r.int64("spend"))
    }
}
