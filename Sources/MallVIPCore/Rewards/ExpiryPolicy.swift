/// When earned points lapse (docs/domain.md §4: implied by expiring-points reminders, period unspecified).
/// `calendarYear` with `keepYears: 1`: points earned in 2025 expire at the end of 2026. Spending and expiry take the
/// oldest points first.
public struct ExpiryPolicy: Codable, Sendable, Equatable {
    public enum Mode: String, Codable, Sendable { case none, calendarYear }
    public var mode: Mode
    /// Whole calendar years kept after the year of earning.
    public var keepYears: Int

    public init(mode: Mode = .calendarYear, keepYears: Int = 1) {
        self.mode = mode
        self.keepYears = keepYears
    }

    enum CodingKeys: String, CodingKey { case mode, keepYears }
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        mode = try c.decodeIfPresent(Mode.self, forKey: .mode) ?? .calendarYear
        keepYears = try c.decodeIfPresent(Int.self, forKey: .keepYears) ?? 1
    }
}
