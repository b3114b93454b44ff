import Foundation
import MallVIPCore

public enum ReferralStatus: String, Sendable, Codable, CaseIterable {
    /// Linked at enrolment; waiting for the new member's first qualifying purchase.
    case pending
    /// The referrer got the reward.
    case rewarded
    /// The purchase qualified but the referrer had already been rewarded `maxRewardedPerReferrer` times.
    case capped
    /// The qualifying purchase was refunded and the reward taken back.
    case reversed

    public var label: LocalizedName {
        switch self {
        case .pending: LocalizedName(zh: "待首次消费", en: "pending")
        case .rewarded: LocalizedName(zh: "已奖励", en: "rewarded")
        case .capped: LocalizedName(zh: "超出奖励上限", en: "over the cap")
        case .reversed: LocalizedName(zh: "退货已收回", en: "reversed")
        }
    }
}

/// One member referring another.
public struct Referral: Sendable, Equatable {
    public var id: Int64
    public var referrerId: Int64
    public var referrerName: String
    public var refereeId: Int64
    public var refereeName: String
    public var code: String
    public var status: ReferralStatus
    public var purchaseId: Int64?
    public var receiptNo: String?
    public var rewardPoints: Int64
    public var rewardCouponCode: String?
    public var rewardGift: String?
    public var note: String
    public var createdAt: Date
    public var rewardedAt: Date?
    public var reversedAt: Date?
}

/// The member page's view: the member's own code, who referred them, and whom they referred.
public struct ReferralSummary: Sendable, Equatable {
    public var code: String?
    public var referredBy: Referral?
    public var referred: [Referral]
}

public struct ReferralSweepSummary: Sendable, Equatable {
    public var settled: Int
    public var reversed: Int
    public var alreadyRan: Bool
}
