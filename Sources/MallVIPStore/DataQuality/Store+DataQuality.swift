import Foundation
import MallVIPCore
import SQLKit

/// Data quality (issue 17, docs/domain.md §1 "mandatory-field completeness", §7 birthday cards): which active members
/// lack a birthday, an e-mail, an address or any recorded consent, per mall and account manager; suspected
/// duplicates; and the address list for birthday cards. Every query takes the viewer's `MallScope` (issue 17: reports
/// never reach past the staff member's malls) and, for an account manager, their own id.
public enum MissingField: String, Sendable, CaseIterable, Codable {
    case birthday, email, address, consent

    public var label: LocalizedName {
        switch self {
        case .birthday: LocalizedName(zh: "缺生日", en: "No birthday")
        case .email: LocalizedName(zh: "缺邮箱", en: "No e-mail")
        case .address: LocalizedName(zh: "缺地址", en: "No address")
        case .consent: LocalizedName(zh: "无任何同意", en: "No consent")
        }
    }

    /// The SQL test on member alias `m`. Blank text counts as missing. Consent: none of SMS, e-mail, phone given
    /// (the model keeps one yes/no per channel, so "declined" and "never asked" look alike: both are listed).
    var sql: String {
        switch self {
        case .birthday: "m.birthday IS NULL"
        case .email: "(m.email IS NULL OR TRIM(m.email) = '')"
        case .address: "(m.address IS NULL OR TRIM(m.address) = '')"
        case .consent: "NOT (m.consent_sms OR m.consent_email OR m.consent_phone)"
        }
    }
}

/// One mall × account-manager cell of the completeness report. `mallId` nil: enrolment mall not recorded;
/// `managerId` nil: no account manager.
public struct CompletenessRow: Sendable, Equatable {
    public var mallId: Int64?
    public var mallCode: String?
    public var managerId: Int64?
    public var managerName: String?
    public var members: Int
    public var missing: [MissingField: Int]
    /// Members missing at least one of the four.
    public var incomplete: Int
}

/// A member in the completeness list or a duplicate pair; the caller masks name, phone, e-mail for the viewer's role.
public struct QualityMember: Sendable, Equatable {
    public var id: Int64
    public var name: String
    public var phone: String
    public var email: String?
    public var birthday: LocalDate?
    public var cardNo: String?
    public var mallCode: String?
    public var missing: [MissingField]
}

public enum DuplicateReason: String, Sendable, CaseIterable, Codable {
    case nameBirthday, idHash, email

    public var label: LocalizedName {
        switch self {
        case .nameBirthday: LocalizedName(zh: "姓名与生日相同", en: "Same name and birthday")
        case .idHash: LocalizedName(zh: "身份证号相同", en: "Same ID number")
        case .email: LocalizedName(zh: "邮箱相同（忽略大小写和空格）", en: "Same e-mail (case and spaces ignored)")
        }
    }
}

public struct DuplicatePair: Sendable, Equatable {
    public var reason: DuplicateReason
    public var first: QualityMember
    public var second: QualityMember
}

/// One address for a birthday card.
public struct MailingAddress: Sendable, Equatable {
    public var id: Int64
    public var name: String
    public var gender: Gender
    public var birthday: LocalDate
    public var address: String
    public var cardNo: String?
    public var mallCode: String?
}

/// Whose members a data-quality query reads: the viewer's malls, and for an account manager only their own members.
public struct QualityScope: Sendable, Equatable {
    public var malls: MallScope
    public var managerId: Int64?
    public init(malls: MallScope, managerId: Int64? = nil) {
        self.malls = malls
        self.managerId = managerId
    }

    func filter(_ alias: String = "m") -> SQLQueryString {
        var f = malls.members(alias)
        if let managerId { f = f + " AND \(unsafeRaw: alias).account_manager_id = \(bind: managerId)" }
        return f
    }
}

extension Store {
    static let qualityCardColumn = """
        (SELECT c.card_no FROM cards c WHERE c.member_id = m.id ORDER BY (c.state = 'active') DESC, c.id DESC LIMIT 1)
        """

    /// Counts per enrolment mall and account manager, active members only.
    public func completeness(_ scope: QualityScope) async throws -> [CompletenessRow] {
        let any = MissingField.allCases.map(\.sql).joined(separator: " OR ")
        let sums = MissingField.allCases.map { "SUM(CASE WHEN \($0.sql) THEN 1 ELSE 0 END) AS missing_\($0.rawValue)" }.joined(separator: ", ")
        let rows = try await sql.rows("""
            SELECT m.enrolled_mall_id AS mall_id, ml.code AS mall_code, m.account_manager_id AS manager_id, s.display_name AS manager_name,
              COUNT(*) AS members, \(unsafeRaw: sums), SUM(CASE WHEN \(unsafeRaw: any) THEN 1 ELSE 0 END) AS incomplete
            FROM members m LEFT JOIN malls ml ON ml.id = m.enrolled_mall_id LEFT JOIN staff_users s ON s.id = m.account_manager_id
            WHERE m.status = 'active'\(scope.filter())
            GROUP BY m.enrolled_mall_id, ml.code, m.account_manager_id, s.display_name
            ORDER BY ml.code, s.display_name
            """)
        return try rows.map { r in
            var missing: [MissingField: Int] = [:]
            for f in MissingField.allCases { missing[f] = try r.int("missing_\(f.rawValue)") }
            return CompletenessRow(mallId: try r.optInt64("mall_id"), mallCode: try r.optString("mall_code"),
                                   managerId: try r.optInt64("manager_id"), managerName: try r.optString("manager_name"),
                                   members: try r.int("members"), missing: missing, incomplete: try r.int("incomplete"))
        }
    }

    /// Active members missing `field` (nil: any of the four), by id; `mallId`/`managerId` narrow to one cell
    /// (`managerId` 0: members without an account manager). At most `limit`.
    public func incompleteMembers(_ scope: QualityScope, missing field: MissingField?, mallId: Int64? = nil, managerId: Int64? = nil,
                                  limit: Int = 500) async throws -> [QualityMember] {
        let test = field.map(\.sql) ?? MissingField.allCases.map(\.sql).joined(separator: " OR ")
        var narrow: SQLQueryString = ""
        if let mallId { narrow = narrow + " AND m.enrolled_mall_id = \(bind: mallId)" }
        if let managerId {
            narrow = narrow + (managerId == 0 ? " AND m.account_manager_id IS NULL" : " AND m.account_manager_id = \(bind: managerId)")
        }
        let rows = try await sql.rows("""
            SELECT \(unsafeRaw: Self.qualityColumns) FROM members m LEFT JOIN malls ml ON ml.id = m.enrolled_mall_id
            WHERE m.status = 'active' AND (\(unsafeRaw: test))\(scope.filter())\(narrow)
            ORDER BY m.id LIMIT \(literal: max(0, limit))
            """)
        return try rows.map { try qualityMember($0, prefix: "") }
    }

    static let qualityColumns = """
        m.id, m.name, m.phone, m.email, m.birthday, m.address, m.consent_sms, m.consent_email, m.consent_phone, ml.code AS mall_code,
        \(qualityCardColumn) AS card_no
        """

    func qualityMember(_ r: any SQLRow, prefix p: String) throws -> QualityMember {
        func blank(_ s: String?) -> Bool { (s ?? "").trimmingCharacters(in: .whitespaces).isEmpty }
        let email = try r.optString(p + "email"), birthday = try r.optString(p + "birthday").flatMap(LocalDate.init)
        var missing: [MissingField] = []
        if birthday == nil { missing.append(.birthday) }
        if blank(email) { missing.append(.email) }
        if blank(try r.optString(p + "address")) { missing.append(.address) }
        if !(try r.bool(p + "consent_sms")), !(try r.bool(p + "consent_email")), !(try r.bool(p + "consent_phone")) { missing.append(.consent) }
        return QualityMember(id: try r.int64(p + "id"), name: try r.string(p + "name"), phone: try r.string(p + "phone"), email: email,
                             birthday: birthday, cardNo: try r.optString(p + "card_no"), mallCode: try r.optString(p + "mall_code"),
                             missing: missing)
    }

    /// Suspected duplicates among active members: same name (spaces trimmed) and birthday, same national-ID hash, same
    /// e-mail (trimmed, lower case). A pair is listed once per reason, lower id first; both members must be in the
    /// viewer's scope. The ID-number check can only find pairs the unique index let through (a database restored from
    /// elsewhere, rows written before it): the index refuses a second member with the same number.
    public func suspectedDuplicates(_ scope: QualityScope, limit: Int = 500) async throws -> [DuplicatePair] {
        func columns(_ alias: String, _ mall: String) -> String {
            ["id", "name", "phone", "email", "birthday", "address", "consent_sms", "consent_email", "consent_phone"]
                .map { "\(alias).\($0) AS \(alias)_\($0)" }.joined(separator: ", ")
                + ", \(mall).code AS \(alias)_mall_code"
                + ", (SELECT c.card_no FROM cards c WHERE c.member_id = \(alias).id ORDER BY (c.state = 'active') DESC, c.id DESC LIMIT 1) AS \(alias)_card_no"
        }
        var out: [DuplicatePair] = []
        let tests: [(DuplicateReason, String)] = [
            (.nameBirthday, "TRIM(a.name) = TRIM(b.name) AND a.birthday IS NOT NULL AND a.birthday = b.birthday"),
            (.idHash, "a.id_hash IS NOT NULL AND a.id_hash = b.id_hash"),
            (.email, "a.email IS NOT NULL AND TRIM(a.email) <> '' AND LOWER(TRIM(a.email)) = LOWER(TRIM(b.email))"),
        ]
        for (reason, test) in tests where out.count < limit {
            let rows = try await sql.rows("""
                SELECT \(unsafeRaw: columns("a", "la")), \(unsafeRaw: columns("b", "lb"))
                FROM members a JOIN members b ON a.id < b.id AND \(unsafeRaw: test)
                LEFT JOIN malls la ON la.id = a.enrolled_mall_id LEFT JOIN malls lb ON lb.id = b.enrolled_mall_id
                WHERE a.status = 'active' AND b.status = 'active'\(scope.filter("a"))\(scope.filter("b"))
                ORDER BY a.id, b.id LIMIT \(literal: limit - out.count)
                """)
            for r in rows {
                out.append(DuplicatePair(reason: reason, first: try qualityMember(r, prefix: "a_"), second: try qualityMember(r, prefix: "b_")))
            }
        }
        return out
    }

    /// Addresses for birthday cards: active members born in `month` with an address, in the viewer's scope, by id.
    /// There is no separate consent for post in the member model (consent is per SMS, e-mail and phone), so the
    /// list is every such member; the export is audited (`export.birthdayMailing`).
    public func birthdayMailingList(_ scope: QualityScope, month: Int) async throws -> [MailingAddress] {
        guard (1...12).contains(month) else {
            throw DomainError.invalid("month", "month.range", zh: "月份须为 1–12", en: "month must be 1 to 12")
        }
        let rows = try await sql.rows("""
            SELECT m.id, m.name, m.gender, m.birthday, m.address, ml.code AS mall_code, \(unsafeRaw: Self.qualityCardColumn) AS card_no
            FROM members m LEFT JOIN malls ml ON ml.id = m.enrolled_mall_id
            WHERE m.status = 'active' AND m.birth_month = \(bind: month) AND m.birthday IS NOT NULL
              AND m.address IS NOT NULL AND TRIM(m.address) <> ''\(scope.filter())
            ORDER BY m.birth_day, m.id
            """)
        return try rows.compactMap { r in
            guard let b = try r.optString("birthday").flatMap(LocalDate.init) else { return nil }
            return MailingAddress(id: try r.int64("id"), name: try r.string("name"), gender: Gender(rawValue: try r.string("gender")) ?? .unknown,
                                  birthday: b, address: try r.string("address"), cardNo: try r.optString("card_no"), mallCode: try r.optString("mall_code"))
        }
    }
}
