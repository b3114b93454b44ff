import FluentKit
import Foundation
import MallVIPCore
import SQLKit

/// A delivery as the worker sees it.
struct WebhookDeliveryRow: Sendable {
    var id: Int64
    var subscriptionId: Int64
    var eventId: String
    var event: WebhookEvent
    var subjectTable: String
    var subjectId: Int64
    var memberId: Int64?
    var occurredAtMs: Int64
    var attempts: Int
    var body: String?
}

extension Store {
    /// The JSON body of a delivery, built once (at its first attempt) from the row that caused the event, then
    /// kept, so that retries and replays send the very same bytes. Personal data stays minimal: member id and
    /// card number, the phone masked, never the national ID, name or address.
    func webhookBody(_ d: WebhookDeliveryRow, programme: Programme) async throws -> String {
        var body: [String: Any] = [
            "id": d.eventId,
            "type": d.event.rawValue,
            "occurredAt": Self.isoUTC(d.occurredAtMs),
        ]
        let sql = self.sql
        func day(_ n: Int?) -> Any { n.map { LocalDate(dayNumber: $0).description } ?? NSNull() }
        func opt(_ v: (any Sendable)?) -> Any { v ?? NSNull() }
        switch d.event {
        case .memberEnrolled, .memberUpdated:
            if let r = try await sql.row("""
                SELECT m.id, m.status, m.phone, m.earned_tier, m.manual_tier, m.manual_until_day, m.points_balance,
                  m.consent_sms, m.consent_email, m.consent_phone, m.account_manager_id, m.enrolled_at_ms, ml.code AS mall_code,
                  (SELECT c.card_no FROM cards c WHERE c.member_id = m.id ORDER BY CASE WHEN c.state = 'active' THEN 0 ELSE 1 END, c.id DESC LIMIT 1) AS card_no
                FROM members m LEFT JOIN malls ml ON ml.id = m.enrolled_mall_id WHERE m.id = \(bind: d.subjectId)
                """) {
                let today = LocalDate.of(now, in: programme.timeZone)
                body["memberId"] = try r.int64("id")
                body["cardNo"] = opt(try r.optString("card_no"))
                body["status"] = try r.string("status")
                body["phoneMasked"] = Identity.maskPhone(try r.string("phone"))
                body["tier"] = programme.effectiveTier(earned: try r.string("earned_tier"), manual: try r.optString("manual_tier"),
                                                       manualUntil: try r.optInt("manual_until_day").map { LocalDate(dayNumber: $0) }, on: today)
                body["pointsBalance"] = try r.int64("points_balance")
                body["consent"] = ["sms": try r.bool("consent_sms"), "email": try r.bool("consent_email"), "phone": try r.bool("consent_phone")]
                body["accountManagerId"] = opt(try r.optInt64("account_manager_id"))
                body["enrolledAt"] = Self.isoUTC(try r.int64("enrolled_at_ms"))
                body["enrolledMall"] = opt(try r.optString("mall_code"))
            }
        case .tierChanged:
            if let r = try await sql.row("""
                SELECT member_id, from_tier, to_tier, kind, purchase_id FROM tier_changes WHERE id = \(bind: d.subjectId)
                """) {
                body["tierChangeId"] = d.subjectId
                body["memberId"] = try r.int64("member_id")
                body["fromTier"] = try r.string("from_tier")
                body["toTier"] = try r.string("to_tier")
                body["kind"] = try r.string("kind")
                body["purchaseId"] = opt(try r.optInt64("purchase_id"))
            }
        case .pointsChanged:
            if let r = try await sql.row("""
                SELECT member_id, kind, points, balance_after, purchase_id, refund_id FROM points_ledger WHERE id = \(bind: d.subjectId)
                """) {
                body["ledgerId"] = d.subjectId
                body["memberId"] = try r.int64("member_id")
                body["kind"] = try r.string("kind")
                body["points"] = try r.int64("points")
                body["balanceAfter"] = try r.int64("balance_after")
                body["purchaseId"] = opt(try r.optInt64("purchase_id"))
                body["refundId"] = opt(try r.optInt64("refund_id"))
            }
        case .couponIssued:
            if let r = try await sql.row("""
                SELECT code, member_id, name_zh, name_en, face_fen, discount_permille, min_spend_fen, valid_from_day, valid_to_day,
                  source, source_ref FROM coupons WHERE id = \(bind: d.subjectId)
                """) {
                body["couponId"] = d.subjectId
                body["code"] = try r.string("code")
                body["memberId"] = opt(try r.optInt64("member_id"))
                body["nameZh"] = try r.string("name_zh")
                body["nameEn"] = try r.string("name_en")
                body["faceFen"] = opt(try r.optInt64("face_fen"))
                body["discountPermille"] = opt(try r.optInt("discount_permille"))
                body["minSpendFen"] = try r.int64("min_spend_fen")
                body["validFrom"] = day(try r.int("valid_from_day"))
                body["validTo"] = day(try r.int("valid_to_day"))
                body["source"] = try r.string("source")
                body["sourceRef"] = opt(try r.optString("source_ref"))
            }
        case .purchasePosted:
            if let r = try await sql.row("""
                SELECT p.receipt_no, p.member_id, p.card_no, p.occurred_at_ms, p.business_day, p.total_fen, p.eligible_fen,
                  p.points_earned, ml.code AS mall_code
                FROM purchases p JOIN malls ml ON ml.id = p.mall_id WHERE p.id = \(bind: d.subjectId)
                """) {
                body["purchaseId"] = d.subjectId
                body["mall"] = try r.string("mall_code")
                body["receiptNo"] = try r.string("receipt_no")
                body["memberId"] = opt(try r.optInt64("member_id"))
                body["purchasedAt"] = Self.isoUTC(try r.int64("occurred_at_ms"))
                body["businessDay"] = day(try r.int("business_day"))
                body["totalFen"] = try r.int64("total_fen")
                body["eligibleFen"] = try r.int64("eligible_fen")
                body["pointsEarned"] = try r.int64("points_earned")
                // The card the till presented; non-member purchases carry none (and never their phone).
                body["cardNo"] = opt(try r.optString("card_no"))
            }
        }
        // Events about a member name the card, so receivers need not look it up.
        if body["cardNo"] == nil, let memberId = body["memberId"] as? Int64 {
            body["cardNo"] = opt(try await sql.row("""
                SELECT card_no FROM cards WHERE member_id = \(bind: memberId)
                ORDER BY CASE WHEN state = 'active' THEN 0 ELSE 1 END, id DESC LIMIT 1
                """).map { try $0.string("card_no") })
        }
        if body["memberId"] == nil { body["memberId"] = NSNull() }
        let data = try JSONSerialization.data(withJSONObject: body, options: [.sortedKeys, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self)
    }

    /// "2026-11-25T02:00:00.000Z"
    static func isoUTC(_ ms: Int64) -> String {
        let f = ISO8601DateFormatter()
        f.timeZone = TimeZone(identifier: "UTC")
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f.string(from: dateFromMillis(ms))
    }
}
