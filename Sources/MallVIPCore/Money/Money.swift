/// Money is integer fen (1 yuan = 100 fen) everywhere; never floating point. These helpers parse and format it.
public enum Money {
    /// Parses a yuan amount written by a person ("3000", "2999.99", "1,240.5") into fen, exactly.
    /// Returns nil for anything that is not a plain non-negative decimal with at most two decimals.
    public static func parseYuan(_ text: String) -> Int64? {
        let cleaned = text.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: ",", with: "")
        guard !cleaned.isEmpty else { return nil }
        let parts = cleaned.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2, let whole = parts.first, !whole.isEmpty, whole.allSatisfy(\.isASCIIDigitChar),
              let yuan = Int64(whole) else { return nil }
        var fen: Int64 = 0
        if parts.count == 2 {
            let frac = parts[1]
            guard !frac.isEmpty, frac.count <= 2, frac.allSatisfy(\.isASCIIDigitChar) else { return nil }
            fen = Int64(frac)! * (frac.count == 1 ? 10 : 1)
        }
        let (product, overflow) = yuan.multipliedReportingOverflow(by: 100)
        guard !overflow else { return nil }
        let (total, sumOverflow) = product.addingReportingOverflow(fen)
        guard !sumOverflow else { return nil }
        return total
    }

    /// "1,240.00" style, as shown to staff; "1240.00" without grouping, for files a spreadsheet reads as numbers.
    /// Negative amounts keep their sign.
    public static func yuan(_ fen: Int64, decimals: Bool = true, grouping: Bool = true) -> String {
        let negative = fen < 0
        let magnitude = fen.magnitude
        let whole = grouping ? grouped(magnitude / 100) : String(magnitude / 100)
        let cents = magnitude % 100
        var text = whole
        if decimals {
            text += "." + (cents < 10 ? "0" : "") + String(cents)
        }
        return (negative ? "-" : "") + text
    }

    /// Whole yuan, rounded up, for "还差 1,240 元" style messages: a shortfall of 0.01 is still 1 yuan to go.
    public static func yuanCeil(_ fen: Int64) -> String {
        let yuan = fen <= 0 ? 0 : fen / 100 + (fen % 100 == 0 ? 0 : 1)
        return grouped(UInt64(yuan))
    }

    static func grouped(_ value: UInt64) -> String {
        let digits = Array(String(value))
        var out = ""
        for (i, d) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(d)
        }
        return out
    }

    /// Applies a per-mille rate (880 = 8.8折) to an amount, rounding half up to the fen.
    public static func apply(permille: Int, to fen: Int64) -> Int64 {
        Saturating.add(Saturating.multiply(fen, Int64(permille)), 500) / 1000
    }
}

/// A discount written the Chinese way: "8.8" 折 means 88% is paid, 880 per mille. "10" or "" means no discount.
public enum Zhe {
    public static func parse(_ text: String) -> Int? {
        let t = text.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "折", with: "")
        guard let tenths = Money.parseYuan(t) else { return nil }   // same decimal grammar, 2 decimals max
        // parseYuan gives hundredths: "8.8" -> 880, "8" -> 800, "9.55" -> 955; i.e. per mille of the price.
        guard tenths > 0, tenths <= 1000 else { return nil }
        return Int(tenths)
    }

    public static func format(_ permille: Int) -> String {
        if permille >= 1000 { return "无折扣" }
        if permille % 100 == 0 { return "\(permille / 100)折" }
        if permille % 10 == 0 { return "\(permille / 100).\(permille / 10 % 10)折" }
        return "\(permille / 100).\(permille / 10 % 10)\(permille % 10)折"
    }
}

extension Character {
    var isASCIIDigitChar: Bool { ("0"..."9").contains(self) }
}

import Foundation
