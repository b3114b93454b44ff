import Foundation
import Subprocess
import Testing
@testable import MallVIPCore

/// The encoder is checked against a real reader (zbarimg from zbar-tools): each symbol is written as a PGM image,
/// decoded, and must give back the text.
@Suite("QR code")
struct QRCodeTests {
    static let zbarimg: String? = ["/usr/bin/zbarimg", "/usr/local/bin/zbarimg"].first { FileManager.default.isExecutableFile(atPath: $0) }
    /// Without zbarimg the reader tests fail and say to run scripts/test, which installs zbar-tools when it runs as
    /// root; when it could not (not root), it says so and names zbarimg in MALLVIP_TEST_WITHOUT, and they are skipped.
    static let runnable = zbarimg != nil
        || !(ProcessInfo.processInfo.environment["MALLVIP_TEST_WITHOUT"] ?? "").split(separator: ",").contains("zbarimg")
    static let reason: Comment = "zbarimg is not installed and scripts/test could not install it (apt-get install zbar-tools as root)"
    static let missing: Comment = "zbarimg is not installed: run the tests with scripts/test, which installs zbar-tools (as root)"

    /// Largest byte count per version at level M, from ISO/IEC 18004 table 7.
    static let capacity = [14, 26, 42, 62, 84, 106, 122, 152, 180, 213]

    @Test("capacity: the smallest version that fits is chosen; more than 213 bytes does not fit")
    func capacityTable() {
        for (i, cap) in Self.capacity.enumerated() {
            #expect(QRCode(String(repeating: "A", count: cap))?.version == i + 1)
            #expect(QRCode(String(repeating: "A", count: cap + 1))?.version == (i + 2 <= 10 ? i + 2 : nil))
        }
        #expect(QRCode(String(repeating: "A", count: 214)) == nil)
        // Non-ASCII text carries the 12-bit UTF-8 designator (ECI 26).
        #expect(QRCode(String(repeating: "é", count: 106))?.version == 10)
        #expect(QRCode(String(repeating: "é", count: 106) + "a") == nil)
    }

    @Test("Reed–Solomon: the ISO/IEC 18004 annex I example (1-M, \"01234567\")")
    func reedSolomonExample() {
        let data: [UInt8] = [0x10, 0x20, 0x0C, 0x56, 0x61, 0x80, 0xEC, 0x11, 0xEC, 0x11, 0xEC, 0x11, 0xEC, 0x11, 0xEC, 0x11]
        let ecc = ReedSolomon.remainder(data, divisor: ReedSolomon.divisor(degree: 10))
        #expect(ecc == [0xA5, 0x24, 0xD4, 0xC1, 0xED, 0x36, 0xC7, 0x87, 0x2C, 0x55])
    }

    @Test("finder patterns, timing and the dark module are where readers look")
    func functionPatterns() throws {
        let q = try #require(QRCode("880000000013"))
        #expect(q.size == 21)
        let finder = [[true, true, true, true, true, true, true], [true, false, false, false, false, false, true],
                      [true, false, true, true, true, false, true]]
        for (ox, oy) in [(0, 0), (q.size - 7, 0), (0, q.size - 7)] {
            for r in 0..<3 { #expect(Array(q.modules[oy + r][ox..<ox + 7]) == finder[r]) }
        }
        #expect((8..<q.size - 8).allSatisfy { q.modules[6][$0] == ($0 % 2 == 0) })
        #expect(q.modules[q.size - 8][8])
    }

    // The SVG drawing moved to MallVIPWeb (QRCode+SVG.swift); its test is in MallVIPWebTests/Security/RawHTMLTests.swift.

    @Test("a reader decodes every version 1–10 at full capacity", .enabled(if: runnable, reason))
    func decodesEveryVersion() async throws {
        let alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-./:")
        for (i, cap) in Self.capacity.enumerated() {
            let text = String((0..<cap).map { alphabet[($0 * 7 + i) % alphabet.count] })
            let q = try #require(QRCode(text))
            #expect(q.version == i + 1)
            #expect(try await Self.decode(q) == text, "version \(i + 1)")
        }
    }

    @Test("a reader decodes every mask pattern", .enabled(if: runnable, reason), arguments: 0..<8)
    func decodesEveryMask(mask: Int) async throws {
        for text in ["880000000013", "MV-7K3Q-9XZ2-HT4P", "https://vip.example.cn/m/card?n=880000001234"] {
            let q = try #require(QRCode(text, forcingMask: mask))
            #expect(q.mask == mask)
            #expect(try await Self.decode(q) == text, "mask \(mask): \(text)")
        }
    }

    @Test("card numbers and coupon codes round-trip with the chosen mask", .enabled(if: runnable, reason))
    func decodesCodes() async throws {
        for serial in [Int64(1), 42, 987_654] {
            let card = CardNumber.make(serial: serial)
            #expect(try await Self.decode(try #require(QRCode(card))) == card)
        }
    }

    @Test("UTF-8 text (Chinese) is carried byte for byte", .enabled(if: runnable, reason))
    func decodesUTF8() async throws {
        let text = "会员卡 880000000013 · 金卡"
        let q = try #require(QRCode(text))
        #expect(try await Self.decode(q) == text)
    }

    /// Writes the symbol as a binary PGM (4 px per module, quiet zone) and reads it back with zbarimg.
    static func decode(_ q: QRCode) async throws -> String {
        let zbarimg = try #require(Self.zbarimg, Self.missing)
        let scale = 4, side = (q.size + 2 * QRCode.quietZone) * scale
        var pixels = [UInt8](repeating: 255, count: side * side)
        for (y, row) in q.modules.enumerated() {
            for (x, dark) in row.enumerated() where dark {
                for dy in 0..<scale {
                    for dx in 0..<scale {
                        pixels[((y + QRCode.quietZone) * scale + dy) * side + (x + QRCode.quietZone) * scale + dx] = 0
                    }
                }
            }
        }
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("qr-\(UUID().uuidString).pgm")
        defer { try? FileManager.default.removeItem(at: url) }
        try (Data("P5\n\(side) \(side)\n255\n".utf8) + Data(pixels)).write(to: url)
        // swift-subprocess (not Foundation's `Process`, whose `run()` once crashed the whole test run on Linux).
        let read = try await run(.path(.init(zbarimg)), arguments: ["--raw", "-q", "-Sdisable", "-Sqrcode.enable", url.path],
                                 output: .string(limit: 1 << 16))
        var text = read.standardOutput
        if text.hasSuffix("\n") { text.removeLast() }
        return text
    }
}
