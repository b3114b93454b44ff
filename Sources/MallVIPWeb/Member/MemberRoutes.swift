import Vapor

/// Every route of the member site under /m/. Pages of signed-in members go in `member` (behind
/// `MemberAuthMiddleware`: redirect to sign-in, CSRF on POST); each helper registers its own controller there.
struct MemberRoutes: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        // Every path is a whole `SiteRoute` (/m/…), so the site is not grouped by prefix here.
        let m = routes
        m.get(.memberSiteStylesheet) { req in MemberStylesheet.serve(req) }
        m.post(.memberSiteLanguage, use: MemberLanguage.set)
        try m.register(collection: MemberLoginController())
        try m.register(collection: WechatSignInController())   // /m/wechat, official-account sign-in (issue 22b)

        let member = m.grouped(MemberAuthMiddleware())
        member.get(.memberSiteHome) { req in req.redirect(to: MemberURL.card.path) }
        member.post(.memberSiteLogout, use: MemberLoginController.logout)
        try member.register(collection: MemberSelfServiceController())
        try member.register(collection: MemberProfileController())
        try member.register(collection: MemberPhoneChangeController())   // /m/profile/phone (issue 17)
        try member.register(collection: MemberEventsController())
        try member.register(collection: MemberComplaintsController())
        try member.register(collection: MemberProgrammeController())   // /m/programme, the handbook (issue 18)
        try member.register(collection: MemberGiftsController())   // /m/gifts (issue 18)
        member.post(.memberSiteProfileWechatUnbind, use: MemberWechatProfile.unbind)   // issue 22b
        try member.register(collection: MemberWechatCardController())   // /m/card/wechat, the card in 卡包 (issue 22d)
        try MemberPhotosController.register(m)   // /m/photos, receipt photos (issue 19): its own body limit
    }
}

enum MemberLanguage {
    struct Form: Content { var lang: String }

    /// Sets the language cookie shared with the console's signed-out pages and goes back to the page it came from.
    @Sendable static func set(req: Request) async throws -> Response {
        let form = try req.content.decode(Form.self)
        let lang: UILanguage = form.lang == "en" ? .en : .zh
        let back = SafeRedirect.referer(req, under: ["/m/", "/s/", "/e/"])     // one redirect check (issue 14)
        let response = req.redirect(to: back ?? MemberURL.card.path)
        response.cookies["mallvip_lang"] = CookieBuilder.language(lang, config: req.application.appConfig)
        return response
    }
}
