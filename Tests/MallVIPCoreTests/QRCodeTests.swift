import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import MallVIPCore

/// The encoder is checked against a real reader (zbarimg from zbar-tools): each symbol is written as a PGM image,
/// decoded, and must give back the text.
@Suite("QR code")
struct QRCodeTests {
    static let zbarimg: String? = ["/usr/bin/zbarimg", "/usr/local/bin/zbarimg"].first { FileManager.default.isExecutableFile(atPath: $0) }
    static let reason: Comment = "zbarimg not installed (apt-get install zbar-tools); .ci/run installs it"

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

    @Test("a reader decodes every version 1–10 at full capacity", .enabled(if: zbarimg != nil, reason))
    func decodesEveryVersion() throws {
        let alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-./:")
        for (i, cap) in Self.capacity.enumerated() {
            let text = String((0..<cap).map { alphabet[($0 * 7 + i) % alphabet.count] })
            let q = try #require(QRCode(text))
            #expect(q.version == i + 1)
            #expect(try Self.decode(q) == text, "version \(i + 1)")
        }
    }

    @Test("a reader decodes every mask pattern", .enabled(if: zbarimg != nil, reason), arguments: 0..<8)
    func decodesEveryMask(mask: Int) throws {
        for text in ["880000000013", "MV-7K3Q-9XZ2-HT4P", "https://vip.example.cn/m/card?n=880000001234"] {
            let q = try #require(QRCode(text, forcingMask: mask))
            #expect(q.mask == mask)
            #expect(try Self.decode(q) == text, "mask \(mask): \(text)")
        }
    }

    @Test("card numbers and coupon codes round-trip with the chosen mask", .enabled(if: zbarimg != nil, reason))
    func decodesCodes() throws {
        for serial in [Int64(1), 42, 987_654] {
            let card = CardNumber.make(serial: serial)
            #expect(try Self.decode(try #require(QRCode(card))) == card)
        }
    }

    @Test("UTF-8 text (Chinese) is carried byte for byte", .enabled(if: zbarimg != nil, reason))
    func decodesUTF8() throws {
        let text = "会员卡 880000000013 · 金卡"
        let q = try #require(QRCode(text))
        #expect(try Self.decode(q) == text)
    }

    /// Writes the symbol as a binary PGM (4 px per module, quiet zone) and reads it back with zbarimg.
    static func decode(_ q: QRCode) throws -> String {
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
        let data = try Self.runCapturingOutput(zbarimg!, ["--raw", "-q", "-Sdisable", "-Sqrcode.enable", url.path])
        var text = String(decoding: data, as: UTF8.self)
        if text.hasSuffix("\n") { text.removeLast() }
        return text
    }

    /// Runs a tool with posix_spawn, its output into a temporary file. Not Foundation's `Process`: on Linux its
    /// `run()` once crashed the whole test run from here (see the web tests' `ChildProcess`, which this target cannot
    /// share). A file rather than a pipe: a pipe's write end could leak into a child launched at the same moment and
    /// keep the read from ever ending.
    static func runCapturingOutput(_ path: String, _ arguments: [String]) throws -> Data {
        struct SpawnFailed: Error { var code: Int32 }
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("spawn-\(UUID().uuidString).out")
        defer { try? FileManager.default.removeItem(at: out) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, out.path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let argv: [UnsafeMutablePointer<CChar>?] = ([path] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, path, &actions, nil, argv, environ)
        guard rc == 0 else { throw SpawnFailed(code: rc) }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return try Data(contentsOf: out)
    }
}
