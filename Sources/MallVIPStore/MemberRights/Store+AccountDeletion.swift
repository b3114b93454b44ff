import FluentKit
import Foundation
import MallVIPCore
import SQLKit

extension Store {
    /// "Delete my account" from the member pages: a pending request and a `deletion` task for the managers' team,
    /// in one transaction. One pending request per member; asking again returns the pending one.
    public func requestAccountDeletion(memberId: Int64, reason: String) async throws -> Int64 {
        let reason = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard reason.count <= 300 else {
            throw DomainError.invalid("reason", "reason.length", zh: "原因最多300字", en: "the reason is at most 300 characters")
        }
        let (_, programme) = try await self.programme()
        let today = LocalDate.of(now, in: programme.timeZone)
        let nowMs = epochMillis(now)
        return try await write { tx in
            let lock = tx.storeDialect.forUpdate
            guard let m = try await tx.sql.row("SELECT name FROM members WHERE id = \(bind: memberId) AND status = 'active'\(unsafeRaw: lock)") else {
                throw DomainError(.notFound, field: nil, rule: "member.exists", zh: "会员不存在", en: "member not found")
            }
            if let pending = try await tx.sql.row("""
                SELECT id FROM member_requests WHERE member_id = \(bind: memberId) AND kind = 'deletion' AND status = 'pending'
                """) {
                return try pending.int64("id")
            }
            guard let id = try await tx.sql.row("""
                INSERT INTO member_requests (member_id, kind, status, reason, created_at_ms, note)
                VALUES (\(bind: memberId), 'deletion', 'pending', \(bind: reason), \(bind: nowMs), '') RETURNING id
                """).map({ try $0.int64("id") }) else { throw DomainError(.conflict, field: nil, rule: "request.insert", zh: "提交失败", en: "not saved") }
            try await tx.sql.exec("""
                INSERT INTO service_tasks (kind, cause_key, member_id, assigned_staff_id, team_role, title, detail, due_day, status,
                  outcome_note, created_at_ms)
                VALUES ('deletion', \(bind: Self.deletionCause(id)), \(bind: memberId), NULL, \(bind: StaffRole.manager.rawValue),
                  \(bind: "注销申请：\(try m.string("name"))"), \(bind: reason.isEmpty ? "会员在会员网页申请注销账户" : reason),
                  \(bind: today.adding(days: programme.churn.dueDays).dayNumber), 'open', '', \(bind: nowMs))
                """)
            try await self.audit(tx, actor: "member:\(memberId)", action: "member.deletionRequest", subject: "member:\(memberId)",
                                 detail: "request:\(id)")
            return id
        }
    }

    static func deletionCause(_ requestId: Int64) -> String { "deletion:\(requestId)" }

    /// The member's latest deletion request, if any.
    public func latestDeletionRequest(memberId: Int64) async throws -> DeletionRequest? {
        try await sql.row("""
            SELECT * FROM member_requests WHERE member_id = \(bind: memberId) AND kind = 'deletion' ORDER BY id DESC LIMIT 1
            """).map(deletionRequest)
    }

    /// The request a `deletion` task was raised for.
    public func deletionRequest(taskId: Int64) async throws -> DeletionRequest? {
        try await sql.row("""
            SELECT r.* FROM member_requests r JOIN service_tasks t ON t.cause_key = 'deletion:' || CAST(r.id AS TEXT)
            WHERE t.id = \(bind: taskId)
            """).map(deletionRequest)
    }

    /// A manager's decision. Approval erases the member's personal data in the same transaction (see
    /// `erasePersonalData`); rejection needs a note saying why. Either way the task closes and it is audited.
    /// `photoDirectory`: where the receipt photo files are (the web layer's `AppConfig.receiptPhotoDirectory`); once the
    /// erasure is committed, the member's photo files there are deleted.
    public func decideDeletion(requestId: Int64, approve: Bool, note: String, actor: String, photoDirectory: String? = nil) async throws {
        let note = note.trimmingCharacters(in: .whitespacesAndNewlines)
        if !approve && note.isEmpty {
            throw DomainError.invalid("note", "deletion.rejectNote", zh: "驳回时请填写原因", en: "say why the request is rejected")
        }
        let nowMs = epochMillis(now)
        let photoFiles: [String] = try await write { tx in
            let lock = tx.storeDialect.forUpdate
            guard let r = try await tx.sql.row("""
                SELECT member_id, status FROM member_requests WHERE id = \(bind: requestId) AND kind = 'deletion'\(unsafeRaw: lock)
                """) else {
                throw DomainError(.notFound, field: "id", rule: "request.exists", zh: "申请不存在", en: "request not found")
            }
            guard try r.string("status") == MemberRequestStatus.pending.rawValue else {
                throw DomainError(.conflict, field: "id", rule: "request.pending", zh: "该申请已处理", en: "this request was already decided")
            }
            let memberId = try r.int64("member_id")
            let status: MemberRequestStatus = approve ? .approved : .rejected
            try await tx.sql.exec("""
                UPDATE member_requests SET status = \(bind: status.rawValue), decided_by = \(bind: actor), decided_at_ms = \(bind: nowMs),
                  note = \(bind: note) WHERE id = \(bind: requestId)
                """)
            try await tx.sql.exec("""
                UPDATE service_tasks SET status = \(bind: approve ? "done" : "declined"), outcome_note = \(bind: note.isEmpty ? status.rawValue : note),
                  closed_at_ms = \(bind: nowMs), closed_by = \(bind: actor)
                WHERE cause_key = \(bind: Self.deletionCause(requestId)) AND status = 'open'
                """)
            let files = approve ? try await self.erasePersonalData(tx, memberId: memberId, actor: actor, nowMs: nowMs) : []
            try await self.audit(tx, actor: actor, action: approve ? "member.deletionApprove" : "member.deletionReject",
                                 subject: "member:\(memberId)", detail: "request:\(requestId) \(note)")
            return files
        }
        if let photoDirectory { Self.removeReceiptPhotoFiles(photoFiles, in: photoDirectory) }
    }

    /// Deletes receipt photo files by name (only names the photo store makes: 32 hex digits and `.jpg`/`.png`, so a
    /// row's text never reaches outside the directory). A file already gone is no error.
    static func removeReceiptPhotoFiles(_ names: [String], in directory: String) {
        for name in names {
            let parts = name.split(separator: ".")
            guard parts.count == 2, parts[0].count == 32, parts[0].allSatisfy(\.isHexDigit), ["jpg", "png"].contains(parts[1]) else { continue }
            try? FileManager.default.removeItem(atPath: directory + "/" + name)
        }
    }

    /// Erases or anonymises everything that identifies the person, keeping the member row, purchases, ledger and
    /// coupons so that sales totals, tier figures and reports stay right: name becomes 已注销, phone, e-mail,
    /// address, ID number, birthday, profile, notes, tags, plates, sign-in records and message addresses go; cards
    /// are closed, consent withdrawn, queued messages cancelled and the remaining points forfeited on the ledger.
    /// Receipt photos: a photo that became a purchase keeps its row (receipt, counter, amount, as the purchase does) with
    /// file name and content hash cleared; every other photo row goes. Returns the photo files to delete once committed.
    @discardableResult
    func erasePersonalData(_ tx: any Database, memberId: Int64, actor: String, nowMs: Int64) async throws -> [String] {
        let sql = tx.sql
        let m = try await lockMember(sql, memberId)
        let phone = try await sql.row("SELECT phone FROM members WHERE id = \(bind: memberId)").map { try $0.string("phone") }
        if m.balance != 0 {
            try await LedgerWriter.write(sql, [NewLedgerEntry(memberId: memberId, kind: .adjust, points: -m.balance, balanceAfter: 0,
                                                              note: "账户注销 account deleted", actor: actor, atMs: nowMs)])
        }
        try await sql.exec("""
            UPDATE members SET name = '已注销', gender = \(bind: Gender.unknown.rawValue), birthday = NULL, birth_month = NULL, birth_day = NULL,
              phone = \(bind: "erased:\(memberId)"), email = NULL, address = NULL, id_hash = NULL, id_cipher = NULL, id_masked = NULL,
              profile_json = \(bind: try encodeJSON(MemberProfile())), notes = '', consent_sms = \(bind: false), consent_email = \(bind: false),
              consent_phone = \(bind: false), account_manager_id = NULL, manual_tier = NULL, manual_until_day = NULL, manual_reason = NULL,
              points_balance = 0, status = 'erased', updated_at_ms = \(bind: nowMs)
            WHERE id = \(bind: memberId)
            """)
        try await sql.exec("""
            UPDATE cards SET state = \(bind: CardState.closed.rawValue), note = '账户注销'
            WHERE member_id = \(bind: memberId) AND state IN ('active', 'inactive', 'lost')
            """)
        try await sql.exec("UPDATE purchases SET phone = NULL WHERE member_id = \(bind: memberId)")
        try await sql.exec("""
            UPDATE outbox_messages SET status = 'cancelled', refuse_reason = \(bind: MessageRefusal.memberInactive.rawValue), updated_at_ms = \(bind: nowMs)
            WHERE member_id = \(bind: memberId) AND status IN ('queued', 'deferred')
            """)
        try await sql.exec("UPDATE outbox_messages SET to_address = NULL, subject = NULL, body = '' WHERE member_id = \(bind: memberId)")
        try await sql.exec("UPDATE member_contacts SET note = '' WHERE member_id = \(bind: memberId)")
        try await sql.exec("UPDATE service_tasks SET title = '已注销会员', detail = '' WHERE member_id = \(bind: memberId)")
        try await sql.exec("""
            UPDATE service_tasks SET status = 'cancelled', outcome_note = '会员已注销', closed_at_ms = \(bind: nowMs), closed_by = \(bind: actor)
            WHERE member_id = \(bind: memberId) AND status = 'open'
            """)
        try await sql.exec("""
            UPDATE prospects SET phone = 'erased:p' || CAST(id AS TEXT), name = NULL
            WHERE id IN (SELECT prospect_id FROM prospect_conversions WHERE member_id = \(bind: memberId))
            """)
        // member_field_changes and member_verify_codes: the before/after values and numbers of issue 17's corrections.
        for table in ["member_tags", "parking_plates", "member_sessions", "member_login_codes", "member_field_changes", "member_verify_codes"] {
            try await sql.exec("DELETE FROM \(ident: table) WHERE member_id = \(bind: memberId)")
        }
        if let phone {
            try await sql.exec("DELETE FROM member_login_codes WHERE phone = \(bind: phone)")
            try await sql.exec("UPDATE member_login_attempts SET phone = '' WHERE member_id = \(bind: memberId) OR phone = \(bind: phone)")
        }
        let photoFiles = try await sql.rows("SELECT file_name FROM receipt_photos WHERE member_id = \(bind: memberId)")
            .map { try $0.string("file_name") }
        try await sql.exec("UPDATE receipt_photos SET replaces_id = NULL WHERE member_id = \(bind: memberId)")
        try await sql.exec("DELETE FROM receipt_photos WHERE member_id = \(bind: memberId) AND purchase_id IS NULL")
        try await sql.exec("""
            UPDATE receipt_photos SET file_name = 'erased:' || CAST(id AS TEXT), sha256 = '', byte_count = 0
            WHERE member_id = \(bind: memberId)
            """)
        try await audit(tx, actor: actor, action: "member.erase", subject: "member:\(memberId)",
                        detail: "personal data erased; purchases and totals kept; receipt photos: \(photoFiles.count)")
        return photoFiles
    }

    func deletionRequest(_ r: any SQLRow) throws -> DeletionRequest {
        DeletionRequest(id: try r.int64("id"), memberId: try r.int64("member_id"),
                        status: MemberRequestStatus(rawValue: try r.string("status")) ?? .pending, reason: try r.string("reason"),
                        createdAt: dateFromMillis(try r.int64("created_at_ms")), decidedBy: try r.optString("decided_by"),
                        decidedAt: try r.optInt64("decided_at_ms").map(dateFromMillis), note: try r.string("note"))
    }
}
