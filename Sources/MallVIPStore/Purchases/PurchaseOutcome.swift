import MallVIPCore

/// What a purchase post produced. Stored as JSON with the purchase so that a replay returns exactly the first
/// answer.
public struct PurchaseOutcome: Codable, Sendable, Equatable {
    public var receiptNo: String
    public var mall: String
    public var businessDate: String
    public var member: Bool
    public var cardNo: String?
    public var totalFen: Int64
    public var eligibleFen: Int64
    public var basePoints: Int64
    public var bonusPoints: Int64
    public var factorPermille: Int
    public var multipliers: [String]
    public var pointsEarned: Int64
    public var pointsBalance: Int64?
    public var tier: String?
    public var previousTier: String?
    public var tierChanged: Bool
    /// A higher tier reached on spend that now waits for a manager (紫金).
    public var tierApprovalRequested: String?
    /// A non-member whose receipt meets the enrolment rule: the cashier should suggest a card.
    public var eligibleToEnrol: Bool
}

public struct RefundOutcome: Codable, Sendable, Equatable {
    public var refundNo: String
    public var receiptNo: String
    public var refundedFen: Int64
    public var pointsReversed: Int64
    public var pointsBalance: Int64?
    public var tier: String?
    public var tierChanged: Bool
    public var cardDeactivated: Bool
}

/// A write that a POS may retry: the first answer, or the same answer again.
public enum Posted<T: Sendable>: Sendable {
    case created(T)
    case replayed(T)

    public var value: T {
        switch self { case .created(let v), .replayed(let v): v }
    }
    public var isReplay: Bool { if case .replayed = self { true } else { false } }
}
