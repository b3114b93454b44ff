/// A member's referral code (推荐码): seven Crockford base-32 characters derived from the member id by a
/// bijection on 35 bits, so codes are unique without a retry loop, and neighbouring members get unrelated codes.
public enum ReferralCode {
    public static let length = 7
    static let alphabet = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ")
    static let mask: UInt64 = (1 << 35) - 1

    public static func forMember(_ id: Int64) -> String {
        precondition(id >= 0 && UInt64(id) <= mask, "member id out of the referral code range")
        // Each step is invertible modulo 2^35 (odd multipliers, xor with a right shift), so the whole map is.
        var x = (UInt64(id) &+ 0x1F2E3D4C5) & mask
        x = (x &* 0x5DEECE66D) & mask
        x ^= x >> 17
        x = (x &* 0x4F6CDD1D) & mask
        x ^= x >> 13
        var out = [Character](repeating: "0", count: length)
        for i in (0..<length).reversed() {
            out[i] = alphabet[Int(x & 31)]
            x >>= 5
        }
        return String(out)
    }

    /// What a customer typed, as stored: upper case, separators dropped, O read as 0 and I/L as 1 (Crockford).
    /// nil when it cannot be a code.
    public static func normalize(_ text: String) -> String? {
        var out = ""
        for ch in text.uppercased() where ch != " " && ch != "-" {
            switch ch {
            case "O": out.append("0")
            case "I", "L": out.append("1")
            default:
                guard alphabet.contains(ch) else { return nil }
                out.append(ch)
            }
        }
        return out.count == length ? out : nil
    }
}
