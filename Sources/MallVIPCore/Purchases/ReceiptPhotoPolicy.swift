/// Receipt photos (拍照积分, issue 19): limits of an upload, the desk's review clock. Owner: the photo part; stub.
public struct ReceiptPhotoPolicy: Codable, Sendable, Equatable {
    public init() {}

    public init(from decoder: Decoder) throws {}
    public func encode(to encoder: Encoder) throws {}

    public func validationErrors(path: String) -> [(String, String)] { [] }
}
