import Foundation
import FluentKit
import MallVIPCore
import SQLKit

/// Free tags on members (e.g. 高尔夫, 亲子, 婚庆) that staff set on the member page and segments select on.
extension Store {
    public func memberTags(memberId: Int64) async throws -> [String] {
        try await sql.rows("SELECT tag FROM member_tags WHERE member_id = \(bind: memberId) ORDER BY tag").map { try $0.string("tag") }
    }

    /// Every tag in use with how many members carry it, most used first (for the segment builder's choices).
    public func tagUsage() async throws -> [(tag: String, members: Int)] {
        try await sql.rows("SELECT tag, COUNT(*) AS n FROM member_tags GROUP BY tag ORDER BY COUNT(*) DESC, tag").map {
            (try $0.string("tag"), try $0.int("n"))
        }
    }

    /// Replaces the member's tags. `text`: tags separated by commas, 、 or spaces.
    public func setMemberTags(memberId: Int64, text: String, actor: String) async throws -> [String] {
        let separators = CharacterSet(charactersIn: ",，、;； \t\n")
        let tags = Array(Set(text.components(separatedBy: separators).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })).sorted()
        if let long = tags.first(where: { $0.count > SegmentConditions.maxTagLength }) {
            throw DomainError.invalid("tags", "tag.length", zh: "标签最长 \(SegmentConditions.maxTagLength) 字：\(long)",
                                      en: "a tag has at most \(SegmentConditions.maxTagLength) characters: \(long)")
        }
        guard tags.count <= 30 else {
            throw DomainError.invalid("tags", "tag.count", zh: "每位会员最多 30 个标签", en: "a member has at most 30 tags")
        }
        try await write { tx in
            guard try await tx.sql.row("SELECT id FROM members WHERE id = \(bind: memberId)") != nil else {
                throw DomainError(.notFound, field: "memberId", rule: "member.exists", zh: "没有这位会员", en: "no such member")
            }
            try await tx.sql.exec("DELETE FROM member_tags WHERE member_id = \(bind: memberId)")
            for tag in tags {
                try await tx.sql.exec("INSERT INTO member_tags (member_id, tag) VALUES (\(bind: memberId), \(bind: tag))")
            }
            try await self.audit(tx, actor: actor, action: "member.tags", subject: "member:\(memberId)", detail: tags.joined(separator: ","))
        }
        return tags
    }
}
