import Foundation
import MallVIPCore
import SQLKit

/// One recorded change of a personal field (issue 17 "Corrections, audited").
public struct MemberFieldChange: Sendable, Equatable {
    public var id: Int64
    public var memberId: Int64
    public var field: PersonalField
    /// As recorded: phone, e-mail and address in full (mask with `field.shown`), the national ID masked.
    public var before: String?
    public var after: String?
    public var method: FieldChangeMethod
    public var reason: String
    public var actor: String
    public var at: Date
}

extension Store {
    /// The member's personal fields as the member row holds them now (the national ID: its masked form).
    /// Every writer of a personal field snapshots before and after with this and records the difference.
    func personalValues(_ sql: any SQLDatabase, memberId: Int64) async throws -> [PersonalField: String] {
        guard let r = try await sql.row("""
            SELECT name, gender, birthday, phone, email, address, id_masked, profile_json, notes FROM members WHERE id = \(bind: memberId)
            """) else {
            throw DomainError(.notFound, field: nil, rule: "member.exists", zh: "会员不存在", en: "member not found")
        }
        let p = (try? JSONDecoder().decode(MemberProfile.self, from: Data(try r.string("profile_json").utf8))) ?? MemberProfile()
        var v: [PersonalField: String] = [
            .name: try r.string("name"), .gender: try r.string("gender"), .phone: try r.string("phone"), .notes: try r.string("notes"),
            .clothingSize: p.clothingSize, .shoeSize: p.shoeSize, .occupation: p.occupation, .family: p.family,
            .preferences: p.preferences, .hobbies: p.hobbies, .preferredService: p.preferredService,
        ]
        v[.birthday] = try r.optString("birthday")
        v[.email] = try r.optString("email")
        v[.address] = try r.optString("address")
        v[.idNumber] = try r.optString("id_masked")
        return v
    }

    /// Records every field that differs between the two snapshots, one row each, in the caller's transaction.
    /// Returns the fields recorded.
    @discardableResult
    func recordFieldChanges(_ sql: any SQLDatabase, memberId: Int64, before: [PersonalField: String], after: [PersonalField: String],
                            method: FieldChangeMethod, reason: String, actor: String, nowMs: Int64) async throws -> [PersonalField] {
        let changes = PersonalField.changes(from: before, to: after)
        for c in changes {
            try await sql.exec("""
                INSERT INTO member_field_changes (member_id, field, before_value, after_value, method, reason, actor, at_ms)
                VALUES (\(bind: memberId), \(bind: c.field.rawValue), \(bind: c.before), \(bind: c.after), \(bind: method.rawValue),
                  \(bind: String(reason.prefix(200))), \(bind: actor), \(bind: nowMs))
                """)
        }
        return changes.map(\.field)
    }

    /// The member's recorded changes, newest first.
    public func memberFieldChanges(memberId: Int64, limit: Int = 200) async throws -> [MemberFieldChange] {
        try await sql.rows("""
            SELECT id, member_id, field, before_value, after_value, method, reason, actor, at_ms FROM member_field_changes
            WHERE member_id = \(bind: memberId) ORDER BY id DESC LIMIT \(bind: max(1, min(limit, 1000)))
            """).compactMap { r in
            // A field or method this version does not know (written by a newer one) is skipped, never a crash.
            guard let field = PersonalField(rawValue: try r.string("field")),
                  let method = FieldChangeMethod(rawValue: try r.string("method")) else { return nil }
            return MemberFieldChange(id: try r.int64("id"), memberId: try r.int64("member_id"), field: field,
                                     before: try r.optString("before_value"), after: try r.optString("after_value"), method: method,
                                     reason: try r.string("reason"), actor: try r.string("actor"), at: dateFromMillis(try r.int64("at_ms")))
        }
    }
}
