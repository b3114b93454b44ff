import Vapor

func routes(_ app: Application) throws {
    app.get(.healthz) { _ in "ok" }
    try app.register(collection: HealthController())
    try app.register(collection: POSController())
    try app.register(collection: PartnerController())
    try app.register(collection: CouponsAPIController())
    try app.register(collection: RewardsAPIController())
    try app.register(collection: ParkingController())
    try app.register(collection: SMSWebhookController())
    try app.register(collection: ConsoleRoutes())
    try app.register(collection: MemberRoutes())
    try SurveyController.register(app)
    try EventLinkController.register(app)
}
