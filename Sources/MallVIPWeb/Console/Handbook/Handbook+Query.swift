import Foundation
import MallVIPCore
import MallVIPStore
import Vapor

/// Who prints the A4 handbook at the desk (issue 18): the service desk, planners, managers (and admins).
extension StaffRole {
    static let handbookDesk: Set<StaffRole> = [.admin, .manager, .planner, .desk]
}

/// Links of the handbook pages (kept beside them, like QualityURL, so SiteURL stays untouched).
enum HandbookURL {
    /// The desk's handbook of a tier (nil: the entry tier).
    static func tier(_ code: String?) -> String {
        SiteRoute.handbook.path() + (code.map { "?tier=" + ($0.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "") } ?? "")
    }
    static func member(_ id: Int64) -> String { SiteRoute.memberHandbook.path(id) }
}

/// The handbook's inputs from the database, the same for /m/programme and the desk's A4 page: the active programme,
/// the active catalogue, active partners and, for a member, their effective tier, balance and rolling spend.
enum HandbookQuery {
    static func forTier(_ store: Store, tier: String?) async throws -> ProgrammeHandbook {
        let (_, programme) = try await store.programme()
        let code = tier.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        let tierCode: String
        if code.isEmpty {
            tierCode = programme.entryTier.code
        } else {
            guard programme.tier(code) != nil else {
                throw DomainError.invalid("tier", "tier.exists", zh: "章程中没有等级 \(code)", en: "tier: the programme has no tier \(code)")
            }
            tierCode = code
        }
        return try await make(store, programme, tier: tierCode, member: nil)
    }

    static func forMember(_ store: Store, memberId: Int64) async throws -> (ProgrammeHandbook, Member) {
        guard let member = try await store.member(id: memberId) else {
            throw DomainError(.notFound, field: nil, rule: "member.exists", zh: "会员不存在", en: "member not found")
        }
        let (_, programme) = try await store.programme()
        let today = LocalDate.of(store.env.now(), in: programme.timeZone)
        let tier = programme.effectiveTier(earned: member.earnedTier, manual: member.manualTier, manualUntil: member.manualUntil, on: today)
        let facts = ProgrammeHandbook.MemberFacts(name: member.name, pointsBalance: member.pointsBalance,
                                                  spend: try await store.rollingSpend(memberId: memberId))
        return (try await make(store, programme, tier: tier, member: facts), member)
    }

    static func make(_ store: Store, _ programme: Programme, tier: String, member: ProgrammeHandbook.MemberFacts?) async throws -> ProgrammeHandbook {
        let today = LocalDate.of(store.env.now(), in: programme.timeZone)
        let rewards = try await store.rewardItems(activeOnly: true)
        let partners = try await store.partners().filter(\.active).map {
            ProgrammeHandbook.PartnerLine(name: $0.name, category: $0.category, discountPermille: $0.discountPermille(tier: tier, programme: programme))
        }
        return ProgrammeHandbook.make(programme, tier: tier, member: member, rewards: rewards, partners: partners, today: today)
    }
}
