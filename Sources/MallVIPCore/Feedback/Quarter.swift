/// A calendar quarter, the period of the feedback report ("2026-Q4").
public struct Quarter: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let year: Int
    /// 1…4
    public let number: Int

    public init(year: Int, number: Int) {
        precondition((1...4).contains(number))
        self.year = year
        self.number = number
    }

    public init(_ day: LocalDate) { self.init(year: day.year, number: (day.month - 1) / 3 + 1) }

    public init?(_ key: String) {
        let parts = key.split(separator: "-")
        guard parts.count == 2, let y = Int(parts[0]), parts[1].hasPrefix("Q"),
              let q = Int(parts[1].dropFirst()), (1...4).contains(q) else { return nil }
        self.init(year: y, number: q)
    }

    public var key: String { "\(year)-Q\(number)" }
    public var description: String { key }
    public var firstDay: LocalDate { LocalDate(year: year, month: (number - 1) * 3 + 1, day: 1) }
    public var next: Quarter { number == 4 ? Quarter(year: year + 1, number: 1) : Quarter(year: year, number: number + 1) }
    public var previous: Quarter { number == 1 ? Quarter(year: year - 1, number: 4) : Quarter(year: year, number: number - 1) }

    public static func < (a: Quarter, b: Quarter) -> Bool { (a.year, a.number) < (b.year, b.number) }
}
