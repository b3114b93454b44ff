import Foundation
import MallVIPCore
import Vapor

/// The one parser for numbers that arrive in a query string or a form (issue 14, finding 2): plain ASCII digits
/// (an optional leading minus only where the range allows negatives), inside a domain range, else a 422 naming the
/// field and the rule. "1e99", "NaN", "0x10", 30 digits and Int64.max all end here as a 4xx, never as a trap later.
enum BoundedNumber {
    /// Ids in paths and queries: positive.
    static let id: ClosedRange<Int64> = 1...Int64.max
    static let count: ClosedRange<Int64> = 0...NumericLimits.maxCount
    static let money: ClosedRange<Int64> = 0...NumericLimits.maxMoneyFen
    static let points: ClosedRange<Int64> = 0...NumericLimits.maxPoints
    static let year: ClosedRange<Int64> = Int64(NumericLimits.years.lowerBound)...Int64(NumericLimits.years.upperBound)
    static let page: ClosedRange<Int64> = 1...100_000

    static func rangeError(_ field: String, _ range: ClosedRange<Int64>) -> DomainError {
        DomainError.invalid(field, "number.range",
                            zh: "\(field) 须为 \(range.lowerBound) 到 \(range.upperBound) 之间的整数",
                            en: "\(field) must be a whole number from \(range.lowerBound) to \(range.upperBound)")
    }

    /// A whole number in `range`; nil for nil or blank text.
    static func int(_ text: String?, field: String, _ range: ClosedRange<Int64>) throws -> Int64? {
        let t = (text ?? "").trimmingCharacters(in: .whitespaces)
        if t.isEmpty { return nil }
        let digits = t.hasPrefix("-") ? t.dropFirst() : Substring(t)
        guard !digits.isEmpty, digits.count <= 19, digits.allSatisfy({ $0.isASCII && $0.isNumber }),
              let v = Int64(t), range.contains(v) else {
            throw rangeError(field, range)
        }
        return v
    }

    /// A yuan amount ("1,240.50") as fen, 0 … `max`; nil for nil or blank text.
    static func yuan(_ text: String?, field: String, max: Int64 = NumericLimits.maxMoneyFen) throws -> Int64? {
        let t = (text ?? "").trimmingCharacters(in: .whitespaces)
        if t.isEmpty { return nil }
        guard let fen = Money.parseYuan(t), fen <= max else {
            throw DomainError.invalid(field, "amount.yuan",
                                      zh: "\(field) 须为 0 到 \(Money.yuan(max)) 元之间的金额，最多两位小数",
                                      en: "\(field) must be an amount in yuan from 0 to \(Money.yuan(max)), at most two decimals")
        }
        return fen
    }
}

extension Request {
    /// A numeric query parameter, bounded; nil when absent or blank.
    func boundedQuery(_ name: String, _ range: ClosedRange<Int64>) throws -> Int64? {
        try BoundedNumber.int(query[String.self, at: name], field: name, range)
    }
}
