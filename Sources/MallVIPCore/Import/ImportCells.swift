import Foundation

/// Parsers for the cells of import files as Chinese offices write them: full-width digits and punctuation, dates
/// with slashes, dashes, dots or 年月日, amounts with ¥ and thousands separators, phone numbers with +86 and spaces.
/// Each returns a value or the problem, never a guess.
public enum ImportCell {
    /// Full-width ASCII forms (Ａ–Ｚ, ０–９, ．，－＋：／ …) and the ideographic space become their plain forms;
    /// surrounding spaces (also no-break and zero-width) are trimmed.
    public static func normalize(_ s: String) -> String {
        var ascii = true
        for b in s.utf8 where b >= 0x80 { ascii = false; break }
        if ascii {
            let u = s.utf8
            guard let first = u.first, let last = u.last else { return s }
            if first != 0x20 && first != 0x09 && last != 0x20 && last != 0x09 { return s }
            return s.trimmingCharacters(in: .whitespaces)
        }
        var out = String.UnicodeScalarView()
        for scalar in s.unicodeScalars {
            switch scalar.value {
            case 0xFF01...0xFF5E: out.append(Unicode.Scalar(scalar.value - 0xFEE0)!)
            case 0x3000, 0x00A0: out.append(" ")
            case 0x200B, 0xFEFF: continue
            default: out.append(scalar)
            }
        }
        return String(out).trimmingCharacters(in: .whitespaces)
    }

    // MARK: dates

    /// A date with an optional time of day (seconds since midnight).
    public struct DateTime: Sendable, Equatable {
        public var date: LocalDate
        public var seconds: Int?
        public init(date: LocalDate, seconds: Int? = nil) {
            self.date = date
            self.seconds = seconds
        }
    }

    public static let dateFormats = "2013-11-05, 2013/11/05, 2013.11.05, 2013年11月5日, 20131105 (+ HH:mm[:ss])"

    public enum DateProblem: Error, Equatable {
        case format
        /// A number such as 41583: Excel's day count, the column is not formatted as a date.
        case excelSerial
        case impossible
    }

    /// 2013-11-05, 2013/11/5, 2013.11.05, 2013年11月5日, 20131105, each optionally followed by a time
    /// `H:mm` or `H:mm:ss` (after a space or `T`; `2013/11/5 14:30`, `2013年11月5日 14:30:05`).
    public static func parseDate(_ raw: String) -> Result<DateTime, DateProblem> {
        let s = normalize(raw)
        var digits: [Int] = []     // the numbers in order
        var lengths: [Int] = []
        var seps: [Character] = []
        var current = 0, length = 0
        if isPlainASCII(s) {
            // The same reading byte by byte (an ASCII byte is one Character): most files are ASCII, and walking
            // Characters was a large share of reading a big file.
            for b in s.utf8 {
                if b >= 0x30 && b <= 0x39 {
                    current = current * 10 + Int(b - 0x30)
                    length += 1
                    if length > 8 { return .failure(.format) }
                } else {
                    if length > 0 { digits.append(current); lengths.append(length) }
                    current = 0
                    length = 0
                    if digits.isEmpty { return .failure(.format) }
                    seps.append(Character(Unicode.Scalar(b)))
                }
            }
        } else {
            for ch in s {
                if let d = ch.wholeNumberValue, ch.isASCII {
                    current = current * 10 + d
                    length += 1
                    if length > 8 { return .failure(.format) }
                } else {
                    if length > 0 { digits.append(current); lengths.append(length) }
                    current = 0
                    length = 0
                    if digits.isEmpty { return .failure(.format) }
                    seps.append(ch)
                }
            }
        }
        if length > 0 { digits.append(current); lengths.append(length) }
        var date: LocalDate
        var rest: ArraySlice<Int>
        var restSeps: ArraySlice<Character>
        if digits.count >= 1 && lengths[0] == 8 {
            // 20131105
            let n = digits[0]
            guard let d = validDate(n / 10_000, n / 100 % 100, n % 100) else { return .failure(.impossible) }
            date = d
            rest = digits.dropFirst()
            restSeps = seps[...]
        } else if digits.count >= 3 && lengths[0] == 4 && lengths[1] <= 2 && lengths[2] <= 2 {
            let (a, b) = (seps[0], seps[1])
            let ok = (a == b && "-/.".contains(a)) || (a == "年" && b == "月")
            guard ok else { return .failure(.format) }
            guard let d = validDate(digits[0], digits[1], digits[2]) else { return .failure(.impossible) }
            date = d
            rest = digits.dropFirst(3)
            restSeps = seps.dropFirst(2)
            if a == "年" {
                // 日 is expected after the day (some write it without).
                if restSeps.first == "日" { restSeps = restSeps.dropFirst() }
            }
        } else if digits.count == 1 && lengths[0] == 5 && seps.isEmpty || (digits.count == 2 && lengths[0] == 5 && seps == ["."]) {
            return .failure(.excelSerial)
        } else {
            return .failure(.format)
        }
        if rest.isEmpty {
            return restSeps.allSatisfy({ $0 == " " }) ? .success(DateTime(date: date)) : .failure(.format)
        }
        // The time: a separator (space or T), then H:mm[:ss].
        guard let lead = restSeps.first, lead == " " || lead == "T" else { return .failure(.format) }
        let timeSeps = restSeps.dropFirst().filter { $0 != " " }
        guard (rest.count == 2 && timeSeps.elementsEqual([":"])) || (rest.count == 3 && timeSeps.elementsEqual([":", ":"])) else {
            return .failure(.format)
        }
        let h = rest[rest.startIndex], m = rest[rest.startIndex + 1], sec = rest.count == 3 ? rest[rest.startIndex + 2] : 0
        guard h < 24, m < 60, sec < 60 else { return .failure(.impossible) }
        return .success(DateTime(date: date, seconds: h * 3600 + m * 60 + sec))
    }

    /// A time of day `H:mm` or `H:mm:ss`, as seconds since midnight.
    public static func parseTime(_ raw: String) -> Int? {
        let parts = normalize(raw).split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2 || parts.count == 3,
              parts.allSatisfy({ !$0.isEmpty && $0.count <= 2 && $0.allSatisfy { $0.isASCII && $0.isNumber } }) else { return nil }
        let n = parts.map { Int($0)! }
        guard n[0] < 24, n[1] < 60, (n.count == 2 || n[2] < 60), parts[1].count == 2, (n.count == 2 || parts[2].count == 2) else { return nil }
        return n[0] * 3600 + n[1] * 60 + (n.count == 3 ? n[2] : 0)
    }

    static func validDate(_ y: Int, _ m: Int, _ d: Int) -> LocalDate? {
        guard (1900...2999).contains(y), (1...12).contains(m), d >= 1, d <= LocalDate.daysIn(year: y, month: m) else { return nil }
        return LocalDate(year: y, month: m, day: d)
    }

    // MARK: amounts

    public enum AmountProblem: Error, Equatable {
        case empty
        case format
        case negative
        /// More than two decimals that are not zeros: not a whole number of fen.
        case fraction
        /// 1.2E+05: Excel's scientific notation.
        case scientific
        case tooLarge
    }

    /// A yuan amount to fen, exactly: `1234.5`, `1,234.50`, `¥1,234.50`, `￥88`, `88元`, `RMB 88`, full-width
    /// `１，２３４．５０`. Negative amounts (`-5`, `(5.00)`) are reported as such for the caller to refuse or accept.
    public static func parseAmount(_ raw: String) -> Result<Int64, AmountProblem> {
        if let fen = plainAmount(raw) { return .success(fen) }
        var s = normalize(raw)
        if s.isEmpty { return .failure(.empty) }
        var negative = false
        if s.hasPrefix("(") && s.hasSuffix(")") { negative = true; s = String(s.dropFirst().dropLast()) }
        s = s.replacingOccurrences(of: " ", with: "")
        for sign in ["-", "−"] where s.hasPrefix(sign) { negative = true; s = String(s.dropFirst()) }
        for prefix in ["¥", "￥", "RMB", "rmb", "CNY", "cny"] where s.hasPrefix(prefix) { s = String(s.dropFirst(prefix.count)); break }
        if s.hasPrefix("-") { negative = true; s = String(s.dropFirst()) }
        for suffix in ["元", "圆", "RMB", "CNY"] where s.hasSuffix(suffix) { s = String(s.dropLast(suffix.count)); break }
        if s.isEmpty { return .failure(.format) }
        if s.contains(where: { $0 == "E" || $0 == "e" }) && s.contains(where: \.isNumber) { return .failure(.scientific) }
        var parts = s.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2, let whole = parts.first, !whole.isEmpty else { return .failure(.format) }
        if whole.contains(",") {
            let groups = whole.split(separator: ",", omittingEmptySubsequences: false)
            guard groups[0].count >= 1, groups[0].count <= 3, groups.dropFirst().allSatisfy({ $0.count == 3 }) else { return .failure(.format) }
        }
        let wholeDigits = whole.replacingOccurrences(of: ",", with: "")
        guard wholeDigits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return .failure(.format) }
        if parts.count == 2 {
            var frac = parts[1]
            guard !frac.isEmpty, frac.allSatisfy({ $0.isASCII && $0.isNumber }) else { return .failure(.format) }
            while frac.count > 2 && frac.last == "0" { frac = frac.dropLast() }
            guard frac.count <= 2 else { return .failure(.fraction) }
            parts[1] = frac
        }
        guard wholeDigits.count <= 15, let fen = Money.parseYuan(wholeDigits + (parts.count == 2 ? "." + parts[1] : "")) else {
            return .failure(.tooLarge)
        }
        if negative && fen != 0 { return .failure(.negative) }
        return .success(fen)
    }

    /// `1234`, `1234.5`, `1234.50` and nothing else (no sign, separators or spaces; at most 15 digits before the
    /// point): what `parseAmount` reads from such a cell, read byte by byte; nil for anything else, which then takes
    /// the general path.
    static func plainAmount(_ s: String) -> Int64? {
        var whole: Int64 = 0, wholeDigits = 0, frac: Int64 = 0, fracDigits = 0, point = false
        for b in s.utf8 {
            if b >= 0x30 && b <= 0x39 {
                if point {
                    fracDigits += 1
                    if fracDigits > 2 { return nil }
                    frac = frac * 10 + Int64(b - 0x30)
                } else {
                    wholeDigits += 1
                    if wholeDigits > 15 { return nil }
                    whole = whole * 10 + Int64(b - 0x30)
                }
            } else if b == 0x2E && !point && wholeDigits > 0 {
                point = true
            } else {
                return nil
            }
        }
        guard wholeDigits > 0, !point || fracDigits > 0 else { return nil }
        return whole * 100 + (fracDigits == 1 ? frac * 10 : frac)
    }

    /// ASCII without control characters: each byte is one Character (no CR LF pair), and `normalize` leaves the
    /// text as it is unless it starts or ends with a space or tab.
    static func isPlainASCII(_ s: String) -> Bool {
        for b in s.utf8 where b < 0x20 || b >= 0x7F { return false }
        return true
    }

    /// A whole number such as a points balance: `1200`, `1,200`, full-width digits. Nil when it is not one.
    public static func parseInteger(_ raw: String) -> Int64? {
        let s = normalize(raw)
        guard !s.isEmpty else { return nil }
        let negative = s.hasPrefix("-")
        let body = negative ? String(s.dropFirst()) : s
        if body.contains(",") {
            let groups = body.split(separator: ",", omittingEmptySubsequences: false)
            guard groups[0].count >= 1, groups[0].count <= 3, groups.dropFirst().allSatisfy({ $0.count == 3 }) else { return nil }
        }
        let digits = body.replacingOccurrences(of: ",", with: "")
        guard !digits.isEmpty, digits.count <= 15, digits.allSatisfy({ $0.isASCII && $0.isNumber }), let n = Int64(digits) else { return nil }
        return negative ? -n : n
    }

    // MARK: phones, codes, flags

    /// A mainland mobile number from `138 0013 8000`, `138-0013-8000`, `+86 138…`, `0086138…`, `86138…`:
    /// the 11 digits, or nil when what is left is not a mobile number.
    public static func phone(_ raw: String) -> String? {
        // 11 ASCII digits, the usual cell: the general reading below would keep them as they are.
        let u = raw.utf8
        if u.count == 11 && u.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) { return Identity.isValidPhone(raw) ? raw : nil }
        var digits = ""
        var plus = false
        for ch in normalize(raw) {
            if ch.isASCII, ch.isNumber { digits.append(ch) }
            else if ch == "+" && digits.isEmpty { plus = true }
            else if " -()./".contains(ch) { continue }
            else { return nil }
        }
        if digits.hasPrefix("0086") && digits.count == 15 { digits.removeFirst(4) }
        else if digits.hasPrefix("86") && digits.count == 13 { digits.removeFirst(2) }
        else if plus { return nil }
        return Identity.isValidPhone(digits) ? digits : nil
    }

    /// True when a cell holds a number in Excel's scientific notation (8.8E+10): a long card number Excel has
    /// already rounded, which cannot be recovered from the file.
    public static func isScientific(_ s: String) -> Bool {
        if !s.utf8.contains(where: { $0 == 0x45 || $0 == 0x65 || $0 >= 0x80 }) { return false }   // no E (nor ｅ, Ｅ) at all
        let u = s.uppercased()
        guard let e = u.firstIndex(of: "E"), e != u.startIndex else { return false }
        let mantissa = u[..<e], exponent = u[u.index(after: e)...].drop { $0 == "+" || $0 == "-" }
        return !exponent.isEmpty && exponent.allSatisfy(\.isNumber) && mantissa.allSatisfy { $0.isNumber || $0 == "." }
    }

    /// 男/女, M/F, male/female, 先生/女士, and the national standard's 1/2 (0 or 9: unknown).
    public static func gender(_ raw: String) -> Gender? {
        switch normalize(raw).lowercased() {
        case "": return .unknown
        case "男", "男性", "m", "male", "先生", "1": return .male
        case "女", "女性", "f", "female", "女士", "2": return .female
        case "未知", "u", "unknown", "0", "9", "-": return .unknown
        default: return nil
        }
    }

    /// 是/否, Y/N, yes/no, true/false, 1/0, √/×.
    public static func flag(_ raw: String) -> Bool? {
        switch normalize(raw).lowercased() {
        case "是", "y", "yes", "true", "1", "√", "✓", "对", "有", "参与", "参加": return true
        case "否", "n", "no", "false", "0", "×", "✗", "x", "错", "无", "不参与", "不参加": return false
        default: return nil
        }
    }
}
