/// WeChat Pay 智慧商圈 (issue 19, docs/programme.md `wechatPay`, docs/wechat-pay.md): what a payment of a payer who is
/// not yet linked to a member does, and how long after a payment its refund still reverses points. Keys are not
/// programme: they come from configuration (WechatPayConfig).
public struct WechatPayPolicy: Codable, Sendable, Equatable {
    /// What becomes of a payer nobody has linked yet. WeChat's authorization names the payer by openid and the mall
    /// mini-program's 会员卡 code, never by phone, so MallVIP cannot enrol them (a member needs a phone).
    public enum UnknownPayer: String, Codable, Sendable, CaseIterable {
        /// The binding waits (`pending`); their payments are held and posted, with their own time, when the desk or
        /// the member links the binding within `holdDays`.
        case pending
        /// Their payments are recorded as skipped and never earn (a mall that wants only card-linked payers).
        case ignore
    }

    /// Days after a payment that WeChat's refund notice still reverses its points (1–90, default 30: WeChat watches
    /// refunds for 30 days after a points sync).
    public var refundWindowDays: Int
    /// `pending` (default) or `ignore`.
    public var unknownPayer: UnknownPayer
    /// Days a held payment waits for its payer to be linked (1–90, default 30); older held payments are not posted.
    public var holdDays: Int

    public init(refundWindowDays: Int = 30, unknownPayer: UnknownPayer = .pending, holdDays: Int = 30) {
        self.refundWindowDays = refundWindowDays
        self.unknownPayer = unknownPayer
        self.holdDays = holdDays
    }

    enum CodingKeys: String, CodingKey { case refundWindowDays, unknownPayer, holdDays }
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = WechatPayPolicy()
        refundWindowDays = try c.decodeIfPresent(Int.self, forKey: .refundWindowDays) ?? d.refundWindowDays
        unknownPayer = try c.decodeIfPresent(UnknownPayer.self, forKey: .unknownPayer) ?? d.unknownPayer
        holdDays = try c.decodeIfPresent(Int.self, forKey: .holdDays) ?? d.holdDays
    }

    public func validationErrors(path: String) -> [(String, String)] {
        var e: [(String, String)] = []
        if !(1...90).contains(refundWindowDays) { e.append(("\(path).refundWindowDays", "must be between 1 and 90")) }
        if !(1...90).contains(holdDays) { e.append(("\(path).holdDays", "must be between 1 and 90")) }
        return e
    }

    /// Whether a refund at `refundedAt` still reverses a payment made at `paidAt` (both seconds since 1970).
    public func refundInWindow(paidAt: Double, refundedAt: Double) -> Bool {
        refundedAt - paidAt <= Double(refundWindowDays) * 86_400
    }
}
