import Foundation
import MallVIPCore
import MallVIPStore

/// The member page: who they are, their tier and why, progress to the next tier, points and purchases.
enum MemberPage {
    struct Model: Sendable {
        var member: Member
        var programme: Programme
        var today: LocalDate
        var effectiveTier: String
        var spend: RollingSpend
        var progress: TierProgress?
        var tierChanges: [TierChange]
        var ledger: [LedgerEntry]
        var purchases: [PurchaseSummary]
        var referrals: ReferralSummary
        var coupons: [CouponRecord]
        var notice: String?
        var error: String?
        /// Points lapsing within 90 days, plates and car park exits (MemberPage+Benefits).
        var benefits = BenefitsPart()
        /// Free tags segments select on (MemberTags+View).
        var tags: [String] = []
        /// Latest messages and opt-outs (MemberMessages+View).
        var messages = MemberMessagesPart()
        /// Account manager, their history and the contact log (AccountManagers/MemberManager+View).
        var manager = MemberManagerPart()
        /// Issue 17: the tab shown (`?tab=`, MemberPage+Tabs), the timeline page (`?before=`) and the figures beside it.
        var tab: MemberTab = .timeline
        var timeline = TimelinePage(entries: [], next: nil)
        var glance: MemberAtAGlance?
        /// The change history (engineer 17A's section), loaded only when its tab is shown (the viewing is audited).
        var changes: MemberChangesPart?
        /// Gift entitlements, open ones first (issue 18, MemberPage+Gifts).
        var gifts: [GiftEntitlement] = []
    }
}

extension MemberPage {
    enum Query {
        static func model(_ store: Store, id: Int64) async throws -> Model {
            guard let member = try await store.member(id: id) else {
                throw DomainError(.notFound, field: nil, rule: "member.exists", zh: "会员不存在", en: "member not found")
            }
            let (_, programme) = try await store.programme()
            let today = LocalDate.of(store.env.now(), in: programme.timeZone)
            let effective = programme.effectiveTier(earned: member.earnedTier, manual: member.manualTier, manualUntil: member.manualUntil, on: today)
            let spend = try await store.rollingSpend(memberId: id)
            var model = Model(member: member, programme: programme, today: today, effectiveTier: effective, spend: spend,
                         progress: programme.progress(from: effective, spend: spend),
                         tierChanges: try await store.tierChanges(memberId: id), ledger: try await store.ledger(memberId: id),
                         purchases: try await store.purchases(memberId: id), referrals: try await store.referralSummary(memberId: id),
                         coupons: try await store.coupons(memberId: id))
            model.benefits = try await BenefitsPart.load(store, memberId: id, today: today)
            model.tags = try await store.memberTags(memberId: id)
            model.gifts = try await store.giftEntitlements(memberId: id)
            model.messages = try await MemberMessagesPart.load(store, memberId: id)
            model.manager = try await MemberManagerPart.load(store, member: member, today: today, policy: programme.accountManagers)
            model.glance = try await store.memberAtAGlance(memberId: id, enrolledOn: LocalDate.of(member.enrolledAt, in: programme.timeZone),
                                                           programme: programme, today: today)
            return model
        }
    }
}
