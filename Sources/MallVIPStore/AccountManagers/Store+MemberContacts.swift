import FluentKit
import Foundation
import MallVIPCore
import SQLKit

/// How a maintainer or the desk was in touch with a member (docs/domain.md §9.1: birthday cakes, hosting VIPs).
public enum ContactKind: String, Sendable, CaseIterable, Codable {
    case call, sms, visit, gift, note

    public var label: LocalizedName {
        switch self {
        case .call: LocalizedName(zh: "电话", en: "Call")
        case .sms: LocalizedName(zh: "短信", en: "SMS")
        case .visit: LocalizedName(zh: "到店接待", en: "Visit")
        case .gift: LocalizedName(zh: "赠礼", en: "Gift")
        case .note: LocalizedName(zh: "备注", en: "Note")
        }
    }
}

/// One entry of the contact log: who, when, what.
public struct MemberContact: Sendable, Equatable {
    public var id: Int64
    public var memberId: Int64
    public var memberName: String
    public var staffId: Int64
    public var staffName: String
    public var kind: ContactKind
    public var note: String
    public var at: Date
}

extension Store {
    public static let contactNoteLimit = 500

    /// Logs a contact by `staffId`. With `managedBy`, the member must be that maintainer's (an account manager
    /// logs only their own members).
    @discardableResult
    public func addContact(memberId: Int64, staffId: Int64, kind: String, note: String, managedBy: Int64?, actor: String) async throws -> Int64 {
        guard let kind = ContactKind(rawValue: kind) else {
            throw DomainError.invalid("kind", "contact.kind", zh: "请选择联系方式（电话、短信、到店、赠礼、备注）",
                                      en: "kind must be one of call, sms, visit, gift, note")
        }
        let note = note.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !note.isEmpty else {
            throw DomainError.invalid("note", "note.required", zh: "请填写联系内容", en: "say what the contact was about")
        }
        guard note.count <= Self.contactNoteLimit else {
            throw DomainError.invalid("note", "note.length", zh: "内容最多 \(Self.contactNoteLimit) 字", en: "the note is at most \(Self.contactNoteLimit) characters")
        }
        return try await write { tx in
            guard let m = try await tx.sql.row("SELECT account_manager_id FROM members WHERE id = \(bind: memberId)") else {
                throw DomainError(.notFound, field: "memberId", rule: "member.exists", zh: "会员不存在", en: "member not found")
            }
            if let managedBy, try m.optInt64("account_manager_id") != managedBy {
                throw Self.notYourMember
            }
            let row = try await tx.sql.row("""
                INSERT INTO member_contacts (member_id, staff_id, kind, note, at_ms)
                VALUES (\(bind: memberId), \(bind: staffId), \(bind: kind.rawValue), \(bind: note), \(bind: epochMillis(self.now))) RETURNING id
                """)!
            try await self.audit(tx, actor: actor, action: "member.contact", subject: "member:\(memberId)", detail: kind.rawValue)
            return try row.int64("id")
        }
    }

    public static var notYourMember: DomainError {
        DomainError(.forbidden, field: "memberId", rule: "member.notYours", zh: "这位会员不由您维护", en: "this member is not one of yours")
    }

    /// The latest contacts with these members, newest first.
    public func contacts(memberIds: [Int64], limit: Int = 50) async throws -> [MemberContact] {
        let ids = Array(Set(memberIds))
        guard !ids.isEmpty else { return [] }
        return try await sql.rows("""
            SELECT c.*, m.name AS member_name, s.display_name FROM member_contacts c
            JOIN members m ON m.id = c.member_id JOIN staff_users s ON s.id = c.staff_id
            WHERE c.member_id IN (\(binds: ids)) ORDER BY c.at_ms DESC, c.id DESC LIMIT \(bind: limit)
            """).map { r in
            MemberContact(id: try r.int64("id"), memberId: try r.int64("member_id"), memberName: try r.string("member_name"),
                          staffId: try r.int64("staff_id"), staffName: try r.string("display_name"),
                          kind: ContactKind(rawValue: try r.string("kind")) ?? .note, note: try r.string("note"),
                          at: dateFromMillis(try r.int64("at_ms")))
        }
    }
}
