import MallVIPStore
import Vapor

/// Every console route, each behind the roles that may use it.
struct ConsoleRoutes: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        // The object-level check (may this user see this member?) on every console route naming a member (issue 14).
        let routes = routes.grouped(MemberAccessMiddleware())
        routes.get(.stylesheet) { req in Stylesheet.serve(req) }
        routes.get(.script) { req in ConsoleScript.serve(req) }   // no inline script (CSP)
        routes.get(.root) { req in req.redirect(to: SiteURL.dashboard.path) }
        try routes.register(collection: LoginController())

        let anyone = routes.grouped(StaffAuthMiddleware(roles: StaffRole.everyone))
        anyone.get(.dashboard, use: DashboardController.show)
        anyone.post(.language, use: LoginController.setLanguage)
        anyone.post(.logout, use: LoginController.logout)

        let lookup = routes.grouped(StaffAuthMiddleware(roles: StaffRole.memberDesk.union([.counterStaff])))
        lookup.get(.members, use: MembersController.search)
        lookup.get(.member, use: MembersController.show)

        let desk = routes.grouped(StaffAuthMiddleware(roles: StaffRole.memberDesk))
        desk.get(.enrol, use: MembersController.enrolForm)
        desk.post(.enrol, use: MembersController.enrol)
        desk.get(.memberEdit, use: MembersController.editForm)
        desk.post(.memberEdit, use: MembersController.update)
        desk.post(.memberCardLost, use: MembersController.cardLost)
        desk.post(.memberCardReplace, use: MembersController.cardReplace)
        try MemberCorrectionsController.register(routes)   // phone, ID, card holder check, change history (issue 17)

        let managers = routes.grouped(StaffAuthMiddleware(roles: StaffRole.managers))
        managers.post(.memberManualTier, use: MembersController.manualTier)
        managers.post(.memberAdjustPoints, use: MembersController.adjustPoints)
        managers.post(.memberRevealID, use: MembersController.revealID)
        managers.get(.tierRequests, use: TierRequestsController.list)
        managers.post(.tierRequestDecide, use: TierRequestsController.decide)

        try OrganisationController.register(routes)
        try MallsAdminController.register(routes)   // regions and staff malls (issue 17)
        try AdminController.register(routes)
        try PasswordController.register(routes)
        try WebhooksController.register(routes)
        try PlatesController.register(routes)
        try PointsFinanceController.register(routes)
        try CoFundingController.register(routes)   // tenant co-funding statements (issue 20)
        try LiabilityController.register(routes)   // points liability roll-forward (issue 20)
        try RewardsConsoleController.register(routes)
        try PartnersController.register(routes)
        try CouponsConsoleController.register(routes)
        try HandbookController.register(routes)   // the printable member handbook (issue 18)
        try GiftsController.register(routes)   // gift hand-over, report and stock (issue 18)
        try JourneysController.register(routes)
        try SegmentsController.register(routes)
        try DataQualityController.register(routes)   // data quality and staff figures (issue 17, 17D)
        try ExportsController.register(routes)
        try ImportsController.register(routes)
        try CampaignsController.register(routes)
        try MessagesController.register(routes)
        try AccountManagersController.register(routes)
        try TasksController.register(routes)
        try DeletionDecisionController.register(routes)
        try UnsubscribeController.register(routes)
        try ProspectsController.register(routes)
        try FeedbackController.register(routes)
        try PhotosReviewController.register(routes)   // the desk's receipt photo queue (issue 19)
        try ChannelsController.register(routes)   // points by channel, duplicates to review (issue 19)
        try WechatPayConsoleController.register(routes)   // WeChat Pay shop mapping and payer bindings (issue 19)
        try WechatPaySyncConsoleController.register(routes)   // WeChat Pay outbound sync queue (issue 19)
        try CheckInController.register(routes)
        try EventsAdminController.register(routes)
        try EconomicsController.register(routes)
        try TargetsController.register(routes)
        try ProgrammeSimulateController.register(routes)
        try ReportsController.register(routes)
    }
}
