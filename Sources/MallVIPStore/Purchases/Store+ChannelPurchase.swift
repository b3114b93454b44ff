import MallVIPCore

/// How a purchase brought by a channel other than a till ended (issue 19, "One purchase, one earning"): posted
/// (or the same post again), or recognised as a copy of a purchase already recorded, which then earns nothing more.
public struct ChannelPosting: Sendable {
    public enum Result: String, Sendable { case posted, replay, duplicate }
    public var result: Result
    /// The purchase as posted (or as first posted, on a replay); nil for a duplicate.
    public var outcome: PurchaseOutcome?
    /// The purchase this one copies (duplicate), by id.
    public var duplicateOf: Int64?
    /// Which rule recognised it: `receipt` (the mall's receipt number), `channelRef` (a transaction id), `match`.
    public var rule: String?
    /// Posted, but close enough to another channel's purchase (counter, amount, time) for a person to look at.
    public var flaggedForReview: Bool

    public init(result: Result, outcome: PurchaseOutcome?, duplicateOf: Int64? = nil, rule: String? = nil, flaggedForReview: Bool = false) {
        self.result = result
        self.outcome = outcome
        self.duplicateOf = duplicateOf
        self.rule = rule
        self.flaggedForReview = flaggedForReview
    }
}

extension Store {
    /// The one entry for purchases from WeChat Pay, approved receipt photos and any channel but a till's POS call:
    /// the cross-channel rules first, then the same posting path as a till (`postPurchase`). `request.channel` and
    /// `channelRef` say where it came from; `actor` who brought it (a reviewer's login, `wechatpay`).
    ///
    /// Stub of the cross-channel part (issue 19): posts straight through until that part's rules land.
    public func postFromChannel(_ request: PurchaseRequest, actor: String) async throws -> ChannelPosting {
        let posted = try await postPurchase(request)
        return ChannelPosting(result: posted.isReplay ? .replay : .posted, outcome: posted.value)
    }
}
