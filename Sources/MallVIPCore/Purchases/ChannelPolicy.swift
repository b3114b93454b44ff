/// One purchase, one earning (issue 19): how a second channel's copy of a purchase is recognised. Owner: the cross-channel part; stub.
public struct ChannelPolicy: Codable, Sendable, Equatable {
    public init() {}

    public init(from decoder: Decoder) throws {}
    public func encode(to encoder: Encoder) throws {}

    public func validationErrors(path: String) -> [(String, String)] { [] }
}
