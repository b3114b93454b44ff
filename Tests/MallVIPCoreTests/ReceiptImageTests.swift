import Foundation
@testable import MallVIPCore
import Testing

/// Receipt photos (issue 19): the kind of an upload by its content, and the programme's `photos` bounds.
@Suite("Receipt image and photo policy")
struct ReceiptImageTests {
    /// SOI, an APP0 segment, then SOF0 with height 480 and width 320 (what a camera's JPEG starts with).
    static let jpegHeader: [UInt8] = [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10] + Array("JFIF".utf8) + [0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00]
        + [0xFF, 0xC0, 0x00, 0x11, 0x08, 0x01, 0xE0, 0x01, 0x40, 0x03, 0x01, 0x22, 0x00, 0x02, 0x11, 0x01, 0x03, 0x11, 0x01]

    static func pngHeader(width: UInt32, height: UInt32) -> [UInt8] {
        func be(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }
        return [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13] + Array("IHDR".utf8) + be(width) + be(height) + [8, 2, 0, 0, 0, 0, 0, 0, 0]
    }

    @Test("a JPEG and a PNG are known by their bytes, with their dimensions")
    func kinds() {
        #expect(ReceiptImage.inspect(Self.jpegHeader) == ReceiptImage(kind: .jpeg, width: 320, height: 480))
        #expect(ReceiptImage.inspect(Self.pngHeader(width: 1080, height: 1920)) == ReceiptImage(kind: .png, width: 1080, height: 1920))
    }

    @Test("text, a truncated header, a scan before any frame and absurd sizes are refused")
    func refused() {
        #expect(ReceiptImage.inspect(Array("GIF89a not a receipt".utf8)) == nil)
        #expect(ReceiptImage.inspect(Array("\u{FF}\u{D8} plain text named .jpg".utf8)) == nil)
        #expect(ReceiptImage.inspect(Array(Self.jpegHeader.prefix(22))) == nil)
        #expect(ReceiptImage.inspect([0xFF, 0xD8, 0xFF, 0xDA, 0x00, 0x02]) == nil)
        #expect(ReceiptImage.inspect(Self.pngHeader(width: 0, height: 100)) == nil)
        #expect(ReceiptImage.inspect(Self.pngHeader(width: 20_000, height: 20_000)) == nil)   // 400 megapixels
        #expect(ReceiptImage.inspect(Self.pngHeader(width: 15, height: 100)) == nil)
        #expect(ReceiptImage.inspect([]) == nil)
    }

    @Test("the photos section defaults missing keys and bounds each one")
    func policy() throws {
        let p = try Programme.parse(yaml: Programme.defaultYAML())
        #expect(p.photos == ReceiptPhotoPolicy())
        #expect(p.photos.maxBytes == 8_388_608 && p.photos.reviewHours == 24 && p.photos.maxOpenPerMember == 5 && p.photos.maxAgeDays == 30)
        let bad = ReceiptPhotoPolicy(maxBytes: 8_388_609, reviewHours: 0, maxOpenPerMember: 51, maxAgeDays: 366)
        #expect(Set(bad.validationErrors(path: "photos").map(\.0)) == ["photos.maxBytes", "photos.reviewHours", "photos.maxOpenPerMember", "photos.maxAgeDays"])
        #expect(ReceiptPhotoPolicy().validationErrors(path: "photos").isEmpty)
        // The lower of maxAgeDays and purchases.maxBackdateDays applies to a receipt's date.
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let fortyDaysAgo = now.addingTimeInterval(-40 * 86_400)
        #expect(throws: Never.self) {
            try ReceiptPhotoPolicy(maxAgeDays: 60).checkEntry(receiptNo: "R1", amountFen: 100, occurredAt: fortyDaysAgo, now: now, purchases: PurchasePolicy())
        }
        #expect(throws: DomainError.self) {
            try ReceiptPhotoPolicy(maxAgeDays: 60).checkEntry(receiptNo: "R1", amountFen: 100, occurredAt: fortyDaysAgo, now: now,
                                                              purchases: PurchasePolicy(maxBackdateDays: 30))
        }
        #expect(ReceiptPhotoPolicy().dueAtMs(createdAtMs: 1_000) == 1_000 + 24 * 3_600_000)
    }
}
