/// Arithmetic that cannot trap (issue 14, finding 2). A Swift `+`, `-` or `*` that overflows Int64 stops the whole
/// server, so money, points and counts that came from outside (query, form, JSON, CSV, programme YAML, or stored
/// from any of those earlier) go through here: `Checked` turns overflow into a `DomainError` naming the field (a
/// 4xx), `Saturating` clamps to Int64's range where the figure is only shown (a report line, a plan projection).
///
/// `NumericLimits` holds the domain bounds every numeric input is checked against at the edge; with inputs inside
/// them, sums of a few million of them and products with a per-mille rate stay far inside Int64.
public enum NumericLimits {
    /// 10^12 fen = 10 billion yuan: more than any mall's yearly sales, far below Int64 (9.2 × 10^18).
    public static let maxMoneyFen: Int64 = 1_000_000_000_000
    /// Points balances, rewards, adjustments.
    public static let maxPoints: Int64 = 1_000_000_000_000
    /// Counts and quantities: members, VIPs, units, tickets.
    public static let maxCount: Int64 = 1_000_000_000
    /// Years a person may type (report years, targets, costs).
    public static let years: ClosedRange<Int> = 2000...2100
}

/// Overflow becomes a 422 naming the field.
public enum Checked {
    public static func overflow(_ field: String) -> DomainError {
        DomainError.invalid(field, "number.overflow", zh: "\(field) 数值过大，超出可计算范围",
                            en: "\(field) is too large: the result is out of range")
    }

    public static func add(_ a: Int64, _ b: Int64, field: String) throws -> Int64 {
        let (r, o) = a.addingReportingOverflow(b)
        if o { throw overflow(field) }
        return r
    }

    public static func subtract(_ a: Int64, _ b: Int64, field: String) throws -> Int64 {
        let (r, o) = a.subtractingReportingOverflow(b)
        if o { throw overflow(field) }
        return r
    }

    public static func multiply(_ a: Int64, _ b: Int64, field: String) throws -> Int64 {
        let (r, o) = a.multipliedReportingOverflow(by: b)
        if o { throw overflow(field) }
        return r
    }

    public static func sum<S: Sequence>(_ values: S, field: String) throws -> Int64 where S.Element == Int64 {
        try values.reduce(0) { try add($0, $1, field: field) }
    }

    /// A value that must lie in `range`, else a 422 naming the field and the range.
    @discardableResult
    public static func bounded(_ value: Int64, _ range: ClosedRange<Int64>, field: String) throws -> Int64 {
        guard range.contains(value) else {
            throw DomainError.invalid(field, "number.range", zh: "\(field) 须在 \(range.lowerBound) 到 \(range.upperBound) 之间",
                                      en: "\(field) must be from \(range.lowerBound) to \(range.upperBound)")
        }
        return value
    }
}

/// Clamps to Int64's range instead of trapping: for figures that are only displayed.
public enum Saturating {
    public static func add(_ a: Int64, _ b: Int64) -> Int64 {
        let (r, o) = a.addingReportingOverflow(b)
        return o ? (b > 0 ? .max : .min) : r
    }

    public static func subtract(_ a: Int64, _ b: Int64) -> Int64 {
        let (r, o) = a.subtractingReportingOverflow(b)
        return o ? (b < 0 ? .max : .min) : r
    }

    public static func multiply(_ a: Int64, _ b: Int64) -> Int64 {
        let (r, o) = a.multipliedReportingOverflow(by: b)
        return o ? ((a < 0) == (b < 0) ? .max : .min) : r
    }

    public static func sum<S: Sequence>(_ values: S) -> Int64 where S.Element == Int64 {
        values.reduce(0) { add($0, $1) }
    }

    /// a ÷ b without trapping on Int64.min ÷ −1 (b ≠ 0).
    public static func divide(_ a: Int64, _ b: Int64) -> Int64 {
        let (r, o) = a.dividedReportingOverflow(by: b)
        return o ? .max : r
    }

    /// `-x` without trapping on Int64.min.
    public static func negate(_ x: Int64) -> Int64 { x == .min ? .max : -x }

    /// Int from Int64 (same width on 64-bit platforms; clamps elsewhere).
    public static func int(_ x: Int64) -> Int { Int(clamping: x) }
}
