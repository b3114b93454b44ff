/// The POS and partner API (/api/v1/…): registered from these like the console (see `SiteRoute`). These paths are
/// a published contract (OpenAPIDocument); POS systems in the field call them.
extension SiteRoute {
    static let apiOpenAPI = SiteRoute("/api/v1/openapi.json")
    static let apiCounters = SiteRoute("/api/v1/counters")
    static let apiMembers = SiteRoute("/api/v1/members")
    static let apiMemberLookup = SiteRoute("/api/v1/members/lookup")
    static let apiQuotes = SiteRoute("/api/v1/quotes")
    static let apiPurchases = SiteRoute("/api/v1/purchases")
    static let apiRefunds = SiteRoute("/api/v1/refunds")
    static let apiCoupon = SiteRoute("/api/v1/coupons/:code")
    static let apiCouponRedeem = SiteRoute("/api/v1/coupons/:code/redeem")
    static let apiRewards = SiteRoute("/api/v1/rewards")
    static let apiRedemptions = SiteRoute("/api/v1/redemptions")
    static let apiRedemptionVoid = SiteRoute("/api/v1/redemptions/:id/void")
    static let apiPartnerMemberLookup = SiteRoute("/api/v1/partner/members/lookup")
    static let apiPartnerVisits = SiteRoute("/api/v1/partner/visits")
    static let apiParkingExits = SiteRoute("/api/v1/parking/exits")
    static let apiSMSStatus = SiteRoute("/api/v1/sms/status")
    static let apiSMSInbound = SiteRoute("/api/v1/sms/inbound")
    /// WeChat Pay 智慧商圈 notifications (docs/wechat-pay.md): the default of the configurable `callbackPath`.
    static let wechatPayNotify = SiteRoute(WechatPayConfig.defaultCallbackPath)
}
