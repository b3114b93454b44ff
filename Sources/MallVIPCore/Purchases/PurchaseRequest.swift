import Foundation

/// A purchase as a POS posts it. Amounts are fen actually paid.
public struct PurchaseRequest: Sendable, Equatable {
    public var receiptNo: String
    public var occurredAt: Date
    public var card: String?
    public var phone: String?
    public var lines: [PurchaseLineRequest]
    /// Set by the server, never by a client's body (PurchaseChannel).
    public var channel: PurchaseChannel
    /// The channel's own key of the purchase when it has one: a WeChat Pay transaction id, a receipt photo's id.
    public var channelRef: String?

    public init(receiptNo: String, occurredAt: Date, card: String? = nil, phone: String? = nil, lines: [PurchaseLineRequest],
                channel: PurchaseChannel = .pos, channelRef: String? = nil) {
        self.receiptNo = receiptNo
        self.occurredAt = occurredAt
        self.card = card
        self.phone = phone
        self.lines = lines
        self.channel = channel
        self.channelRef = channelRef
    }

    /// The canonical text of the request, hashed for the idempotency check: the same receipt posted again must
    /// carry the same content.
    public var fingerprint: String {
        var parts = [receiptNo, String(Int64((occurredAt.timeIntervalSince1970 * 1000).rounded())), card ?? "", phone ?? ""]
        parts += lines.map { "\($0.counter):\($0.amountFen):\($0.specialPrice ? 1 : 0)" }
        return parts.joined(separator: "|")
    }

    /// Checks shape and limits; the first problem found is thrown, naming its field.
    public func validate(now: Date, policy: PurchasePolicy) throws {
        try Validate.reference(receiptNo, field: "receiptNo")
        if let card, !CardNumber.isValid(card) {
            throw DomainError.invalid("card", "card.checkDigit", zh: "卡号无效（校验位不符）：\(card)", en: "card number \(card) is not valid (check digit)")
        }
        if let phone, !Identity.isValidPhone(phone) {
            throw DomainError.invalid("phone", "phone.format", zh: "手机号格式不正确", en: "phone must be an 11-digit mobile number")
        }
        if lines.isEmpty {
            throw DomainError.invalid("lines", "lines.nonEmpty", zh: "小票至少需要一行商品", en: "lines must contain at least one line")
        }
        if lines.count > 500 {
            throw DomainError.invalid("lines", "lines.max", zh: "小票行数过多（最多500行）", en: "lines must not exceed 500 lines")
        }
        for (i, line) in lines.enumerated() {
            try Validate.reference(line.counter, field: "lines[\(i)].counter")
            try Validate.amount(line.amountFen, field: "lines[\(i)].amountFen")
        }
        try policy.check(occurredAt: occurredAt, now: now)
    }
}

extension PurchasePolicy {
    /// A till's clock may run a little fast, and an offline till posts late, within the programme's limits.
    public func check(occurredAt: Date, now: Date) throws {
        let future = occurredAt.timeIntervalSince(now)
        if future > TimeInterval(maxFutureSeconds) {
            throw DomainError.invalid("occurredAt", "occurredAt.future",
                zh: "交易时间晚于当前时间超过 \(maxFutureSeconds) 秒", en: "occurredAt is more than \(maxFutureSeconds) seconds in the future")
        }
        if -future > TimeInterval(maxBackdateDays) * 86_400 {
            throw DomainError.invalid("occurredAt", "occurredAt.tooOld",
                zh: "交易时间早于 \(maxBackdateDays) 天前，不能补录", en: "occurredAt is more than \(maxBackdateDays) days in the past")
        }
    }
}

public struct PurchaseLineRequest: Sendable, Equatable {
    public var counter: String
    public var amountFen: Int64
    public var specialPrice: Bool
    public init(counter: String, amountFen: Int64, specialPrice: Bool = false) {
        self.counter = counter
        self.amountFen = amountFen
        self.specialPrice = specialPrice
    }
}

/// A refund of part or all of a receipt, by counter.
public struct RefundRequest: Sendable, Equatable {
    public var refundNo: String
    public var receiptNo: String
    public var lines: [RefundLineRequest]
    public init(refundNo: String, receiptNo: String, lines: [RefundLineRequest]) {
        self.refundNo = refundNo
        self.receiptNo = receiptNo
        self.lines = lines
    }

    public var fingerprint: String {
        ([refundNo, receiptNo] + lines.map { "\($0.counter):\($0.amountFen)" }).joined(separator: "|")
    }

    public func validate() throws {
        try Validate.reference(refundNo, field: "refundNo")
        try Validate.reference(receiptNo, field: "receiptNo")
        if lines.isEmpty {
            throw DomainError.invalid("lines", "lines.nonEmpty", zh: "退货至少需要一行", en: "lines must contain at least one line")
        }
        for (i, line) in lines.enumerated() {
            try Validate.reference(line.counter, field: "lines[\(i)].counter")
            try Validate.amount(line.amountFen, field: "lines[\(i)].amountFen")
        }
    }
}

public struct RefundLineRequest: Sendable, Equatable {
    public var counter: String
    public var amountFen: Int64
    public init(counter: String, amountFen: Int64) { self.counter = counter; self.amountFen = amountFen }
}

enum Validate {
    static func reference(_ value: String, field: String) throws {
        // Printable ASCII (! to ~) only: no space, no control character, no `|` (the fingerprint's separator).
        // The OpenAPI document states the same rule as the pattern ^[!-{}~]+$ (APIContract.referencePattern).
        guard !value.isEmpty, value.count <= 64,
              value.unicodeScalars.allSatisfy({ (0x21...0x7E).contains($0.value) && $0 != "|" }) else {
            throw DomainError.invalid(field, "reference.format", zh: "\(field) 必须是1–64位字母数字", en: "\(field) must be 1–64 printable ASCII characters without spaces")
        }
    }

    static func amount(_ fen: Int64, field: String) throws {
        guard fen > 0 else {
            throw DomainError.invalid(field, "amount.positive", zh: "金额必须大于0（单位：分）", en: "\(field) must be a positive amount in fen")
        }
        guard fen <= 100_000_000_00 else {
            throw DomainError.invalid(field, "amount.max", zh: "金额超出上限", en: "\(field) exceeds the maximum of 100,000,000 yuan")
        }
    }
}
