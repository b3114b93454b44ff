import Foundation
import MallVIPCore
import MallVIPStore
import Vapor

/// What the mini-program API answers (issue 22a): DTOs written at the edge from the same Store reads as the /m/
/// pages. Money in fen, points Int64, dates ISO 8601, names in both languages.
enum MiniProgramDTO {
    struct Name: Content { var zh: String; var en: String }

    struct MemberSummary: Content {
        var id: Int64
        var name: String
        var cardNo: String?
        var tier: String
        var tierName: Name
        var pointsBalance: Int64

        static func load(_ store: Store, memberId: Int64) async throws -> MemberSummary {
            let model = try await MemberCardPage.Query.model(store, memberId: memberId)
            return MemberSummary(model)
        }

        init(_ m: MemberCardPage.Model) {
            let def = m.programme.tier(m.effectiveTier)
            id = m.member.id
            name = m.member.name
            cardNo = m.member.cardNo
            tier = m.effectiveTier
            tierName = Name(zh: def?.name.zh ?? m.effectiveTier, en: def?.name.en ?? m.effectiveTier)
            pointsBalance = m.member.pointsBalance
        }
    }

    /// GET /card: what the cashier scans. `qrPayload` is the text to render as a QR code (the card number, as on
    /// /m/card); nil while the member has no usable card (`cardState` says why).
    struct Card: Content {
        struct Expiring: Content { var points: Int64; var expiresOn: String }
        struct Progress: Content { var nextTier: String; var shortfallFen: Int64; var months: Int }
        var member: MemberSummary
        var cardState: String?
        var qrPayload: String?
        var expiring: [Expiring]
        var progress: Progress?
        var discountToday: Name?
    }

    struct LedgerItem: Content {
        var id: Int64; var kind: String; var points: Int64; var balanceAfter: Int64; var note: String; var at: Date
        init(_ e: LedgerEntry) { id = e.id; kind = e.kind; points = e.points; balanceAfter = e.balanceAfter; note = e.note; at = e.at }
    }

    struct Points: Content { var balance: Int64; var page: Int; var hasMore: Bool; var items: [LedgerItem] }

    struct PurchaseItem: Content {
        var id: Int64; var receiptNo: String; var mall: String; var occurredAt: Date; var businessDate: String
        var totalFen: Int64; var refundedFen: Int64; var pointsEarned: Int64; var pointsReversed: Int64
        init(_ p: PurchaseSummary) {
            id = p.id; receiptNo = p.receiptNo; mall = p.mallCode; occurredAt = p.occurredAt; businessDate = "\(p.businessDate)"
            totalFen = p.totalFen; refundedFen = p.refundedFen; pointsEarned = p.pointsEarned; pointsReversed = p.pointsReversed
        }
    }

    struct Purchases: Content { var page: Int; var hasMore: Bool; var items: [PurchaseItem] }

    struct PurchaseDetailDTO: Content {
        struct Line: Content { var counter: String; var brand: String; var amountFen: Int64; var refundedFen: Int64; var earnsPoints: Bool }
        var purchase: PurchaseItem
        var mallName: String
        var lines: [Line]
        var ledger: [LedgerItem]
        init(_ d: PurchaseDetail) {
            purchase = PurchaseItem(d.summary); mallName = d.mallName
            lines = d.lines.map { Line(counter: $0.counterName, brand: $0.brand, amountFen: $0.amountFen, refundedFen: $0.refundedFen, earnsPoints: $0.earnsPoints) }
            ledger = d.ledger.map(LedgerItem.init)
        }
    }

    struct Coupon: Content {
        var code: String
        var name: Name
        /// issued | used | void | expired (issued but past its last day).
        var status: String
        var minSpendFen: Int64
        var validFrom: String
        var validTo: String
        var counters: [String]
        var usedAt: Date?
        init(_ c: CouponRecord, today: LocalDate) {
            code = c.code; name = Name(zh: c.nameZh, en: c.nameEn.isEmpty ? c.nameZh : c.nameEn)
            status = c.displayStatus(on: today); minSpendFen = c.terms.minSpendFen
            validFrom = "\(c.terms.validFrom)"; validTo = "\(c.terms.validTo)"; counters = c.terms.counterCodes; usedAt = c.usedAt
        }
    }

    struct Coupons: Content { var items: [Coupon] }

    struct Reward: Content {
        struct Reason: Content { var rule: String; var zh: String; var en: String }
        var id: Int64
        var code: String
        var name: Name
        var kind: String
        var pointsRequired: Int64?
        var pointsDeducted: Int64
        var eligible: Bool
        var reasons: [Reason]
        init(_ r: Redeemable) {
            id = r.item.id; code = r.item.code; name = Name(zh: r.item.name.zh, en: r.item.name.en); kind = r.item.kind.rawValue
            pointsRequired = r.assessment.pointsRequired; pointsDeducted = r.assessment.pointsDeducted
            eligible = r.assessment.eligible; reasons = r.assessment.reasons.map { Reason(rule: $0.rule, zh: $0.zh, en: $0.en) }
        }
    }

    struct Rewards: Content { var balance: Int64; var items: [Reward] }
}
