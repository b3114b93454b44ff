/// Coupon codes (docs/domain.md §5.3): the programme's prefix and random Crockford base-32 characters, so a code read
/// aloud or typed at a till survives O/0 and I/1 confusion. Uniqueness is the store's job (it retries a collision).
public enum CouponCode {
    public static func generate<R: RandomNumberGenerator>(_ policy: CouponPolicy, using rng: inout R) -> String {
        let alphabet = ReferralCode.alphabet
        var out = policy.codePrefix.uppercased()
        for _ in 0..<max(1, policy.codeLength) {
            out.append(alphabet[Int(rng.next(upperBound: UInt64(alphabet.count)))])
        }
        return out
    }

    /// What a cashier typed or scanned, as stored: upper case, spaces and dashes dropped; in the random part O is read
    /// as 0 and I/L as 1. The prefix is kept as written (it may contain any letter). nil when it cannot be a code.
    public static func normalize(_ text: String, prefix: String) -> String? {
        var t = text.uppercased().filter { $0 != " " && $0 != "-" }
        let p = prefix.uppercased()
        guard !t.isEmpty, t.count <= 64 else { return nil }
        var head = ""
        if !p.isEmpty, t.hasPrefix(p) {
            head = p
            t.removeFirst(p.count)
        }
        var body = ""
        for ch in t {
            switch ch {
            case "O": body.append("0")
            case "I", "L": body.append("1")
            default:
                guard ReferralCode.alphabet.contains(ch) else { return nil }
                body.append(ch)
            }
        }
        return body.isEmpty ? nil : head + body
    }
}

/// What a coupon takes off a bill: a face value (capped at the bill) or a percentage (`discountPermille` 880 = 8.8折,
/// 12% off, rounded half up to the fen like every other discount).
public struct CouponValue: Sendable, Equatable, Codable {
    public var faceFen: Int64?
    public var discountPermille: Int?
    public init(faceFen: Int64?, discountPermille: Int?) {
        self.faceFen = faceFen
        self.discountPermille = discountPermille
    }

    public func discount(onAmountFen amount: Int64) -> Int64 {
        guard amount > 0 else { return 0 }
        if let face = faceFen { return min(max(0, face), amount) }
        if let p = discountPermille { return amount - Money.apply(permille: min(1000, max(0, p)), to: amount) }
        return 0
    }

    /// "50 元" / "8.8折", for pages and messages.
    public func label(_ language: Language) -> String {
        if let face = faceFen { return language == .en ? "¥\(Money.yuan(face, decimals: face % 100 != 0)) off" : "\(Money.yuan(face, decimals: face % 100 != 0)) 元" }
        if let p = discountPermille {
            let off = 1000 - p
            let pct = off % 10 == 0 ? "\(off / 10)" : "\(off / 10).\(off % 10)"
            return language == .en ? "\(pct)% off" : Zhe.format(p)
        }
        return ""
    }
}
