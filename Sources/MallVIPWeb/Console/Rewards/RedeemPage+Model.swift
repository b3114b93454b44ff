import Foundation
import MallVIPCore
import MallVIPStore

/// The desk's redemption page for one member: what they can redeem right now, why not otherwise, and their
/// redemptions with a void form.
enum RedeemPage {
    struct Model: Sendable {
        var member: Member
        var programme: Programme
        var tier: String
        var available: [Redeemable]
        var unavailable: [Redeemable]
        var history: [Redemption]
        var notice: String?
        /// The coupon the last redemption issued, linked from the notice.
        var couponCode: String?
        var error: String?
    }

    enum Query {
        static func model(_ store: Store, memberId: Int64) async throws -> Model {
            guard let member = try await store.member(id: memberId) else {
                throw DomainError(.notFound, field: nil, rule: "member.exists", zh: "会员不存在", en: "member not found")
            }
            let (_, programme) = try await store.programme()
            let today = LocalDate.of(store.env.now(), in: programme.timeZone)
            let items = try await store.redeemables(memberId: memberId)
            return Model(member: member, programme: programme,
                         tier: programme.effectiveTier(earned: member.earnedTier, manual: member.manualTier, manualUntil: member.manualUntil, on: today),
                         available: items.filter(\.assessment.eligible), unavailable: items.filter { !$0.assessment.eligible },
                         history: try await store.redemptions(memberId: memberId))
        }
    }
}
