/// Where a purchase came from (issue 19): a till's POS call, a WeChat Pay 智慧商圈 payment notification, a member's
/// receipt photo approved at the desk, or a migration import. Stored on `purchases.channel`; the points-by-channel
/// report and the cross-channel duplicate rules read it. A POS cannot claim another channel: the API never takes it
/// from the body, the server sets it.
public enum PurchaseChannel: String, Sendable, Equatable, CaseIterable, Codable {
    case pos
    case wechatPay = "wechat_pay"
    case photo
    case desk
    case `import`
}
