import FluentKit
import Foundation
import MallVIPCore
import SQLKit

/// Complaints a member files on /m/ (issue 17): they land in the desk's complaints like any other, on the `member`
/// channel and so with that channel's SLA clock (`feedback.sla`), owned by the desk queue until someone takes it.
/// A receipt, if named, must be one of the member's own; it is kept (`purchase_id`) and written into the text the
/// desk reads.
extension Store {
    /// The owner a member's complaint starts with: the desk's shared queue.
    public static let memberComplaintOwner = "desk"
    public static let memberComplaintMaxLength = 2000

    public func openMemberComplaint(memberId: Int64, category: String, text: String, receiptNo: String?) async throws -> Complaint {
        let category = category.trimmingCharacters(in: .whitespaces)
        var text = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !category.isEmpty else {
            throw DomainError.invalid("category", "complaint.category.required", zh: "请选择类别", en: "choose a category")
        }
        guard !text.isEmpty else {
            throw DomainError.invalid("description", "complaint.description.required", zh: "请填写内容", en: "describe the problem")
        }
        guard text.count <= Self.memberComplaintMaxLength else {
            throw DomainError.invalid("description", "complaint.description.length", zh: "内容不能超过 \(Self.memberComplaintMaxLength) 字",
                                      en: "at most \(Self.memberComplaintMaxLength) characters")
        }
        var purchaseId: Int64?
        if let no = receiptNo?.trimmingCharacters(in: .whitespaces), !no.isEmpty {
            // Only the member's own receipt: another member's receipt number is "not found", the same answer as none.
            guard let p = try await sql.row("""
                SELECT id FROM purchases WHERE member_id = \(bind: memberId) AND receipt_no = \(bind: no) ORDER BY id DESC LIMIT 1
                """) else {
                throw DomainError(.notFound, field: "receipt", rule: "complaint.receipt.own", zh: "找不到您的这张小票",
                                  en: "no receipt of yours with that number")
            }
            purchaseId = try p.int64("id")
            text += "\n（小票 Receipt: \(no)）"
        }
        let nowMs = epochMillis(now)
        let (description, purchase) = (text, purchaseId)
        let id: Int64 = try await write { tx in
            let r = try await tx.sql.row("""
                INSERT INTO complaints (member_id, kind, channel, category, counter_id, owner, status, description, created_by,
                  created_at_ms, outcome_told, purchase_id)
                VALUES (\(bind: memberId), \(bind: ComplaintKind.complaint.rawValue), \(bind: FeedbackChannel.member.rawValue),
                        \(bind: category), \(bind: Int64?.none), \(bind: Self.memberComplaintOwner), 'open', \(bind: description),
                        \(bind: "member:\(memberId)"), \(bind: nowMs), \(bind: false), \(bind: purchase))
                RETURNING id
                """)!
            let id = try r.int64("id")
            try await self.audit(tx, actor: "member:\(memberId)", action: "complaint.open", subject: "complaint:\(id)",
                                 detail: FeedbackChannel.member.rawValue)
            return id
        }
        return try await complaint(id: id)!
    }

    /// A member's own complaints, newest first (the /m/ list).
    public func memberComplaints(memberId: Int64, limit: Int = 50) async throws -> [Complaint] {
        try await sql.rows("""
            SELECT \(unsafeRaw: Store.complaintColumns) FROM complaints c LEFT JOIN counters co ON co.id = c.counter_id
            WHERE c.member_id = \(bind: memberId) ORDER BY c.created_at_ms DESC, c.id DESC LIMIT \(bind: limit)
            """).map(Store.complaint)
    }
}
