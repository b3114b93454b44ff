/// Card numbers: a prefix, a zero-padded serial and a Luhn check digit, so that a mistyped number is caught at
/// the till before it reaches the database.
public enum CardNumber {
    public static func make(prefix: String = "88", serial: Int64, width: Int = 9) -> String {
        let s = String(serial)
        let body = prefix + String(repeating: "0", count: max(0, width - s.count)) + s
        return body + String(checkDigit(body))
    }

    public static func isValid(_ number: String) -> Bool {
        guard number.count >= 2, number.allSatisfy(\.isASCIIDigitChar) else { return false }
        return checkDigit(String(number.dropLast())) == Int(String(number.last!))
    }

    /// Luhn: double every second digit from the right of the body.
    public static func checkDigit(_ body: String) -> Int {
        var sum = 0
        for (i, ch) in body.reversed().enumerated() {
            var d = Int(String(ch)) ?? 0
            if i % 2 == 0 { d *= 2; if d > 9 { d -= 9 } }
            sum += d
        }
        return (10 - sum % 10) % 10
    }
}

public enum CardState: String, Codable, Sendable, CaseIterable {
    /// Handed out in advance (community stand), not usable until activated at the desk.
    case inactive
    case active
    case lost
    /// Superseded by a new card; the member keeps balance and history.
    case replaced
    case closed

    public var label: LocalizedName {
        switch self {
        case .inactive: LocalizedName(zh: "未激活", en: "Not activated")
        case .active: LocalizedName(zh: "正常", en: "Active")
        case .lost: LocalizedName(zh: "挂失", en: "Lost")
        case .replaced: LocalizedName(zh: "已换卡", en: "Replaced")
        case .closed: LocalizedName(zh: "已注销", en: "Closed")
        }
    }
}
