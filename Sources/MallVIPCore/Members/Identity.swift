/// Checks and masks for personal identifiers.
public enum Identity {
    /// Mainland mobile numbers: 11 digits starting 1[3-9].
    public static func isValidPhone(_ phone: String) -> Bool {
        let chars = Array(phone)
        guard chars.count == 11, chars.allSatisfy(\.isASCIIDigitChar), chars[0] == "1" else { return false }
        return ("3"..."9").contains(chars[1])
    }

    /// 18-character resident ID (GB 11643-1999) with its ISO 7064 MOD 11-2 check character.
    public static func isValidNationalID(_ id: String) -> Bool {
        let chars = Array(id.uppercased())
        guard chars.count == 18, chars.prefix(17).allSatisfy(\.isASCIIDigitChar),
              chars[17].isASCIIDigitChar || chars[17] == "X" else { return false }
        return nationalIDCheck(String(chars.prefix(17))) == chars[17]
    }

    public static func nationalIDCheck(_ body17: String) -> Character {
        let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
        let sum = zip(body17, weights).reduce(0) { $0 + (Int(String($1.0)) ?? 0) * $1.1 }
        return Array("10X98765432")[sum % 11]
    }

    /// For the customer-facing screen: 张三 → 张*, 欧阳娜娜 → 欧***.
    public static func maskName(_ name: String) -> String {
        let trimmed = name.trimmingCharacters(in: .whitespaces)
        guard let first = trimmed.first else { return "*" }
        return String(first) + String(repeating: "*", count: max(1, trimmed.count - 1))
    }

    /// 138****0001
    public static func maskPhone(_ phone: String) -> String {
        guard phone.count >= 7 else { return String(repeating: "*", count: phone.count) }
        return String(phone.prefix(3)) + "****" + String(phone.suffix(4))
    }

    /// 110105********123X
    public static func maskNationalID(_ id: String) -> String {
        guard id.count >= 10 else { return String(repeating: "*", count: id.count) }
        return String(id.prefix(6)) + String(repeating: "*", count: id.count - 10) + String(id.suffix(4))
    }
}

public enum Gender: String, Codable, Sendable, CaseIterable {
    case female, male, unknown
    public var label: LocalizedName {
        switch self {
        case .female: LocalizedName(zh: "女", en: "Female")
        case .male: LocalizedName(zh: "男", en: "Male")
        case .unknown: LocalizedName(zh: "未知", en: "Unknown")
        }
    }
    /// 先生/女士 for greetings.
    public var title: LocalizedName {
        switch self {
        case .female: LocalizedName(zh: "女士", en: "Ms")
        case .male: LocalizedName(zh: "先生", en: "Mr")
        case .unknown: LocalizedName(zh: "", en: "")
        }
    }
}

import Foundation
