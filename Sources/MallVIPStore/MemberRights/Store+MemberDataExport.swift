import FluentKit
import Foundation
import MallVIPCore
import SQLKit

/// How a column reads and shows in the export: epoch-ms times and day numbers become local dates and times.
enum ExportColumn {
    case text(String), int(String), bool(String), time(String), day(String)

    var name: String {
        switch self {
        case .text(let n), .int(let n), .bool(let n), .time(let n), .day(let n): n
        }
    }
}

extension Store {
    /// Everything held about the member, for "download my data". Audited, as every export of personal data is.
    /// The national ID number is given masked: the full number is only ever shown at the desk against the card.
    public func memberDataExport(memberId: Int64, actor: String) async throws -> MemberDataExport {
        let (_, programme) = try await self.programme()
        let tz = programme.timeZone
        var tables: [MemberDataExport.Table] = []
        for (name, columns, query) in Self.exportTables(memberId) {
            let rows = try await sql.rows(query).map { r in try columns.map { try Self.exportValue(r, $0, tz) } }
            tables.append(.init(name: name, columns: columns.map(\.name), rows: rows))
        }
        guard tables.first?.rows.isEmpty == false else {
            throw DomainError(.notFound, field: nil, rule: "member.exists", zh: "会员不存在", en: "member not found")
        }
        let counts = tables.map { "\($0.name)=\($0.rows.count)" }.joined(separator: " ")
        try await audit(actor: actor, action: "member.dataExport", subject: "member:\(memberId)", detail: counts)
        return MemberDataExport(memberId: memberId, generatedAt: now, tables: tables)
    }

    static func exportValue(_ r: any SQLRow, _ c: ExportColumn, _ tz: TimeZone) throws -> MemberDataExport.Value {
        switch c {
        case .text(let n): return try r.optString(n).map { .text($0) } ?? .null
        case .int(let n): return try r.optInt64(n).map { .int($0) } ?? .null
        case .bool(let n): return try r.decode(column: n, as: Bool?.self).map { .bool($0) } ?? .null
        case .day(let n): return try r.optInt(n).map { .text(LocalDate(dayNumber: $0).description) } ?? .null
        case .time(let n):
            guard let ms = try r.optInt64(n) else { return .null }
            let f = ISO8601DateFormatter()
            f.timeZone = tz
            f.formatOptions = [.withInternetDateTime]
            return .text(f.string(from: dateFromMillis(ms)))
        }
    }

    /// The tables of the export, profile first. Every query is scoped by the one member id.
    static func exportTables(_ id: Int64) -> [(String, [ExportColumn], SQLQueryString)] {
        [
            ("profile", [.int("id"), .text("name"), .text("gender"), .text("birthday"), .text("phone"), .text("email"), .text("address"),
                         .text("id_masked"), .text("profile_json"), .text("notes"), .bool("consent_sms"), .bool("consent_email"),
                         .bool("consent_phone"), .text("status"), .text("earned_tier"), .day("tier_since_day"), .text("manual_tier"),
                         .day("manual_until_day"), .int("points_balance"), .time("enrolled_at_ms"), .text("referral_code"),
                         .time("updated_at_ms")],
             "SELECT * FROM members WHERE id = \(bind: id)"),
            ("cards", [.text("card_no"), .text("state"), .time("issued_at_ms"), .time("activated_at_ms"), .text("replaced_by")],
             "SELECT * FROM cards WHERE member_id = \(bind: id) ORDER BY id"),
            ("purchases", [.text("receipt_no"), .text("mall"), .time("occurred_at_ms"), .day("business_day"), .text("card_no"),
                           .int("total_fen"), .int("eligible_fen"), .int("refunded_fen"), .int("points_earned"), .int("points_reversed")],
             "SELECT p.*, ml.name AS mall FROM purchases p JOIN malls ml ON ml.id = p.mall_id WHERE p.member_id = \(bind: id) ORDER BY p.occurred_at_ms, p.id"),
            ("purchaseLines", [.text("receipt_no"), .int("line_no"), .text("counter"), .int("amount_fen"), .int("refunded_fen"),
                               .bool("earns_points")],
             """
             SELECT p.receipt_no, l.line_no, c.name AS counter, l.amount_fen, l.refunded_fen, l.earns_points FROM purchase_lines l
             JOIN purchases p ON p.id = l.purchase_id JOIN counters c ON c.id = l.counter_id WHERE p.member_id = \(bind: id) ORDER BY p.id, l.line_no
             """),
            ("refunds", [.text("refund_no"), .text("receipt_no"), .int("amount_fen"), .int("points_reversed"), .time("created_at_ms")],
             """
             SELECT r.refund_no, p.receipt_no, r.amount_fen, r.points_reversed, r.created_at_ms FROM refunds r JOIN purchases p ON p.id = r.purchase_id
             WHERE p.member_id = \(bind: id) ORDER BY r.id
             """),
            ("ledger", [.text("kind"), .int("points"), .int("balance_after"), .text("note"), .time("at_ms")],
             "SELECT * FROM points_ledger WHERE member_id = \(bind: id) ORDER BY id"),
            ("coupons", [.text("code"), .text("name_zh"), .text("name_en"), .int("face_fen"), .int("discount_permille"), .int("min_spend_fen"),
                         .day("valid_from_day"), .day("valid_to_day"), .text("status"), .text("source"), .time("issued_at_ms"),
                         .time("used_at_ms"), .text("used_receipt_no")],
             "SELECT * FROM coupons WHERE member_id = \(bind: id) OR used_member_id = \(bind: id) ORDER BY id"),
            ("redemptions", [.text("item"), .int("points"), .int("balance_after"), .day("business_day"), .text("status")],
             """
             SELECT i.name_zh AS item, r.points, r.balance_after, r.business_day, r.status FROM redemptions r
             JOIN reward_items i ON i.id = r.item_id WHERE r.member_id = \(bind: id) ORDER BY r.id
             """),
            ("messages", [.text("channel"), .text("purpose"), .text("subject"), .text("body"), .text("to_address"), .text("status"),
                          .text("refuse_reason"), .int("cost_fen"), .time("created_at_ms"), .time("sent_at_ms")],
             "SELECT * FROM outbox_messages WHERE member_id = \(bind: id) ORDER BY id"),
            ("optOuts", [.text("channel"), .text("source"), .text("detail"), .time("at_ms")],
             "SELECT * FROM message_optouts WHERE member_id = \(bind: id) ORDER BY id"),
            ("consentChanges", [.text("channel"), .bool("granted"), .text("source"), .time("at_ms")],
             "SELECT * FROM consent_changes WHERE member_id = \(bind: id) ORDER BY id"),
            // Issue 17: the personal fields changed, before and after, how, why and by whom.
            ("personalDataChanges", [.text("field"), .text("before_value"), .text("after_value"), .text("method"), .text("reason"),
                                     .text("actor"), .time("at_ms")],
             "SELECT * FROM member_field_changes WHERE member_id = \(bind: id) ORDER BY id"),
            ("tierChanges", [.text("from_tier"), .text("to_tier"), .text("kind"), .time("at_ms")],
             "SELECT * FROM tier_changes WHERE member_id = \(bind: id) ORDER BY id"),
            ("tags", [.text("tag")], "SELECT tag FROM member_tags WHERE member_id = \(bind: id) ORDER BY tag"),
            ("parkingPlates", [.text("plate"), .time("bound_at_ms")],
             "SELECT * FROM parking_plates WHERE member_id = \(bind: id) ORDER BY plate"),
            ("partnerVisits", [.text("partner"), .int("amount_fen"), .int("discount_fen"), .time("visited_at_ms")],
             """
             SELECT pt.name AS partner, v.amount_fen, v.discount_fen, v.visited_at_ms FROM partner_visits v JOIN partners pt ON pt.id = v.partner_id
             WHERE v.member_id = \(bind: id) ORDER BY v.id
             """),
            ("referrals", [.text("role"), .text("code"), .text("status"), .int("reward_points"), .time("created_at_ms")],
             """
             SELECT CASE WHEN referrer_id = \(bind: id) THEN 'referrer' ELSE 'referee' END AS role, code, status, reward_points, created_at_ms
             FROM referrals WHERE referrer_id = \(bind: id) OR referee_id = \(bind: id) ORDER BY id
             """),
            ("staffContacts", [.text("kind"), .text("note"), .time("at_ms")],
             "SELECT * FROM member_contacts WHERE member_id = \(bind: id) ORDER BY id"),
            ("requests", [.text("kind"), .text("status"), .text("reason"), .time("created_at_ms"), .time("decided_at_ms"), .text("note")],
             "SELECT * FROM member_requests WHERE member_id = \(bind: id) ORDER BY id"),
            // Issue 19: the receipt photos the member sent and what became of them (the image files are not included).
            ("receiptPhotos", [.int("id"), .text("mall"), .text("receipt_no"), .text("counter"), .int("amount_fen"), .time("occurred_at_ms"),
                               .text("content_type"), .int("byte_count"), .text("state"), .text("reason"), .time("created_at_ms"),
                               .time("reviewed_at_ms"), .int("purchase_id")],
             """
             SELECT rp.*, ml.name AS mall, c.name AS counter FROM receipt_photos rp JOIN malls ml ON ml.id = rp.mall_id
             JOIN counters c ON c.id = rp.counter_id WHERE rp.member_id = \(bind: id) ORDER BY rp.id
             """),
            ("signIns", [.text("kind"), .text("outcome"), .text("ip"), .time("at_ms")],
             "SELECT * FROM member_login_attempts WHERE member_id = \(bind: id) ORDER BY id"),
        ]
    }
}
