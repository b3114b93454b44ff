import Foundation
import MallVIPStore

/// The profile form for roles that do not see personal data (planners): e-mail and address are shown masked, as on
/// the member page, and a masked value sent back unchanged keeps the stored one (issue 14: the edit form showed
/// planners what the member page hides).
extension MemberForms {
    static let maskedValue = "***"

    /// What the form shows for a personal field.
    static func shown(_ value: String?, _ ctx: PageContext) -> String {
        guard let value, !value.isEmpty else { return "" }
        return ctx.seesPersonalData ? value : maskedValue
    }

    /// What to store for a personal field the form sent: blank is none; the mask unchanged keeps `current`.
    static func submitted(_ sent: String?, current: String?, _ ctx: PageContext) -> String? {
        guard let sent, !sent.isEmpty else { return nil }
        if !ctx.seesPersonalData, sent == maskedValue { return current }
        return sent
    }
}
