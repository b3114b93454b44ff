import FluentKit
import Foundation
import MallVIPCore
import SQLKit

extension Store {
    /// Registers a regular non-member customer at a counter. One registration per phone, and never a member's.
    @discardableResult
    public func registerProspect(phone rawPhone: String, name rawName: String?, counterId: Int64, actor: String) async throws -> Int64 {
        let phone = rawPhone.trimmingCharacters(in: .whitespaces)
        let name = rawName?.trimmingCharacters(in: .whitespaces).nilIfEmpty
        guard Identity.isValidPhone(phone) else {
            throw DomainError.invalid("phone", "phone.format", zh: "手机号格式不正确", en: "phone must be an 11-digit mobile number")
        }
        if let name, name.count > 50 {
            throw DomainError.invalid("name", "name.length", zh: "姓名最多50字", en: "name must be at most 50 characters")
        }
        guard let counter = try await sql.row("SELECT active FROM counters WHERE id = \(bind: counterId)") else {
            throw DomainError(.notFound, field: "counterId", rule: "counter.exists", zh: "店柜不存在", en: "unknown counter")
        }
        guard try counter.bool("active") else {
            throw DomainError.invalid("counterId", "counter.active", zh: "店柜已停用", en: "the counter is inactive")
        }
        if try await sql.row("SELECT id FROM members WHERE phone = \(bind: phone)") != nil {
            throw DomainError(.conflict, field: "phone", rule: "prospect.member", zh: "该手机号已是会员，无需登记",
                              en: "this phone already belongs to a member")
        }
        try await checkProspectPhoneFree(phone)
        let (_, programme) = try await self.programme()
        let nowMs = epochMillis(now)
        let day = LocalDate.of(now, in: programme.timeZone).dayNumber
        do {
            return try await write { tx in
                let row = try await tx.sql.row("""
                    INSERT INTO prospects (phone, name, counter_id, registered_by, registered_at_ms, registered_day)
                    VALUES (\(bind: phone), \(bind: name), \(bind: counterId), \(bind: actor), \(bind: nowMs), \(bind: day)) RETURNING id
                    """)!
                let id = try row.int64("id")
                try await self.audit(tx, actor: actor, action: "prospect.register", subject: "prospect:\(id)", detail: "counter:\(counterId)")
                return id
            }
        } catch where isUniqueViolation(error) {
            try await checkProspectPhoneFree(phone)
            throw error
        }
    }

    private func checkProspectPhoneFree(_ phone: String) async throws {
        if let row = try await sql.row("""
            SELECT c.code, c.name FROM prospects p JOIN counters c ON c.id = p.counter_id WHERE p.phone = \(bind: phone)
            """) {
            let counter = "\(try row.string("code")) \(try row.string("name"))"
            throw DomainError(.conflict, field: "phone", rule: "prospect.phone.unique", zh: "该手机号已由店柜 \(counter) 登记",
                              en: "this phone is already registered by counter \(counter)")
        }
    }

    /// Registered customers, newest first, within `scope`.
    public func prospects(_ scope: ProspectScope) async throws -> [Prospect] {
        try await sql.rows("""
            SELECT \(unsafeRaw: Self.prospectColumns) WHERE \(scope.whereClause) ORDER BY p.registered_at_ms DESC, p.id DESC
            """).map(prospectFrom)
    }

    public func prospect(id: Int64) async throws -> Prospect? {
        try await sql.row("SELECT \(unsafeRaw: Self.prospectColumns) WHERE p.id = \(bind: id)").map(prospectFrom)
    }

    /// Credits the conversion when a registered customer's phone enrols: to the counter that registered them and
    /// that counter's department. Runs inside the enrolment transaction, so a member never exists uncredited.
    func creditProspectConversion(_ sql: any SQLDatabase, memberId: Int64, phone: String, nowMs: Int64, day: LocalDate) async throws {
        try await sql.exec("""
            INSERT INTO prospect_conversions (prospect_id, member_id, counter_id, department_id, mall_id, converted_at_ms, converted_day)
            SELECT p.id, \(bind: memberId), p.counter_id, c.department_id, c.mall_id, \(bind: nowMs), \(bind: day.dayNumber)
            FROM prospects p JOIN counters c ON c.id = p.counter_id
            WHERE p.phone = \(bind: phone) AND NOT EXISTS (SELECT 1 FROM prospect_conversions x WHERE x.prospect_id = p.id)
            """)
    }

    /// The counter a counter-staff user works at, if set.
    public func staffCounterId(staffId: Int64) async throws -> Int64? {
        try await sql.row("SELECT counter_id FROM staff_users WHERE id = \(bind: staffId)")?.optInt64("counter_id")
    }

    /// Counter of every staff user that has one.
    public func staffCounters() async throws -> [Int64: Int64] {
        let rows = try await sql.rows("SELECT id, counter_id FROM staff_users WHERE counter_id IS NOT NULL")
        return Dictionary(try rows.map { (try $0.int64("id"), try $0.int64("counter_id")) }, uniquingKeysWith: { a, _ in a })
    }

    public func setStaffCounter(staffId: Int64, counterId: Int64?, actor: String) async throws {
        if let counterId, try await sql.row("SELECT id FROM counters WHERE id = \(bind: counterId)") == nil {
            throw DomainError(.notFound, field: "counterId", rule: "counter.exists", zh: "店柜不存在", en: "unknown counter")
        }
        guard try await sql.row("SELECT id FROM staff_users WHERE id = \(bind: staffId)") != nil else {
            throw DomainError(.notFound, field: nil, rule: "staff.exists", zh: "员工不存在", en: "unknown staff user")
        }
        try await write { tx in
            if let counterId {
                try await tx.sql.exec("UPDATE staff_users SET counter_id = \(bind: counterId) WHERE id = \(bind: staffId)")
            } else {
                try await tx.sql.exec("UPDATE staff_users SET counter_id = NULL WHERE id = \(bind: staffId)")
            }
            try await self.audit(tx, actor: actor, action: "staff.counter", subject: "staff:\(staffId)",
                                 detail: counterId.map { "counter:\($0)" } ?? "none")
        }
    }

    static let prospectColumns = """
        p.id, p.phone, p.name, p.counter_id, c.code AS counter_code, c.name AS counter_name, c.department_id,
        d.name AS department_name, c.mall_id, p.registered_by, p.registered_at_ms, x.member_id, x.converted_at_ms
        FROM prospects p JOIN counters c ON c.id = p.counter_id JOIN departments d ON d.id = c.department_id
        LEFT JOIN prospect_conversions x ON x.prospect_id = p.id
        """

    func prospectFrom(_ r: any SQLRow) throws -> Prospect {
        Prospect(id: try r.int64("id"), phone: try r.string("phone"), name: try r.optString("name"),
                 counterId: try r.int64("counter_id"), counterCode: try r.string("counter_code"), counterName: try r.string("counter_name"),
                 departmentId: try r.int64("department_id"), departmentName: try r.string("department_name"),
                 mallId: try r.int64("mall_id"), registeredBy: try r.string("registered_by"),
                 registeredAt: dateFromMillis(try r.int64("registered_at_ms")), memberId: try r.optInt64("member_id"),
                 convertedAt: try r.optInt64("converted_at_ms").map(dateFromMillis))
    }
}

extension ProspectScope {
    var whereClause: SQLQueryString {
        var q: SQLQueryString = "1 = 1"
        if let counterId { q.appendLiteral(" AND p.counter_id = "); q.appendInterpolation(bind: counterId) }
        if let departmentId { q.appendLiteral(" AND c.department_id = "); q.appendInterpolation(bind: departmentId) }
        return q
    }
}

private extension String {
    var nilIfEmpty: String? { isEmpty ? nil : self }
}
