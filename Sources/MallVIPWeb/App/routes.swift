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
    // WeChat Pay 智慧商圈 notifications (issue 19): only when configured; the path is the configured callbackPath.
    if let wechatPay = app.appConfig.wechatPay { try app.register(collection: WechatPayController(config: wechatPay)) }
    try app.register(collection: ConsoleRoutes())
    try app.register(collection: MemberRoutes())
    // The mini-program member API (issue 22a): only when some mall has a mini-program in MALLVIP_WECHAT_CONFIG.
    if app.miniProgramEnabled { try miniProgramRoutes(app) }
    try SurveyController.register(app)
    try EventLinkController.register(app)
}
