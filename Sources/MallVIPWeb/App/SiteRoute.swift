import Foundation
import Vapor

/// One path of the web site, written once: routes are registered from it (`routes.get(.member, use: …)`) and
/// `SiteURL`, `MemberURL` and `WebhookURL` fill it in for the links they render (`SiteRoute.member.path(id)`).
/// A route and the links to it therefore cannot drift apart; `LinkRouteTests` also follows every rendered link
/// to a registered route. Parameters are written `:name` and filled in order. The paths are contracts
/// (bookmarks, printed QR codes, integrations): change a pattern only on purpose.
struct SiteRoute: Hashable, Sendable, CustomStringConvertible {
    /// The path with `:name` for each parameter, e.g. `/console/members/:id/edit`.
    let pattern: String

    init(_ pattern: String) {
        precondition(pattern.hasPrefix("/"), "a route pattern starts with /")
        self.pattern = pattern
    }

    var description: String { pattern }

    /// The pattern's segments, as Vapor registers them (`:id` becomes a parameter).
    var components: [PathComponent] {
        pattern.split(separator: "/").map { segment in
            segment.hasPrefix(":") ? .parameter(String(segment.dropFirst())) : .constant(String(segment))
        }
    }

    /// The number of `:name` parameters.
    var parameterCount: Int { pattern.split(separator: "/").filter { $0.hasPrefix(":") }.count }

    /// The path with its parameters filled in order, each percent-encoded as one path segment.
    /// Passing too few or too many values is a programming error, caught by the tests.
    func path(_ values: any CustomStringConvertible...) -> String {
        assert(values.count == parameterCount, "\(pattern) takes \(parameterCount) parameter(s), got \(values.count)")
        var next = values.makeIterator()
        let segments = pattern.split(separator: "/", omittingEmptySubsequences: false).map { segment -> String in
            guard segment.hasPrefix(":"), let value = next.next() else { return String(segment) }
            let text = value.description
            return text.addingPercentEncoding(withAllowedCharacters: Self.segmentAllowed) ?? text
        }
        let joined = segments.joined(separator: "/")
        return joined.isEmpty ? "/" : joined
    }

    /// RFC 3986 unreserved characters: anything else in a value is percent-encoded, so a value is one segment.
    private static let segmentAllowed = CharacterSet(charactersIn:
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
}

extension RoutesBuilder {
    /// Registers a GET route at `route`'s pattern.
    @discardableResult
    func get<R: AsyncResponseEncodable>(_ route: SiteRoute, use closure: @Sendable @escaping (Request) async throws -> R) -> Route {
        on(.GET, route.components, use: closure)
    }

    /// Registers a POST route at `route`'s pattern.
    @discardableResult
    func post<R: AsyncResponseEncodable>(_ route: SiteRoute, use closure: @Sendable @escaping (Request) async throws -> R) -> Route {
        on(.POST, route.components, use: closure)
    }

    /// Registers a route at `route`'s pattern with its own body strategy (uploads).
    @discardableResult
    func on<R: AsyncResponseEncodable>(_ method: HTTPMethod, _ route: SiteRoute, body: HTTPBodyStreamStrategy,
                                       use closure: @Sendable @escaping (Request) async throws -> R) -> Route {
        on(method, route.components, body: body, use: closure)
    }
}

// MARK: - Signed-out pages, assets, links in messages

extension SiteRoute {
    static let root = SiteRoute("/")
    static let stylesheet = SiteRoute("/console.css")
    static let script = SiteRoute("/console.js")
    static let login = SiteRoute("/login")
    static let logout = SiteRoute("/logout")
    static let unsubscribe = SiteRoute("/unsubscribe")
    /// A survey link in a message (token-signed, no sign-in).
    static let survey = SiteRoute("/s/:token")
    /// An event invitation link in a message (token-signed, no sign-in).
    static let eventLink = SiteRoute("/e/:token")
    static let healthz = SiteRoute("/healthz")
    static let health = SiteRoute("/health")
    static let metrics = SiteRoute("/metrics")
}

// MARK: - Console

extension SiteRoute {
    static let dashboard = SiteRoute("/console")
    static let language = SiteRoute("/console/language")
    static let password = SiteRoute("/console/password")

    // Members
    static let members = SiteRoute("/console/members")
    static let enrol = SiteRoute("/console/members/new")
    static let member = SiteRoute("/console/members/:id")
    static let memberEdit = SiteRoute("/console/members/:id/edit")
    static let memberCardLost = SiteRoute("/console/members/:id/card-lost")
    static let memberCardReplace = SiteRoute("/console/members/:id/card-replace")
    static let memberManualTier = SiteRoute("/console/members/:id/manual-tier")
    static let memberAdjustPoints = SiteRoute("/console/members/:id/adjust-points")
    static let memberRevealID = SiteRoute("/console/members/:id/reveal-id")
    // Corrections, audited (issue 17): MemberCorrectionsController
    static let memberChanges = SiteRoute("/console/members/:id/changes")
    static let memberPhone = SiteRoute("/console/members/:id/phone")
    static let memberPhoneCode = SiteRoute("/console/members/:id/phone/code")
    static let memberPhoneOverride = SiteRoute("/console/members/:id/phone/override")
    static let memberIDNumber = SiteRoute("/console/members/:id/id-number")
    static let memberCardReplaceCode = SiteRoute("/console/members/:id/card-replace/code")
    static let memberTags = SiteRoute("/console/members/:id/tags")
    static let memberCoupons = SiteRoute("/console/members/:id/coupons")
    static let memberContacts = SiteRoute("/console/members/:id/contacts")
    static let memberManager = SiteRoute("/console/members/:id/manager")
    static let memberPlateBind = SiteRoute("/console/members/:id/plate-bind")
    static let memberPlateUnbind = SiteRoute("/console/members/:id/plate-unbind")
    static let memberRedeem = SiteRoute("/console/members/:id/redeem")
    /// The printable A4 handbook for one member (issue 18): HandbookController.
    static let memberHandbook = SiteRoute("/console/members/:id/handbook")
    static let redemptionVoid = SiteRoute("/console/members/:id/redemptions/:rid/void")
    /// The desk hands a gift entitlement over (issue 18): GiftsController.
    static let memberGiftHandOver = SiteRoute("/console/members/:id/gifts/:gid/hand-over")
    static let tierRequests = SiteRoute("/console/tier-requests")
    static let tierRequestDecide = SiteRoute("/console/tier-requests/:id")

    // Organisation and administration
    static let counters = SiteRoute("/console/counters")
    static let counterNew = SiteRoute("/console/counters/new")
    static let counter = SiteRoute("/console/counters/:id")
    static let departments = SiteRoute("/console/departments")
    static let malls = SiteRoute("/console/malls")
    static let staff = SiteRoute("/console/staff")
    static let staffToggle = SiteRoute("/console/staff/:id/toggle")
    static let staffResetPassword = SiteRoute("/console/staff/:id/reset-password")
    static let staffCounter = SiteRoute("/console/staff/:id/counter")
    static let apiKeys = SiteRoute("/console/api-keys")
    static let apiKeyRevoke = SiteRoute("/console/api-keys/:id/revoke")
    static let programme = SiteRoute("/console/programme")
    static let programmeSimulate = SiteRoute("/console/programme/simulate")
    static let imports = SiteRoute("/console/import")
    static let webhooks = SiteRoute("/console/webhooks")
    static let webhookDeactivate = SiteRoute("/console/webhooks/:id/deactivate")
    static let webhookReplaySince = SiteRoute("/console/webhooks/:id/replay")
    static let webhookDelivery = SiteRoute("/console/webhooks/deliveries/:id")
    static let webhookReplayDelivery = SiteRoute("/console/webhooks/deliveries/:id/replay")

    // Partners, rewards, coupons, points
    static let partners = SiteRoute("/console/partners")
    static let partnerNew = SiteRoute("/console/partners/new")
    static let partner = SiteRoute("/console/partners/:id")
    static let partnerSettlement = SiteRoute("/console/partners/settlement")
    static let rewards = SiteRoute("/console/rewards")
    static let rewardNew = SiteRoute("/console/rewards/new")
    static let reward = SiteRoute("/console/rewards/:id")
    static let rewardStock = SiteRoute("/console/rewards/:id/stock")
    static let rewardActive = SiteRoute("/console/rewards/:id/active")
    static let rewardSettlement = SiteRoute("/console/rewards/settlement")
    static let rewardSettlementCSV = SiteRoute("/console/rewards/settlement.csv")
    static let coupons = SiteRoute("/console/coupons")
    static let coupon = SiteRoute("/console/coupons/:code")
    /// The printable A4 handbook of a tier (issue 18): HandbookController.
    static let handbook = SiteRoute("/console/handbook")
    static let financePoints = SiteRoute("/console/finance/points")
    static let financeCoFunding = SiteRoute("/console/finance/co-funding")          // tenant co-funding (issue 20)
    static let financeCoFundingCSV = SiteRoute("/console/finance/co-funding.csv")
    static let financeLiability = SiteRoute("/console/finance/liability")          // points liability roll-forward (issue 20)
    static let financeLiabilityCSV = SiteRoute("/console/finance/liability.csv")

    // Segments, exports, campaigns, messages, journeys
    static let segments = SiteRoute("/console/segments")
    static let segmentNew = SiteRoute("/console/segments/new")
    static let segment = SiteRoute("/console/segments/:id")
    static let segmentDelete = SiteRoute("/console/segments/:id/delete")
    static let segmentExport = SiteRoute("/console/segments/:id/export.csv")
    static let exports = SiteRoute("/console/exports")
    static let exportMembers = SiteRoute("/console/exports/members.csv")
    static let exportPurchases = SiteRoute("/console/exports/purchases.csv")
    static let exportLedger = SiteRoute("/console/exports/ledger.csv")
    static let campaigns = SiteRoute("/console/campaigns")
    static let campaignNew = SiteRoute("/console/campaigns/new")
    static let campaign = SiteRoute("/console/campaigns/:id")
    static let campaignEdit = SiteRoute("/console/campaigns/:id/edit")
    static let campaignSchedule = SiteRoute("/console/campaigns/:id/schedule")
    static let campaignSendNow = SiteRoute("/console/campaigns/:id/send-now")
    static let campaignCancel = SiteRoute("/console/campaigns/:id/cancel")
    static let messages = SiteRoute("/console/messages")
    static let calls = SiteRoute("/console/calls")
    static let callFinish = SiteRoute("/console/calls/:id")
    static let templates = SiteRoute("/console/templates")
    static let templateNew = SiteRoute("/console/templates/new")
    static let template = SiteRoute("/console/templates/:code")
    static let journeys = SiteRoute("/console/journeys")
    static let journey = SiteRoute("/console/journeys/:code")
    static let journeyToggle = SiteRoute("/console/journeys/:code/toggle")
    static let holidays = SiteRoute("/console/holidays")
    static let holidayNew = SiteRoute("/console/holidays/new")
    static let holiday = SiteRoute("/console/holidays/:id")
    static let holidayDelete = SiteRoute("/console/holidays/:id/delete")

    // Account managers, tasks, prospects
    static let myVIPs = SiteRoute("/console/my-vips")
    static let myVIPsContact = SiteRoute("/console/my-vips/contacts")
    static let accountManagers = SiteRoute("/console/account-managers")
    static let staffHiredOn = SiteRoute("/console/account-managers/:id/hired-on")
    static let managerRanking = SiteRoute("/console/account-managers/ranking")
    static let managerAward = SiteRoute("/console/account-managers/ranking/award")
    static let tasks = SiteRoute("/console/tasks")
    static let taskClose = SiteRoute("/console/tasks/:id")
    static let taskLapseCSV = SiteRoute("/console/tasks/:id/lapse.csv")
    static let taskDeletion = SiteRoute("/console/tasks/:id/deletion")
    static let churn = SiteRoute("/console/churn")
    static let prospects = SiteRoute("/console/prospects")
    static let prospectInvites = SiteRoute("/console/prospects/invites")
    static let conversionRanking = SiteRoute("/console/prospects/ranking")
    static let conversionAward = SiteRoute("/console/prospects/ranking/award")

    // Events and feedback
    static let events = SiteRoute("/console/events")
    static let eventNew = SiteRoute("/console/events/new")
    static let event = SiteRoute("/console/events/:id")
    static let eventEdit = SiteRoute("/console/events/:id/edit")
    static let eventInvite = SiteRoute("/console/events/:id/invite")
    static let eventStatus = SiteRoute("/console/events/:id/status")
    static let eventRSVP = SiteRoute("/console/events/:id/rsvp")
    static let eventCheckIn = SiteRoute("/console/events/:id/checkin")
    static let eventWalkIn = SiteRoute("/console/events/:id/walkin")
    static let eventReport = SiteRoute("/console/events/:id/report")
    static let eventSurveys = SiteRoute("/console/events/:id/surveys")
    static let complaints = SiteRoute("/console/complaints")
    static let complaintRespond = SiteRoute("/console/complaints/:id/respond")
    static let complaintResolve = SiteRoute("/console/complaints/:id/resolve")
    /// The desk's receipt photo queue (issue 19): PhotosReviewController.
    static let photos = SiteRoute("/console/photos")
    static let photoReview = SiteRoute("/console/photos/:id")
    static let photoImage = SiteRoute("/console/photos/:id/image")
    /// Points by channel and cross-channel duplicates to review (issue 19): ChannelsController.
    static let channels = SiteRoute("/console/channels")
    static let channelsCSV = SiteRoute("/console/channels/report.csv")
    static let channelsSweep = SiteRoute("/console/channels/sweep")
    static let channelFlagConfirm = SiteRoute("/console/channels/flags/:id/confirm")
    static let channelFlagDismiss = SiteRoute("/console/channels/flags/:id/dismiss")
    static let feedbackReport = SiteRoute("/console/feedback")
    static let feedbackQuarterlySend = SiteRoute("/console/feedback/quarterly-send")

    // Reports, economics, targets
    static let reports = SiteRoute("/console/reports")
    /// A report table as CSV: the parameter is `<table>.csv`.
    static let reportCSV = SiteRoute("/console/reports/:table")
    static let economics = SiteRoute("/console/economics")
    static let economicsCostsCSV = SiteRoute("/console/economics/costs.csv")
    static let economicsCosts = SiteRoute("/console/economics/costs")
    static let economicsCostDelete = SiteRoute("/console/economics/costs/:id/delete")
    /// The gift report and stock (issue 18): GiftsController.
    static let gifts = SiteRoute("/console/gifts")
    static let giftsCSV = SiteRoute("/console/gifts/report.csv")
    static let giftStock = SiteRoute("/console/gifts/stock")
    static let targets = SiteRoute("/console/targets")
    static let targetDelete = SiteRoute("/console/targets/:id/delete")
}

// MARK: - Member self-service site (/m)

extension SiteRoute {
    static let memberSiteHome = SiteRoute("/m")
    static let memberSiteStylesheet = SiteRoute("/m/member.css")
    static let memberSiteLanguage = SiteRoute("/m/language")
    static let memberSiteLogin = SiteRoute("/m/login")
    static let memberSiteLoginVerify = SiteRoute("/m/login/verify")
    static let memberSiteLogout = SiteRoute("/m/logout")
    static let memberSiteCard = SiteRoute("/m/card")
    static let memberSitePoints = SiteRoute("/m/points")
    static let memberSitePurchases = SiteRoute("/m/purchases")
    static let memberSitePurchase = SiteRoute("/m/purchases/:id")
    static let memberSiteCoupons = SiteRoute("/m/coupons")
    static let memberSiteCoupon = SiteRoute("/m/coupons/:code")
    static let memberSiteRewards = SiteRoute("/m/rewards")
    static let memberSiteReferral = SiteRoute("/m/referral")
    static let memberSiteProgramme = SiteRoute("/m/programme")   // the member's handbook (issue 18)
    static let memberSiteProfile = SiteRoute("/m/profile")
    static let memberSiteProfileConsent = SiteRoute("/m/profile/consent")
    static let memberSiteProfilePhoneCode = SiteRoute("/m/profile/phone/code")
    static let memberSiteProfilePhone = SiteRoute("/m/profile/phone")
    static let memberSiteProfileDataJSON = SiteRoute("/m/profile/data.json")
    static let memberSiteProfileDataCSV = SiteRoute("/m/profile/data.csv")
    static let memberSiteProfileDelete = SiteRoute("/m/profile/delete")
    static let memberSiteEvents = SiteRoute("/m/events")
    static let memberSiteEvent = SiteRoute("/m/events/:id")
    /// The member's own complaints: list and the form to file one (issue 17).
    static let memberSiteComplaints = SiteRoute("/m/complaints")
    /// The member's gifts: to collect, collected, expired (issue 18).
    static let memberSiteGifts = SiteRoute("/m/gifts")
    /// Receipt photos 拍照积分 (issue 19): the upload form and the member's photos; one photo's image (their own only).
    static let memberSitePhotos = SiteRoute("/m/photos")
    static let memberSitePhotoImage = SiteRoute("/m/photos/:id/image")
    /// Official-account sign-in (issue 22b): to WeChat's 网页授权, back from it; the profile's unbind button.
    static let memberSiteWechat = SiteRoute("/m/wechat")
    static let memberSiteWechatCallback = SiteRoute("/m/wechat/callback")
    static let memberSiteProfileWechatUnbind = SiteRoute("/m/profile/wechat/unbind")
    static let memberSiteWechatCard = SiteRoute("/m/card/wechat")   // issue 22d: the card in 卡包
    static let memberSiteWechatCardActivate = SiteRoute("/m/card/wechat/activate")
}
