/// A calendar month in the programme's time zone, the period of the points liability roll-forward (docs/finance.md).
/// Written `YYYY-MM` (CLI `--month`, query `month=`, CSV, the closed-months table as `year × 100 + month`).
public struct FinanceMonth: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public let year: Int
    public let month: Int

    public init(year: Int, month: Int) {
        precondition((1...12).contains(month), "month 1–12")
        self.year = year
        self.month = month
    }

    /// `YYYY-MM`, year 1970–9999, month 01–12; nil otherwise.
    public init?(_ text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 4, parts[1].count == 2,
              parts[0].allSatisfy(\.isASCIIDigitChar), parts[1].allSatisfy(\.isASCIIDigitChar),
              let y = Int(parts[0]), let m = Int(parts[1]), (1970...9999).contains(y), (1...12).contains(m) else { return nil }
        self.init(year: y, month: m)
    }

    public init(_ date: LocalDate) { self.init(year: date.year, month: date.month) }

    /// `year × 100 + month` (202603), as stored.
    public init?(key: Int) {
        guard (1...12).contains(key % 100) else { return nil }
        self.init(year: key / 100, month: key % 100)
    }

    public var key: Int { year * 100 + month }
    public var next: FinanceMonth { month == 12 ? FinanceMonth(year: year + 1, month: 1) : FinanceMonth(year: year, month: month + 1) }
    public var previous: FinanceMonth { month == 1 ? FinanceMonth(year: year - 1, month: 12) : FinanceMonth(year: year, month: month - 1) }
    public var firstDay: LocalDate { LocalDate(year: year, month: month, day: 1) }
    public var lastDay: LocalDate { LocalDate(year: year, month: month, day: LocalDate.daysIn(year: year, month: month)) }

    /// The months from `self` through `last`, in order (empty when `last` is earlier).
    public func through(_ last: FinanceMonth) -> [FinanceMonth] {
        var out: [FinanceMonth] = []
        var m = self
        while m <= last { out.append(m); m = m.next }
        return out
    }

    public var description: String {
        let y = String(year), m = String(month)
        return String(repeating: "0", count: max(0, 4 - y.count)) + y + "-" + (m.count == 1 ? "0" : "") + m
    }

    public static func < (a: FinanceMonth, b: FinanceMonth) -> Bool { a.key < b.key }

    public init(from decoder: Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let m = FinanceMonth(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "expected YYYY-MM, got \(text)"))
        }
        self = m
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}
