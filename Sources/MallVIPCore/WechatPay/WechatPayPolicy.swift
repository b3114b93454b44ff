/// WeChat Pay 智慧商圈 (issue 19): what an authorization does with a payer who is not yet a member, refund window. Keys are not programme: they come from configuration. Owner: the WeChat Pay inbound part; stub.
public struct WechatPayPolicy: Codable, Sendable, Equatable {
    public init() {}

    public init(from decoder: Decoder) throws {}
    public func encode(to encoder: Encoder) throws {}

    public func validationErrors(path: String) -> [(String, String)] { [] }
}
