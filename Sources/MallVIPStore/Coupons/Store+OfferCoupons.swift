import FluentKit
import Foundation
import MallVIPCore
import SQLKit

/// Coupons attached to messages (issue 18, docs/workflows.md "Coupons in campaigns and journeys"): a campaign or a
/// service journey may attach a coupon template; every member drawn into treatment gets one (never the holdout), bound
/// to their card, valid from the send day, its code in the text through `{couponCode}`. A record table (unique per
/// owner and member — and, for a journey, per send period) says who got which, so a resumed, repeated or concurrent
/// send issues no second coupon; the owner's report counts issued and used and the spend on the receipts they were
/// used on. Campaigns and journeys share all of it: only the table and its key differ.
enum CouponOffer: Sendable {
    /// One coupon per treated member (campaign_coupons).
    case campaign(id: Int64, sourceCode: String)
    /// One coupon per treated member and send period (journey_coupons; the period is the outbox's).
    case journey(code: String)

    var table: String { switch self { case .campaign: "campaign_coupons"; case .journey: "journey_coupons" } }
    var ownerColumn: String { switch self { case .campaign: "campaign_id"; case .journey: "journey_code" } }
    var owner: any Encodable & Sendable { switch self { case let .campaign(id, _): id; case let .journey(code): code } }
    /// The period column of the record (a campaign sends once: none).
    var periodColumn: String? { switch self { case .campaign: nil; case .journey: "period_key" } }
    /// `coupons.source` and what issued it (`coupons.source_ref`).
    var source: String { switch self { case .campaign: "campaign"; case .journey: "journey" } }
    func sourceRef(period: String) -> String {
        switch self {
        case let .campaign(_, sourceCode): sourceCode
        case let .journey(code): "journey:\(code):\(period)"
        }
    }
    /// The rule prefix and the owner's name in messages.
    var kind: (rule: String, zh: String, en: String) {
        switch self { case .campaign: ("campaign", "活动", "campaign"); case .journey: ("journey", "旅程", "journey") }
    }
}

/// A treated member's send that carries a coupon: the member and the send's period ("" for a campaign).
struct OfferRecipient: Hashable, Sendable {
    var memberId: Int64
    var period: String = ""
}

/// A treated member's coupon: what the message says about it.
struct OfferCoupon: Sendable, Equatable {
    var code: String
    var validTo: LocalDate
}

/// Issued and used coupons of a campaign or a journey, the discount they gave and the spend on their receipts.
public struct OfferCouponFigures: Sendable, Equatable {
    public var issued: Int
    public var used: Int
    /// Discount the used coupons gave (fen).
    public var discountFen: Int64
    /// Total of the receipts the coupons were used on (fen, net of refunds).
    public var receiptSpendFen: Int64
    /// used ÷ issued in per mille (0 when none issued).
    public var redemptionPermille: Int { issued == 0 ? 0 : Int((Int64(used) * 1000 + Int64(issued) / 2) / Int64(issued)) }
}

public typealias CampaignCouponFigures = OfferCouponFigures

extension Store {
    /// What is wrong with an attached coupon, given the purpose of the messages that carry it and whether their text
    /// names `{couponCode}`: the coupon itself (one of face value or 折, bounds), a care message carries none, and the
    /// text must name `{couponCode}` exactly when a coupon is attached.
    static func couponOfferErrors(_ coupon: CouponTemplate?, purpose: MessagePurpose, mentionsCode mentions: Bool,
                                  offer: CouponOffer, textField: String) -> [DomainError] {
        let k = offer.kind
        guard let c = coupon else {
            return mentions ? [.invalid(textField, "\(k.rule).coupon.placeholder",
                                        zh: "文案含 {couponCode}，但\(k.zh)没有附加礼券", en: "the text uses {couponCode} but no coupon is attached")] : []
        }
        var errors: [DomainError] = []
        if purpose == .care {
            errors.append(.invalid("coupon", "\(k.rule).coupon.care", zh: "关怀短信不得附加礼券", en: "a care message may not carry a coupon"))
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
            errors.append(.invalid(textField, "\(k.rule).coupon.placeholder", zh: "附加礼券的\(k.zh)文案须含 {couponCode}（券号）",
                                   en: "a \(k.en) with a coupon must put {couponCode} in its text"))
        }
        return errors
    }

    /// The attached coupon stored in a row's `coupon_*` columns (campaigns, journeys); nil = none.
    static func offerCouponFrom(_ r: any SQLRow) throws -> CouponTemplate? {
        guard let name = try r.optString("coupon_name") else { return nil }
        return CouponTemplate(name: LocalizedName(zh: name, en: name), faceFen: try r.optInt64("coupon_face_fen"),
                              discountPermille: try r.optInt("coupon_discount_permille"), minSpendFen: try r.optInt64("coupon_min_spend_fen") ?? 0,
                              validDays: try r.optInt("coupon_valid_days"))
    }

    /// The coupon of each treated recipient, issuing the missing ones: for each, the record row goes in first (ON
    /// CONFLICT DO NOTHING) and only then is the coupon issued, in one transaction, so a member gets one coupon per
    /// send however often it runs. Holdout members must not be passed.
    func offerCoupons(_ offer: CouponOffer, template: CouponTemplate, treated: [OfferRecipient], day: LocalDate,
                      programme: Programme) async throws -> [OfferRecipient: OfferCoupon] {
        guard !treated.isEmpty else { return [:] }
        var out = try await existingOfferCoupons(offer, treated)
        let missing = treated.filter { out[$0] == nil }
        guard !missing.isEmpty else { return out }
        let nowMs = epochMillis(now)
        let table = offer.table, owner = offer.ownerColumn
        let keyColumns = [owner, "member_id"] + (offer.periodColumn.map { [$0] } ?? [])
        let issued: [OfferRecipient: OfferCoupon] = try await write { tx in
            var got: [OfferRecipient: OfferCoupon] = [:]
            for r in missing {
                let periodValue: SQLQueryString = offer.periodColumn == nil ? "" : ", \(bind: r.period)"
                let periodMatch: SQLQueryString = offer.periodColumn.map { " AND \(ident: $0) = \(bind: r.period)" } ?? ""
                guard try await tx.sql.row("""
                    INSERT INTO \(ident: table) (\(idents: keyColumns, joinedBy: ", "), coupon_code)
                    VALUES (\(bind: offer.owner), \(bind: r.memberId)\(periodValue), '')
                    ON CONFLICT (\(idents: keyColumns, joinedBy: ", ")) DO NOTHING RETURNING member_id
                    """) != nil else { continue }
                let coupon = try await self.issueCoupon(tx, CouponIssue(template: template, memberId: r.memberId, source: offer.source,
                                                                        sourceRef: offer.sourceRef(period: r.period), validFrom: day),
                                                        policy: programme.coupons, nowMs: nowMs, actor: "job")
                try await tx.sql.exec("""
                    UPDATE \(ident: table) SET coupon_code = \(bind: coupon.code)
                    WHERE \(ident: owner) = \(bind: offer.owner) AND member_id = \(bind: r.memberId)\(periodMatch)
                    """)
                got[r] = OfferCoupon(code: coupon.code, validTo: coupon.validTo)
            }
            return got
        }
        out.merge(issued) { a, _ in a }
        // Any recipient issued by another run at the same moment: read what it wrote.
        let still = treated.filter { out[$0] == nil }
        if !still.isEmpty { out.merge(try await existingOfferCoupons(offer, still)) { a, _ in a } }
        return out
    }

    private func existingOfferCoupons(_ offer: CouponOffer, _ recipients: [OfferRecipient]) async throws -> [OfferRecipient: OfferCoupon] {
        let wanted = Set(recipients)
        let period: SQLQueryString = offer.periodColumn.map { "cc.\(ident: $0)" } ?? "''"
        var out: [OfferRecipient: OfferCoupon] = [:]
        for r in try await sql.rows("""
            SELECT cc.member_id, \(period) AS period, c.code, c.valid_to_day
            FROM \(ident: offer.table) cc JOIN coupons c ON c.code = cc.coupon_code
            WHERE cc.\(ident: offer.ownerColumn) = \(bind: offer.owner) AND cc.member_id IN \(list: Array(Set(recipients.map(\.memberId))))
            """) {
            let key = OfferRecipient(memberId: try r.int64("member_id"), period: try r.string("period"))
            guard wanted.contains(key) else { continue }
            out[key] = OfferCoupon(code: try r.string("code"), validTo: LocalDate(dayNumber: try r.int("valid_to_day")))
        }
        return out
    }

    /// Issued and used coupons of a campaign or journey, the discount they gave and the spend on the receipts they
    /// were used on (the purchase with the coupon's receipt number at its mall, net of refunds).
    func offerCouponFigures(_ offer: CouponOffer) async throws -> OfferCouponFigures {
        let r = try await sql.row("""
            SELECT COUNT(*) AS issued,
              COUNT(CASE WHEN c.status = 'used' THEN 1 END) AS used,
              CAST(COALESCE(SUM(CASE WHEN c.status = 'used' THEN c.used_discount_fen END), 0) AS BIGINT) AS discount,
              CAST(COALESCE(SUM(p.total_fen - p.refunded_fen), 0) AS BIGINT) AS spend
            FROM \(ident: offer.table) cc
            JOIN coupons c ON c.code = cc.coupon_code
            LEFT JOIN purchases p ON c.status = 'used' AND p.mall_id = c.used_mall_id AND p.receipt_no = c.used_receipt_no
            WHERE cc.\(ident: offer.ownerColumn) = \(bind: offer.owner)
            """)!
        return OfferCouponFigures(issued: try r.int("issued"), used: try r.int("used"), discountFen: try r.int64("discount"),
                                  receiptSpendFen: try r.int64("spend"))
    }
}
