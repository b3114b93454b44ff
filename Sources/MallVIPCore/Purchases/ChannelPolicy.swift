/// One purchase, one earning (issue 19, docs/programme.md `channels`): how a second channel's copy of a purchase is
/// recognised. Exact keys (the channel's own reference, the mall's receipt number) need no setting; the looser match —
/// another channel's purchase at the same counter for the same amount close in time — is flagged for a person to
/// review, and this says how close is close.
public struct ChannelPolicy: Codable, Sendable, Equatable {
    /// Minutes either side of a purchase's time within which another channel's purchase at the same counter for the
    /// same amount counts as a possible copy (1–1440, default 30).
    public var matchWindowMinutes: Int

    public init(matchWindowMinutes: Int = 30) { self.matchWindowMinutes = matchWindowMinutes }

    enum CodingKeys: String, CodingKey { case matchWindowMinutes }
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        matchWindowMinutes = try c.decodeIfPresent(Int.self, forKey: .matchWindowMinutes) ?? ChannelPolicy().matchWindowMinutes
    }

    /// The window in milliseconds, for comparing `occurred_at_ms`.
    public var matchWindowMs: Int64 { Int64(matchWindowMinutes) * 60_000 }

    public func validationErrors(path: String) -> [(String, String)] {
        (1...1440).contains(matchWindowMinutes) ? [] : [("\(path).matchWindowMinutes", "must be between 1 and 1440")]
    }
}
