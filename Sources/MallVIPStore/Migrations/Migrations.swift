import FluentKit

/// The ordered list of migrations. Numbers are never reused; a new change is a new file.
public enum StoreMigrations {
    public static let all: [any Migration] = [
        M001_Organisation(),
        M002_Programme(),
        M003_Staff(),
        M004_Members(),
        M005_Purchases(),
        M006_Seed(),
        M007_TierReview(),
        M008_Rewards(),
        M009_Coupons(),
        M010_PointsExpiry(),
        M011_Partners(),
        M012_Outbox(),
        M013_Templates(),
        M014_Segments(),
        M015_Campaigns(),
        M016_AccountManagers(),
        M017_ServiceTasks(),
        M018_Prospects(),
        M019_MemberAuth(),
        M020_MemberRequests(),
        M021_Events(),
        M022_Feedback(),
        M023_Webhooks(),
        M024_Imports(),
        M025_ReportAggregates(),
        M026_Economics(),
        M027_ReportSnapshots(),
        M028_StaffCredentials(),
        M029_WebhookResponseBodies(),
        M030_PageNotices(),
        M031_ReportShards(),
        M032_MemberTimeline(),
        M033_StaffMalls(),
        M034_MemberCorrections(),
        M035_BatchGuard(),
        M036_Gifts(),
        M037_Offers(),
        M038_FinanceClosedMonths(),
        M039_PurchaseChannels(),
        M045_JourneyCoupons(),
        M043_ChannelDuplicates(),
        M042_ReceiptPhotos(),
        M040_WechatPay(),
        M044_WritePath(),
        M041_WechatPaySync(),
        M047_WechatIdentities(),
        M050_ReportFigures(),
        M046_MonthlyPartitions(),
        M049_WechatCards(),
        M048_WechatSubscriptions(),
    ]
}

extension SchemaBuilder {
    /// Integer primary key, auto-assigned by the database on both stores.
    func autoID() -> Self { field("id", .int64, .identifier(auto: true)) }
}
