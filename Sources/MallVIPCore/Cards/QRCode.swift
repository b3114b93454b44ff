/// QR code (ISO/IEC 18004), byte mode, error correction level M, versions 1–10: enough for card numbers, coupon
/// codes and short links, which is all the member pages show. Pure Swift so the server needs no image library.
public struct QRCode: Sendable, Equatable {
    public let version: Int
    public let mask: Int
    /// `modules[y][x]`, true = dark; no quiet zone.
    public let modules: [[Bool]]
    public var size: Int { modules.count }

    /// Blank modules around the symbol that readers need.
    public static let quietZone = 4
    public static let maxVersion = 10

    /// Nil when the text does not fit version 10 at level M (213 bytes of ASCII; 212 when it needs the UTF-8 designator).
    public init?(_ text: String) { self.init(text, forcingMask: nil) }

    /// `forcingMask` lets tests check every mask against a decoder; otherwise the lowest penalty wins.
    init?(_ text: String, forcingMask: Int?) {
        let bytes = Array(text.utf8)
        let eci = Self.needsUTF8Designator(bytes)
        guard let version = (1...Self.maxVersion).first(where: { Self.fits(bytes.count, eci: eci, version: $0) }) else { return nil }
        var m = Matrix(version: version)
        m.drawFunctionPatterns()
        m.drawCodewords(Self.interleaved(Self.dataCodewords(bytes, version: version), version: version))
        let penalties = forcingMask == nil ? (0..<8).map { m.masked($0).penalty() } : []
        let mask = forcingMask ?? penalties.indices.min { penalties[$0] < penalties[$1] }!
        let chosen = m.masked(mask)
        self.version = version
        self.mask = mask
        self.modules = chosen.dark
    }

    /// The SVG drawing is in MallVIPWeb (`QRCode+SVG.swift`), where its text is escaped by the one HTML escaping
    /// function every page uses.

    // MARK: - Capacity (level M)

    /// Error-correction codewords per block and number of blocks at level M, versions 1...10 (ISO table 9).
    static let eccPerBlock = [10, 16, 26, 18, 24, 16, 18, 22, 22, 26]
    static let blockCount = [1, 1, 1, 2, 2, 4, 4, 4, 5, 5]
    static let alignmentCentres: [[Int]] = [[], [6, 18], [6, 22], [6, 26], [6, 30], [6, 34],
                                            [6, 22, 38], [6, 24, 42], [6, 26, 46], [6, 28, 50]]

    static func rawCodewords(version v: Int) -> Int {
        var modules = (16 * v + 128) * v + 64
        if v >= 2 {
            let align = v / 7 + 2
            modules -= (25 * align - 10) * align - 55
            if v >= 7 { modules -= 36 }
        }
        return modules / 8
    }

    static func dataCapacity(version v: Int) -> Int {
        rawCodewords(version: v) - eccPerBlock[v - 1] * blockCount[v - 1]
    }

    static func countBits(version v: Int) -> Int { v <= 9 ? 8 : 16 }

    static func fits(_ byteCount: Int, eci: Bool, version v: Int) -> Bool {
        (eci ? 12 : 0) + 4 + countBits(version: v) + 8 * byteCount <= 8 * dataCapacity(version: v)
    }

    /// Readers guess the charset of byte mode (zbar guesses Shift JIS for Chinese), so non-ASCII text is preceded
    /// by ECI 26, UTF-8; plain ASCII needs none and keeps the 12 bits.
    static func needsUTF8Designator(_ bytes: [UInt8]) -> Bool { bytes.contains { $0 >= 0x80 } }

    // MARK: - Data

    /// Mode indicator, count, bytes, terminator and the 0xEC/0x11 padding.
    static func dataCodewords(_ bytes: [UInt8], version v: Int) -> [UInt8] {
        var bits = BitBuffer()
        if needsUTF8Designator(bytes) {
            bits.append(0b0111, count: 4)
            bits.append(26, count: 8)
        }
        bits.append(0b0100, count: 4)
        bits.append(bytes.count, count: countBits(version: v))
        for b in bytes { bits.append(Int(b), count: 8) }
        let capacityBits = 8 * dataCapacity(version: v)
        bits.append(0, count: min(4, capacityBits - bits.count))
        bits.append(0, count: (8 - bits.count % 8) % 8)
        var words = bits.bytes
        var pad: UInt8 = 0xEC
        while words.count < dataCapacity(version: v) {
            words.append(pad)
            pad = pad == 0xEC ? 0x11 : 0xEC
        }
        return words
    }

    /// Splits into blocks (short ones first), adds Reed–Solomon codewords and interleaves column by column.
    static func interleaved(_ data: [UInt8], version v: Int) -> [UInt8] {
        let blocks = blockCount[v - 1], eccLen = eccPerBlock[v - 1]
        let raw = rawCodewords(version: v)
        let shortBlocks = blocks - raw % blocks
        let shortLen = raw / blocks - eccLen
        let divisor = ReedSolomon.divisor(degree: eccLen)
        var dataBlocks: [[UInt8]] = [], eccBlocks: [[UInt8]] = []
        var k = 0
        for i in 0..<blocks {
            let len = shortLen + (i < shortBlocks ? 0 : 1)
            let block = Array(data[k..<k + len])
            k += len
            dataBlocks.append(block)
            eccBlocks.append(ReedSolomon.remainder(block, divisor: divisor))
        }
        var out: [UInt8] = []
        for i in 0...shortLen {
            for block in dataBlocks where i < block.count { out.append(block[i]) }
        }
        for i in 0..<eccLen {
            for block in eccBlocks { out.append(block[i]) }
        }
        return out
    }
}

struct BitBuffer {
    private(set) var bits: [Bool] = []
    var count: Int { bits.count }
    mutating func append(_ value: Int, count n: Int) {
        for i in stride(from: n - 1, through: 0, by: -1) { bits.append((value >> i) & 1 == 1) }
    }
    var bytes: [UInt8] {
        stride(from: 0, to: bits.count, by: 8).map { start in
            bits[start..<min(start + 8, bits.count)].enumerated().reduce(UInt8(0)) { acc, e in acc | (e.element ? 0x80 >> UInt8(e.offset) : 0) }
        }
    }
}

/// Reed–Solomon over GF(2^8) with the QR polynomial x^8 + x^4 + x^3 + x^2 + 1.
enum ReedSolomon {
    static func multiply(_ x: UInt8, _ y: UInt8) -> UInt8 {
        var z = 0
        for i in stride(from: 7, through: 0, by: -1) {
            z = (z << 1) ^ ((z >> 7) * 0x11D)
            z ^= Int((y >> UInt8(i)) & 1) * Int(x)
        }
        return UInt8(z)
    }

    /// Generator polynomial coefficients, highest power first, leading 1 omitted.
    static func divisor(degree: Int) -> [UInt8] {
        var result = [UInt8](repeating: 0, count: degree)
        result[degree - 1] = 1
        var root: UInt8 = 1
        for _ in 0..<degree {
            for j in 0..<degree {
                result[j] = multiply(result[j], root)
                if j + 1 < degree { result[j] ^= result[j + 1] }
            }
            root = multiply(root, 0x02)
        }
        return result
    }

    static func remainder(_ data: [UInt8], divisor: [UInt8]) -> [UInt8] {
        var result = [UInt8](repeating: 0, count: divisor.count)
        for b in data {
            let factor = b ^ result.removeFirst()
            result.append(0)
            for i in 0..<result.count { result[i] ^= multiply(divisor[i], factor) }
        }
        return result
    }
}
