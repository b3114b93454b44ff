import Foundation

/// Typed links of the member self-service site under /m/. Each case fills in the `SiteRoute` its route is
/// registered with, so links and routes cannot drift. Every page is scoped by the signed-in member (`req.memberId`), never by an id in the URL.
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
    /// The member's handbook (issue 18).
    case programme
    case profile
    case profileConsent
    /// "download my data": "json" or "csv".
    case profileData(String)
    case profileDelete
    case events
    case event(Int64)
    case complaints
    /// The member's gifts (issue 18).
    case gifts
    /// Receipt photos 拍照积分 (issue 19).
    case photos

    var path: String {
        switch self {
        case .home: SiteRoute.memberSiteHome.path()
        case .login: SiteRoute.memberSiteLogin.path()
        case .loginVerify: SiteRoute.memberSiteLoginVerify.path()
        case .logout: SiteRoute.memberSiteLogout.path()
        case .language: SiteRoute.memberSiteLanguage.path()
        case .stylesheet: SiteRoute.memberSiteStylesheet.path()
        case .card: SiteRoute.memberSiteCard.path()
        case .points(let page): SiteRoute.memberSitePoints.path() + Self.page(page)
        case .purchases(let page): SiteRoute.memberSitePurchases.path() + Self.page(page)
        case .purchase(let id): SiteRoute.memberSitePurchase.path(id)
        case .coupons: SiteRoute.memberSiteCoupons.path()
        case .coupon(let code): SiteRoute.memberSiteCoupon.path(code)
        case .rewards: SiteRoute.memberSiteRewards.path()
        case .referral: SiteRoute.memberSiteReferral.path()
        case .programme: SiteRoute.memberSiteProgramme.path()
        case .profile: SiteRoute.memberSiteProfile.path()
        case .profileConsent: SiteRoute.memberSiteProfileConsent.path()
        case .profileData(let format): (format == "csv" ? SiteRoute.memberSiteProfileDataCSV : SiteRoute.memberSiteProfileDataJSON).path()
        case .profileDelete: SiteRoute.memberSiteProfileDelete.path()
        case .events: SiteRoute.memberSiteEvents.path()
        case .event(let id): SiteRoute.memberSiteEvent.path(id)
        case .complaints: SiteRoute.memberSiteComplaints.path()
        case .gifts: SiteRoute.memberSiteGifts.path()
        case .photos: SiteRoute.memberSitePhotos.path()
        }
    }

    private static func page(_ page: Int?) -> String {
        guard let page, page > 1 else { return "" }
        return "?page=\(page)"
    }
}
