import Crypto
import FluentKit
import Foundation
import MallVIPCore
import SQLKit

/// A receipt photo a member sent (receipt_photos, issue 19 拍照积分), with the counter's and member's names for pages.
public struct ReceiptPhoto: Sendable, Equatable {
    public var id: Int64
    public var memberId: Int64
    public var mallId: Int64
    public var receiptNo: String
    public var counterId: Int64
    public var counterCode: String
    public var counterName: String
    public var amountFen: Int64
    public var occurredAt: Date
    public var fileName: String
    public var contentType: String
    public var byteCount: Int64
    public var sha256: String
    public var state: ReceiptPhotoState
    public var reason: String?
    public var reviewer: String?
    public var reviewedAt: Date?
    public var purchaseId: Int64?
    public var duplicateOf: Int64?
    public var replacesId: Int64?
    public var createdAt: Date
    public var dueAt: Date
    /// Points the approved purchase earned (0 until approved).
    public var pointsEarned: Int64
    /// Set on a member's list: a later photo re-sends this one (after "please send a clearer photo").
    public var replacedBy: Int64?
    /// Set on the desk's queue: the member's card number and name.
    public var cardNo: String?
    public var memberName: String?
}

/// What the member typed beside the photo, and what the web layer found in and did with its bytes.
public struct NewReceiptPhoto: Sendable {
    public var memberId: Int64
    public var counterCode: String
    public var receiptNo: String
    public var amountFen: Int64
    public var occurredAt: Date
    public var fileName: String
    public var contentType: String
    public var byteCount: Int64
    public var sha256: String
    public var replacesId: Int64?

    public init(memberId: Int64, counterCode: String, receiptNo: String, amountFen: Int64, occurredAt: Date, fileName: String,
                contentType: String, byteCount: Int64, sha256: String, replacesId: Int64? = nil) {
        self.memberId = memberId
        self.counterCode = counterCode
        self.receiptNo = receiptNo
        self.amountFen = amountFen
        self.occurredAt = occurredAt
        self.fileName = fileName
        self.contentType = contentType
        self.byteCount = byteCount
        self.sha256 = sha256
        self.replacesId = replacesId
    }
}

/// Signs, shown to the desk BEFORE it approves, that a photo may copy a purchase already recorded or another photo.
public struct ReceiptPhotoHints: Sendable, Equatable {
    /// Other photos with the same content (SHA-256), any member.
    public var sameContent: [Int64] = []
    /// The purchase already recorded under this receipt number in this mall, if any.
    public var receiptRecorded: Int64?
    /// Other photos of this mall naming the same receipt number.
    public var sameReceiptPhotos: [Int64] = []
    /// Purchases in this mall at the same counter for the same amount within `channels.matchWindowMinutes`.
    public var closeMatches: [Int64] = []

    public var isEmpty: Bool { sameContent.isEmpty && receiptRecorded == nil && sameReceiptPhotos.isEmpty && closeMatches.isEmpty }
}

/// The desk's decision on a photo.
public enum ReceiptPhotoDecision: Sendable, Equatable {
    case approve
    case reject(reason: String)
    case needsClearer(reason: String)
}

/// How an approval ended: posted (with the purchase), or found to copy a purchase already recorded and rejected.
public struct ReceiptPhotoReview: Sendable {
    public var photo: ReceiptPhoto
    public var posting: ChannelPosting?
}

extension Store {
    /// Longest reason the desk may give (the member reads it on a phone).
    public static let receiptPhotoReasonMax = 200
    /// How long an approval's claim is taken to be still posting: an `approved` photo with no purchase older than this
    /// is one whose posting was cut off (a crash), and may be approved again.
    public static let receiptPhotoPostingGraceMs: Int64 = 120_000

    static let receiptPhotoColumns = """
        p.*, c.code AS counter_code, c.name AS counter_name, COALESCE(pu.points_earned, 0) AS points_earned
        """
    static let receiptPhotoJoins = """
        JOIN counters c ON c.id = p.counter_id LEFT JOIN purchases pu ON pu.id = p.purchase_id
        """

    static func receiptPhoto(_ r: any SQLRow) throws -> ReceiptPhoto {
        ReceiptPhoto(
            id: try r.int64("id"), memberId: try r.int64("member_id"), mallId: try r.int64("mall_id"),
            receiptNo: try r.string("receipt_no"), counterId: try r.int64("counter_id"), counterCode: try r.string("counter_code"),
            counterName: try r.string("counter_name"), amountFen: try r.int64("amount_fen"),
            occurredAt: dateFromMillis(try r.int64("occurred_at_ms")), fileName: try r.string("file_name"),
            contentType: try r.string("content_type"), byteCount: try r.int64("byte_count"), sha256: try r.string("sha256"),
            state: ReceiptPhotoState(rawValue: try r.string("state")) ?? .submitted, reason: try r.optString("reason"),
            reviewer: try r.optString("reviewer"), reviewedAt: try r.optInt64("reviewed_at_ms").map(dateFromMillis),
            purchaseId: try r.optInt64("purchase_id"), duplicateOf: try r.optInt64("duplicate_of"),
            replacesId: try r.optInt64("replaces_id"), createdAt: dateFromMillis(try r.int64("created_at_ms")),
            dueAt: dateFromMillis(try r.int64("due_at_ms")), pointsEarned: try r.int64("points_earned"),
            replacedBy: (try? r.optInt64("replaced_by")) ?? nil, cardNo: (try? r.optString("card_no")) ?? nil,
            memberName: (try? r.optString("member_name")) ?? nil)
    }

    /// Records a member's photo (the file is already on disk under `fileName`). The typed fields are checked as a till's
    /// would be and against `photos.maxAgeDays`; the counter must exist and be active (its mall is the photo's mall);
    /// at most `photos.maxOpenPerMember` photos of a member wait for review at once; a re-upload names one of the
    /// member's own photos that the desk asked to send clearer.
    public func submitReceiptPhoto(_ p: NewReceiptPhoto) async throws -> ReceiptPhoto {
        let (_, programme) = try await self.programme()
        let policy = programme.photos
        try policy.checkEntry(receiptNo: p.receiptNo, amountFen: p.amountFen, occurredAt: p.occurredAt, now: now, purchases: programme.purchases)
        guard let counter = try await counter(code: p.counterCode), counter.active else {
            throw DomainError.invalid("counter", "counter.exists", zh: "请从列表中选择专柜", en: "choose a counter from the list")
        }
        if let old = p.replacesId {
            guard let row = try await sql.row("SELECT state FROM receipt_photos WHERE id = \(bind: old) AND member_id = \(bind: p.memberId)"),
                  try row.string("state") == ReceiptPhotoState.needsClearer.rawValue else {
                throw DomainError.invalid("replaces", "photo.replaces", zh: "只能重新上传需要更清晰照片的小票", en: "only a photo the desk asked to send clearer can be sent again")
            }
        }
        let nowMs = epochMillis(now)
        let id: Int64 = try await write { tx in
            let open = try await tx.sql.row("""
                SELECT COUNT(*) AS n FROM receipt_photos WHERE member_id = \(bind: p.memberId) AND state = 'submitted'
                """).map { try $0.int64("n") } ?? 0
            guard open < Int64(policy.maxOpenPerMember) else {
                throw DomainError(.notEligible, field: "photo", rule: "photo.maxOpen",
                                  zh: "您已有 \(policy.maxOpenPerMember) 张小票等待审核，请审核后再上传",
                                  en: "you have \(policy.maxOpenPerMember) photos waiting for review; send more once they are reviewed")
            }
            if let old = p.replacesId,
               try await tx.sql.row("SELECT id FROM receipt_photos WHERE replaces_id = \(bind: old)") != nil {
                throw DomainError(.conflict, field: "replaces", rule: "photo.replaces.once", zh: "这张小票已重新上传过", en: "this photo has already been sent again")
            }
            guard let row = try await tx.sql.row("""
                INSERT INTO receipt_photos (member_id, mall_id, receipt_no, counter_id, amount_fen, occurred_at_ms, file_name, content_type,
                  byte_count, sha256, state, replaces_id, created_at_ms, due_at_ms)
                VALUES (\(bind: p.memberId), \(bind: counter.mallId), \(bind: p.receiptNo), \(bind: counter.id), \(bind: p.amountFen),
                  \(bind: epochMillis(p.occurredAt)), \(bind: p.fileName), \(bind: p.contentType), \(bind: p.byteCount), \(bind: p.sha256),
                  'submitted', \(bind: p.replacesId), \(bind: nowMs), \(bind: policy.dueAtMs(createdAtMs: nowMs)))
                RETURNING id
                """) else { throw DomainError(.conflict, field: "photo", rule: "photo.insert", zh: "上传失败", en: "the photo could not be saved") }
            return try row.int64("id")
        }
        guard let photo = try await receiptPhoto(id: id) else {
            throw DomainError(.notFound, field: "photo", rule: "photo.exists", zh: "照片不存在", en: "no such photo")
        }
        return photo
    }

    public func receiptPhoto(id: Int64) async throws -> ReceiptPhoto? {
        try await sql.row("""
            SELECT \(unsafeRaw: Self.receiptPhotoColumns) FROM receipt_photos p \(unsafeRaw: Self.receiptPhotoJoins) WHERE p.id = \(bind: id)
            """).map(Self.receiptPhoto)
    }

    /// A member's photos, newest first, each with the later photo re-sending it when there is one.
    public func memberReceiptPhotos(memberId: Int64, limit: Int = 50) async throws -> [ReceiptPhoto] {
        try await sql.rows("""
            SELECT \(unsafeRaw: Self.receiptPhotoColumns), (SELECT r.id FROM receipt_photos r WHERE r.replaces_id = p.id) AS replaced_by
            FROM receipt_photos p \(unsafeRaw: Self.receiptPhotoJoins)
            WHERE p.member_id = \(bind: memberId) ORDER BY p.created_at_ms DESC, p.id DESC LIMIT \(unsafeRaw: String(limit))
            """).map(Self.receiptPhoto)
    }

    /// The desk's queue: photos waiting for review in the staff member's malls, the earliest due first (so the overdue
    /// lead), with the member's card and name. `state` nil: waiting ones (`submitted`); else that state, newest first.
    public func receiptPhotoQueue(state: ReceiptPhotoState? = nil, malls: MallScope, limit: Int = 100) async throws -> [ReceiptPhoto] {
        let scope: SQLQueryString = malls.mallIds.map { ids in
            ids.isEmpty ? " AND 1 = 0" : " AND p.mall_id IN (\(unsafeRaw: ids.map(String.init).joined(separator: ", ")))"
        } ?? ""
        let order: SQLQueryString = state == nil || state == .submitted ? "p.due_at_ms ASC, p.id ASC" : "p.reviewed_at_ms DESC, p.id DESC"
        return try await sql.rows("""
            SELECT \(unsafeRaw: Self.receiptPhotoColumns), m.name AS member_name,
              (SELECT k.card_no FROM cards k WHERE k.member_id = m.id ORDER BY (k.state = 'active') DESC, k.id DESC LIMIT 1) AS card_no
            FROM receipt_photos p \(unsafeRaw: Self.receiptPhotoJoins) JOIN members m ON m.id = p.member_id
            WHERE p.state = \(bind: (state ?? .submitted).rawValue)\(scope)
            ORDER BY \(order) LIMIT \(unsafeRaw: String(limit))
            """).map(Self.receiptPhoto)
    }

    /// Duplicate hints for the desk, before it approves: the same content seen in another photo, the receipt number
    /// already recorded in the mall (a purchase, or another photo), and purchases at the same counter for the same
    /// amount within the programme's `channels.matchWindowMinutes` (the cross-channel rules' window).
    public func receiptPhotoHints(_ photo: ReceiptPhoto) async throws -> ReceiptPhotoHints {
        let (_, programme) = try await self.programme()
        let window = programme.channels.matchWindowMs
        let at = epochMillis(photo.occurredAt)
        let db = sql
        var h = ReceiptPhotoHints()
        h.sameContent = try await db.rows("""
            SELECT id FROM receipt_photos WHERE sha256 = \(bind: photo.sha256) AND id <> \(bind: photo.id) ORDER BY id LIMIT 10
            """).map { try $0.int64("id") }
        h.receiptRecorded = try await db.row("""
            SELECT id FROM purchases WHERE mall_id = \(bind: photo.mallId) AND receipt_no = \(bind: photo.receiptNo)
              AND (channel_ref IS NULL OR channel <> 'photo' OR channel_ref <> \(bind: String(photo.id)))
            """).map { try $0.int64("id") }
        h.sameReceiptPhotos = try await db.rows("""
            SELECT id FROM receipt_photos WHERE mall_id = \(bind: photo.mallId) AND receipt_no = \(bind: photo.receiptNo)
              AND id <> \(bind: photo.id) AND id <> \(bind: photo.replacesId ?? 0) AND state <> 'needsClearer' ORDER BY id LIMIT 10
            """).map { try $0.int64("id") }
        h.closeMatches = try await db.rows("""
            SELECT DISTINCT pu.id FROM purchases pu JOIN purchase_lines l ON l.purchase_id = pu.id
            WHERE pu.mall_id = \(bind: photo.mallId) AND l.counter_id = \(bind: photo.counterId) AND pu.total_fen = \(bind: photo.amountFen)
              AND pu.occurred_at_ms BETWEEN \(bind: at - window) AND \(bind: at + window)
              AND pu.id <> \(bind: h.receiptRecorded ?? 0) AND pu.id <> \(bind: photo.purchaseId ?? 0)
            ORDER BY pu.id LIMIT 10
            """).map { try $0.int64("id") }
        return h
    }

    /// The desk's decision. Each is one conditional update on `state = 'submitted'`, so of two desks deciding at once
    /// exactly one wins; the other gets 409 (`photo.reviewed`). An approval claims the photo first, then posts the
    /// purchase through `postFromChannel` (channel `photo`, channelRef the photo's id, the reviewer as actor): posted,
    /// the photo records the purchase; found to copy a purchase already recorded (the cross-channel rules, or the
    /// mall's receipt number taken with other content), the photo is rejected as a duplicate with that reason; any
    /// other refusal gives the photo back to the queue and is shown to the desk. `malls`: the reviewer's scope.
    public func reviewReceiptPhoto(id: Int64, _ decision: ReceiptPhotoDecision, actor: String, malls: MallScope) async throws -> ReceiptPhotoReview {
        guard let photo = try await receiptPhoto(id: id), malls.contains(mall: photo.mallId) else {
            throw DomainError(.notFound, field: "photo", rule: "photo.exists", zh: "照片不存在", en: "no such photo")
        }
        let nowMs = epochMillis(now)
        let (state, reason): (ReceiptPhotoState, String?)
        switch decision {
        case .approve: (state, reason) = (.approved, nil)
        case .reject(let r), .needsClearer(let r):
            let text = r.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !text.isEmpty, text.count <= Self.receiptPhotoReasonMax else {
                throw DomainError.invalid("reason", "photo.reason", zh: "请填写给会员看的原因（1–\(Self.receiptPhotoReasonMax) 字）",
                                          en: "give the member a reason (1–\(Self.receiptPhotoReasonMax) characters)")
            }
            if case .reject = decision { (state, reason) = (.rejected, text) } else { (state, reason) = (.needsClearer, text) }
        }
        // An approval whose posting never finished (the server died between this claim and the posting) left the photo
        // `approved` with no purchase: once that claim is older than `receiptPhotoPostingGraceMs`, an approval may claim
        // it again. Posting is idempotent on channelRef = the photo's id, so a slow first posting still earns once.
        let stale: SQLQueryString = decision == .approve
            ? " OR (state = 'approved' AND purchase_id IS NULL AND reviewed_at_ms <= \(bind: nowMs - Self.receiptPhotoPostingGraceMs))"
            : ""
        let claimed = try await write { tx in
            let won = try await tx.sql.row("""
                UPDATE receipt_photos SET state = \(bind: state.rawValue), reason = \(bind: reason), reviewer = \(bind: actor),
                  reviewed_at_ms = \(bind: nowMs)
                WHERE id = \(bind: id) AND (state = 'submitted'\(stale)) RETURNING id
                """) != nil
            if won {
                try await self.audit(tx, actor: actor, action: "photo.\(state.rawValue)", subject: "member:\(photo.memberId)",
                                     detail: "photo=\(id) receipt=\(photo.receiptNo)")
            }
            return won
        }
        guard claimed else {
            throw DomainError(.conflict, field: "photo", rule: "photo.reviewed", zh: "这张照片已由他人审核", en: "this photo has already been reviewed")
        }
        guard decision == .approve else { return ReceiptPhotoReview(photo: try await receiptPhoto(id: id) ?? photo, posting: nil) }

        let posting: ChannelPosting
        do {
            posting = try await postFromChannel(try await photoPurchaseRequest(photo), actor: actor)
        } catch let e as DomainError where e.rule == "receipt.idempotency" {
            // The mall's receipt number is taken by a purchase with other content: this photo copies it.
            let first = try await sql.row("""
                SELECT id FROM purchases WHERE mall_id = \(bind: photo.mallId) AND receipt_no = \(bind: photo.receiptNo)
                """).map { try $0.int64("id") }
            posting = ChannelPosting(result: .duplicate, outcome: nil, duplicateOf: first, rule: "receipt")
        } catch {
            // Not posted: give the photo back to the queue, so a desk can try again or decide otherwise.
            try await write { tx in
                try await tx.sql.exec("""
                    UPDATE receipt_photos SET state = 'submitted', reviewer = NULL, reviewed_at_ms = NULL
                    WHERE id = \(bind: id) AND state = 'approved' AND purchase_id IS NULL
                    """)
            }
            throw error
        }
        try await write { tx in
            if posting.result == .duplicate {
                try await tx.sql.exec("""
                    UPDATE receipt_photos SET state = 'rejected', duplicate_of = \(bind: posting.duplicateOf),
                      reason = \(bind: "重复小票：该消费已积分 · Duplicate: this purchase has already earned points")
                    WHERE id = \(bind: id)
                    """)
                try await self.audit(tx, actor: actor, action: "photo.duplicate", subject: "member:\(photo.memberId)",
                                     detail: "photo=\(id) duplicateOf=\(posting.duplicateOf.map(String.init) ?? "") rule=\(posting.rule ?? "")")
            } else {
                try await tx.sql.exec("""
                    UPDATE receipt_photos SET purchase_id = (SELECT pu.id FROM purchases pu WHERE pu.mall_id = \(bind: photo.mallId)
                      AND pu.receipt_no = \(bind: photo.receiptNo)) WHERE id = \(bind: id)
                    """)
            }
        }
        return ReceiptPhotoReview(photo: try await receiptPhoto(id: id) ?? photo, posting: posting)
    }

    /// The purchase a photo stands for: its receipt number, time, counter and amount, the member by their active card
    /// (else their phone), channel `photo` and the photo's id as the channel's key.
    public func photoPurchaseRequest(_ photo: ReceiptPhoto) async throws -> PurchaseRequest {
        guard let member = try await member(id: photo.memberId), member.status == "active" else {
            throw DomainError(.notEligible, field: "member", rule: "member.active", zh: "会员不在有效状态", en: "the member is not active")
        }
        let card = member.cardState == .active ? member.cardNo : nil
        return PurchaseRequest(receiptNo: photo.receiptNo, occurredAt: photo.occurredAt, card: card,
                               phone: card == nil ? member.phone : nil,
                               lines: [PurchaseLineRequest(counter: photo.counterCode, amountFen: photo.amountFen)],
                               channel: .photo, channelRef: String(photo.id))
    }
}

/// SHA-256 of bytes as hex (a receipt photo's content key: the same photo sent twice is the same hash).
public func sha256Hex(bytes: [UInt8]) -> String {
    SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
}
