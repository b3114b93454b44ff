import Foundation

/// Typed routes of the member self-service site under /m/: one enum gives both the paths registered and the
/// links rendered. Every page is scoped by the signed-in member (`req.memberId`), never by an id in the URL.
enum MemberURL {
    case home
    case login
    case loginVerify
    case logout
    case language
    case stylesheet
    case card
    case points(page: Int?)
    case purchases(page: Int?)
    case purchase(Int64)
    case coupons
    case coupon(String)
    case rewards
    case referral
    case profile
    case profileConsent
    /// "download my data": "json" or "csv".
    case profileData(String)
    case profileDelete
    case events
    case event(Int64)

    var path: String {
        switch self {
        case .home: "/m"
        case .login: "/m/login"
        case .loginVerify: "/m/login/verify"
        case .logout: "/m/logout"
        case .language: "/m/language"
        case .stylesheet: "/m/member.css"
        case .card: "/m/card"
        case .points(let page): "/m/points" + Self.page(page)
        case .purchases(let page): "/m/purchases" + Self.page(page)
        case .purchase(let id): "/m/purchases/\(id)"
        case .coupons: "/m/coupons"
        case .coupon(let code): "/m/coupons/\(code.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? code)"
        case .rewards: "/m/rewards"
        case .referral: "/m/referral"
        case .profile: "/m/profile"
        case .profileConsent: "/m/profile/consent"
        case .profileData(let format): "/m/profile/data.\(format)"
        case .profileDelete: "/m/profile/delete"
        case .events: "/m/events"
        case .event(let id): "/m/events/\(id)"
        }
    }

    private static func page(_ page: Int?) -> String {
        guard let page, page > 1 else { return "" }
        return "?page=\(page)"
    }
}
