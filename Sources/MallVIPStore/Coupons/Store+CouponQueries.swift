import FluentKit
import Foundation
import MallVIPCore
import SQLKit

/// One coupon as the console and the lookup API show it.
public struct CouponRecord: Sendable, Equatable {
    public var id: Int64
    public var terms: CouponTerms
    public var nameZh: String
    public var nameEn: String
    public var source: String
    public var sourceRef: String?
    public var issuedBy: String
    public var issuedAt: Date
    public var memberName: String?
    public var memberCard: String?
    public var usedAt: Date?
    public var usedMallId: Int64?
    public var usedReceiptNo: String?
    public var usedCounter: String?
    public var usedAmountFen: Int64?
    public var usedDiscountFen: Int64?
    public var voidedAt: Date?
    public var voidReason: String?
    public var voidedBy: String?
    var usedResponseJSON: String?

    public var code: String { terms.code }
    public func name(_ language: Language) -> String { language == .en && !nameEn.isEmpty ? nameEn : nameZh }
    /// Issued but past its last day: still `issued` in the table, shown as expired.
    public func displayStatus(on today: LocalDate) -> String {
        terms.status == .issued && today > terms.validTo ? "expired" : terms.status.rawValue
    }
}

extension Store {
    private static let couponSelect = """
        SELECT k.*, m.name AS member_name,
          (SELECT c.card_no FROM cards c WHERE c.member_id = k.member_id ORDER BY (c.state = 'active') DESC, c.id DESC LIMIT 1) AS member_card
        FROM coupons k LEFT JOIN members m ON m.id = k.member_id
        """

    public func coupon(code: String) async throws -> CouponRecord? {
        let (_, programme) = try await self.programme()
        guard let normal = CouponCode.normalize(code, prefix: programme.coupons.codePrefix) else { return nil }
        return try await couponRow(code: normal)
    }

    func couponRow(code: String) async throws -> CouponRecord? {
        try await sql.row("\(unsafeRaw: Self.couponSelect) WHERE k.code = \(bind: code)").map(couponFrom)
    }

    /// A member's coupons, newest first.
    public func coupons(memberId: Int64, limit: Int = 100) async throws -> [CouponRecord] {
        try await sql.rows("""
            \(unsafeRaw: Self.couponSelect) WHERE k.member_id = \(bind: memberId) ORDER BY k.id DESC LIMIT \(unsafeRaw: String(limit))
            """).map(couponFrom)
    }

    /// The console list: by status (`issued` means still usable today, `expired` issued but past its last day) and
    /// a code, card or phone.
    /// `managedBy`: only coupons of that account manager's members (issue 14). `mallScope`: only coupons of members
    /// of those malls, plus coupons that name no member (issue 17); nil: every member's.
    public func couponList(status: String?, query: String?, today: LocalDate, limit: Int = 200,
                           managedBy: Int64? = nil, mallScope: MallScope? = nil) async throws -> [CouponRecord] {
        var conditions: [SQLQueryString] = []
        if let managedBy { conditions.append("k.member_id IN (SELECT id FROM members WHERE account_manager_id = \(bind: managedBy))") }
        if let mallScope { conditions.append("1 = 1\(mallScope.membersOrNone(idColumn: "k.member_id"))") }
        switch status {
        case "issued": conditions.append("k.status = 'issued' AND k.valid_to_day >= \(bind: today.dayNumber)")
        case "expired": conditions.append("k.status = 'issued' AND k.valid_to_day < \(bind: today.dayNumber)")
        case "used", "void": conditions.append("k.status = \(bind: status!)")
        default: break
        }
        if let q = query?.trimmingCharacters(in: .whitespaces).uppercased(), !q.isEmpty {
            conditions.append("""
                (k.code \(SQLLike.prefix(q)) OR k.member_id IN (SELECT member_id FROM cards WHERE card_no = \(bind: q))
                 OR k.member_id IN (SELECT id FROM members WHERE phone = \(bind: q)) OR k.source_ref = \(bind: query!.trimmingCharacters(in: .whitespaces)))
                """)
        }
        var q: SQLQueryString = "\(unsafeRaw: Self.couponSelect)"
        for (i, c) in conditions.enumerated() {
            q.appendLiteral(i == 0 ? " WHERE " : " AND ")
            q.appendInterpolation(c)
        }
        q.appendLiteral(" ORDER BY k.id DESC LIMIT \(limit)")
        return try await sql.rows(q).map(couponFrom)
    }

    func couponFrom(_ r: any SQLRow) throws -> CouponRecord {
        let codes = try r.string("counter_codes")
        let terms = CouponTerms(
            code: try r.string("code"), status: CouponTerms.Status(rawValue: try r.string("status")) ?? .void,
            memberId: try r.optInt64("member_id"),
            value: CouponValue(faceFen: try r.optInt64("face_fen"), discountPermille: try r.optInt("discount_permille")),
            minSpendFen: try r.int64("min_spend_fen"), validFrom: LocalDate(dayNumber: try r.int("valid_from_day")),
            validTo: LocalDate(dayNumber: try r.int("valid_to_day")),
            counterCodes: codes.isEmpty ? [] : codes.split(separator: ",").map(String.init))
        return CouponRecord(
            id: try r.int64("id"), terms: terms, nameZh: try r.string("name_zh"), nameEn: try r.string("name_en"),
            source: try r.string("source"), sourceRef: try r.optString("source_ref"), issuedBy: try r.string("issued_by"),
            issuedAt: dateFromMillis(try r.int64("issued_at_ms")), memberName: try r.optString("member_name"),
            memberCard: try r.optString("member_card"), usedAt: try r.optInt64("used_at_ms").map(dateFromMillis),
            usedMallId: try r.optInt64("used_mall_id"), usedReceiptNo: try r.optString("used_receipt_no"),
            usedCounter: try r.optString("used_counter_code"), usedAmountFen: try r.optInt64("used_amount_fen"),
            usedDiscountFen: try r.optInt64("used_discount_fen"), voidedAt: try r.optInt64("voided_at_ms").map(dateFromMillis),
            voidReason: try r.optString("void_reason"), voidedBy: try r.optString("voided_by"),
            usedResponseJSON: try r.optString("used_response_json"))
    }
}
