/// What a receipt photo's bytes are (issue 19, 拍照积分): decided by the content alone — the magic bytes and a header
/// that parses with sane dimensions — never by the file's name or the type the browser declared. A PNG named `.jpg`
/// is a PNG; a text file named `.jpg` is refused.
public struct ReceiptImage: Sendable, Equatable {
    public enum Kind: String, Sendable, Equatable {
        case jpeg, png
        /// The `Content-Type` a stored photo is served with.
        public var contentType: String { self == .jpeg ? "image/jpeg" : "image/png" }
        public var fileExtension: String { self == .jpeg ? "jpg" : "png" }
    }

    public var kind: Kind
    public var width: Int
    public var height: Int

    /// Sides from 16 to 20,000 pixels, at most 100 megapixels: a receipt a desk can read, and not a decompression bomb.
    public static let sides = 16...20_000
    public static let maxPixels = 100_000_000

    /// The image's kind and size, or nil when the bytes are not a JPEG or PNG with a readable header.
    public static func inspect(_ bytes: [UInt8]) -> ReceiptImage? {
        let found = png(bytes) ?? jpeg(bytes)
        guard let found, sides.contains(found.width), sides.contains(found.height),
              found.width * found.height <= maxPixels else { return nil }
        return found
    }

    static let pngSignature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    static func be32(_ b: [UInt8], _ i: Int) -> Int { Int(b[i]) << 24 | Int(b[i + 1]) << 16 | Int(b[i + 2]) << 8 | Int(b[i + 3]) }
    static func be16(_ b: [UInt8], _ i: Int) -> Int { Int(b[i]) << 8 | Int(b[i + 1]) }

    /// PNG: the signature, then the IHDR chunk (length 13) first, with width and height.
    static func png(_ b: [UInt8]) -> ReceiptImage? {
        guard b.count >= 33, Array(b[0..<8]) == pngSignature, be32(b, 8) == 13,
              b[12] == 0x49, b[13] == 0x48, b[14] == 0x44, b[15] == 0x52 else { return nil }
        let bitDepth = b[24], colour = b[25]
        guard [1, 2, 4, 8, 16].contains(bitDepth), [0, 2, 3, 4, 6].contains(colour) else { return nil }
        return ReceiptImage(kind: .png, width: be32(b, 16), height: be32(b, 20))
    }

    /// JPEG: SOI, then marker segments up to the first start-of-frame (SOF0–SOF15 but DHT, JPG and DAC), which holds
    /// height and width. A segment running past the end, or a scan before any frame, is not a JPEG we accept.
    static func jpeg(_ b: [UInt8]) -> ReceiptImage? {
        guard b.count >= 4, b[0] == 0xFF, b[1] == 0xD8, b[2] == 0xFF else { return nil }
        var i = 2
        while i + 4 <= b.count {
            guard b[i] == 0xFF else { return nil }
            var marker = b[i + 1]
            while marker == 0xFF, i + 2 < b.count { i += 1; marker = b[i + 1] }   // fill bytes
            i += 2
            if marker == 0x01 || (0xD0...0xD7).contains(marker) { continue }     // no length
            if marker == 0xD9 || marker == 0xDA { return nil }                  // end or scan before a frame
            guard i + 2 <= b.count else { return nil }
            let length = be16(b, i)
            guard length >= 2, i + length <= b.count else { return nil }
            if (0xC0...0xCF).contains(marker), ![0xC4, 0xC8, 0xCC].contains(marker) {
                guard length >= 8 else { return nil }
                return ReceiptImage(kind: .jpeg, width: be16(b, i + 5), height: be16(b, i + 3))
            }
            i += length
        }
        return nil
    }
}
