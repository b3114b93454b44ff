import Vapor

/// The member JSON API for a mall's mini-program (issue 22a, docs/wechat.md "Mini-program API"). Registered only
/// when MALLVIP_WECHAT_CONFIG gives some mall a miniProgram; otherwise /api/m/v1 answers 404 like any unknown path.
/// Sign-in (no bearer yet) is outside MiniProgramAuth; everything else is behind it and scoped to the token's member.
func miniProgramRoutes(_ app: Application) throws {
    let api = app.grouped("api", "m", "v1")
    api.get("openapi.json", use: MiniProgramOpenAPI.serve)
    try api.register(collection: MiniProgramSessionController())
    let member = api.grouped(MiniProgramAuth())
    try member.register(collection: MiniProgramMemberController())
    // 22c: subscriptions
    try member.register(collection: MiniProgramSubscriptionsController())
    // 22a-2: write routes
    try member.register(collection: MiniProgramRedeemController())
    try member.register(collection: MiniProgramEventsController())
}

extension Application {
    /// True when some mall has a mini-program: the /api/m/v1 routes exist.
    var miniProgramEnabled: Bool { wechat?.config.malls.contains { $0.miniProgram != nil } ?? false }
}
