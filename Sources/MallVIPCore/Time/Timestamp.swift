import Foundation

/// ISO 8601 timestamps as tills send them: `2026-11-25T10:00:00+08:00`, `…Z`, `…+0800`, with optional fractional
/// seconds. The offset is required: a time without one is ambiguous. Hand-parsed because a Foundation format
/// style per request was a measurable share of a purchase post.
public enum Timestamp {
    public static func parse(_ text: String) -> Date? {
        let b = Array(text.utf8)
        var i = 0
        func digits(_ n: Int) -> Int? {
            guard i + n <= b.count else { return nil }
            var v = 0
            for k in 0..<n {
                let c = b[i + k]
                guard c >= 48 && c <= 57 else { return nil }
                v = v * 10 + Int(c - 48)
            }
            i += n
            return v
        }
        func expect(_ c: UInt8) -> Bool {
            guard i < b.count, b[i] == c else { return false }
            i += 1
            return true
        }
        guard let y = digits(4), expect(45), let mo = digits(2), expect(45), let d = digits(2),
              i < b.count, b[i] == 84 || b[i] == 116 else { return nil }   // T or t
        i += 1
        guard let h = digits(2), expect(58), let mi = digits(2), expect(58), let s = digits(2) else { return nil }
        guard (1...12).contains(mo), d >= 1, d <= LocalDate.daysIn(year: y, month: mo), h < 24, mi < 60, s < 60 else { return nil }
        var fraction = 0.0
        if i < b.count, b[i] == 46 {   // .
            i += 1
            var scale = 0.1
            let start = i
            while i < b.count, b[i] >= 48 && b[i] <= 57 {
                fraction += Double(b[i] - 48) * scale
                scale /= 10
                i += 1
            }
            guard i > start else { return nil }
        }
        guard i < b.count else { return nil }
        var offset = 0
        if b[i] == 90 || b[i] == 122 {   // Z
            i += 1
        } else if b[i] == 43 || b[i] == 45 {   // + -
            let sign = b[i] == 45 ? -1 : 1
            i += 1
            guard let oh = digits(2) else { return nil }
            _ = expect(58)
            guard let om = digits(2), oh < 24, om < 60 else { return nil }
            offset = sign * (oh * 3600 + om * 60)
        } else {
            return nil
        }
        guard i == b.count else { return nil }
        let days = LocalDate(year: y, month: mo, day: d).dayNumber
        let seconds = days * 86_400 + h * 3600 + mi * 60 + s - offset
        return Date(timeIntervalSince1970: TimeInterval(seconds) + fraction)
    }
}
