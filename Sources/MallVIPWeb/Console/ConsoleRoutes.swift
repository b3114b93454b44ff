import MallVIPStore
import Vapor

/// Every console route, each behind the roles that may use it.
struct ConsoleRoutes: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        // The object-level check (may this user see this member?) on every console route naming a member (issue 14).
        let routes = routes.grouped(MemberAccessMiddleware())
        routes.get("console.css") { req in Stylesheet.serve(req) }
        routes.get("console.js") { req in ConsoleScript.serve(req) }   // no inline script (CSP)
        routes.get { req in req.redirect(to: SiteURL.dashboard.path) }
        try routes.register(collection: LoginController())

        let anyone = routes.grouped(StaffAuthMiddleware(roles: StaffRole.everyone))
        anyone.get("console", use: DashboardController.show)
        anyone.post("console", "language", use: LoginController.setLanguage)
        anyone.post("logout", use: LoginController.logout)

        let lookup = routes.grouped(StaffAuthMiddleware(roles: StaffRole.memberDesk.union([.counterStaff])))
        lookup.get("console", "members", use: MembersController.search)
        lookup.get("console", "members", ":id", use: MembersController.show)

        let desk = routes.grouped(StaffAuthMiddleware(roles: StaffRole.memberDesk))
        desk.get("console", "members", "new", use: MembersController.enrolForm)
        desk.post("console", "members", "new", use: MembersController.enrol)
        desk.get("console", "members", ":id", "edit", use: MembersController.editForm)
        desk.post("console", "members", ":id", "edit", use: MembersController.update)
        desk.post("console", "members", ":id", "card-lost", use: MembersController.cardLost)
        desk.post("console", "members", ":id", "card-replace", use: MembersController.cardReplace)

        let managers = routes.grouped(StaffAuthMiddleware(roles: StaffRole.managers))
        managers.post("console", "members", ":id", "manual-tier", use: MembersController.manualTier)
        managers.post("console", "members", ":id", "adjust-points", use: MembersController.adjustPoints)
        managers.post("console", "members", ":id", "reveal-id", use: MembersController.revealID)
        managers.get("console", "tier-requests", use: TierRequestsController.list)
        managers.post("console", "tier-requests", ":id", use: TierRequestsController.decide)

        try OrganisationController.register(routes)
        try AdminController.register(routes)
        try PasswordController.register(routes)
        try WebhooksController.register(routes)
        try PlatesController.register(routes)
        try PointsFinanceController.register(routes)
        try RewardsConsoleController.register(routes)
        try PartnersController.register(routes)
        try CouponsConsoleController.register(routes)
        try JourneysController.register(routes)
        try SegmentsController.register(routes)
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
        try CheckInController.register(routes)
        try EventsAdminController.register(routes)
        try EconomicsController.register(routes)
        try TargetsController.register(routes)
        try ProgrammeSimulateController.register(routes)
        try ReportsController.register(routes)
    }
}
