import Foundation
import MallVIPCore
import MallVIPStore

/// /m/profile: the member's contact details, sizes and preferences, consent per channel, their data and the
/// deletion request. Everything is read for `memberId`, the signed-in member.
enum MemberProfilePage {
    /// The edit form's fields as text, so a refused form shows what the member typed.
    struct Form: Sendable {
        var email = "", address = "", birthday = "", clothingSize = "", shoeSize = "", preferences = "", hobbies = "", preferredService = ""
    }

    struct Model {
        var member: Member
        var form: Form
        var consents: [(channel: MessageChannel, granted: Bool)]
        var deletion: DeletionRequest?
        var notice: String?
        var error: String?
        /// An openid of WeChat signs in as this member (issue 22b).
        var wechatBound = false
    }

    enum Query {
        static func model(_ store: Store, memberId: Int64, form: Form? = nil, notice: String?, error: DomainError?,
                          ctx: PageContext) async throws -> Model {
            guard let m = try await store.member(id: memberId) else { throw DomainError(.notFound, field: nil, rule: "member.exists",
                                                                                       zh: "会员不存在", en: "member not found") }
            let current = Form(email: m.email ?? "", address: m.address ?? "", birthday: m.birthday?.description ?? "",
                               clothingSize: m.profile.clothingSize, shoeSize: m.profile.shoeSize, preferences: m.profile.preferences,
                               hobbies: m.profile.hobbies, preferredService: m.profile.preferredService)
            return Model(member: m, form: form ?? current,
                         consents: [(.sms, m.consentSMS), (.email, m.consentEmail), (.call, m.consentPhone)],
                         deletion: try await store.latestDeletionRequest(memberId: memberId), notice: notice,
                         error: error.map { Forms.message($0, ctx) },
                         wechatBound: !(try await store.wechatIdentities(memberId: memberId)).isEmpty)
        }
    }
}
