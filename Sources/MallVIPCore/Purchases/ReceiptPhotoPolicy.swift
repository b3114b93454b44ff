import Foundation

/// Receipt photos (拍照积分, issue 19; programme `photos`, docs/programme.md): the limits of a member's upload and the
/// desk's review clock. An upload is checked by its content (JPEG or PNG, `ReceiptImage`), not its name.
public struct ReceiptPhotoPolicy: Codable, Sendable, Equatable {
    /// Largest photo accepted, in bytes (1–8 MB, default 8 MB). The upload route's body limit follows it.
    public var maxBytes: Int
    /// Hours the desk has to review a photo (the SLA clock: due = uploaded + reviewHours; 1–168, default 24).
    public var reviewHours: Int
    /// Photos one member may have waiting for review at once (submitted or asked for a clearer one; 1–50, default 5).
    public var maxOpenPerMember: Int
    /// How old a receipt may be when photographed (days before the upload; 1–365, default 30). A purchase may not
    /// be backdated further than `purchases.maxBackdateDays` either: the lower of the two applies (`checkEntry`).
    public var maxAgeDays: Int

    public static let megabyte = 1 << 20

    public init(maxBytes: Int = 8 << 20, reviewHours: Int = 24, maxOpenPerMember: Int = 5, maxAgeDays: Int = 30) {
        self.maxBytes = maxBytes
        self.reviewHours = reviewHours
        self.maxOpenPerMember = maxOpenPerMember
        self.maxAgeDays = maxAgeDays
    }

    enum CodingKeys: String, CodingKey { case maxBytes, reviewHours, maxOpenPerMember, maxAgeDays }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = ReceiptPhotoPolicy()
        maxBytes = try c.decodeIfPresent(Int.self, forKey: .maxBytes) ?? d.maxBytes
        reviewHours = try c.decodeIfPresent(Int.self, forKey: .reviewHours) ?? d.reviewHours
        maxOpenPerMember = try c.decodeIfPresent(Int.self, forKey: .maxOpenPerMember) ?? d.maxOpenPerMember
        maxAgeDays = try c.decodeIfPresent(Int.self, forKey: .maxAgeDays) ?? d.maxAgeDays
    }

    /// The review's due time in epoch milliseconds for a photo uploaded at `createdAtMs`.
    public func dueAtMs(createdAtMs: Int64) -> Int64 { createdAtMs + Int64(reviewHours) * 3_600_000 }

    public func validationErrors(path: String) -> [(String, String)] {
        var out: [(String, String)] = []
        if !(Self.megabyte...(8 * Self.megabyte)).contains(maxBytes) {
            out.append(("\(path).maxBytes", "must be between 1048576 (1 MB) and 8388608 (8 MB)"))
        }
        if !(1...168).contains(reviewHours) { out.append(("\(path).reviewHours", "must be between 1 and 168")) }
        if !(1...50).contains(maxOpenPerMember) { out.append(("\(path).maxOpenPerMember", "must be between 1 and 50")) }
        if !(1...365).contains(maxAgeDays) { out.append(("\(path).maxAgeDays", "must be between 1 and 365")) }
        return out
    }
}

/// Where a receipt photo stands (receipt_photos.state).
public enum ReceiptPhotoState: String, Sendable, Equatable, CaseIterable, Codable {
    case submitted, approved, rejected, needsClearer

    public var label: (zh: String, en: String) {
        switch self {
        case .submitted: ("待审核", "waiting for review")
        case .approved: ("已通过，积分已到账", "approved, points added")
        case .rejected: ("未通过", "rejected")
        case .needsClearer: ("请重新上传清晰照片", "please send a clearer photo")
        }
    }
}

extension ReceiptPhotoPolicy {
    /// The fields a member types beside the photo, checked as a till's would be (the receipt number is a POS
    /// reference, the amount a positive fen amount) and against the policy's age: a receipt dated in the future (beyond
    /// the till's clock skew) or more than `maxAgeDays` (or `purchases.maxBackdateDays`, if lower) before `now` is refused, naming the field.
    public func checkEntry(receiptNo: String, amountFen: Int64, occurredAt: Date, now: Date, purchases: PurchasePolicy) throws {
        try Validate.reference(receiptNo, field: "receiptNo")
        try Validate.amount(amountFen, field: "amountFen")
        if occurredAt.timeIntervalSince(now) > TimeInterval(purchases.maxFutureSeconds) {
            throw DomainError.invalid("occurredAt", "photo.occurredAt.future", zh: "消费时间不能晚于现在", en: "the time of purchase cannot be in the future")
        }
        let days = min(maxAgeDays, purchases.maxBackdateDays)
        if now.timeIntervalSince(occurredAt) > TimeInterval(days) * 86_400 {
            throw DomainError.invalid("occurredAt", "photo.occurredAt.tooOld",
                                      zh: "只能上传 \(days) 天内的小票", en: "receipts older than \(days) days cannot be sent")
        }
    }
}
